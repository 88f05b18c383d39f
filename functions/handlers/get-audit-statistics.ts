/** GET /v1/staff/audit/statistics: counts by district, institution, business type, day, action, outcome (bounded scan). */
import { statistics } from '../core/use-cases/audit-search';
import { auditReadPorts } from '../shared/audit-read-deps';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { auditStatisticsQuerySchema } from '../../schemas/v1/audit';

export const handler = staffEndpoint({
  endpoint: 'getAuditStatistics',
  action: 'AUDIT_STATISTICS',
  deps: staffEndpointDeps,
  query: auditStatisticsQuerySchema,
  run: async ({ staff, query, target }) => {
    target(`log:${query.tenant ?? staff.district}`);
    return { statusCode: 200, body: await statistics(await auditReadPorts(), staff, query) };
  },
});
