/**
 * The local runtime's SQS event source mapping: polls one queue and hands each batch, as the `SQSEvent`
 * Lambda would build, to the very worker handler the topology wires to that queue (DESIGN.md §6).
 *
 * As on AWS (with `ReportBatchItemFailures` on), a batch is settled by its outcome:
 * - the handler resolves: every record not named in `batchItemFailures` is deleted;
 * - the handler throws or times out, or names an item that is not in the batch: nothing is deleted.
 * Records left on the queue reappear after the queue's visibility timeout and, once their receive count
 * reaches the queue's `maxReceiveCount`, its redrive policy moves them to the dead-letter queue.
 *
 * A FIFO queue (`fifo: true`) is polled as Lambda polls one: messages of a group in order, and once a
 * message of a group fails, it and every later message of that group in the batch stay on the queue (even
 * if the handler named only the first). local-aws-sqs does not hold a group back while some of its messages
 * are in flight or failed; this poller does it instead: it handles one batch at a time, and makes the
 * failed messages visible again (after a short backoff) before it polls again, so they come back first —
 * ahead of their group's later messages — and their receive count still leads them to the dead-letter queue.
 *
 * local-aws-sqs answers a long poll only when the batch is full or the wait has elapsed, so this poller
 * uses short polls (`WaitTimeSeconds: 0`) and sleeps between empty ones, backing off from 50 ms to
 * `idleDelayMs`.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { errorForLog } from '../../functions/shared/error-log';
import { defaultRuntimeLogger, invokeWithTimeout, type RuntimeLogger } from './lambda-context';

export type QueueHandler = (event: SQSEvent, context: Context) => unknown;

/** Where in the polling cycle an error happened. */
export type PollerStage = 'receive' | 'invoke' | 'delete';

export interface QueuePollerOptions {
  readonly queueUrl: string;
  readonly functionName: string;
  readonly timeoutSeconds: number;
  /** Records per invocation, 1–10 (the ReceiveMessage maximum). */
  readonly batchSize: number;
  readonly handler: QueueHandler;
  readonly sqsClient: SQSClient;
  readonly memoryMb?: number;
  /** The queue is FIFO: hold a group's messages back behind its failed one (see above). */
  readonly fifo?: boolean;
  /** Pause before a FIFO queue's failed messages are made visible again; default 1 s. */
  readonly fifoRetryDelayMs?: number;
  /** Longest sleep between polls of an empty queue; default 200 ms. */
  readonly idleDelayMs?: number;
  /**
   * Told about every failure: a poll or delete that failed, or an invocation that failed (the batch is then
   * retried through the queue). Defaults to logging name and message, never message bodies.
   */
  readonly onError?: (error: unknown, info: { readonly stage: PollerStage; readonly functionName: string }) => void;
  readonly logger?: RuntimeLogger;
}

export interface QueuePoller {
  /** Stops polling; resolves once the batch in flight, if any, has been handled and settled. */
  stop(): Promise<void>;
}

const MIN_IDLE_MS = 50;
const ERROR_BACKOFF_MS = 1_000;

/** Outcome of one invocation: the message ids to keep on the queue (all of them when the batch failed). */
type Settlement = { readonly kind: 'partial'; readonly failed: ReadonlySet<string> } | { readonly kind: 'failed'; readonly error: unknown };

class InvalidBatchResponseError extends Error {
  override readonly name = 'InvalidBatchResponseError';
}

/**
 * Reads a partial batch response as Lambda does: no response or no `batchItemFailures` means success; an
 * identifier that is empty or not in the batch fails the whole batch.
 */
export function settle(result: unknown, messageIds: readonly string[]): Settlement {
  if (typeof result !== 'object' || result === null || !('batchItemFailures' in result)) return { kind: 'partial', failed: new Set() };
  const failures: unknown = result.batchItemFailures;
  if (failures === null || failures === undefined) return { kind: 'partial', failed: new Set() };
  if (!Array.isArray(failures)) return { kind: 'failed', error: new InvalidBatchResponseError('batchItemFailures is not an array') };
  const known = new Set(messageIds);
  const failed = new Set<string>();
  for (const failure of failures) {
    const id: unknown = typeof failure === 'object' && failure !== null && 'itemIdentifier' in failure ? failure.itemIdentifier : undefined;
    if (typeof id !== 'string' || !known.has(id)) {
      return { kind: 'failed', error: new InvalidBatchResponseError(`batchItemFailures names an unknown item: ${String(id)}`) };
    }
    failed.add(id);
  }
  return { kind: 'partial', failed };
}

function toMessageAttributes(attributes: Record<string, MessageAttributeValue> | undefined): SQSMessageAttributes {
  const result: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    result[name] = {
      dataType: value.DataType ?? 'String',
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') } : {}),
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map((b) => Buffer.from(b).toString('base64')),
    };
  }
  return result;
}

export function toSqsRecord(message: Message, eventSourceARN: string, awsRegion: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ...attributes,
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? '',
      SenderId: attributes.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? '',
    },
    messageAttributes: toMessageAttributes(message.MessageAttributes),
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN,
    awsRegion,
  };
}

