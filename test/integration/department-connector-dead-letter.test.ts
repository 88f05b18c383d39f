/**
 * A department that stays down (issue 8, "Bad input and faults"): the tax connector's delivery is retried
 * through the local queue poller and the queue's redrive policy until it lands in the taxRequests
 * dead-letter queue (whose alarm calls an operator), unchanged; meanwhile the filing still visibly waits,
 * every failed attempt recorded on its request, nothing delivered and nothing lost (the message is intact,
 * and the sweeper re-sends requests never delivered). The backoff base is 0 so the retries happen at once.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filingRepositoryFromEnv } from '../../functions/adapters/dynamodb/filing-repository';
import { departmentQueuesFromEnv } from '../../functions/adapters/sqs/department-queue';
import { requestIdOf, startCoordination } from '../../functions/core/domain/coordination';
import type { FilingRecord } from '../../functions/core/domain/filing';
import type { DepartmentMessage } from '../../functions/core/domain/lifecycle';
import { generateSm2KeyPair } from '../../functions/shared/crypto/sm2';
import { startQueuePoller } from '../../infra/local/queue-poller';
import { DEPARTMENTS_ENV, queues } from '../../infra/topology';
import { parseDepartmentMessage } from '../../schemas/messages/department.v1';
import { startChannelWorld, type ChannelWorld } from '../support/channel-world';

type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

const DISTRICT = '370102';
const FILING_ID = 'F0000000000000000000DEAD1';
let world: ChannelWorld;
let connector: SqsHandler;
let department: Server;
let attempts = 0;

beforeAll(async () => {
  world = await startChannelWorld('zt-connector-dlq');
  department = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      attempts += 1;
      res.writeHead(503).end();
    });
  });
  await new Promise<void>((resolve) => department.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(department.address() as AddressInfo).port}/down`;
  Object.assign(process.env, {
    [DEPARTMENTS_ENV]: JSON.stringify([{ departmentId: 'tax-lixia', kind: 'TAX', name: '历下区税务局', districts: [DISTRICT], endpoint, publicKey: generateSm2KeyPair().publicKey }]),
    ZT_ALLOW_LOCAL_WEBHOOKS: 'true',
    CONNECTOR_RETRY_BASE_SECONDS: '0',
  });
  connector = (await import('../../functions/workers/tax-connector')).handler as unknown as SqsHandler;
});
afterAll(async () => {
  department.closeAllConnections();
  await new Promise((resolve) => department.close(resolve));
  await world.stop();
});

describe('a department that stays down', () => {
  it('gets the request dead-lettered after the queue maxReceiveCount, unchanged, while the filing waits with every failure recorded', async () => {
    // Prepare: a new-home transfer waiting for its tax clearance (no people: this test is about retries).
    const at = new Date().toISOString();
    const base: FilingRecord = {
      filingId: FILING_ID,
      channelId: 'ch-agency',
      institutionId: 'INST-AGENCY',
      clientRef: 'RESALE-DLQ',
      batchId: 'B1',
      businessType: 'TRANSFER_NEW',
      unitCode: '370102001001GB00001F00010101',
      district: DISTRICT,
      content: { businessType: 'TRANSFER_NEW', buyers: [], contractNo: 'HT-DLQ', priceFen: '1' },
      materials: [],
      contentHash: 'x',
      status: 'AWAITING_COORDINATION',
      createdAt: at,
      updatedAt: at,
      history: [{ at, status: 'AWAITING_COORDINATION', by: 'worker:lifecycle' }],
    };
    await filingRepositoryFromEnv().putIfAbsent({ ...base, coordination: startCoordination(base, at, 30) });
    const message: DepartmentMessage = { v: 1, type: 'REQUEST', filingId: FILING_ID, requestId: requestIdOf(FILING_ID, 'TAX_CLEARANCE') };
    const client = new SQSClient({});
    const { url: queueUrl, dlqUrl } = world.emulators.queueUrls.taxRequests;
    const dlqDepth = async () =>
      Number((await client.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes?.ApproximateNumberOfMessages ?? 0);
    const poller = startQueuePoller({ queueUrl, functionName: 'taxConnector', timeoutSeconds: 30, batchSize: 10, handler: connector, sqsClient: client, idleDelayMs: 50 });
    // Act
    try {
      await departmentQueuesFromEnv().TAX.send([message]);
      for (let i = 0; i < 100 && (await dlqDepth()) === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      await poller.stop();
    }
    // Assess: dead-lettered as sent (SQS makes maxReceiveCount attempts; local-aws-sqs, counting each
    // ChangeMessageVisibility as a receive, half as many), and nothing left on the queue.
    const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    expect(Messages).toHaveLength(1);
    expect(parseDepartmentMessage(Messages![0]!.Body!)).toEqual(message);
    expect(attempts).toBeGreaterThanOrEqual(queues.taxRequests.maxReceiveCount / 2);
    expect(attempts).toBeLessThanOrEqual(queues.taxRequests.maxReceiveCount);
    const { Messages: left } = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    expect(left ?? []).toEqual([]);
    // The filing still waits, visibly: every attempt recorded, the request not delivered (the sweeper re-sends it).
    const filing = (await filingRepositoryFromEnv().get(FILING_ID))!;
    expect(filing.status).toBe('AWAITING_COORDINATION');
    expect(filing.coordination!.requests.TAX_CLEARANCE).toMatchObject({ state: 'REQUESTED', failedAttempts: attempts, lastFailure: 'HTTP_503' });
    expect(filing.coordination!.requests.TAX_CLEARANCE!.deliveredAt).toBeUndefined();
  });
});
