/**
 * Statistics worker (002 五(二)4, 三(一)6; issue 11): fed by the statistics queue in batches of filing status
 * changes, it adds each to its day buckets ({@link recordStatistics}): its district's (by business type) and
 * the channels' (by channel), on the day of submission and the day of the change.
 *
 * Failures are reported per message as a partial batch response:
 * - a message that does not parse as statistics.v1 fails alone (logged by message id and the schema's
 *   complaint, never its content) and is dead-lettered after the queue's maxReceiveCount;
 * - a bucket that cannot be written fails the messages that contributed to it; their other buckets may be
 *   written already, which is harmless: a bucket remembers what it holds, so the redelivery adds to the
 *   missing bucket only.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { recordStatistics, type IncomingStatisticsEvent } from '../core/use-cases/statistics';
import { statisticsStoreFromEnv } from '../adapters/dynamodb/statistics-store';
import type { StatisticsStore } from '../core/ports';
import { logger } from '../shared/logger';
import { lazy } from '../shared/lazy';
import { flushMetricsPerInvocation } from '../shared/metrics';
import { queues } from '../../infra/topology';
import { parseStatisticsMessage } from '../../schemas/messages/statistics.v1';

/** Built once per process (STYLE.md: clients never per invocation). */
const store = lazy(async (): Promise<StatisticsStore> => statisticsStoreFromEnv());

const errorFields = (error: unknown): { errorName: string; errorMessage?: string } =>
  error instanceof Error ? { errorName: error.name, errorMessage: error.message } : { errorName: 'UnknownError' };

export async function processStatisticsBatch(event: SQSEvent, statistics?: StatisticsStore): Promise<SQSBatchResponse> {
  const failures: SQSBatchItemFailure[] = [];
  const parsed: IncomingStatisticsEvent[] = [];
  for (const record of event.Records) {
    try {
      parsed.push({ messageId: record.messageId, event: parseStatisticsMessage(record.body) });
    } catch (error) {
      logger.error('Statistics message does not parse', { messageId: record.messageId, attempt: Number(record.attributes.ApproximateReceiveCount) || 1, ...errorFields(error) });
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  if (parsed.length === 0) return { batchItemFailures: failures };
  const failed = await recordStatistics(statistics ?? (await store()), parsed, (bucket, error) =>
    logger.error('Statistics bucket could not be written', { scope: bucket.scope, id: bucket.id, day: bucket.day, shard: bucket.shard, ...errorFields(error) }),
  );
  logger.info('Statistics recorded', { events: parsed.length, failed: failed.length });
  return { batchItemFailures: [...failures, ...failed.map((itemIdentifier) => ({ itemIdentifier }))] };
}

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(flushMetricsPerInvocation({ maxReceiveCount: queues.statistics.maxReceiveCount }))
  .handler(async (event: SQSEvent) => processStatisticsBatch(event));