export function startQueuePoller(options: QueuePollerOptions): QueuePoller {
  const { queueUrl, functionName, sqsClient } = options;
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1 || options.batchSize > 10) {
    throw new Error(`batchSize of ${functionName} must be 1–10, got ${options.batchSize}`);
  }
  const maxIdleMs = Math.max(MIN_IDLE_MS, options.idleDelayMs ?? 200);
  const logger = options.logger ?? defaultRuntimeLogger();
  const report =
    options.onError ??
    ((error: unknown, info: { stage: PollerStage; functionName: string }) =>
      logger.error(info.stage === 'invoke' ? 'Worker failed; its batch will be retried' : `Queue ${info.stage} failed`, {
        ...info,
        queueUrl,
        ...errorForLog(error),
      }));

  let stopping = false;
  let wake: (() => void) | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  let source: { arn: string; region: string } | undefined;
  async function eventSource(): Promise<{ arn: string; region: string }> {
    if (source) return source;
    const { Attributes } = await sqsClient.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
    const arn = Attributes?.QueueArn;
    if (!arn) throw new Error(`Queue ${queueUrl} has no QueueArn`);
    // The record's region is the queue's (arn:aws:sqs:<region>:<account>:<name>).
    const region = arn.split(':')[3] || (await sqsClient.config.region());
    source = { arn, region };
    return source;
  }

  async function deleteAll(messages: readonly Message[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 10) {
      const chunk = messages.slice(i, i + 10);
      const { Failed } = await sqsClient.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((m, index) => ({ Id: String(index), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
      if (Failed && Failed.length > 0) {
        report(new Error(`DeleteMessageBatch failed for ${Failed.length} entries: ${Failed.map((f) => f.Code).join(', ')}`), { stage: 'delete', functionName });
      }
    }
  }

  async function handleBatch(messages: readonly Message[], from: { arn: string; region: string }): Promise<void> {
    const event: SQSEvent = { Records: messages.map((m) => toSqsRecord(m, from.arn, from.region)) };
    let settlement: Settlement;
    try {
      const result = await invokeWithTimeout(
        { functionName, timeoutSeconds: options.timeoutSeconds, memoryMb: options.memoryMb },
        (context) => options.handler(event, context),
      );
      settlement = settle(result, event.Records.map((r) => r.messageId));
    } catch (error) {
      settlement = { kind: 'failed', error };
    }
    if (settlement.kind === 'failed') {
      report(settlement.error, { stage: 'invoke', functionName });
      // Nothing deleted: every record comes back after the visibility timeout (a FIFO queue's at once, in order).
      if (options.fifo === true) await releaseAfterBackoff(messages);
      return;
    }
    const failed = options.fifo === true ? blockGroups(messages, settlement.failed) : settlement.failed;
    try {
      await deleteAll(messages.filter((m) => !failed.has(m.MessageId ?? '')));
    } catch (error) {
      report(error, { stage: 'delete', functionName });
    }
    if (options.fifo === true && failed.size > 0) await releaseAfterBackoff(messages.filter((m) => failed.has(m.MessageId ?? '')));
  }

  /** A FIFO group stops at its first failed message: that one and every later one of its group stay. */
  function blockGroups(messages: readonly Message[], failed: ReadonlySet<string>): Set<string> {
    const blocked = new Set<string>();
    const out = new Set<string>();
    for (const message of messages) {
      const group = message.Attributes?.MessageGroupId ?? '';
      if (failed.has(message.MessageId ?? '')) blocked.add(group);
      if (blocked.has(group)) out.add(message.MessageId ?? '');
    }
    return out;
  }

  /** Makes a FIFO queue's failed messages visible again after the backoff, so that they are received first. */
  async function releaseAfterBackoff(messages: readonly Message[]): Promise<void> {
    await sleep(options.fifoRetryDelayMs ?? ERROR_BACKOFF_MS);
    try {
      for (let i = 0; i < messages.length; i += 10) {
        await sqsClient.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queueUrl,
            Entries: messages.slice(i, i + 10).map((m, index) => ({ Id: String(index), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 })),
          }),
        );
      }
    } catch (error) {
      // They come back after the visibility timeout anyway (a later message of the group may then overtake them).
      report(error, { stage: 'delete', functionName });
    }
  }

  async function loop(): Promise<void> {
    let idleMs = MIN_IDLE_MS;
    while (!stopping) {
      let messages: Message[];
      let from: { arn: string; region: string };
      try {
        from = await eventSource();
        const received = await sqsClient.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: options.batchSize,
            // local-aws-sqs reads only the older AttributeNames; SQS itself reads either.
            AttributeNames: ['All'],
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
            WaitTimeSeconds: 0,
          }),
        );
        messages = received.Messages ?? [];
      } catch (error) {
        if (stopping) break;
        report(error, { stage: 'receive', functionName });
        await sleep(ERROR_BACKOFF_MS);
        continue;
      }
      if (messages.length === 0) {
        await sleep(idleMs);
        idleMs = Math.min(idleMs * 2, maxIdleMs);
        continue;
      }
      idleMs = MIN_IDLE_MS;
      // Received messages are in flight even if stop() was called meanwhile: handle and settle them.
      await handleBatch(messages, from);
    }
  }

  const running = loop();
  return {
    stop: async () => {
      stopping = true;
      wake?.();
      await running;
    },
  };
}
