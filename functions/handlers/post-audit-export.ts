/** POST /v1/staff/audit/exports: export a log range (JSON Lines with a manifest), kept under Object Lock for its retention. */
import { randomBytes } from 'node:crypto';
import { assertMayReadLog } from '../core/use-cases/audit-access';
import { createExport } from '../core/use-cases/audit-export';
import { auditExportPorts } from '../shared/audit-read-deps';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { postExportRequestSchema } from '../../schemas/v1/audit';
import { functions } from '../../infra/topology';

const newId = (): string => `X${randomBytes(12).toString('hex').toUpperCase()}`;
/** The export's API address (the GET route), not where the store keeps it: a file path or S3 key is nobody's business. */
const hrefOf = (exportId: string): string => functions.getAuditExport.route.path.replace('{exportId}', exportId);

export const handler = staffEndpoint({
  endpoint: 'postAuditExport',
  action: 'EXPORT_AUDIT',
  maxBodyBytes: 4 * 1024,
  deps: staffEndpointDeps,
  body: postExportRequestSchema,
  run: async ({ staff, body, target }) => {
    target(`log:${body.tenant}`);
    assertMayReadLog(staff, body.tenant);
    const { exportId, manifest } = await createExport({ ...(await auditExportPorts()), newId }, body);
    return { statusCode: 201, body: { exportId, href: hrefOf(exportId), manifest } };
  },
});
