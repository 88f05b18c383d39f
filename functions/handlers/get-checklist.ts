/** GET /v1/staff/checklists/{businessType}: the material checklist in force for a business type, and its versions. */
import { checklistStoreFromEnv } from '../adapters/dynamodb/checklist-store';
import { getChecklist } from '../core/use-cases/checklists';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { lazy } from '../shared/lazy';
import { businessTypePath } from '../../schemas/v1/path-parameters';

const ports = lazy(async () => ({ checklists: checklistStoreFromEnv() }));

export const handler = staffEndpoint({
  endpoint: 'getChecklist',
  action: 'GET_CHECKLIST',
  deps: staffEndpointDeps,
  path: businessTypePath,
  run: async ({ path, target }) => {
    target(`checklist:${path.businessType}`);
    return { statusCode: 200, body: await getChecklist(await ports(), path.businessType) };
  },
});
