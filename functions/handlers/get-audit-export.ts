/** GET /v1/staff/audit/exports/{exportId}: a kept export, as the JSON Lines it was written (application/x-ndjson). */
import { assertMayReadLog } from '../core/use-cases/audit-access';
import { readExport } from '../core/use-cases/audit-export';
import { exportStoreFromEnv } from '../adapters/export-store-from-env';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { rawBodyOn200, reshapeResponse } from '../shared/http/reshape-response';
import { lazy } from '../shared/lazy';
import { exportPath } from '../../schemas/v1/audit';

const exports = lazy(async () => exportStoreFromEnv());

export const handler = reshapeResponse(
  staffEndpoint({
    endpoint: 'getAuditExport',
    action: 'GET_AUDIT_EXPORT',
    deps: staffEndpointDeps,
    path: exportPath,
    run: async ({ staff, path, target }) => {
      target(`export:${path.exportId}`);
      const { tenant, body } = await readExport(await exports(), path.exportId);
      assertMayReadLog(staff, tenant);
      return { statusCode: 200, body: body.toString('utf8') };
    },
  }),
  rawBodyOn200('application/x-ndjson'),
);
