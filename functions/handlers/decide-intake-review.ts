/**
 * POST /v1/staff/filings/{filingId}/intake-review: staff of the filing's district accept or refuse a filing
 * held in INTAKE_REVIEW because its channel was on WATCH or PROBATION (DESIGN.md §4). Safe to repeat: the
 * same decision again answers the same result.
 */
import { auditLogFromEnv } from '../adapters/sqs/audit-queue';
import { filingRepositoryFromEnv } from '../adapters/dynamodb/filing-repository';
import { creditQueueFromEnv } from '../adapters/sqs/credit-queue';
import { departmentQueuesFromEnv } from '../adapters/sqs/department-queue';
import { notificationQueueFromEnv } from '../adapters/sqs/notification-queue';
import { statisticsQueueFromEnv } from '../adapters/sqs/statistics-queue';
import { vaultFromEnv } from '../adapters/keys/personal-data-vault';
import { decideIntakeReview } from '../core/use-cases/decide-intake-review';
import { logEffectsPending } from '../shared/effects-reporter';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { lazy, systemClock } from '../shared/lazy';
import { intakeReviewRequestSchema, MAX_INTAKE_REVIEW_BODY_BYTES } from '../../schemas/v1/intake-review';
import { staffFilingPath } from '../../schemas/v1/path-parameters';

// No intake queues: neither decision sends the filing back to intake (the topology grants none).
const ports = lazy(async () => ({
  filings: filingRepositoryFromEnv(),
  // Opens the parties' names only, to refuse a note naming one.
  vault: await vaultFromEnv(),
  audit: auditLogFromEnv(),
  clock: systemClock,
  onEffectsPending: logEffectsPending,
  notifications: notificationQueueFromEnv(),
  statistics: statisticsQueueFromEnv(),
  credit: creditQueueFromEnv(),
  departments: departmentQueuesFromEnv(),
}));

export const handler = staffEndpoint({
  endpoint: 'decideIntakeReview',
  action: 'DECIDE_INTAKE_REVIEW',
  maxBodyBytes: MAX_INTAKE_REVIEW_BODY_BYTES,
  deps: staffEndpointDeps,
  path: staffFilingPath,
  body: intakeReviewRequestSchema,
  run: async ({ staff, path, body, target }) => {
    target(path.filingId);
    return { statusCode: 200, body: await decideIntakeReview(await ports(), staff, path.filingId, body) };
  },
});
