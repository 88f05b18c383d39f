/** GET /v1/staff/audit/trace?filingId=…|staffId=…: everything about a filing, or everything a staff member did, time-ordered. */
import { trace } from '../core/use-cases/audit-search';
import { auditReadPorts } from '../shared/audit-read-deps';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { auditTraceQuerySchema } from '../../schemas/v1/audit';

export const handler = staffEndpoint({
  endpoint: 'getAuditTrace',
  action: 'TRACE_AUDIT',
  deps: staffEndpointDeps,
  query: auditTraceQuerySchema,
  run: async ({ staff, query, target }) => {
    target(query.filingId ?? `staff:${query.staffId}`);
    return { statusCode: 200, body: await trace(await auditReadPorts(), staff, query) };
  },
});
