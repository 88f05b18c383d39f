/**
 * GET /v1/staff/statistics/filings: filings by district, day/week/month and business type (002 五(二)4),
 * from the statistics worker's day buckets; `format=csv` answers the rows as CSV.
 */
import { registerRepositoryFromEnv } from '../adapters/dynamodb/register-repository';
import { statisticsStoreFromEnv } from '../adapters/dynamodb/statistics-store';
import { filingStatistics } from '../core/use-cases/statistics';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { reshapeResponse } from '../shared/http/reshape-response';
import { csvWhenText, filingStatisticsCsv } from '../shared/http/statistics-csv';
import { lazy, systemClock } from '../shared/lazy';
import { statisticsQuerySchema } from '../../schemas/v1/statistics';

const ports = lazy(async () => {
  const register = registerRepositoryFromEnv();
  return { store: statisticsStoreFromEnv(), districts: () => register.listDistricts(), clock: systemClock };
});

export const handler = reshapeResponse(
  staffEndpoint({
    endpoint: 'getFilingStatistics',
    action: 'GET_FILING_STATISTICS',
    deps: staffEndpointDeps,
    query: statisticsQuerySchema,
    run: async ({ staff, query, target }) => {
      target(`statistics:filings:${query.district ?? 'all'}:${query.from}/${query.to}`);
      const stats = await filingStatistics(await ports(), staff, query);
      return { statusCode: 200, body: query.format === 'csv' ? filingStatisticsCsv(stats) : stats };
    },
  }),
  csvWhenText('filing-statistics.csv'),
);
