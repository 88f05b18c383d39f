/** GET /v1/staff/audit/logs/{tenant}/tree-head: the latest signed tree head of a log. */
import { latestTreeHead } from '../core/use-cases/audit-proofs';
import { auditReadPorts } from '../shared/audit-read-deps';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { logPath } from '../../schemas/v1/audit';

export const handler = staffEndpoint({
  endpoint: 'getAuditTreeHead',
  action: 'GET_AUDIT_TREE_HEAD',
  deps: staffEndpointDeps,
  path: logPath,
  run: async ({ staff, path, target }) => {
    target(`log:${path.tenant}`);
    return { statusCode: 200, body: await latestTreeHead((await auditReadPorts()).reader, staff, path.tenant) };
  },
});
