/**
 * The scheduled sweeper (EventBridge `rate(5 minutes)` on AWS; a timer on the local runtime): performs
 * lifecycle effects left pending, re-enqueues filings stranded in SUBMITTED (flagging for staff those whose
 * intake keeps failing) and refuses corrections past their deadline (DESIGN.md §3). It covers every
 * district the register holds (the register lists them), so no deployment setting can leave one out.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { ScheduledEvent } from 'aws-lambda';
import { auditLogFromEnv } from '../adapters/sqs/audit-queue';
import { filingRepositoryFromEnv } from '../adapters/dynamodb/filing-repository';
import { registerRepositoryFromEnv } from '../adapters/dynamodb/register-repository';
import { intakeQueueFromEnv } from '../adapters/sqs/intake-queue';
import { notificationQueueFromEnv } from '../adapters/sqs/notification-queue';
import { statisticsQueueFromEnv } from '../adapters/sqs/statistics-queue';
import { creditQueueFromEnv } from '../adapters/sqs/credit-queue';
import { departmentQueuesFromEnv } from '../adapters/sqs/department-queue';
import { sweep, type SweepResult } from '../core/use-cases/sweep';
import { healCreditOutboxes } from '../core/use-cases/credit-standing';
import { getNumberFromEnv } from '../shared/config';
import { lazy, systemClock } from '../shared/lazy';
import { logger } from '../shared/logger';
import { logEffectsPending } from '../shared/effects-reporter';
import { flushMetricsPerInvocation } from '../shared/metrics';
import { creditPorts } from '../shared/credit-deps';

const ports = lazy(async () => ({
  filings: filingRepositoryFromEnv(),
  register: registerRepositoryFromEnv(),
  intake: intakeQueueFromEnv(),
  urgentIntake: intakeQueueFromEnv('intakeUrgent'),
  notifications: notificationQueueFromEnv(),
  statistics: statisticsQueueFromEnv(),
  credit: creditQueueFromEnv(),
  departments: departmentQueuesFromEnv(),
  // DESIGN.md §3: how long a filing may wait on departments before staff see it as overdue.
  coordinationDeadlineDays: getNumberFromEnv('COORDINATION_DEADLINE_DAYS', 30),
  audit: auditLogFromEnv(),
  clock: systemClock,
  onEffectsPending: logEffectsPending,
}));
/** The credit ports: what performs a credit state's pending follow-ups. */
const config = lazy(async () => ({
  staleMinutes: getNumberFromEnv('SWEEPER_STALE_MINUTES', 10),
  pendingSeconds: getNumberFromEnv('SWEEPER_PENDING_SECONDS', 60),
  maxRequeues: getNumberFromEnv('SWEEPER_MAX_REQUEUES', 5),
}));

export const handler = middy<ScheduledEvent, SweepResult & { readonly creditOutboxes: number }>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(flushMetricsPerInvocation())
  .handler(async (event: ScheduledEvent): Promise<SweepResult & { readonly creditOutboxes: number }> => {
    const result = await sweep(await ports(), await config());
    // Credit states whose follow-ups (the standing the submit gate reads among them) were left pending.
    const creditOutboxes = await healCreditOutboxes(await creditPorts(), { olderThanSeconds: (await config()).pendingSeconds, limit: 100 });
    logger.info('Sweep done', { scheduledAt: event.time, ...result, creditOutboxes });
    return { ...result, creditOutboxes };
  });
