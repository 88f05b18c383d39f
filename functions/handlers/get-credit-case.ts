/** GET /v1/staff/credit/cases/{caseNo}: one case with its evidence and rectification reports (their texts). */
import { creditStoreFromEnv } from '../adapters/dynamodb/credit-store';
import { getCreditCase } from '../core/use-cases/credit-officer';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { lazy } from '../shared/lazy';
import { creditCasePath } from '../../schemas/v1/path-parameters';

const ports = lazy(async () => ({ credit: creditStoreFromEnv() }));

export const handler = staffEndpoint({
  endpoint: 'getCreditCase',
  action: 'GET_CREDIT_CASE',
  deps: staffEndpointDeps,
  path: creditCasePath,
  run: async ({ path, target }) => {
    target(`case:${path.caseNo}`);
    return { statusCode: 200, body: await getCreditCase(await ports(), path.caseNo) };
  },
});
