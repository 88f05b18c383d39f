/** GET /v1/staff/audit/logs/{tenant}/proofs/consistency?first=&second=: the consistency proof between two tree sizes (RFC 9162 §2.1.4). */
import { consistency } from '../core/use-cases/audit-proofs';
import { auditReadPorts } from '../shared/audit-read-deps';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { consistencyQuerySchema, logPath } from '../../schemas/v1/audit';

export const handler = staffEndpoint({
  endpoint: 'getAuditConsistency',
  action: 'GET_AUDIT_CONSISTENCY_PROOF',
  deps: staffEndpointDeps,
  path: logPath,
  query: consistencyQuerySchema,
  run: async ({ staff, path, query, target }) => {
    target(`log:${path.tenant}`);
    return { statusCode: 200, body: await consistency((await auditReadPorts()).reader, staff, path.tenant, query.first, query.second) };
  },
});
