/**
 * The notifications queue on SQS (DESIGN.md §3 Progress): one message per progress event, the strict
 * notification.v1 body (ids, statuses and reason codes only: no personal data), sent in batches by
 * {@link sendBodies}. An event that does not fit the schema is refused before anything is sent.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { NotificationQueue, ProgressEvent } from '../../core/ports';
import { queueEnvVar } from '../../../infra/topology';
import { getStringFromEnv } from '../../shared/config';
import { sqs } from '../aws-clients';
import { sendBodies } from './batch-sender';
import { countFilingTransition } from '../../shared/metrics';
import { formatNotificationMessage } from '../../../schemas/messages/notification.v1';

export interface SqsNotificationQueueDeps {
  readonly client: SQSClient;
  readonly queueUrl: string;
  /** Base of the exponential backoff between attempts (ms). */
  readonly backoffMs?: number;
}

export class SqsNotificationQueue implements NotificationQueue {
  constructor(private readonly deps: SqsNotificationQueueDeps) {}

  async publish(events: readonly ProgressEvent[]): Promise<void> {
    let bodies: string[];
    try {
      bodies = events.map(formatNotificationMessage);
    } catch {
      // zod's message would quote the offending values; name the fault only.
      throw new Error('A progress event does not match notification.v1; nothing was published');
    }
    const failed = await sendBodies(this.deps, bodies);
    if (failed > 0) throw new Error(`Failed to publish ${failed} of ${events.length} progress events`);
    // Every transition publishes its event: the one place that sees them all (a retried publish counts again).
    for (const event of events) countFilingTransition(event.status, event.reasonCode);
  }
}

export function notificationQueueFromEnv(): SqsNotificationQueue {
  return new SqsNotificationQueue({ client: sqs(), queueUrl: getStringFromEnv(queueEnvVar('notifications')) });
}
