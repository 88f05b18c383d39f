/** GET /v1/staff/credit/rules: the credit rules in force and every version (DESIGN.md §4). */
import { creditRulesStoreFromEnv } from '../adapters/dynamodb/credit-store';
import { getCreditRules } from '../core/use-cases/credit-rules';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { lazy } from '../shared/lazy';

const ports = lazy(async () => ({ rules: creditRulesStoreFromEnv() }));

export const handler = staffEndpoint({
  endpoint: 'getCreditRules',
  action: 'GET_CREDIT_RULES',
  deps: staffEndpointDeps,
  run: async ({ target }) => {
    target('credit-rules');
    return { statusCode: 200, body: await getCreditRules(await ports()) };
  },
});
