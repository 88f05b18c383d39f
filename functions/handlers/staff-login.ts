/**
 * POST /v1/staff/login: the local token issuer's sign-in (local runtime only; on AWS, staff sign in
 * with the Cognito user pool and this function is not deployed).
 *
 * A wrong username and a wrong password get the same 401 INVALID_CREDENTIALS after the same scrypt work,
 * so neither the answer nor its timing tells which usernames exist. Only after the password is right is
 * a deactivated account told so (403 STAFF_DEACTIVATED). Every attempt is audited; the username tried
 * and the password never are.
 *
 * Throttled (429 RATE_LIMITED, before any scrypt work): at most `STAFF_LOGIN_USER_FAILURES` wrong
 * attempts per username (default 5) and `STAFF_LOGIN_ADDRESS_FAILURES` per client address (default 20)
 * in `STAFF_LOGIN_WINDOW_SECONDS` (default 900). Usernames are counted under a keyed hash, not in the clear.
 */
import { staffDirectoryFromEnv } from '../adapters/dynamodb/staff-directory';
import { auditLogFromEnv } from '../adapters/sqs/audit-queue';
import { LocalStaffIssuer } from '../adapters/identity/local-issuer';
import { decoyHash, verifyPassword } from '../adapters/identity/password-hash';
import { rateCounterFromEnv } from '../adapters/dynamodb/rate-counter';
import { unauthenticated } from '../core/domain/errors';
import { assertActive } from '../core/domain/staff';
import type { FailureLimit } from '../core/domain/rate-limit';
import { LOCAL_KEYRING_DIR_ENV } from '../../infra/topology';
import { getNumberFromEnv, getStringFromEnv } from '../shared/config';
import { sm3Hex } from '../shared/crypto/sm3';
import { clientAddressOf } from '../shared/http/call-audit';
import { checkFailures, countFailure } from '../shared/http/failure-limit';
import { staffSignInEndpoint } from '../shared/http/staff-endpoint';
import { lazy, systemClock } from '../shared/lazy';
import { MAX_STAFF_LOGIN_BODY_BYTES, staffLoginRequestSchema, type StaffLoginResponse } from '../../schemas/v1/staff';

const WINDOW_SECONDS = getNumberFromEnv('STAFF_LOGIN_WINDOW_SECONDS', 900);
const perUser: FailureLimit = { scope: 'login-user', limit: getNumberFromEnv('STAFF_LOGIN_USER_FAILURES', 5), windowSeconds: WINDOW_SECONDS };
const perAddress: FailureLimit = { scope: 'login-address', limit: getNumberFromEnv('STAFF_LOGIN_ADDRESS_FAILURES', 20), windowSeconds: WINDOW_SECONDS };
const THROTTLED = 'Too many failed sign-ins for this username or from this address; retry later.';
const userSubject = (username: string): string => sm3Hex(`zhitong/staff-login/v1\n${username}`).slice(0, 32);

const deps = lazy(async () => ({
  directory: staffDirectoryFromEnv(),
  issuer: await LocalStaffIssuer.open(getStringFromEnv(LOCAL_KEYRING_DIR_ENV)),
  audit: auditLogFromEnv(),
  decoy: await decoyHash(),
  denials: { rate: rateCounterFromEnv(), clock: systemClock },
}));

const invalidCredentials = () => unauthenticated('INVALID_CREDENTIALS', 'The username or the password is wrong.');

export const handler = staffSignInEndpoint({
  action: 'STAFF_LOGIN',
  maxBodyBytes: MAX_STAFF_LOGIN_BODY_BYTES,
  body: staffLoginRequestSchema,
  deps,
  run: async ({ event, body: { username, password }, deps: { directory, issuer, decoy, denials }, identify }) => {
    const user = userSubject(username);
    const address = clientAddressOf(event);
    await checkFailures(denials, perUser, user, THROTTLED);
    await checkFailures(denials, perAddress, address, THROTTLED);
    const login = await directory.findLogin(username);
    // Unknown usernames (and Cognito-managed accounts without a local hash) are checked against a decoy.
    const matches = await verifyPassword(login?.passwordHash ?? decoy, password);
    if (!login?.passwordHash || !matches) {
      await Promise.all([countFailure(denials, perUser, user), countFailure(denials, perAddress, address)]);
      throw invalidCredentials();
    }
    const staff = await directory.get(login.staffId);
    if (!staff) throw invalidCredentials();
    identify(staff);
    // A locked account (misuse detector) is told 403 STAFF_ACCOUNT_LOCKED, a deactivated one STAFF_DEACTIVATED.
    assertActive(staff);
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
