/**
 * POST /v1/staff/accounts/{staffId}/unlock: an administrator of the account's district unlocks an account the
 * misuse detector locked, with a reason (never the holder: 403 SELF_UNLOCK_FORBIDDEN; not locked: 409).
 */
import { auditLogFromEnv } from '../adapters/sqs/audit-queue';
import { staffDirectoryFromEnv } from '../adapters/dynamodb/staff-directory';
import { unlockStaff } from '../core/use-cases/unlock-staff';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { lazy, systemClock } from '../shared/lazy';
import { MAX_MISUSE_BODY_BYTES, staffAccountPath, unlockRequestSchema } from '../../schemas/v1/misuse';

const ports = lazy(async () => {
  const directory = staffDirectoryFromEnv();
  return { staff: directory, locks: directory, audit: auditLogFromEnv(), clock: systemClock };
});

export const handler = staffEndpoint({
  endpoint: 'unlockStaff',
  action: 'UNLOCK_STAFF',
  maxBodyBytes: MAX_MISUSE_BODY_BYTES,
  deps: staffEndpointDeps,
  path: staffAccountPath,
  body: unlockRequestSchema,
  run: async ({ staff, path, body, target, observe }) => {
    target(`staff:${path.staffId}`);
    return { statusCode: 200, body: await unlockStaff(await ports(), staff, path.staffId, body.reason, observe) };
  },
});
