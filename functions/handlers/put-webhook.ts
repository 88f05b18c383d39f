/**
 * PUT /v1/channel/webhook: registers, changes or (with `{ "url": null }`) removes the URL that receives
 * the channel's signed progress events. Idempotent by nature, and honours Idempotency-Key.
 */
import { channelDirectoryFromEnv } from '../adapters/dynamodb/channel-directory';
import { auditLogFromEnv } from '../adapters/dynamodb/audit-log';
import { platformSignerFromEnv } from '../adapters/keys/platform-signer-from-env';
import { unprocessable } from '../core/domain/errors';
import { WEBHOOK_URL_CODES } from '../core/domain/webhook-url';
import { setWebhookSettings } from '../core/use-cases/webhook-settings';
import { channelEndpoint } from '../shared/http/channel-endpoint';
import { endpointDeps } from '../shared/http/endpoint-deps';
import { lazy, systemClock } from '../shared/lazy';
import { webhookUrlPolicyFromEnv } from '../shared/webhook-policy';
import { INVALID_WEBHOOK_REQUEST, putWebhookRequestSchema } from '../../schemas/v1/webhook';

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
  run: async ({ channel, json }) => {
    const parsed = putWebhookRequestSchema.safeParse(json);
    if (!parsed.success) {
      if (parsed.error.issues.some((issue) => issue.code === 'too_big' && issue.path[0] === 'url')) {
        throw unprocessable('WEBHOOK_URL_TOO_LONG', WEBHOOK_URL_CODES.WEBHOOK_URL_TOO_LONG);
      }
      throw unprocessable(INVALID_WEBHOOK_REQUEST, 'The body must be { "url": "https://…" } or { "url": null }, and nothing else.');
    }
    return { statusCode: 200, body: await setWebhookSettings(await ports(), channel, parsed.data.url) };
  },
});
