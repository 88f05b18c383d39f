/** GET /v1/channel/webhook: the channel's webhook and the platform key and scheme that sign deliveries. */
import { platformSignerFromEnv } from '../adapters/keys/platform-signer-from-env';
import { getWebhookSettings } from '../core/use-cases/webhook-settings';
import { channelEndpoint } from '../shared/http/channel-endpoint';
import { endpointDeps } from '../shared/http/endpoint-deps';
import { lazy } from '../shared/lazy';

const ports = lazy(async () => ({ signer: await platformSignerFromEnv() }));

export const handler = channelEndpoint({
  action: 'GET_WEBHOOK',
  deps: endpointDeps,
  run: async ({ channel }) => ({ statusCode: 200, body: await getWebhookSettings(await ports(), channel) }),
});
