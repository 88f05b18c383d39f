import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ReceiveMessageCommand, SQSClient, type SendMessageBatchCommandInput, type SendMessageBatchCommandOutput } from '@aws-sdk/client-sqs';
import type { CreditNotice, ProgressEvent } from '../../../functions/core/ports';
import { publishMetrics } from '../../../functions/shared/metrics';
import { notificationQueueFromEnv, SqsNotificationQueue } from '../../../functions/adapters/sqs/notification-queue';
import { parseNotificationMessage } from '../../../schemas/messages/notification.v1';
import { startTestEmulators, type TestEmulators } from '../../support/emulators';

const events = (prefix: string, n: number): ProgressEvent[] =>
  Array.from({ length: n }, (_, i) => ({
    v: 1,
    eventId: `${prefix}-${i}:2`,
    channelId: 'ch-bank-a',
    filingId: `${prefix}-${i}`,
    clientRef: `REF-${i}`,
    businessType: 'MORTGAGE_CREATE',
    status: i % 2 === 0 ? 'ACCEPTED' : 'REFUSED',
    at: '2026-11-23T08:15:30.000Z',
    ...(i % 2 === 0 ? {} : { reasonCode: 'UNIT_SEIZED' }),
  }));

async function drain(client: SQSClient, queueUrl: string, expected: number): Promise<string[]> {
  const bodies: string[] = [];
  for (let round = 0; round < 20 && bodies.length < expected; round++) {
    const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    bodies.push(...(Messages ?? []).map((m) => m.Body!));
  }
  const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
  bodies.push(...(Messages ?? []).map((m) => m.Body!));
  return bodies;
}

/** A real client to the emulator whose first SendMessageBatch call fails entry 0 as SQS does under internal errors. */
function clientFailingOnce(): { client: SQSClient; calls: () => number } {
  const client = new SQSClient({});
  let calls = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as Partial<SendMessageBatchCommandInput>;
      if (!Array.isArray(input.Entries)) return next(args);
      calls++;
      if (calls > 1) return next(args);
      const result = await next({ ...args, input: { ...args.input, Entries: input.Entries.slice(1) } });
      const output = result.output as SendMessageBatchCommandOutput;
      return { ...result, output: { ...output, Failed: [{ Id: input.Entries[0]!.Id!, SenderFault: false, Code: 'InternalError' }] } };
    },
    { step: 'initialize', name: 'failFirstEntryOnce' },
  );
  return { client, calls: () => calls };
}

describe('SqsNotificationQueue', () => {
  let emulators: TestEmulators;
  let queueUrl: string;
  beforeAll(async () => {
    emulators = await startTestEmulators('zt-notify-q');
    queueUrl = emulators.queueUrls.notifications.url;
  });
  afterAll(async () => emulators.stop());

  it('publishes 23 events, each once, as notification.v1 bodies', async () => {
    const sent = events('F-23', 23);
    await notificationQueueFromEnv().publish(sent);
    const received = (await drain(new SQSClient({}), queueUrl, 23)).map(parseNotificationMessage);
    expect(received.sort((a, b) => a.eventId.localeCompare(b.eventId))).toEqual([...sent].sort((a, b) => a.eventId.localeCompare(b.eventId)));
  });

  it('publishes nothing for no events', async () => {
    await notificationQueueFromEnv().publish([]);
    expect(await drain(new SQSClient({}), queueUrl, 0)).toEqual([]);
  });

  it('retries an entry SQS reports as failed, and delivers every event exactly once', async () => {
    const { client, calls } = clientFailingOnce();
    const sent = events('F-retry', 4);
    await new SqsNotificationQueue({ client, queueUrl, backoffMs: 5 }).publish(sent);
    expect(calls()).toBe(2);
    expect((await drain(new SQSClient({}), queueUrl, 4)).map((b) => parseNotificationMessage(b).eventId).sort()).toEqual(sent.map((e) => e.eventId).sort());
  });

  it('refuses an event that carries more than a ProgressEvent, sends nothing, and does not echo it', async () => {
    const [good] = events('F-bad', 1);
    const bad = { ...good!, eventId: 'F-bad-1:2', mortgagorName: '张三丰' } as ProgressEvent;
    const error = await notificationQueueFromEnv().publish([good!, bad]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/does not match notification\.v1; nothing was published/);
    expect((error as Error).message).not.toMatch(/张三丰/);
    expect(await drain(new SQSClient({}), queueUrl, 0)).toEqual([]);
  });

  it('publishes a credit notice beside progress events; only the progress events count as filing transitions', async () => {
    // Prepare
    const notice: CreditNotice = {
      v: 1,
      type: 'CREDIT',
      eventId: 'CN0123456789ABCDEF01234567',
      channelId: 'ch-bank-a',
      institutionId: 'INST-BANK-A',
      change: 'GRADE_CHANGED',
      at: '2026-11-23T08:15:31.000Z',
      score: 80,
      grade: 'WATCH',
    };
    const [progress] = events('F-credit', 1);
    publishMetrics(); // nothing left over
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      written.push(String(chunk));
      return true;
    });
    try {
      // Act
      await notificationQueueFromEnv().publish([notice, progress!]);
      publishMetrics();
    } finally {
      spy.mockRestore();
    }
    // Assess
    const received = (await drain(new SQSClient({}), queueUrl, 2)).map(parseNotificationMessage);
    expect(received.sort((a, b) => a.eventId.localeCompare(b.eventId))).toEqual([notice, progress!]);
    const transitions = written
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.includes('"FilingTransitions"'))
      .map((line) => JSON.parse(line) as { status?: string; FilingTransitions: number });
    expect(transitions.map((t) => [t.status, t.FilingTransitions])).toEqual([['ACCEPTED', 1]]);
  });

  it('refuses a credit notice that carries more than its fields, and does not echo it', async () => {
    const notice = { v: 1, type: 'CREDIT', eventId: 'CN1', channelId: 'ch-bank-a', institutionId: 'INST-BANK-A', change: 'CASE_OPENED', at: '2026-11-23T08:15:31.000Z', score: 58, grade: 'SHUT_OFF', reasons: '张三丰' } as CreditNotice;
    const error = await notificationQueueFromEnv().publish([notice]).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/does not match notification\.v1; nothing was published/);
    expect((error as Error).message).not.toMatch(/张三丰/);
    expect(await drain(new SQSClient({}), queueUrl, 0)).toEqual([]);
  });
});
