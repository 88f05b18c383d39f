/**
 * Sending many message bodies to one SQS queue, shared by the queue adapters: SendMessageBatch in chunks
 * of 10, a few chunks at a time. Entries SQS reports as failed for its own reasons are retried with
 * backoff; sender faults (an invalid message) fail the same way every time and are not. The result is a
 * count, never content, so a caller's error message cannot leak a message body.
 */
import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';

/** SendMessageBatch takes at most 10 entries. */
const BATCH_LIMIT = 10;
const CHUNK_CONCURRENCY = 5;
const MAX_ATTEMPTS = 3;

export interface SqsBatchSenderDeps {
  readonly client: SQSClient;
  readonly queueUrl: string;
  /** Base of the exponential backoff between attempts (ms). */
  readonly backoffMs?: number;
}

/** Sends every body; resolves to how many could not be sent after the retries. */
export async function sendBodies(deps: SqsBatchSenderDeps, bodies: readonly string[]): Promise<number> {
  const chunks: SendMessageBatchRequestEntry[][] = [];
  for (let i = 0; i < bodies.length; i += BATCH_LIMIT) {
    chunks.push(bodies.slice(i, i + BATCH_LIMIT).map((body, j) => ({ Id: String(j), MessageBody: body })));
  }
  let failed = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < chunks.length) {
      // Awaited before adding: `failed += await …` would read `failed` before the await and lose counts.
      const unsent = await sendChunk(deps, chunks[next++] as SendMessageBatchRequestEntry[]);
      failed += unsent;
    }
  };
  await Promise.all(Array.from({ length: Math.min(CHUNK_CONCURRENCY, chunks.length) }, worker));
  return failed;
}

/** Sends one chunk; returns how many entries could not be sent. */
async function sendChunk(deps: SqsBatchSenderDeps, entries: SendMessageBatchRequestEntry[]): Promise<number> {
  let pending = entries;
  let permanent = 0;
  for (let attempt = 1; ; attempt++) {
    const { Failed = [] } = await deps.client.send(new SendMessageBatchCommand({ QueueUrl: deps.queueUrl, Entries: pending }));
    if (Failed.length === 0) return permanent;
    // A sender fault (e.g. an invalid message) fails the same way every time: not worth retrying.
    const retryable = new Set(Failed.filter((f) => !f.SenderFault).map((f) => f.Id));
    permanent += Failed.length - retryable.size;
    if (retryable.size === 0 || attempt >= MAX_ATTEMPTS) return permanent + retryable.size;
    pending = pending.filter((entry) => retryable.has(entry.Id));
    const ceiling = (deps.backoffMs ?? 100) * 2 ** (attempt - 1);
    await new Promise((resolve) => setTimeout(resolve, ceiling / 2 + (Math.random() * ceiling) / 2));
  }
}
