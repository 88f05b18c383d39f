/**
 * The local SQS event source: batches reach the worker as real-shaped SQSEvents, partial batch failures
 * keep only the failed records on the queue, a failed invocation keeps them all, and the queue's redrive
 * policy moves a message that keeps failing to its dead-letter queue. Runs against local-aws-sqs.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { startSqs, type Emulator } from '../../../infra/local/emulators';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../infra/local/provision';
import { settle, startQueuePoller, type PollerStage } from '../../../infra/local/queue-poller';
import type { RuntimeLogger } from '../../../infra/local/lambda-context';

const quietLogger: RuntimeLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(50);
  }
  throw new Error(`Timed out waiting for ${what}`);
}

describe('local SQS queue poller', () => {
  let sqsEmulator: Emulator;
  let client: SQSClient;
  let queueCount = 0;

  /** A queue with a 1 s visibility timeout whose messages move to its DLQ after 2 receives. */
  async function createQueuePair(): Promise<{ url: string; arn: string; dlqUrl: string }> {
    const name = `poller-test-${++queueCount}`;
    const { QueueUrl: dlqUrl } = await client.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
    const dlqAttributes = await client.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }));
    const { QueueUrl: url } = await client.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: {
          VisibilityTimeout: '1',
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqAttributes.Attributes!.QueueArn, maxReceiveCount: 2 }),
        },
      }),
    );
    const attributes = await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
    return { url: url!, arn: attributes.Attributes!.QueueArn!, dlqUrl: dlqUrl! };
  }

  async function drain(queueUrl: string): Promise<string[]> {
    const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    return (Messages ?? []).map((m) => m.Body ?? '');
  }

  /**
   * Messages still on the queue, in flight or not. local-aws-sqs counts in-flight messages in
   * ApproximateNumberOfMessages too (SQS counts only visible ones there), so that count alone is the total.
   */
  async function depth(queueUrl: string): Promise<{ total: number; inFlight: number }> {
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    return { total: Number(Attributes?.ApproximateNumberOfMessages ?? 0), inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) };
  }

  beforeAll(async () => {
    sqsEmulator = await startSqs();
    client = new SQSClient({ endpoint: sqsEmulator.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  });
  afterAll(async () => {
    client.destroy();
    await sqsEmulator.close();
  });

  it('deletes the records a worker reports as done, redelivers the failed one with a growing receive count, then dead-letters it', async () => {
    // Prepare
    const queue = await createQueuePair();
    await client.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: ['ok-1', 'poison', 'ok-2'].map((body, i) => ({
          Id: String(i),
          MessageBody: body,
          MessageAttributes: { kind: { DataType: 'String', StringValue: body.startsWith('ok') ? 'good' : 'bad' } },
        })),
      }),
    );
    const deliveries: SQSRecord[] = [];
    const batchSizes: number[] = [];
    const errors: PollerStage[] = [];
    const poller = startQueuePoller({
      queueUrl: queue.url,
      functionName: 'testWorker',
      timeoutSeconds: 5,
      batchSize: 10,
      sqsClient: client,
      logger: quietLogger,
      onError: (_error, { stage }) => errors.push(stage),
      handler: async (event: SQSEvent): Promise<SQSBatchResponse> => {
        batchSizes.push(event.Records.length);
        deliveries.push(...event.Records);
        return { batchItemFailures: event.Records.filter((r) => r.body === 'poison').map((r) => ({ itemIdentifier: r.messageId })) };
      },
    });

    // Act: wait for the poison message to land in the dead-letter queue.
    const deadLetters = await waitFor('the poison message in the DLQ', async () => {
      const bodies = await drain(queue.dlqUrl);
      return bodies.length > 0 ? bodies : undefined;
    });
    await sleep(1_500); // longer than the visibility timeout: anything not deleted would come back
    await poller.stop();

    // Assess
    expect(deadLetters).toEqual(['poison']);
    const bodies = deliveries.map((r) => r.body);
    expect(bodies.filter((b) => b === 'ok-1')).toHaveLength(1);
    expect(bodies.filter((b) => b === 'ok-2')).toHaveLength(1);
    const poison = deliveries.filter((r) => r.body === 'poison');
    expect(poison.map((r) => r.attributes.ApproximateReceiveCount)).toEqual(['1', '2']);
    expect((await depth(queue.url)).total).toBe(0);
    expect(errors).toEqual([]);
    expect(batchSizes[0]).toBeGreaterThanOrEqual(1);

    // The records are shaped as Lambda's SQS event source shapes them.
    const first = deliveries.find((r) => r.body === 'ok-1')!;
    expect(first).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: queue.arn,
      awsRegion: queue.arn.split(':')[3],
      md5OfBody: createHash('md5').update('ok-1').digest('hex'),
      messageAttributes: { kind: { dataType: 'String', stringValue: 'good', stringListValues: [], binaryListValues: [] } },
    });
    expect(first.messageId).toMatch(/\S+/);
    expect(first.receiptHandle).toMatch(/\S+/);
    expect(Number(first.attributes.SentTimestamp)).toBeGreaterThan(0);
    expect(Number(first.attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThan(0);
    expect(first.attributes.SenderId).toEqual(expect.any(String));
    expect(first.md5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
  });

  it('deletes nothing when the worker throws: every record is redelivered and finally dead-lettered', async () => {
    const queue = await createQueuePair();
    await client.send(
      new SendMessageBatchCommand({ QueueUrl: queue.url, Entries: ['a', 'b'].map((body) => ({ Id: body, MessageBody: body })) }),
    );
    const deliveries: string[] = [];
    const errors: { stage: PollerStage; message: string }[] = [];
    const poller = startQueuePoller({
      queueUrl: queue.url,
      functionName: 'throwingWorker',
      timeoutSeconds: 5,
      batchSize: 10,
      sqsClient: client,
      logger: quietLogger,
      onError: (error, { stage }) => errors.push({ stage, message: error instanceof Error ? error.message : String(error) }),
      handler: async (event: SQSEvent) => {
        deliveries.push(...event.Records.map((r) => `${r.body}#${r.attributes.ApproximateReceiveCount}`));
        throw new Error('worker crashed');
      },
    });

    // After the first failed invocation, both messages are still on the queue (in flight, not deleted).
    await waitFor('a first delivery', () => (deliveries.length >= 2 ? true : undefined));
    expect(await depth(queue.url)).toEqual({ total: 2, inFlight: 2 });

    const deadLetters = await waitFor('both messages in the DLQ', async () => {
      const bodies = [...(await drain(queue.dlqUrl))];
      return bodies.length === 2 ? bodies : undefined;
    });
    await poller.stop();

    expect(deadLetters.sort()).toEqual(['a', 'b']);
    expect(deliveries.sort()).toEqual(['a#1', 'a#2', 'b#1', 'b#2']);
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors.every((e) => e.stage === 'invoke' && e.message === 'worker crashed')).toBe(true);
  });

  it('runs several pollers in one process, and stop() waits for the batch in flight to be handled and deleted', async () => {
    const [q1, q2] = [await createQueuePair(), await createQueuePair()];
    const handled: string[] = [];
    let inFlight = false;
    const slowWorker = async (event: SQSEvent) => {
      inFlight = true;
      await sleep(400);
      handled.push(...event.Records.map((r) => r.body));
      inFlight = false;
    };
    const pollers = [q1, q2].map((q, i) =>
      startQueuePoller({ queueUrl: q.url, functionName: `worker${i}`, timeoutSeconds: 5, batchSize: 1, sqsClient: client, logger: quietLogger, handler: slowWorker }),
    );
    await client.send(new SendMessageCommand({ QueueUrl: q1.url, MessageBody: 'from-q1' }));
    await client.send(new SendMessageCommand({ QueueUrl: q2.url, MessageBody: 'from-q2' }));

    await waitFor('a batch in flight', () => (inFlight ? true : undefined));
    await Promise.all(pollers.map((p) => p.stop()));

    expect(handled.sort()).toEqual(['from-q1', 'from-q2']);
    expect((await depth(q1.url)).total).toBe(0);
    expect((await depth(q2.url)).total).toBe(0);
  });

  it('fails the whole batch when batchItemFailures names an item that is not in it, as Lambda does', () => {
    expect(settle(undefined, ['m1'])).toEqual({ kind: 'partial', failed: new Set() });
    expect(settle({ batchItemFailures: [] }, ['m1'])).toEqual({ kind: 'partial', failed: new Set() });
    expect(settle({ batchItemFailures: [{ itemIdentifier: 'm1' }] }, ['m1', 'm2'])).toEqual({ kind: 'partial', failed: new Set(['m1']) });
    expect(settle({ batchItemFailures: [{ itemIdentifier: 'elsewhere' }] }, ['m1']).kind).toBe('failed');
    expect(settle({ batchItemFailures: [{ itemIdentifier: '' }] }, ['m1']).kind).toBe('failed');
    expect(settle({ batchItemFailures: [{}] }, ['m1']).kind).toBe('failed');
  });

  it('polls a FIFO queue group by group: a failed message and the rest of its group come back first, in order; other groups go on', async () => {
    // Prepare: a FIFO queue, 5 messages of group A and 2 of group B, interleaved.
    const { QueueUrl: url } = await client.send(
      new CreateQueueCommand({ QueueName: `poller-fifo-${++queueCount}.fifo`, Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false', VisibilityTimeout: '30' } }),
    );
    const bodies = ['A1', 'B1', 'A2', 'A3', 'B2', 'A4', 'A5'];
    for (const body of bodies) {
      await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: body[0], MessageDeduplicationId: body }));
    }
    const seen: string[] = [];
    let failedOnce = false;
    // Act: the handler fails A2 once, naming only A2 (the poller must hold A3… back too).
    const poller = startQueuePoller({
      queueUrl: url!,
      functionName: 'fifoWorker',
      timeoutSeconds: 5,
      batchSize: 4,
      fifo: true,
      fifoRetryDelayMs: 50,
      sqsClient: client,
      logger: quietLogger,
      onError: () => undefined,
      handler: (event: SQSEvent): SQSBatchResponse => {
        const failures: { itemIdentifier: string }[] = [];
        for (const record of event.Records) {
          if (record.body === 'A2' && !failedOnce) {
            failedOnce = true;
            failures.push({ itemIdentifier: record.messageId });
            continue;
          }
          if (failures.length > 0 && record.attributes.MessageGroupId === 'A') continue;
          seen.push(record.body);
        }
        return { batchItemFailures: failures };
      },
    });
    try {
      await waitFor('every message handled', () => (new Set(seen).size === bodies.length ? true : undefined));
    } finally {
      await poller.stop();
    }
    // Assess: each group in send order, every message once, nothing of A before A2 succeeded.
    expect(seen.filter((b) => b.startsWith('A'))).toEqual(['A1', 'A2', 'A3', 'A4', 'A5']);
    expect(seen.filter((b) => b.startsWith('B'))).toEqual(['B1', 'B2']);
    expect(await drain(url!)).toEqual([]);
  });
});
