import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ReceiveMessageCommand,
  SQSClient,
  type BatchResultErrorEntry,
  type SendMessageBatchCommandInput,
  type SendMessageBatchCommandOutput,
} from '@aws-sdk/client-sqs';
import type { IntakeMessage } from '../../../functions/core/ports';
import { SqsIntakeQueue, intakeQueueFromEnv } from '../../../functions/adapters/sqs/intake-queue';
import { startTestEmulators, type TestEmulators } from '../../support/emulators';

const messages = (prefix: string, n: number): IntakeMessage[] => Array.from({ length: n }, (_, i) => ({ v: 1, filingId: `${prefix}-${i}` }));

async function drain(client: SQSClient, queueUrl: string, expected: number): Promise<string[]> {
  const bodies: string[] = [];
  for (let round = 0; round < 20 && bodies.length < expected; round++) {
    const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    bodies.push(...(Messages ?? []).map((m) => m.Body!));
  }
  // One more short poll: nothing beyond what was expected (no duplicates from retries).
  const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
  bodies.push(...(Messages ?? []).map((m) => m.Body!));
  return bodies;
}

/**
 * A real client to the emulator whose SendMessageBatch drops the entries `fail` picks before they are sent
 * and reports them as Failed, as SQS does under internal errors.
 */
function flakyClient(
  fail: (id: string, call: number) => boolean,
  senderFault = false,
): { client: SQSClient; calls: () => number; sizes: number[] } {
  const client = new SQSClient({});
  let calls = 0;
  const sizes: number[] = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as Partial<SendMessageBatchCommandInput>;
      if (!Array.isArray(input.Entries)) return next(args);
      calls++;
      sizes.push(input.Entries.length);
      const failing = new Set(input.Entries.filter((e) => fail(e.Id!, calls)).map((e) => e.Id));
      const dropped = input.Entries.filter((e) => failing.has(e.Id));
      const kept = input.Entries.filter((e) => !failing.has(e.Id));
      const failed: BatchResultErrorEntry[] = dropped.map((e) => ({ Id: e.Id!, SenderFault: senderFault, Code: 'InternalError' }));
      if (kept.length === 0) {
        const output: SendMessageBatchCommandOutput = { Successful: [], Failed: failed, $metadata: {} };
        return { output, response: {} };
      }
      const result = await next({ ...args, input: { ...args.input, Entries: kept } });
      const output = result.output as SendMessageBatchCommandOutput;
      return { ...result, output: { ...output, Failed: [...(output.Failed ?? []), ...failed] } };
    },
    { step: 'initialize', name: 'dropSomeEntries' },
  );
  return { client, calls: () => calls, sizes };
}

describe('SqsIntakeQueue', () => {
  let emulators: TestEmulators;
  let queueUrl: string;
  beforeAll(async () => {
    emulators = await startTestEmulators('zt-intake');
    queueUrl = emulators.queueUrls.intake.url;
  });
  afterAll(async () => emulators.stop());

  it('delivers 25 messages, each once, with its JSON body', async () => {
    const sent = messages('f-25', 25);
    await intakeQueueFromEnv().enqueue(sent);
    const bodies = await drain(new SQSClient({}), queueUrl, 25);
    expect(bodies.map((b) => JSON.parse(b) as IntakeMessage).sort((a, b) => a.filingId.localeCompare(b.filingId))).toEqual(
      [...sent].sort((a, b) => a.filingId.localeCompare(b.filingId)),
    );
  });

  it('enqueues nothing for no messages', async () => {
    await intakeQueueFromEnv().enqueue([]);
    expect(await drain(new SQSClient({}), queueUrl, 0)).toEqual([]);
  });

  it('retries entries SQS reports as failed and delivers every message exactly once', async () => {
    // Entries 3 and 7 of each chunk fail on the first two calls that carry them.
    const seen = new Map<string, number>();
    const { client, calls } = flakyClient((id) => {
      if (id !== '3' && id !== '7') return false;
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      return n <= 2;
    });
    const sent = messages('f-retry', 10);
    await new SqsIntakeQueue({ client, queueUrl, backoffMs: 5 }).enqueue(sent);
    expect(calls()).toBe(3);
    const bodies = await drain(new SQSClient({}), queueUrl, 10);
    expect(bodies.sort()).toEqual(sent.map((m) => JSON.stringify(m)).sort());
  });

  it('gives up after 3 attempts and throws, naming how many failed but no message content', async () => {
    const { client, calls } = flakyClient((id) => id === '0');
    const sent = messages('f-give-up', 12);
    const error = await new SqsIntakeQueue({ client, queueUrl, backoffMs: 5 }).enqueue(sent).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('Failed to enqueue 2 of 12 intake messages');
    expect((error as Error).message).not.toContain('f-give-up');
    // 2 chunks: each first call, then 2 retries of its entry 0.
    expect(calls()).toBe(6);
    expect(await drain(new SQSClient({}), queueUrl, 10)).toHaveLength(10);
  });

  it('does not retry sender faults', async () => {
    const { client, calls } = flakyClient((id) => id === '1', true);
    await expect(new SqsIntakeQueue({ client, queueUrl, backoffMs: 5 }).enqueue(messages('f-sender', 5))).rejects.toThrow(
      'Failed to enqueue 1 of 5 intake messages',
    );
    expect(calls()).toBe(1);
    expect(await drain(new SQSClient({}), queueUrl, 4)).toHaveLength(4);
  });

  it('sends 25 messages as SendMessageBatch calls of at most 10 entries', async () => {
    const { client, sizes } = flakyClient(() => false);
    await new SqsIntakeQueue({ client, queueUrl }).enqueue(messages('f-chunks', 25));
    expect([...sizes].sort((a, b) => a - b)).toEqual([5, 10, 10]);
    expect(await drain(new SQSClient({}), queueUrl, 25)).toHaveLength(25);
  });
});
