/** POST /v1/staff/credit/cases/{caseNo}/reopening: a credit officer closes a case and reopens its channels on probation. */
import { auditLogFromEnv } from '../adapters/dynamodb/audit-log';
import { channelDirectoryFromEnv } from '../adapters/dynamodb/channel-directory';
import { creditRulesStoreFromEnv, creditStoreFromEnv } from '../adapters/dynamodb/credit-store';
import { notificationQueueFromEnv } from '../adapters/sqs/notification-queue';
import { reopenCase } from '../core/use-cases/credit-officer';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { lazy, systemClock } from '../shared/lazy';
import { MAX_CREDIT_BODY_BYTES, reopenRequestSchema } from '../../schemas/v1/credit-staff';
import { creditCasePath } from '../../schemas/v1/path-parameters';

const ports = lazy(async () => ({
  credit: creditStoreFromEnv(),
  rules: creditRulesStoreFromEnv(),
  channels: channelDirectoryFromEnv(),
  audit: auditLogFromEnv(),
  notifications: notificationQueueFromEnv(),
  clock: systemClock,
}));

export const handler = staffEndpoint({
  endpoint: 'reopenCase',
  action: 'REOPEN_CASE',
  maxBodyBytes: MAX_CREDIT_BODY_BYTES,
  deps: staffEndpointDeps,
  path: creditCasePath,
  body: reopenRequestSchema,
  run: async ({ staff, path, body, target }) => {
    target(`case:${path.caseNo}`);
    return { statusCode: 200, body: await reopenCase(await ports(), staff, path.caseNo, body) };
  },
});
