/** GET /v1/staff/audit/logs/{tenant}/proofs/inclusion?seq=&treeSize=: an entry and its inclusion proof (RFC 9162 §2.1.3). */
import { inclusion } from '../core/use-cases/audit-proofs';
import { auditReadPorts } from '../shared/audit-read-deps';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { inclusionQuerySchema, logPath } from '../../schemas/v1/audit';

export const handler = staffEndpoint({
  endpoint: 'getAuditInclusion',
  action: 'GET_AUDIT_INCLUSION_PROOF',
  deps: staffEndpointDeps,
  path: logPath,
  query: inclusionQuerySchema,
  run: async ({ staff, path, query, target }) => {
    target(`log:${path.tenant}#${query.seq}`);
    return { statusCode: 200, body: await inclusion((await auditReadPorts()).reader, staff, path.tenant, query.seq, query.treeSize) };
  },
});
