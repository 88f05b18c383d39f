/** POST /v1/staff/filings/{filingId}/urgent: staff put a filing of their district on the priority lane (003 第十三条). */
import { filingRepositoryFromEnv } from '../adapters/dynamodb/filing-repository';
import { auditLogFromEnv } from '../adapters/dynamodb/audit-log';
import { intakeQueueFromEnv } from '../adapters/sqs/intake-queue';
import { notificationQueueFromEnv } from '../adapters/sqs/notification-queue';
import { unprocessable } from '../core/domain/errors';
import { markUrgent } from '../core/use-cases/mark-urgent';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { lazy, systemClock } from '../shared/lazy';
import { fieldErrorsFromIssues } from '../../schemas/v1/filing-input';
import { MAX_URGENT_BODY_BYTES, markUrgentRequestSchema } from '../../schemas/v1/urgent';
import { logEffectsPending } from '../shared/effects-reporter';

const ports = lazy(async () => ({
  filings: filingRepositoryFromEnv(),
  urgentIntake: intakeQueueFromEnv('intakeUrgent'),
  notifications: notificationQueueFromEnv(),
  audit: auditLogFromEnv(),
  clock: systemClock,
  onEffectsPending: logEffectsPending,
}));

export const handler = staffEndpoint({
  endpoint: 'markUrgent',
  action: 'MARK_URGENT',
  maxBodyBytes: MAX_URGENT_BODY_BYTES,
  deps: staffEndpointDeps,
  run: async ({ event, staff, json, target }) => {
    const filingId = event.pathParameters?.filingId ?? '';
    target(`filing:${filingId}`);
    const parsed = markUrgentRequestSchema.safeParse(json, { reportInput: true });
    if (!parsed.success) {
      throw unprocessable('INVALID_REQUEST', 'The body must be { "reason": "<1–200 characters>" }.', { errors: fieldErrorsFromIssues(parsed.error.issues) });
    }
    return { statusCode: 200, body: await markUrgent(await ports(), staff, filingId, parsed.data.reason) };
  },
});
