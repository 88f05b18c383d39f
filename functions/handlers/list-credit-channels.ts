/** GET /v1/staff/credit/channels: channels by grade and score, lowest score first (DESIGN.md §4 "Credit officers"). */
import { creditStoreFromEnv } from '../adapters/dynamodb/credit-store';
import { listCreditChannels } from '../core/use-cases/credit-officer';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { lazy } from '../shared/lazy';
import { listCreditChannelsQuerySchema } from '../../schemas/v1/credit-staff';

const ports = lazy(async () => ({ credit: creditStoreFromEnv() }));

export const handler = staffEndpoint({
  endpoint: 'listCreditChannels',
  action: 'LIST_CREDIT_CHANNELS',
  deps: staffEndpointDeps,
  query: listCreditChannelsQuerySchema,
  run: async ({ query, target }) => {
    target(`credit-channels/grade:${query.grade ?? 'ALL'}`);
    return { statusCode: 200, body: await listCreditChannels(await ports(), query) };
  },
});
