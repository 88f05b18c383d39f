/**
 * The notifier worker end to end on the emulators: progress events published on the notifications queue,
 * delivered to a real HTTP receiver on 127.0.0.1 that verifies each delivery with the institutions' own
 * module (client/zt-webhook.ts). Failures are reported per message with their visibility pushed back
 * (backoff), and the local queue poller honours that.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type ChangeMessageVisibilityCommandInput,
  type Message,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook, type VerifyWebhookResult } from '../../client/zt-webhook';
import { sqs } from '../../functions/adapters/aws-clients';
import { channelDirectoryFromEnv } from '../../functions/adapters/dynamodb/channel-directory';
import { LocalPlatformSigner } from '../../functions/adapters/keys/local-platform-signer';
import { notificationQueueFromEnv } from '../../functions/adapters/sqs/notification-queue';
import type { CreditNotice, ProgressEvent } from '../../functions/core/ports';
import { creditNoticeBody, progressEventBody } from '../../functions/core/use-cases/deliver-progress';
import { startQueuePoller, toSqsRecord } from '../../infra/local/queue-poller';
import { LOCAL_KEYRING_DIR_ENV } from '../../infra/topology';
import { lambdaContext, sqsFixture } from '../support/fixtures';
import { PEOPLE, startChannelWorld, type ChannelWorld } from '../support/channel-world';

type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

interface Delivery {
  readonly path: string;
  readonly at: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly verified: VerifyWebhookResult;
}

let world: ChannelWorld;
let notifier: SqsHandler;
let platformPublicKey: string;
let receiver: Server;
let receiverUrl: string;
let deliveries: Delivery[] = [];
/** The status the receiver answers, per path. */
const answers = new Map<string, number>();
const visibilityChanges: ChangeMessageVisibilityCommandInput[] = [];
const client = new SQSClient({});
let queueUrl: string;
let dlqUrl: string;

beforeAll(async () => {
  world = await startChannelWorld('zt-notifier');
  queueUrl = world.emulators.queueUrls.notifications.url;
  dlqUrl = world.emulators.queueUrls.notifications.dlqUrl;
  // As the local runtime sets it; and a 1 s backoff base so that a retry is due 2 s after a failure.
  process.env.ZT_ALLOW_LOCAL_WEBHOOKS = 'true';
  process.env.NOTIFIER_RETRY_BASE_SECONDS = '1';
  notifier = (await import('../../functions/workers/notifier')).handler as unknown as SqsHandler;
  platformPublicKey = await (await LocalPlatformSigner.open(process.env[LOCAL_KEYRING_DIR_ENV]!)).publicKeyHex();
  // Watch what the worker asks of SQS, through the very client it uses.
  sqs().middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as Partial<ChangeMessageVisibilityCommandInput>;
      if (typeof input.VisibilityTimeout === 'number' && typeof input.ReceiptHandle === 'string') visibilityChanges.push(input as ChangeMessageVisibilityCommandInput);
      return next(args);
    },
    { step: 'initialize', name: 'recordVisibilityChanges' },
  );

  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const verified = verifyWebhook({ headers: req.headers, body, platformPublicKeyHex: platformPublicKey });
      deliveries.push({ path: req.url ?? '', at: Date.now(), headers: req.headers, body: body.toString('utf8'), verified });
      res.writeHead(answers.get(req.url ?? '') ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
  await world.stop();
});
afterEach(async () => {
  deliveries = [];
  answers.clear();
  visibilityChanges.length = 0;
  for (const m of received.splice(0)) {
    await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! })).catch(() => undefined);
  }
  await drainQueue(queueUrl);
  await drainQueue(dlqUrl);
});

let counter = 0;
function progressEvent(channelId: string, status: ProgressEvent['status'] = 'REFUSED'): ProgressEvent {
  counter += 1;
  const filingId = `F${String(counter).padStart(24, '0')}`;
  return {
    v: 1,
    eventId: `${filingId}:2`,
    channelId,
    filingId,
    clientRef: `LOAN-${counter}`,
    businessType: 'MORTGAGE_CREATE',
    status,
    at: new Date().toISOString(),
    ...(status === 'REFUSED' ? { reasonCode: 'UNIT_SEIZED' } : {}),
  };
}

const setWebhook = (channelId: string, path: string) =>
  channelDirectoryFromEnv().setWebhook(channelId, { url: `${receiverUrl}${path}`, updatedAt: new Date().toISOString() });

/** Messages the tests received themselves: deleted after each test, since hidden ones cannot be drained. */
const received: Message[] = [];

/** Receives until `expected` messages arrived (or about 2 s passed); `expected` 0 polls once. */
async function receive(expected: number): Promise<Message[]> {
  const messages: Message[] = [];
  for (let round = 0; round < 20; round++) {
    const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, AttributeNames: ['All'], WaitTimeSeconds: 0 }));
    messages.push(...(Messages ?? []));
    if (messages.length >= expected) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  received.push(...messages);
  return messages;
}

