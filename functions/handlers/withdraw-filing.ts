/** POST /v1/filings/{filingId}/withdrawal: the channel withdraws its filing before registration (DESIGN.md §3). */
import { auditLogFromEnv } from '../adapters/dynamodb/audit-log';
import { filingRepositoryFromEnv } from '../adapters/dynamodb/filing-repository';
import { notificationQueueFromEnv } from '../adapters/sqs/notification-queue';
import { unprocessable } from '../core/domain/errors';
import { withdrawFiling } from '../core/use-cases/withdraw-filing';
import { channelEndpoint } from '../shared/http/channel-endpoint';
import { endpointDeps } from '../shared/http/endpoint-deps';
import { lazy, systemClock } from '../shared/lazy';
import { fieldErrorsFromIssues } from '../../schemas/v1/filing-input';
import { MAX_WITHDRAWAL_BODY_BYTES, withdrawalRequestSchema } from '../../schemas/v1/withdrawal';
import { logEffectsPending } from '../shared/effects-reporter';

const ports = lazy(async () => ({
  filings: filingRepositoryFromEnv(),
  notifications: notificationQueueFromEnv(),
  audit: auditLogFromEnv(),
  clock: systemClock,
  onEffectsPending: logEffectsPending,
}));

export const handler = channelEndpoint({
  action: 'WITHDRAW_FILING',
  maxBodyBytes: MAX_WITHDRAWAL_BODY_BYTES,
  idempotent: true,
  deps: endpointDeps,
  run: async ({ event, channel, json }) => {
    const parsed = withdrawalRequestSchema.safeParse(json, { reportInput: true });
    if (!parsed.success) {
      throw unprocessable('INVALID_WITHDRAWAL', 'The body must be {} or { "reason": "<1–200 characters>" }.', { errors: fieldErrorsFromIssues(parsed.error.issues) });
    }
    return { statusCode: 200, body: await withdrawFiling(await ports(), channel, event.pathParameters?.filingId ?? '', parsed.data.reason) };
  },
});
