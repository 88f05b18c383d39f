/**
 * The notifications queue on SQS (DESIGN.md §3 Progress, §4 credit notices): one message per webhook event
 * — a filing's progress event or a credit notice — the strict notification.v1 body (ids, statuses, codes
 * and numbers only: no personal data), sent in batches by {@link sendBodies}. An event that does not fit
 * the schema is refused before anything is sent.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { NotificationQueue, WebhookEvent } from '../../core/ports';
import { isCreditNotice } from '../../core/use-cases/deliver-progress';
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

  async publish(events: readonly WebhookEvent[]): Promise<void> {
    let bodies: string[];
    try {
      bodies = events.map(formatNotificationMessage);
    } catch {
      // zod's message would quote the offending values; name the fault only.
      throw new Error('A webhook event does not match notification.v1; nothing was published');
    }
    const failed = await sendBodies(this.deps, bodies);
    if (failed > 0) throw new Error(`Failed to publish ${failed} of ${events.length} webhook events`);
    // Every transition publishes its event: the one place that sees them all (a retried publish counts again).
    // Credit notices are no filing transition: the credit worker counts its own.
    for (const event of events) if (!isCreditNotice(event)) countFilingTransition(event.status, event.reasonCode);
  }
}

export function notificationQueueFromEnv(): SqsNotificationQueue {
  return new SqsNotificationQueue({ client: sqs(), queueUrl: getStringFromEnv(queueEnvVar('notifications')) });
}
