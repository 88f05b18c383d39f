/** POST /v1/staff/audit/exports: export a log range (JSON Lines with a manifest), kept under Object Lock for its retention. */
import { randomBytes } from 'node:crypto';
import { assertMayReadLog } from '../core/use-cases/audit-access';
import { createExport } from '../core/use-cases/audit-export';
import { auditExportPorts } from '../shared/audit-read-deps';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { postExportRequestSchema } from '../../schemas/v1/audit';

const newId = (): string => `X${randomBytes(12).toString('hex').toUpperCase()}`;

export const handler = staffEndpoint({
  endpoint: 'postAuditExport',
  action: 'EXPORT_AUDIT',
  maxBodyBytes: 4 * 1024,
  deps: staffEndpointDeps,
  body: postExportRequestSchema,
  run: async ({ staff, body, target }) => {
    target(`log:${body.tenant}`);
    assertMayReadLog(staff, body.tenant);
    return { statusCode: 201, body: await createExport({ ...(await auditExportPorts()), newId }, body) };
  },
});
