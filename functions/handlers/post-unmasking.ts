/**
 * POST /v1/staff/filings/{filingId}/unmasking: a reviewer or registrar sees one filing's personal data in the
 * clear for a declared purpose (DESIGN.md §5; 001 4.2.10–11). Recorded on the filing and audited before the
 * plaintext is decrypted; counted by the misuse detector; `Cache-Control: no-store` (as every answer).
 */
import { auditLogFromEnv } from '../adapters/sqs/audit-queue';
import { filingRepositoryFromEnv } from '../adapters/dynamodb/filing-repository';
import { vaultFromEnv } from '../adapters/keys/personal-data-vault';
import { unmaskFiling } from '../core/use-cases/unmask-filing';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { lazy, systemClock } from '../shared/lazy';
import { staffFilingPath } from '../../schemas/v1/path-parameters';
import { MAX_UNMASKING_BODY_BYTES, unmaskingRequestSchema } from '../../schemas/v1/unmasking';

const ports = lazy(async () => {
  const filings = filingRepositoryFromEnv();
  return { filings, disclosures: filings, vault: await vaultFromEnv(), audit: auditLogFromEnv(), clock: systemClock };
});

export const handler = staffEndpoint({
  endpoint: 'unmaskFiling',
  action: 'UNMASK_FILING',
  maxBodyBytes: MAX_UNMASKING_BODY_BYTES,
  deps: staffEndpointDeps,
  path: staffFilingPath,
  body: unmaskingRequestSchema,
  run: async ({ staff, path, body, target, observe }) => {
    target(path.filingId);
    return { statusCode: 200, body: await unmaskFiling(await ports(), staff, path.filingId, body, observe) };
  },
});
