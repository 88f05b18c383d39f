/**
 * Intake worker: fed by the intake queue in batches; applies the intake rules to each filing and
 * reports partial batch failures, so that only failed messages are retried (and dead-lettered after
 * the queue's maxReceiveCount).
 */
import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { auditLogFromEnv } from '../adapters/sqs/audit-queue';
import { checklistStoreFromEnv } from '../adapters/dynamodb/checklist-store';
import { filingRepositoryFromEnv } from '../adapters/dynamodb/filing-repository';
import { registerRepositoryFromEnv } from '../adapters/dynamodb/register-repository';
import { notificationQueueFromEnv } from '../adapters/sqs/notification-queue';
import { statisticsQueueFromEnv } from '../adapters/sqs/statistics-queue';
import { creditQueueFromEnv } from '../adapters/sqs/credit-queue';
import { departmentQueuesFromEnv } from '../adapters/sqs/department-queue';
import { processIntake } from '../core/use-cases/process-intake';
import { getNumberFromEnv } from '../shared/config';
import { lazy, systemClock } from '../shared/lazy';
import { logger } from '../shared/logger';
import { flushMetricsPerInvocation } from '../shared/metrics';
import { queues } from '../../infra/topology';
import { parseIntakeMessage } from '../../schemas/messages/intake.v1';
import { logEffectsPending } from '../shared/effects-reporter';

const ports = lazy(async () => ({
  filings: filingRepositoryFromEnv(),
  register: registerRepositoryFromEnv(),
  audit: auditLogFromEnv(),
  clock: systemClock,
  onEffectsPending: logEffectsPending,
  notifications: notificationQueueFromEnv(),
  statistics: statisticsQueueFromEnv(),
  credit: creditQueueFromEnv(),
  departments: departmentQueuesFromEnv(),
  // DESIGN.md §3: how long a filing may wait on departments before staff see it as overdue.
  coordinationDeadlineDays: getNumberFromEnv('COORDINATION_DEADLINE_DAYS', 30),
  correctionWorkingDays: getNumberFromEnv('CORRECTION_WORKING_DAYS', 5),
  checklists: checklistStoreFromEnv(),
}));

const processor = new BatchProcessor(EventType.SQS);

async function recordHandler(record: SQSRecord): Promise<void> {
  const message = parseIntakeMessage(record.body);
  const result = await processIntake(await ports(), message);
  logger.info('Intake processed', { filingId: message.filingId, result: result.kind, status: result.status, messageId: record.messageId });
}

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(flushMetricsPerInvocation({ maxReceiveCount: queues.intake.maxReceiveCount }))
  .handler(async (event: SQSEvent, context: Context) => processPartialResponse(event, recordHandler, processor, { context }));
