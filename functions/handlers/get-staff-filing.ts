/** GET /v1/staff/filings/{filingId}: a filing of the caller's district, personal data masked (404 for any other). */
import { auditLogFromEnv } from '../adapters/sqs/audit-queue';
import { filingRepositoryFromEnv } from '../adapters/dynamodb/filing-repository';
import { vaultFromEnv } from '../adapters/keys/personal-data-vault';
import { getStaffFiling } from '../core/use-cases/get-staff-filing';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { lazy } from '../shared/lazy';
import { staffFilingPath } from '../../schemas/v1/path-parameters';

const ports = lazy(async () => ({ filings: filingRepositoryFromEnv(), vault: await vaultFromEnv(), audit: auditLogFromEnv() }));

export const handler = staffEndpoint({
  endpoint: 'getStaffFiling',
  action: 'GET_STAFF_FILING',
  deps: staffEndpointDeps,
  path: staffFilingPath,
  run: async ({ staff, path, target, observe }) => {
    target(path.filingId);
    return { statusCode: 200, body: await getStaffFiling(await ports(), staff, path.filingId, observe) };
  },
});
