/** GET /v1/staff/security/alerts: the insider-misuse alerts of the caller's district, newest first. */
import { misuseStoreFromEnv } from '../adapters/dynamodb/misuse-store';
import { assertSameDistrict } from '../core/domain/staff';
import { listMisuseAlerts } from '../core/use-cases/misuse-rules';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { lazy } from '../shared/lazy';
import { listAlertsQuerySchema } from '../../schemas/v1/misuse';

const ports = lazy(async () => ({ store: misuseStoreFromEnv() }));

export const handler = staffEndpoint({
  endpoint: 'listSecurityAlerts',
  action: 'LIST_SECURITY_ALERTS',
  deps: staffEndpointDeps,
  query: listAlertsQuerySchema,
  run: async ({ staff, query, target }) => {
    target(`district:${query.district ?? staff.district}`);
    assertSameDistrict(staff, query.district ?? staff.district);
    return { statusCode: 200, body: await listMisuseAlerts(await ports(), staff, { limit: query.limit, ...(query.cursor === undefined ? {} : { cursor: query.cursor }) }) };
  },
});
