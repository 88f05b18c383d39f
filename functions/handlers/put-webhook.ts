/**
 * PUT /v1/channel/webhook: registers, changes or (with `{ "url": null }`) removes the URL that receives
 * the channel's signed progress events. Idempotent by nature, and honours Idempotency-Key.
 */
import { channelDirectoryFromEnv } from '../adapters/dynamodb/channel-directory';
import { auditLogFromEnv } from '../adapters/sqs/audit-queue';
import { platformSignerFromEnv } from '../adapters/keys/platform-signer-from-env';
import { setWebhookSettings } from '../core/use-cases/webhook-settings';
import { channelEndpoint } from '../shared/http/channel-endpoint';
import { endpointDeps } from '../shared/http/endpoint-deps';
import { lazy, systemClock } from '../shared/lazy';
import { webhookUrlPolicyFromEnv } from '../shared/webhook-policy';
import { putWebhookRequestSchema } from '../../schemas/v1/webhook';

/** `{ "url": "<2048 chars>" }` fits comfortably. */
const MAX_BODY_BYTES = 8 * 1024;
const policy = webhookUrlPolicyFromEnv();

const ports = lazy(async () => ({
  registry: channelDirectoryFromEnv(),
  signer: await platformSignerFromEnv(),
  audit: auditLogFromEnv(),
  clock: systemClock,
  policy,
}));

export const handler = channelEndpoint({
  action: 'PUT_WEBHOOK',
  maxBodyBytes: MAX_BODY_BYTES,
  idempotent: true,
  deps: endpointDeps,
  body: putWebhookRequestSchema,
  run: async ({ channel, body }) => ({ statusCode: 200, body: await setWebhookSettings(await ports(), channel, body.url) }),
});
