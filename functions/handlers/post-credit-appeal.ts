/** POST /v1/channel/credit/events/{eventId}/appeal: the channel appeals one of its ledger events (DESIGN.md §4). */
import { auditLogFromEnv } from '../adapters/dynamodb/audit-log';
import { channelDirectoryFromEnv } from '../adapters/dynamodb/channel-directory';
import { creditRulesStoreFromEnv, creditStoreFromEnv } from '../adapters/dynamodb/credit-store';
import { notificationQueueFromEnv } from '../adapters/sqs/notification-queue';
import { appealCreditEvent } from '../core/use-cases/channel-credit';
import { channelEndpoint } from '../shared/http/channel-endpoint';
import { endpointDeps } from '../shared/http/endpoint-deps';
import { lazy, systemClock } from '../shared/lazy';
import { appealRequestSchema, MAX_CREDIT_REQUEST_BYTES } from '../../schemas/v1/credit';
import { channelCreditEventPath } from '../../schemas/v1/path-parameters';

const ports = lazy(async () => ({
  credit: creditStoreFromEnv(),
  rules: creditRulesStoreFromEnv(),
  channels: channelDirectoryFromEnv(),
  audit: auditLogFromEnv(),
  notifications: notificationQueueFromEnv(),
  clock: systemClock,
}));

export const handler = channelEndpoint({
  action: 'POST_CREDIT_APPEAL',
  maxBodyBytes: MAX_CREDIT_REQUEST_BYTES,
  idempotent: true,
  deps: endpointDeps,
  // The event id's format is checked before any read: a malformed one answers the 404 of a missing one.
  path: channelCreditEventPath,
  body: appealRequestSchema,
  run: async ({ channel, path, body }) => ({ statusCode: 201, body: await appealCreditEvent(await ports(), channel, path.eventId, body.grounds) }),
});
