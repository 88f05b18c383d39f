/** GET /v1/staff/credit/channels/{channelId}: a channel's credit state, ledger with evidence, cases and appeals. */
import { channelDirectoryFromEnv } from '../adapters/dynamodb/channel-directory';
import { creditRulesStoreFromEnv, creditStoreFromEnv } from '../adapters/dynamodb/credit-store';
import { getCreditChannel } from '../core/use-cases/credit-officer';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { lazy, systemClock } from '../shared/lazy';
import { creditChannelPath } from '../../schemas/v1/path-parameters';

const ports = lazy(async () => ({ credit: creditStoreFromEnv(), rules: creditRulesStoreFromEnv(), channels: channelDirectoryFromEnv(), clock: systemClock }));

export const handler = staffEndpoint({
  endpoint: 'getCreditChannel',
  action: 'GET_CREDIT_CHANNEL',
  deps: staffEndpointDeps,
  path: creditChannelPath,
  run: async ({ path, target }) => {
    target(`channel:${path.channelId}`);
    return { statusCode: 200, body: await getCreditChannel(await ports(), path.channelId) };
  },
});
