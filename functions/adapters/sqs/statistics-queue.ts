/**
 * The statistics queue on SQS (002 五(二)4): one message per filing status change, the strict statistics.v1
 * body (ids, codes and times only), sent in batches by {@link sendBodies}. An event that does not fit the
 * schema is refused before anything is sent; whatever still fails after the retries is reported by count.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { StatisticsEvent } from '../../core/domain/statistics';
import type { StatisticsQueue } from '../../core/ports';
import { queueEnvVar } from '../../../infra/topology';
import { getStringFromEnv } from '../../shared/config';
import { sqs } from '../aws-clients';
import { sendBodies } from './batch-sender';
import { formatStatisticsMessage } from '../../../schemas/messages/statistics.v1';

export interface SqsStatisticsQueueDeps {
  readonly client: SQSClient;
  readonly queueUrl: string;
  readonly backoffMs?: number;
}

export class SqsStatisticsQueue implements StatisticsQueue {
  constructor(private readonly deps: SqsStatisticsQueueDeps) {}

  async send(events: readonly StatisticsEvent[]): Promise<void> {
    let bodies: string[];
    try {
      bodies = events.map(formatStatisticsMessage);
    } catch {
      throw new Error('A statistics event does not match statistics.v1; nothing was sent');
    }
    const failed = await sendBodies(this.deps, bodies);
    if (failed > 0) throw new Error(`Failed to send ${failed} of ${events.length} statistics events`);
  }
}

export function statisticsQueueFromEnv(): SqsStatisticsQueue {
  return new SqsStatisticsQueue({ client: sqs(), queueUrl: getStringFromEnv(queueEnvVar('statistics')) });
}
