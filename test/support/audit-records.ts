/**
 * How integration tests read what the audit log holds: the entries of one tenant and UTC day (`yyyy-mm-dd`),
 * in log (sequence) order. Tests read through here, never through an adapter, so the log's storage can
 * change without touching each test.
 *
 * Records are queued (SQS FIFO) before they are in the log, so this first drains the `audit` queue through
 * the appender's real handler, as the local runtime's poller would (FIFO-wise: a failed message and the rest
 * of its group go back and come first next time), then reads the tenant's entries through the log store.
 * Drains are serialised within a test process, so two reads never append one tenant's records in parallel.
 */
import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { sqs } from '../../functions/adapters/aws-clients';
import { auditLogStoreFromEnv } from '../../functions/adapters/dynamodb/audit-log';
import type { LogEntry } from '../../functions/core/domain/audit-log';
import { handler as appender } from '../../functions/workers/audit-appender';
import { queueEnvVar } from '../../infra/topology';
import { toSqsRecord } from '../../infra/local/queue-poller';
import { lambdaContext } from './fixtures';

export type AuditEntry = LogEntry;

let draining: Promise<void> = Promise.resolve();

/** Hands every queued audit record to the appender until the queue is empty; throws if some keep failing. */
export function drainAuditQueue(maxFailedRounds = 5): Promise<void> {
  const run = draining.then(() => drainOnce(maxFailedRounds));
  draining = run.catch(() => undefined);
  return run;
}

async function drainOnce(maxFailedRounds: number): Promise<void> {
  const client = sqs();
  const queueUrl = process.env[queueEnvVar('audit')];
  if (queueUrl === undefined) throw new Error(`${queueEnvVar('audit')} is not set: start the emulators first`);
  const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  const arn = Attributes?.QueueArn ?? 'arn:aws:sqs:ap-east-1:000000000000:audit.fifo';
  let failedRounds = 0;
  for (;;) {
    const { Messages } = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, AttributeNames: ['All'], MessageSystemAttributeNames: ['All'], WaitTimeSeconds: 0, VisibilityTimeout: 60 }),
    );
    const messages: Message[] = Messages ?? [];
    if (messages.length === 0) return;
    const event: SQSEvent = { Records: messages.map((m) => toSqsRecord(m, arn, 'ap-east-1')) };
    const response = (await appender(event, lambdaContext('auditAppender'))) as SQSBatchResponse;
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    const done = messages.filter((m) => !failed.has(m.MessageId ?? ''));
    if (done.length > 0) await client.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
    const back = messages.filter((m) => failed.has(m.MessageId ?? ''));
    if (back.length > 0) {
      if (++failedRounds > maxFailedRounds) throw new Error(`${back.length} audit messages keep failing in the appender`);
      await client.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: back.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 })) }));
    }
  }
}

/**
 * For tests of a running local runtime (its own poller feeds the appender): waits until the audit queue is
 * empty, i.e. every record queued so far is in the log.
 */
export async function auditQueueSettled(timeoutMs = 60_000): Promise<void> {
  const queueUrl = process.env[queueEnvVar('audit')]!;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { Attributes } = await sqs().send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    if (Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('The audit queue did not drain');
}

/** The tenant's log entries of one UTC day, in sequence order (after draining the queue into the log). */
export async function auditRecordsOf(tenant: string, day: string): Promise<AuditEntry[]> {
  await drainAuditQueue();
  const store = auditLogStoreFromEnv();
  const next = new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString();
  const entries: AuditEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.search({ tenants: [tenant], from: `${day}T00:00:00.000Z`, to: next, limit: 500, cursor });
    for (const item of page.items) if (item.entry !== undefined) entries.push(JSON.parse(item.entry) as AuditEntry);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return entries.sort((a, b) => a.seq - b.seq);
}
