/**
 * The intake queue on SQS: one message per filing (ids only, no personal data), sent in batches by
 * {@link sendBodies}; whatever still fails after its retries is reported by count, never by content.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { IntakeMessage, IntakeQueue } from '../../core/ports';
import { queueEnvVar } from '../../../infra/topology';
import { getStringFromEnv } from '../../shared/config';
import { sqs } from '../aws-clients';
import { sendBodies } from './batch-sender';

export interface SqsIntakeQueueDeps {
  readonly client: SQSClient;
  readonly queueUrl: string;
  /** Base of the exponential backoff between attempts (ms). */
  readonly backoffMs?: number;
}

export class SqsIntakeQueue implements IntakeQueue {
  constructor(private readonly deps: SqsIntakeQueueDeps) {}

  async enqueue(messages: readonly IntakeMessage[]): Promise<void> {
    const failed = await sendBodies(this.deps, messages.map((message) => JSON.stringify(message)));
    if (failed > 0) throw new Error(`Failed to enqueue ${failed} of ${messages.length} intake messages`);
  }
}

/** The intake queue, or its priority lane (`intakeUrgent`, 003 第十三条): the same messages, another queue. */
export function intakeQueueFromEnv(queue: 'intake' | 'intakeUrgent' = 'intake'): SqsIntakeQueue {
  return new SqsIntakeQueue({ client: sqs(), queueUrl: getStringFromEnv(queueEnvVar(queue)) });
}
