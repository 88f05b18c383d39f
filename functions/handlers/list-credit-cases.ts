/** GET /v1/staff/credit/cases: shutoff cases, newest first, optionally of one status. */
import { creditStoreFromEnv } from '../adapters/dynamodb/credit-store';
import { listCreditCases } from '../core/use-cases/credit-officer';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { lazy } from '../shared/lazy';
import { listCreditCasesQuerySchema } from '../../schemas/v1/credit-staff';

const ports = lazy(async () => ({ credit: creditStoreFromEnv() }));

export const handler = staffEndpoint({
  endpoint: 'listCreditCases',
  action: 'LIST_CREDIT_CASES',
  deps: staffEndpointDeps,
  query: listCreditCasesQuerySchema,
  run: async ({ query, target }) => {
    target(`credit-cases/status:${query.status ?? 'ALL'}`);
    return { statusCode: 200, body: await listCreditCases(await ports(), query) };
  },
});
