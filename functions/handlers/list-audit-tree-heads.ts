/** GET /v1/staff/audit/logs/{tenant}/tree-heads?fromSize&toSize: the signed tree heads in a size range, smallest first. */
import { listTreeHeads } from '../core/use-cases/audit-proofs';
import { auditReadPorts } from '../shared/audit-read-deps';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { logPath, treeHeadsQuerySchema } from '../../schemas/v1/audit';

export const handler = staffEndpoint({
  endpoint: 'listAuditTreeHeads',
  action: 'LIST_AUDIT_TREE_HEADS',
  deps: staffEndpointDeps,
  path: logPath,
  query: treeHeadsQuerySchema,
  run: async ({ staff, path, query, target }) => {
    target(`log:${path.tenant}`);
    return { statusCode: 200, body: await listTreeHeads((await auditReadPorts()).reader, staff, path.tenant, query) };
  },
});
