/** GET /v1/staff/credit/appeals: appeals of ledger events, newest first, optionally of one status. */
import { creditStoreFromEnv } from '../adapters/dynamodb/credit-store';
import { listCreditAppeals } from '../core/use-cases/credit-officer';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { lazy } from '../shared/lazy';
import { listCreditAppealsQuerySchema } from '../../schemas/v1/credit-staff';

const ports = lazy(async () => ({ credit: creditStoreFromEnv() }));

export const handler = staffEndpoint({
  endpoint: 'listCreditAppeals',
  action: 'LIST_CREDIT_APPEALS',
  deps: staffEndpointDeps,
  query: listCreditAppealsQuerySchema,
  run: async ({ query, target }) => {
    target(`credit-appeals/status:${query.status ?? 'ALL'}`);
    return { statusCode: 200, body: await listCreditAppeals(await ports(), query) };
  },
});
