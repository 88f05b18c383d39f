/**
 * The intake queue on SQS: one message per filing (ids only, no personal data), sent with
 * SendMessageBatch in chunks of 10, a few chunks at a time. Entries SQS reports as failed for its own
 * reasons are retried with backoff; whatever still fails is reported by count, never by content.
 */
import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';
import type { IntakeMessage, IntakeQueue } from '../../core/ports';
import { queueEnvVar } from '../../../infra/topology';
import { getStringFromEnv } from '../../shared/config';
import { sqs } from '../aws-clients';

/** SendMessageBatch takes at most 10 entries. */
const BATCH_LIMIT = 10;
const CHUNK_CONCURRENCY = 5;
const MAX_ATTEMPTS = 3;

export interface SqsIntakeQueueDeps {
  readonly client: SQSClient;
  readonly queueUrl: string;
  /** Base of the exponential backoff between attempts (ms). */
  readonly backoffMs?: number;
}

export class SqsIntakeQueue implements IntakeQueue {
  constructor(private readonly deps: SqsIntakeQueueDeps) {}

  async enqueue(messages: readonly IntakeMessage[]): Promise<void> {
    const chunks: SendMessageBatchRequestEntry[][] = [];
    for (let i = 0; i < messages.length; i += BATCH_LIMIT) {
      chunks.push(messages.slice(i, i + BATCH_LIMIT).map((message, j) => ({ Id: String(j), MessageBody: JSON.stringify(message) })));
    }
    let failed = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < chunks.length) {
        // Awaited before adding: `failed += await …` would read `failed` before the await and lose counts.
        const unsent = await this.sendChunk(chunks[next++] as SendMessageBatchRequestEntry[]);
        failed += unsent;
      }
    };
    await Promise.all(Array.from({ length: Math.min(CHUNK_CONCURRENCY, chunks.length) }, worker));
    if (failed > 0) throw new Error(`Failed to enqueue ${failed} of ${messages.length} intake messages`);
  }

  /** Sends one chunk; returns how many entries could not be sent. */
  private async sendChunk(entries: SendMessageBatchRequestEntry[]): Promise<number> {
    let pending = entries;
    let permanent = 0;
    for (let attempt = 1; ; attempt++) {
      const { Failed = [] } = await this.deps.client.send(new SendMessageBatchCommand({ QueueUrl: this.deps.queueUrl, Entries: pending }));
      if (Failed.length === 0) return permanent;
      // A sender fault (e.g. an invalid message) fails the same way every time: not worth retrying.
      const retryable = new Set(Failed.filter((f) => !f.SenderFault).map((f) => f.Id));
      permanent += Failed.length - retryable.size;
      if (retryable.size === 0 || attempt >= MAX_ATTEMPTS) return permanent + retryable.size;
      pending = pending.filter((entry) => retryable.has(entry.Id));
      const ceiling = (this.deps.backoffMs ?? 100) * 2 ** (attempt - 1);
      await new Promise((resolve) => setTimeout(resolve, ceiling / 2 + (Math.random() * ceiling) / 2));
    }
  }
}

export function intakeQueueFromEnv(): SqsIntakeQueue {
  return new SqsIntakeQueue({ client: sqs(), queueUrl: getStringFromEnv(queueEnvVar('intake')) });
}
