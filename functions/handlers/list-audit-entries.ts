/** GET /v1/staff/audit/entries: search the audit logs the caller may read (002 五(二)4). */
import { searchEntries } from '../core/use-cases/audit-search';
import { auditReadPorts } from '../shared/audit-read-deps';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { auditEntriesQuerySchema } from '../../schemas/v1/audit';

export const handler = staffEndpoint({
  endpoint: 'listAuditEntries',
  action: 'SEARCH_AUDIT',
  deps: staffEndpointDeps,
  query: auditEntriesQuerySchema,
  run: async ({ staff, query, target }) => {
    target(query.tenant ? `log:${query.tenant}` : 'log:*');
    return { statusCode: 200, body: await searchEntries(await auditReadPorts(), staff, query) };
  },
});
