/**
 * A delivery that never succeeds ends in the notifications dead-letter queue (whose alarm calls an
 * operator), through the local queue poller, the notifier and the queue's redrive policy. The backoff
 * base is 0 here so that the retries happen at once.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelDirectoryFromEnv } from '../../functions/adapters/dynamodb/channel-directory';
import { notificationQueueFromEnv } from '../../functions/adapters/sqs/notification-queue';
import type { ProgressEvent } from '../../functions/core/ports';
import { startQueuePoller } from '../../infra/local/queue-poller';
import { queues } from '../../infra/topology';
import { parseNotificationMessage } from '../../schemas/messages/notification.v1';
import { startChannelWorld, type ChannelWorld } from '../support/channel-world';

type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

let world: ChannelWorld;
let notifier: SqsHandler;
let receiver: Server;
let attempts = 0;

beforeAll(async () => {
  world = await startChannelWorld('zt-notifier-dlq');
  process.env.ZT_ALLOW_LOCAL_WEBHOOKS = 'true';
  process.env.NOTIFIER_RETRY_BASE_SECONDS = '0';
  notifier = (await import('../../functions/workers/notifier')).handler as unknown as SqsHandler;
  receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      attempts += 1;
      res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/always-down`;
  await channelDirectoryFromEnv().setWebhook(world.bank.channelId, { url, updatedAt: new Date().toISOString() });
});
afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
  await world.stop();
});

describe('a delivery that keeps failing', () => {
  it('is dead-lettered after the queue maxReceiveCount, unchanged, and no longer attempted', async () => {
    // Prepare
    const client = new SQSClient({});
    const { url: queueUrl, dlqUrl } = world.emulators.queueUrls.notifications;
    const event: ProgressEvent = {
      v: 1,
      eventId: 'F000000000000000000000DLQ:2',
      channelId: world.bank.channelId,
      filingId: 'F000000000000000000000DLQ',
      clientRef: 'LOAN-DLQ',
      businessType: 'MORTGAGE_CREATE',
      status: 'ACCEPTED',
      at: new Date().toISOString(),
    };
    const dlqDepth = async () =>
      Number((await client.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes?.ApproximateNumberOfMessages ?? 0);
    const poller = startQueuePoller({ queueUrl, functionName: 'notifier', timeoutSeconds: 30, batchSize: 10, handler: notifier, sqsClient: client, idleDelayMs: 50 });
    // Act
    try {
      await notificationQueueFromEnv().publish([event]);
      for (let i = 0; i < 100 && (await dlqDepth()) === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      await poller.stop();
    }
    // Assess: dead-lettered as sent. SQS makes maxReceiveCount (8) attempts; local-aws-sqs also counts each
    // ChangeMessageVisibility as a receive, so locally it gives up after half as many.
    const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    expect(Messages).toHaveLength(1);
    expect(parseNotificationMessage(Messages![0]!.Body!)).toEqual(event);
    expect(attempts).toBeGreaterThanOrEqual(queues.notifications.maxReceiveCount / 2);
    expect(attempts).toBeLessThanOrEqual(queues.notifications.maxReceiveCount);
    const { Messages: left } = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    expect(left ?? []).toEqual([]);
  });
});
