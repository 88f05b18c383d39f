/**
 * POST /v1/staff/filings/{filingId}/review: a reviewer or registrar of the filing's district approves
 * (record in the register, issue the e-certificate) or refuses with a reason. Safe to repeat: the same
 * decision again answers the same result, and an approval interrupted midway resumes.
 */
import { auditLogFromEnv } from '../adapters/sqs/audit-queue';
import { certificateStoreFromEnv } from '../adapters/dynamodb/certificate-store';
import { filingRepositoryFromEnv } from '../adapters/dynamodb/filing-repository';
import { registerRepositoryFromEnv } from '../adapters/dynamodb/register-repository';
import { platformSignerFromEnv } from '../adapters/keys/platform-signer-from-env';
import { vaultFromEnv } from '../adapters/keys/personal-data-vault';
import { notificationQueueFromEnv } from '../adapters/sqs/notification-queue';
import { statisticsQueueFromEnv } from '../adapters/sqs/statistics-queue';
import { creditQueueFromEnv } from '../adapters/sqs/credit-queue';
import { departmentQueuesFromEnv } from '../adapters/sqs/department-queue';
import { reviewFiling } from '../core/use-cases/review-filing';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { lazy, systemClock } from '../shared/lazy';
import { staffFilingPath } from '../../schemas/v1/path-parameters';
import { MAX_REVIEW_BODY_BYTES, reviewRequestSchema } from '../../schemas/v1/review';
import { logEffectsPending } from '../shared/effects-reporter';

const ports = lazy(async () => ({
  filings: filingRepositoryFromEnv(),
  register: registerRepositoryFromEnv(),
  certificates: certificateStoreFromEnv(),
  vault: await vaultFromEnv(),
  signer: await platformSignerFromEnv(),
  audit: auditLogFromEnv(),
  clock: systemClock,
  onEffectsPending: logEffectsPending,
  notifications: notificationQueueFromEnv(),
  statistics: statisticsQueueFromEnv(),
  credit: creditQueueFromEnv(),
  departments: departmentQueuesFromEnv(),
}));

export const handler = staffEndpoint({
  endpoint: 'reviewFiling',
  action: 'REVIEW_FILING',
  maxBodyBytes: MAX_REVIEW_BODY_BYTES,
  deps: staffEndpointDeps,
  path: staffFilingPath,
  body: reviewRequestSchema,
  run: async ({ staff, path, body, target }) => {
    target(path.filingId);
    return { statusCode: 200, body: await reviewFiling(await ports(), staff, path.filingId, body) };
  },
});
