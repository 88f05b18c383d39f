/** GET /v1/channel/credit: the channel's and its institution's score, grade, ledger, open case and peer comparison (DESIGN.md §4). */
import { channelDirectoryFromEnv } from '../adapters/dynamodb/channel-directory';
import { creditRulesStoreFromEnv, creditStoreFromEnv } from '../adapters/dynamodb/credit-store';
import { rateCounterFromEnv } from '../adapters/dynamodb/rate-counter';
import { channelCredit } from '../core/use-cases/channel-credit';
import { channelEndpoint } from '../shared/http/channel-endpoint';
import { endpointDeps } from '../shared/http/endpoint-deps';
import { lazy, systemClock } from '../shared/lazy';

const ports = lazy(async () => ({
  credit: creditStoreFromEnv(),
  rules: creditRulesStoreFromEnv(),
  channels: channelDirectoryFromEnv(),
  quota: rateCounterFromEnv(),
  clock: systemClock,
}));

export const handler = channelEndpoint({
  action: 'GET_CHANNEL_CREDIT',
  deps: endpointDeps,
  // Open whatever the grade (002 三(一)6: a shut-off institution still reads its credit record).
  run: async ({ channel }) => ({ statusCode: 200, body: await channelCredit(await ports(), channel) }),
});
