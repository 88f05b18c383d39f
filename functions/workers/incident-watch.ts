/**
 * The scheduled incident watch (EventBridge `rate(1 minute)` on AWS; a timer on the local runtime):
 * escalates incidents past a deadline, once per deadline, and opens a SYSTEM_ANOMALY incident per dead-letter
 * queue holding messages (functions/core/use-cases/watch-incidents.ts).
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { ScheduledEvent } from 'aws-lambda';
import { deadLetterProbesFromEnv } from '../adapters/sqs/dead-letter-probe';
import { watchIncidents, type DeadLetterQueueProbe, type WatchResult } from '../core/use-cases/watch-incidents';
import { incidentPorts } from '../shared/incident-deps';
import { lazy } from '../shared/lazy';
import { logger } from '../shared/logger';
import { countIncidentOverdue, flushMetricsPerInvocation } from '../shared/metrics';

/**
 * The dead-letter queues, or the configuration error that hides them: escalation must not wait on them (a
 * missing DLQ URL fails the invocation after the escalations, so the function's Errors alarm says so).
 */
const probes = lazy(async (): Promise<{ readonly probes: DeadLetterQueueProbe[]; readonly error?: Error }> => {
  try {
    return { probes: deadLetterProbesFromEnv() };
  } catch (error) {
    return { probes: [], error: error instanceof Error ? error : new Error(String(error)) };
  }
});

const ports = lazy(async () => ({
  ...(await incidentPorts()),
  deadLetters: (await probes()).probes,
  onOverdue: (deadline: 'REPORT' | 'RESULT', incident: { readonly severity: string; readonly incidentId: string }) => {
    countIncidentOverdue(deadline, incident.severity);
    // Ids and codes only: the summary may be free text.
    logger.warn('Incident overdue', { incidentId: incident.incidentId, deadline, severity: incident.severity });
  },
}));

export const handler = middy<ScheduledEvent, WatchResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(flushMetricsPerInvocation())
  .handler(async (event: ScheduledEvent): Promise<WatchResult> => {
    const result = await watchIncidents(await ports());
    logger.info('Incident watch done', { scheduledAt: event.time, escalated: result.escalated, deadLetterIncidents: result.deadLetterIncidents.length });
    const { error } = await probes();
    if (error) throw error;
    return result;
  });
