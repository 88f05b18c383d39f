/**
 * GET /v1/staff/statistics/channels: each channel's behaviour (002 三(一)6) — counts and rates from the
 * statistics worker's day buckets, signature failures and the score over time from its credit ledger, and
 * the anonymised peer distribution; `format=csv` answers one row per channel.
 */
import { creditRulesStoreFromEnv, creditStoreFromEnv } from '../adapters/dynamodb/credit-store';
import { statisticsStoreFromEnv } from '../adapters/dynamodb/statistics-store';
import { channelStatistics } from '../core/use-cases/statistics';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { reshapeResponse } from '../shared/http/reshape-response';
import { channelStatisticsCsv, csvWhenText } from '../shared/http/statistics-csv';
import { lazy, systemClock } from '../shared/lazy';
import { channelStatisticsQuerySchema } from '../../schemas/v1/statistics';

const ports = lazy(async () => ({ store: statisticsStoreFromEnv(), credit: creditStoreFromEnv(), rules: creditRulesStoreFromEnv(), clock: systemClock }));

export const handler = reshapeResponse(
  staffEndpoint({
    endpoint: 'getChannelStatistics',
    action: 'GET_CHANNEL_STATISTICS',
    deps: staffEndpointDeps,
    query: channelStatisticsQuerySchema,
    run: async ({ query, target }) => {
      target(`statistics:channels:${query.channelId ?? query.institutionId ?? query.institutionType ?? 'all'}:${query.from}/${query.to}`);
      const stats = await channelStatistics(await ports(), query);
      return { statusCode: 200, body: query.format === 'csv' ? channelStatisticsCsv(stats) : stats };
    },
  }),
  csvWhenText('channel-statistics.csv'),
);
