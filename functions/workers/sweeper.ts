/**
 * The scheduled sweeper (EventBridge `rate(5 minutes)` on AWS; a timer on the local runtime): re-enqueues
 * filings stranded in SUBMITTED and refuses corrections past their deadline (DESIGN.md §3).
 *
 * Which districts: `SWEEP_DISTRICTS` (comma-separated 6-digit codes). The districts a registry serves are
 * deployment configuration, like its stage: the CDK app sets them from its `districts` context and the
 * local runtime from the demo districts. Deriving them at run time would mean scanning the filings table
 * (the worklist index is keyed by district, so it cannot list districts) — a cost that grows with every
 * filing ever made, every 5 minutes.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { ScheduledEvent } from 'aws-lambda';
import { auditLogFromEnv } from '../adapters/dynamodb/audit-log';
import { filingRepositoryFromEnv } from '../adapters/dynamodb/filing-repository';
import { intakeQueueFromEnv } from '../adapters/sqs/intake-queue';
import { notificationQueueFromEnv } from '../adapters/sqs/notification-queue';
import { DISTRICT_CODE } from '../core/domain/staff';
import { sweep, type SweepResult } from '../core/use-cases/sweep';
import { getNumberFromEnv, getStringFromEnv } from '../shared/config';
import { lazy, systemClock } from '../shared/lazy';
import { logger } from '../shared/logger';
import { flushMetricsPerInvocation } from '../shared/metrics';
import { queueEnvVar, SWEEP_DISTRICTS_ENV } from '../../infra/topology';


function districtsFromEnv(): string[] {
  const districts = getStringFromEnv(SWEEP_DISTRICTS_ENV).split(',').map((d) => d.trim()).filter((d) => d !== '');
  const bad = districts.filter((d) => !DISTRICT_CODE.test(d));
  if (districts.length === 0 || bad.length > 0) throw new Error(`${SWEEP_DISTRICTS_ENV} must be comma-separated 6-digit district codes`);
  return districts;
}

const ports = lazy(async () => {
  const intake = intakeQueueFromEnv();
  return {
    filings: filingRepositoryFromEnv(),
    intake,
    // The priority lane when this function may send to it; otherwise urgent filings are re-enqueued on the
    // normal queue (still decided, only without priority) rather than not at all.
    urgentIntake: process.env[queueEnvVar('intakeUrgent')] ? intakeQueueFromEnv('intakeUrgent') : intake,
    notifications: notificationQueueFromEnv(),
    audit: auditLogFromEnv(),
    clock: systemClock,
  };
});
const config = lazy(async () => ({ districts: districtsFromEnv(), staleMinutes: getNumberFromEnv('SWEEPER_STALE_MINUTES', 10) }));

export const handler = middy<ScheduledEvent, SweepResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(flushMetricsPerInvocation())
  .handler(async (event: ScheduledEvent): Promise<SweepResult> => {
    const result = await sweep(await ports(), await config());
    logger.info('Sweep done', { scheduledAt: event.time, ...result });
    return result;
  });
