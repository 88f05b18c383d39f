/** GET /v1/staff/security/misuse-rules: the insider-misuse rules in force and every version (004 第二十五条). */
import { misuseStoreFromEnv } from '../adapters/dynamodb/misuse-store';
import { getMisuseRules } from '../core/use-cases/misuse-rules';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { lazy } from '../shared/lazy';

const ports = lazy(async () => ({ store: misuseStoreFromEnv() }));

export const handler = staffEndpoint({
  endpoint: 'getMisuseRules',
  action: 'GET_MISUSE_RULES',
  deps: staffEndpointDeps,
  run: async ({ target }) => {
    target('misuse-rules');
    return { statusCode: 200, body: await getMisuseRules(await ports()) };
  },
});
