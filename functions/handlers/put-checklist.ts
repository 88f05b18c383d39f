/**
 * PUT /v1/staff/checklists/{businessType}: an administrator publishes a new version of a business type's
 * material checklist on top of `baseVersion` (409 CHECKLIST_VERSION_CONFLICT if it is no longer current).
 * It applies to filings submitted after it; other instances see it within the checklist cache time (30 s).
 */
import { checklistStoreFromEnv } from '../adapters/dynamodb/checklist-store';
import { publishChecklist } from '../core/use-cases/checklists';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { lazy, systemClock } from '../shared/lazy';
import { MAX_CHECKLIST_BODY_BYTES, putChecklistRequestSchema } from '../../schemas/v1/checklist';
import { businessTypePath } from '../../schemas/v1/path-parameters';

const ports = lazy(async () => ({ checklists: checklistStoreFromEnv(), clock: systemClock }));

export const handler = staffEndpoint({
  endpoint: 'putChecklist',
  action: 'PUT_CHECKLIST',
  maxBodyBytes: MAX_CHECKLIST_BODY_BYTES,
  deps: staffEndpointDeps,
  path: businessTypePath,
  body: putChecklistRequestSchema,
  run: async ({ staff, path, body, target }) => {
    target(`checklist:${path.businessType}`);
    return { statusCode: 200, body: await publishChecklist(await ports(), staff, path.businessType, body) };
  },
});
