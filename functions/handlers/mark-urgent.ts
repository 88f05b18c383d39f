/** POST /v1/staff/filings/{filingId}/urgent: staff put a filing of their district on the priority lane (003 第十三条). */
import { filingRepositoryFromEnv } from '../adapters/dynamodb/filing-repository';
import { auditLogFromEnv } from '../adapters/sqs/audit-queue';
import { intakeQueueFromEnv } from '../adapters/sqs/intake-queue';
import { notificationQueueFromEnv } from '../adapters/sqs/notification-queue';
import { statisticsQueueFromEnv } from '../adapters/sqs/statistics-queue';
import { vaultFromEnv } from '../adapters/keys/personal-data-vault';
import { markUrgent } from '../core/use-cases/mark-urgent';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { lazy, systemClock } from '../shared/lazy';
import { staffFilingPath } from '../../schemas/v1/path-parameters';
import { MAX_URGENT_BODY_BYTES, markUrgentRequestSchema } from '../../schemas/v1/urgent';
import { logEffectsPending } from '../shared/effects-reporter';

const ports = lazy(async () => ({
  filings: filingRepositoryFromEnv(),
  // Opens the parties' names only, to refuse a reason naming one.
  vault: await vaultFromEnv(),
  urgentIntake: intakeQueueFromEnv('intakeUrgent'),
  notifications: notificationQueueFromEnv(),
  statistics: statisticsQueueFromEnv(),
  audit: auditLogFromEnv(),
  clock: systemClock,
  onEffectsPending: logEffectsPending,
}));

export const handler = staffEndpoint({
  endpoint: 'markUrgent',
  action: 'MARK_URGENT',
  maxBodyBytes: MAX_URGENT_BODY_BYTES,
  deps: staffEndpointDeps,
  path: staffFilingPath,
  body: markUrgentRequestSchema,
  run: async ({ staff, path, body, target }) => {
    target(path.filingId);
    return { statusCode: 200, body: await markUrgent(await ports(), staff, path.filingId, body.reason) };
  },
});
