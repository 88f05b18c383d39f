/**
 * POST /v1/staff/login: the local token issuer's sign-in (local runtime only; on AWS, staff sign in
 * with the Cognito user pool and this function is not deployed).
 *
 * A wrong username and a wrong password get the same 401 INVALID_CREDENTIALS after the same scrypt work,
 * so neither the answer nor its timing tells which usernames exist. Only after the password is right is
 * a deactivated account told so (403 STAFF_DEACTIVATED). Every attempt is audited; the username tried
 * and the password never are.
 */
import { staffDirectoryFromEnv } from '../adapters/dynamodb/staff-directory';
import { auditLogFromEnv } from '../adapters/dynamodb/audit-log';
import { LocalStaffIssuer } from '../adapters/identity/local-issuer';
import { decoyHash, verifyPassword } from '../adapters/identity/password-hash';
import { forbidden, unauthenticated, unprocessable } from '../core/domain/errors';
import { LOCAL_KEYRING_DIR_ENV } from '../../infra/topology';
import { getStringFromEnv } from '../shared/config';
import { staffSignInEndpoint } from '../shared/http/staff-endpoint';
import { lazy } from '../shared/lazy';
import { fieldErrorsFromIssues } from '../../schemas/v1/filing-input';
import { MAX_STAFF_LOGIN_BODY_BYTES, staffLoginRequestSchema, type StaffLoginResponse } from '../../schemas/v1/staff';

const deps = lazy(async () => ({
  directory: staffDirectoryFromEnv(),
  issuer: await LocalStaffIssuer.open(getStringFromEnv(LOCAL_KEYRING_DIR_ENV)),
  audit: auditLogFromEnv(),
  decoy: await decoyHash(),
}));

const invalidCredentials = () => unauthenticated('INVALID_CREDENTIALS', 'The username or the password is wrong.');

export const handler = staffSignInEndpoint({
  action: 'STAFF_LOGIN',
  maxBodyBytes: MAX_STAFF_LOGIN_BODY_BYTES,
  deps,
  run: async ({ json, deps: { directory, issuer, decoy }, identify }) => {
    const parsed = staffLoginRequestSchema.safeParse(json);
    if (!parsed.success) {
      throw unprocessable('INVALID_REQUEST', 'The body must be { "username": "…", "password": "…" }.', { errors: fieldErrorsFromIssues(parsed.error.issues) });
    }
    const { username, password } = parsed.data;
    const login = await directory.findLogin(username);
    // Unknown usernames (and Cognito-managed accounts without a local hash) are checked against a decoy.
    const matches = await verifyPassword(login?.passwordHash ?? decoy, password);
    if (!login?.passwordHash || !matches) throw invalidCredentials();
    const staff = await directory.get(login.staffId);
    if (!staff) throw invalidCredentials();
    identify(staff);
    if (staff.status !== 'ACTIVE') throw forbidden('STAFF_DEACTIVATED', 'This staff account is deactivated.');
    const { accessToken, expiresIn } = await issuer.issue(staff);
    const body: StaffLoginResponse = {
      accessToken,
      tokenType: 'Bearer',
      expiresIn,
      staff: { staffId: staff.staffId, role: staff.role, district: staff.district },
    };
    return { statusCode: 200, body };
  },
});
