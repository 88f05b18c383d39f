/** POST /v1/channel/rectifications: a rectification report for the open case of the channel or its institution (DESIGN.md §4). */
import { auditLogFromEnv } from '../adapters/dynamodb/audit-log';
import { channelDirectoryFromEnv } from '../adapters/dynamodb/channel-directory';
import { creditRulesStoreFromEnv, creditStoreFromEnv } from '../adapters/dynamodb/credit-store';
import { notificationQueueFromEnv } from '../adapters/sqs/notification-queue';
import { submitRectification } from '../core/use-cases/channel-credit';
import { channelEndpoint } from '../shared/http/channel-endpoint';
import { endpointDeps } from '../shared/http/endpoint-deps';
import { lazy, systemClock } from '../shared/lazy';
import { MAX_CREDIT_REQUEST_BYTES, rectificationRequestSchema } from '../../schemas/v1/credit';

const ports = lazy(async () => ({
  credit: creditStoreFromEnv(),
  rules: creditRulesStoreFromEnv(),
  channels: channelDirectoryFromEnv(),
  audit: auditLogFromEnv(),
  notifications: notificationQueueFromEnv(),
  clock: systemClock,
}));

export const handler = channelEndpoint({
  action: 'POST_RECTIFICATION',
  maxBodyBytes: MAX_CREDIT_REQUEST_BYTES,
  idempotent: true,
  deps: endpointDeps,
  body: rectificationRequestSchema,
  // Allowed while shut off: this is how a shut-off institution asks to be reopened (002 三(一)6).
  run: async ({ channel, body }) => ({ statusCode: 201, body: await submitRectification(await ports(), channel, body) }),
});