async function drainQueue(queue: string): Promise<void> {
  for (;;) {
    const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: queue, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 0 }));
    if (!Messages?.length) return;
    for (const m of Messages) await client.send(new DeleteMessageCommand({ QueueUrl: queue, ReceiptHandle: m.ReceiptHandle! }));
  }
}

/** What Lambda's event source mapping (or the local poller) would hand the worker for these messages. */
async function eventOf(messages: readonly Message[]): Promise<SQSEvent> {
  const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  return { Records: messages.map((m) => toSqsRecord(m, Attributes!.QueueArn!, process.env.AWS_REGION!)) };
}

async function settle(messages: readonly Message[], response: SQSBatchResponse): Promise<void> {
  const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  for (const m of messages) if (!failed.has(m.MessageId!)) await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
}

/** Approximate counts; local-aws-sqs includes hidden messages in ApproximateNumberOfMessages, so only 0/0 is exact. */
async function depth(queue = queueUrl): Promise<{ visible: number; hidden: number }> {
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: queue, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return { visible: Number(Attributes?.ApproximateNumberOfMessages ?? 0), hidden: Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) };
}

const personalData = Object.values(PEOPLE).flatMap((p) => Object.values(p) as string[]);

describe('notifier worker', () => {
  it('delivers a published event once, SM2-signed, carrying exactly the progress event and no personal data', async () => {
    // Prepare
    await setWebhook(world.bank.channelId, '/progress');
    const event = progressEvent(world.bank.channelId);
    await notificationQueueFromEnv().publish([event]);
    const messages = await receive(1);
    // Act
    const response = await notifier(await eventOf(messages), lambdaContext('notifier'));
    await settle(messages, response);
    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(deliveries).toHaveLength(1);
    const [delivery] = deliveries;
    expect(delivery!.path).toBe('/progress');
    expect(delivery!.verified).toEqual({ ok: true, event, keyId: expect.stringMatching(/^local-sm2:[0-9a-f]{16}$/) });
    expect(delivery!.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(delivery!.headers['zt-event-id']).toBe(event.eventId);
    expect(Object.keys(JSON.parse(delivery!.body) as object).sort()).toEqual(Object.keys(event).sort());
    for (const value of personalData) expect(delivery!.body).not.toContain(value);
    expect(visibilityChanges).toEqual([]);
    expect(await depth()).toEqual({ visible: 0, hidden: 0 });
  });

  it('delivers a credit notice beside a progress event, each SM2-signed, the notice as exactly its fields and the progress body unchanged', async () => {
    // Prepare
    await setWebhook(world.bank.channelId, '/credit');
    const channel = (await channelDirectoryFromEnv().get(world.bank.channelId))!;
    const notice: CreditNotice = {
      v: 1,
      type: 'CREDIT',
      eventId: `CN${String(++counter).padStart(24, '0')}`,
      channelId: world.bank.channelId,
      institutionId: channel.institutionId,
      change: 'CASE_OPENED',
      at: new Date().toISOString(),
      score: 58,
      grade: 'SHUT_OFF',
      caseNo: 'CS20261123A1B2C3D4',
      ledgerEventId: 'CE0123456789ABCDEF01234567',
      kind: 'OUT_OF_SCOPE',
      points: -5,
    };
    const progress = progressEvent(world.bank.channelId);
    const auditBefore = await world.countItems('audit');
    await notificationQueueFromEnv().publish([notice, progress]);
    const messages = await receive(2);
    // Act
    const response = await notifier(await eventOf(messages), lambdaContext('notifier'));
    await settle(messages, response);
    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(deliveries).toHaveLength(2);
    const byId = new Map(deliveries.map((d) => [d.headers['zt-event-id'], d]));
    const credit = byId.get(notice.eventId)!;
    expect(credit.verified).toEqual({ ok: true, event: notice, keyId: expect.stringMatching(/^local-sm2:[0-9a-f]{16}$/) });
    expect(credit.body).toBe(creditNoticeBody(notice));
    expect(credit.headers['content-type']).toBe('application/json; charset=utf-8');
    const filing = byId.get(progress.eventId)!;
    expect(filing.verified).toEqual({ ok: true, event: progress, keyId: expect.stringMatching(/^local-sm2:/) });
    expect(filing.body).toBe(progressEventBody(progress));
    expect(filing.body).not.toContain('"type"');
    for (const value of personalData) expect(credit.body).not.toContain(value);
    // Each attempt is audited in the institution's log.
    expect(await world.countItems('audit')).toBe(auditBefore + 2);
    expect(await depth()).toEqual({ visible: 0, hidden: 0 });
  });

  it('on a 500 reports the message failed and hides it for the backoff delay; delivers it once the receiver recovers', async () => {
    // Prepare: the receiver is down.
    await setWebhook(world.bank.channelId, '/flaky');
    answers.set('/flaky', 500);
    const event = progressEvent(world.bank.channelId, 'ACCEPTED');
    await notificationQueueFromEnv().publish([event]);
    const first = await receive(1);
    // Act
    const failed = await notifier(await eventOf(first), lambdaContext('notifier'));
    await settle(first, failed);
    // Assess: reported failed, postponed by 2^1 × 1 s, and hidden meanwhile.
    expect(failed).toEqual({ batchItemFailures: [{ itemIdentifier: first[0]!.MessageId! }] });
    expect(visibilityChanges).toEqual([expect.objectContaining({ QueueUrl: queueUrl, ReceiptHandle: first[0]!.ReceiptHandle, VisibilityTimeout: 2 })]);
    expect(await receive(0)).toEqual([]);
    expect((await depth()).hidden).toBe(1);

    // The receiver recovers; the same message comes back after the delay, on its second receive.
    answers.set('/flaky', 200);
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    const second = await receive(1);
    expect(second).toHaveLength(1);
    expect(second[0]!.MessageId).toBe(first[0]!.MessageId);
    // SQS counts 2 receives here; local-aws-sqs also counts the ChangeMessageVisibility call as one.
    expect(Number(second[0]!.Attributes?.ApproximateReceiveCount)).toBeGreaterThanOrEqual(2);
    const delivered = await notifier(await eventOf(second), lambdaContext('notifier'));
    await settle(second, delivered);
    expect(delivered).toEqual({ batchItemFailures: [] });
    expect(deliveries.map((d) => d.verified.ok && d.verified.event.eventId)).toEqual([event.eventId, event.eventId]);
    expect(await depth()).toEqual({ visible: 0, hidden: 0 });
  });

  it('is a no-op for a channel without a webhook (progress stays pollable)', async () => {
    await channelDirectoryFromEnv().setWebhook(world.otherBank.channelId, undefined);
    const auditBefore = await world.countItems('audit');
    await notificationQueueFromEnv().publish([progressEvent(world.otherBank.channelId)]);
    const messages = await receive(1);
    const response = await notifier(await eventOf(messages), lambdaContext('notifier'));
    await settle(messages, response);
    expect(response).toEqual({ batchItemFailures: [] });
    expect(deliveries).toEqual([]);
    expect(visibilityChanges).toEqual([]);
    // The attempt is audited (NO_WEBHOOK) all the same.
    expect(await world.countItems('audit')).toBe(auditBefore + 1);
  });

  it('reports only the failing events of a batch', async () => {
    await setWebhook(world.bank.channelId, '/ok');
    await setWebhook(world.disabledBank.channelId, '/down');
    answers.set('/down', 503);
    const good = progressEvent(world.bank.channelId);
    const bad = progressEvent(world.disabledBank.channelId);
    await notificationQueueFromEnv().publish([good, bad]);
    const messages = await receive(2);
    const response = await notifier(await eventOf(messages), lambdaContext('notifier'));
    const badMessage = messages.find((m) => m.Body!.includes(bad.eventId))!;
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: badMessage.MessageId! }] });
    expect(visibilityChanges.map((c) => c.ReceiptHandle)).toEqual([badMessage.ReceiptHandle]);
    expect(deliveries.map((d) => d.path).sort()).toEqual(['/down', '/ok']);
  });

  it('takes the SQS event fixture as Lambda hands it over; a malformed message is reported failed, never delivered', async () => {
    // The fixture names a queue this emulator does not have: the postponement fails, the failure is still reported.
    await setWebhook(world.bank.channelId, '/fixture');
    const event = sqsFixture('notification');
    expect(event.Records[0]!.body).toContain(`"channelId":"${world.bank.channelId}"`);
    event.Records.push({ ...structuredClone(event.Records[0]!), messageId: 'poison', body: '{"v":1,"eventId":"E:1","name":"张三丰"}' });
    const response = await notifier(event, lambdaContext('notifier'));
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'poison' }] });
    expect(deliveries.map((d) => [d.path, d.verified.ok])).toEqual([['/fixture', true]]);
  });

  it('with the local queue poller: retried after the backoff the worker set, then delivered, nothing dead-lettered', async () => {
    // Prepare: the receiver fails the first attempt only.
    await setWebhook(world.bank.channelId, '/once');
    answers.set('/once', 500);
    const poller = startQueuePoller({ queueUrl, functionName: 'notifier', timeoutSeconds: 30, batchSize: 10, handler: notifier, sqsClient: client, idleDelayMs: 100 });
    try {
      // Act
      await notificationQueueFromEnv().publish([progressEvent(world.bank.channelId)]);
      for (let i = 0; i < 50 && deliveries.length < 1; i++) await new Promise((resolve) => setTimeout(resolve, 100));
      answers.set('/once', 200);
      for (let i = 0; i < 80 && deliveries.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await poller.stop();
    }
    // Assess: two attempts, the second no sooner than the 2 s backoff, both verifiable; nothing left anywhere.
    expect(deliveries.map((d) => d.path)).toEqual(['/once', '/once']);
    expect(deliveries.every((d) => d.verified.ok)).toBe(true);
    expect(deliveries[1]!.at - deliveries[0]!.at).toBeGreaterThanOrEqual(1_900);
    expect(await depth()).toEqual({ visible: 0, hidden: 0 });
    expect(await depth(dlqUrl)).toEqual({ visible: 0, hidden: 0 });
  });
});
