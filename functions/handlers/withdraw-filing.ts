/** POST /v1/filings/{filingId}/withdrawal: the channel withdraws its filing before registration (DESIGN.md §3). */
import { auditLogFromEnv } from '../adapters/sqs/audit-queue';
import { filingRepositoryFromEnv } from '../adapters/dynamodb/filing-repository';
import { notificationQueueFromEnv } from '../adapters/sqs/notification-queue';
import { statisticsQueueFromEnv } from '../adapters/sqs/statistics-queue';
import { departmentQueuesFromEnv } from '../adapters/sqs/department-queue';
import { vaultFromEnv } from '../adapters/keys/personal-data-vault';
import { withdrawFiling } from '../core/use-cases/withdraw-filing';
import { channelEndpoint } from '../shared/http/channel-endpoint';
import { endpointDeps } from '../shared/http/endpoint-deps';
import { lazy, systemClock } from '../shared/lazy';
import { filingPath } from '../../schemas/v1/path-parameters';
import { MAX_WITHDRAWAL_BODY_BYTES, withdrawalRequestSchema } from '../../schemas/v1/withdrawal';
import { logEffectsPending } from '../shared/effects-reporter';

const ports = lazy(async () => ({
  filings: filingRepositoryFromEnv(),
  // Opens the parties' names only, to refuse a reason naming one.
  vault: await vaultFromEnv(),
  notifications: notificationQueueFromEnv(),
  statistics: statisticsQueueFromEnv(),
  departments: departmentQueuesFromEnv(),
  audit: auditLogFromEnv(),
  clock: systemClock,
  onEffectsPending: logEffectsPending,
}));

export const handler = channelEndpoint({
  action: 'WITHDRAW_FILING',
  maxBodyBytes: MAX_WITHDRAWAL_BODY_BYTES,
  idempotent: true,
  deps: endpointDeps,
  path: filingPath,
  body: withdrawalRequestSchema,
  run: async ({ channel, path, body }) => ({ statusCode: 200, body: await withdrawFiling(await ports(), channel, path.filingId, body.reason) }),
});
