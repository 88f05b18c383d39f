/**
 * The department connectors end to end on the emulators (DESIGN.md §7b): filings in dynalite with their
 * people sealed by the real vault (local keyring), messages on the real taxRequests / tradingRequests
 * queues, and a department system on 127.0.0.1 that checks the platform's signature and opens the parties
 * with its own private key. What a delivery records on the filing and in the audit log, what a failure
 * does to the message, and that nothing is posted twice.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient, type ChangeMessageVisibilityCommandInput, type Message } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { sqs } from '../../functions/adapters/aws-clients';
import { auditRecordsOf } from '../support/audit-records';
import { certificateStoreFromEnv } from '../../functions/adapters/dynamodb/certificate-store';
import { filingRepositoryFromEnv } from '../../functions/adapters/dynamodb/filing-repository';
import { LocalPlatformSigner } from '../../functions/adapters/keys/local-platform-signer';
import { vaultFromEnv } from '../../functions/adapters/keys/personal-data-vault';
import { departmentQueuesFromEnv } from '../../functions/adapters/sqs/department-queue';
import { cancelOpenRequests, requestIdOf, startCoordination, type CoordinationRequest, type DepartmentKind } from '../../functions/core/domain/coordination';
import type { FilingRecord, SealedPerson } from '../../functions/core/domain/filing';
import type { DepartmentMessage } from '../../functions/core/domain/lifecycle';
import type { Department } from '../../functions/core/ports';
import { webhookSignedString } from '../../functions/core/use-cases/deliver-progress';
import { openDepartmentSeal } from '../../functions/shared/crypto/department-seal';
import { generateSm2KeyPair, sm2Verify } from '../../functions/shared/crypto/sm2';
import { logger } from '../../functions/shared/logger';
import { toSqsRecord } from '../../infra/local/queue-poller';
import { DEPARTMENTS_ENV, LOCAL_KEYRING_DIR_ENV, RESULTS_URL_ENV, type QueueName } from '../../infra/topology';
import { departmentDeliverySchema, sealedPartiesSchema, type DepartmentDelivery } from '../../schemas/departments/v1';
import { lambdaContext } from '../support/fixtures';
import { PEOPLE, startChannelWorld, type ChannelWorld } from '../support/channel-world';

type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly signatureValid: boolean;
}

const DISTRICT = '370102';
const RESULTS_URL = 'http://127.0.0.1:3000/v1/departments/results';
const taxKeys = generateSm2KeyPair();
const tradingKeys = generateSm2KeyPair();
const SELLER = PEOPLE.owner;
const BUYER = PEOPLE.coOwnerA;
const personalData = [SELLER.name, SELLER.idNumber, SELLER.phone, BUYER.name, BUYER.idNumber];

let world: ChannelWorld;
let connectors: Record<DepartmentKind, SqsHandler>;
let platformPublicKey: string;
let department: Server;
let received: Received[] = [];
/** The status the department answers, per path. */
const answers = new Map<string, number>();
const visibilityChanges: ChangeMessageVisibilityCommandInput[] = [];
const client = new SQSClient({});
const QUEUE_OF: Record<DepartmentKind, QueueName> = { TAX: 'taxRequests', TRADING: 'tradingRequests' };
const taken: { queueUrl: string; message: Message }[] = [];

beforeAll(async () => {
  world = await startChannelWorld('zt-connector');
  platformPublicKey = await (await LocalPlatformSigner.open(process.env[LOCAL_KEYRING_DIR_ENV]!)).publicKeyHex();
  department = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const signature = /signature="([^"]+)"/.exec(String(req.headers['zt-signature']))?.[1] ?? '';
      const signed = webhookSignedString(Number(req.headers['zt-timestamp']), String(req.headers['zt-delivery-id']), body);
      received.push({ path: req.url ?? '', headers: req.headers, body, signatureValid: sm2Verify(signed, Buffer.from(signature, 'base64'), platformPublicKey) });
      res.writeHead(answers.get(req.url ?? '') ?? 202).end('{"note":"a department answer the connector must never keep"}');
    });
  });
  await new Promise<void>((resolve) => department.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(department.address() as AddressInfo).port}`;
  const departments: Department[] = [
    { departmentId: 'tax-lixia', kind: 'TAX', name: '历下区税务局', districts: [DISTRICT], endpoint: `${url}/tax`, publicKey: taxKeys.publicKey },
    { departmentId: 'trading-jinan', kind: 'TRADING', name: '济南市住房交易中心', districts: [DISTRICT], endpoint: `${url}/trading`, publicKey: tradingKeys.publicKey },
  ];
  Object.assign(process.env, {
    [DEPARTMENTS_ENV]: JSON.stringify(departments),
    [RESULTS_URL_ENV]: RESULTS_URL,
    ZT_ALLOW_LOCAL_WEBHOOKS: 'true',
    CONNECTOR_RETRY_BASE_SECONDS: '1',
  });
  connectors = {
    TAX: (await import('../../functions/workers/tax-connector')).handler as unknown as SqsHandler,
    TRADING: (await import('../../functions/workers/trading-connector')).handler as unknown as SqsHandler,
  };
  sqs().middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as Partial<ChangeMessageVisibilityCommandInput>;
      if (typeof input.VisibilityTimeout === 'number' && typeof input.ReceiptHandle === 'string') visibilityChanges.push(input as ChangeMessageVisibilityCommandInput);
      return next(args);
    },
    { step: 'initialize', name: 'recordVisibilityChanges' },
  );
});
afterAll(async () => {
  department.closeAllConnections();
  await new Promise((resolve) => department.close(resolve));
  await world.stop();
});
afterEach(async () => {
  received = [];
  answers.clear();
  visibilityChanges.length = 0;
  for (const { queueUrl, message } of taken.splice(0)) {
    await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle! })).catch(() => undefined);
  }
});

let counter = 0;
/** A resale transfer awaiting coordination, stored as intake and AWAIT_COORDINATION would leave it, people sealed by the vault. */
async function storedFiling(patch: (filing: FilingRecord) => Partial<FilingRecord> = () => ({})): Promise<FilingRecord> {
  counter += 1;
  const filingId = `F${String(counter).padStart(20, '0')}C0FE`;
  const vault = await vaultFromEnv();
  const seal = async (p: { name: string; idNumber: string; phone?: string }): Promise<SealedPerson> => ({
    name: await vault.seal(DISTRICT, 'name', p.name, filingId),
    idType: 'RESIDENT_ID',
    idNumber: await vault.seal(DISTRICT, 'idNumber', p.idNumber, filingId),
    idIndex: await vault.blindIndex(DISTRICT, 'idNumber', p.idNumber),
    ...(p.phone ? { phone: await vault.seal(DISTRICT, 'phone', p.phone, filingId) } : {}),
  });
  const at = new Date().toISOString();
  const base: FilingRecord = {
    filingId,
    channelId: 'ch-agency',
    institutionId: 'INST-AGENCY',
    clientRef: `RESALE-${counter}`,
    batchId: 'B1',
    businessType: 'TRANSFER_RESALE',
    unitCode: '370102001001GB00001F00010101',
    district: DISTRICT,
    content: { businessType: 'TRANSFER_RESALE', sellers: [await seal(SELLER)], buyers: [await seal(BUYER)], contractNo: `HT-2026-${counter}`, priceFen: '250000000' },
    materials: [],
    contentHash: 'x',
    status: 'AWAITING_COORDINATION',
    createdAt: at,
    updatedAt: at,
    history: [
      { at, status: 'SUBMITTED', by: 'channel:ch-agency' },
      { at, status: 'ACCEPTED', by: 'worker:intake' },
      { at, status: 'AWAITING_COORDINATION', by: 'worker:lifecycle' },
    ],
  };
  const filing = { ...base, coordination: startCoordination(base, at, 30) };
  const final = { ...filing, ...patch(filing) };
  expect(await filingRepositoryFromEnv().putIfAbsent(final)).toEqual({ kind: 'created' });
  return final;
}

/** Sends the messages as the lifecycle's department effect does, receives them, and hands them to the connector as Lambda would. */
async function run(kind: DepartmentKind, messages: readonly DepartmentMessage[]): Promise<{ response: SQSBatchResponse; batch: Message[] }> {
  await departmentQueuesFromEnv()[kind].send(messages);
  const { url: queueUrl } = world.emulators.queueUrls[QUEUE_OF[kind]];
  const batch: Message[] = [];
  for (let round = 0; round < 20 && batch.length < messages.length; round++) {
    const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, AttributeNames: ['All'], WaitTimeSeconds: 0 }));
    batch.push(...(Messages ?? []));
    if (batch.length < messages.length) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(batch).toHaveLength(messages.length);
  const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  const response = await connectors[kind]({ Records: batch.map((m) => toSqsRecord(m, Attributes!.QueueArn!, process.env.AWS_REGION!)) }, lambdaContext(`${kind.toLowerCase()}Connector`));
  const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  for (const message of batch) {
    if (failed.has(message.MessageId!)) taken.push({ queueUrl, message });
    else await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle! }));
  }
  return { response, batch };
}

const message = (type: DepartmentMessage['type'], filing: FilingRecord, kind: 'TAX_CLEARANCE' | 'CONTRACT_FILING' = 'TAX_CLEARANCE'): DepartmentMessage => ({
  v: 1,
  type,
  filingId: filing.filingId,
  requestId: requestIdOf(filing.filingId, kind),
});
const requestOf = async (filing: FilingRecord, kind: 'TAX_CLEARANCE' | 'CONTRACT_FILING' = 'TAX_CLEARANCE'): Promise<CoordinationRequest> =>
  (await filingRepositoryFromEnv().get(filing.filingId))!.coordination!.requests[kind]!;
const deliveryOf = (r: Received): DepartmentDelivery => departmentDeliverySchema.parse(JSON.parse(r.body));
const auditOf = async (filing: FilingRecord) => (await auditRecordsOf(DISTRICT, new Date().toISOString().slice(0, 10))).filter((e) => e.target === filing.filingId);

describe('department connectors', () => {
  it('deliver a signed request to the department, record it on the filing and audit it as data provided to the department', async () => {
    // Prepare
    const filing = await storedFiling();
    // Act
    const { response } = await run('TAX', [message('REQUEST', filing)]);
    // Assess: acknowledged, delivered once to the tax department, signed by the platform.
    expect(response).toEqual({ batchItemFailures: [] });
    expect(received).toHaveLength(1);
    const [delivery] = received;
    expect(delivery!.path).toBe('/tax');
    expect(delivery!.signatureValid).toBe(true);
    expect(delivery!.headers['zt-delivery-id']).toBe(`${requestIdOf(filing.filingId, 'TAX_CLEARANCE')}:REQUEST`);
    expect(delivery!.headers['zt-signature']).toMatch(/^ZT-SM2 keyId="local-sm2:[0-9a-f]{16}",signature="[A-Za-z0-9+/=]+"$/);
    expect(deliveryOf(delivery!)).toMatchObject({ type: 'REQUEST', filingId: filing.filingId, kind: 'TAX_CLEARANCE', contractNo: filing.content.businessType === 'TRANSFER_RESALE' ? filing.content.contractNo : '', priceFen: '250000000', replyTo: RESULTS_URL });
    // Recorded on the filing and in the district's audit log, ids and codes only.
    const request = await requestOf(filing);
    expect(request).toMatchObject({ state: 'REQUESTED', departmentId: 'tax-lixia', deliveredAt: expect.any(String) });
    const audit = await auditOf(filing);
    expect(audit).toEqual([
      expect.objectContaining({
        tenant: DISTRICT,
        action: 'DATA_PROVIDED_TO_DEPARTMENT',
        outcome: 'SUCCESS',
        detail: expect.objectContaining({ requestId: request.requestId, departmentId: 'tax-lixia', type: 'REQUEST', httpStatus: 202 }),
      }),
    ]);
    for (const value of personalData) expect(JSON.stringify(audit)).not.toContain(value);
    expect(visibilityChanges).toEqual([]);
  });

  it('seal the parties for the receiving department: its private key opens the right people, and no personal data is anywhere else in the request', async () => {
    const filing = await storedFiling();
    await run('TRADING', [message('REQUEST', filing, 'CONTRACT_FILING')]);
    expect(received.map((r) => r.path)).toEqual(['/trading']);
    const delivery = deliveryOf(received[0]!);
    if (delivery.type !== 'REQUEST') throw new Error('expected a REQUEST');
    for (const value of personalData) expect(received[0]!.body).not.toContain(value);
    const { parties, ...outside } = delivery;
    expect(Object.keys(outside).sort()).toEqual(['businessType', 'contractNo', 'district', 'filingId', 'kind', 'priceFen', 'replyTo', 'requestId', 'requestedAt', 'type', 'unitCode', 'v']);
    expect(sealedPartiesSchema.parse(JSON.parse(openDepartmentSeal(parties!, tradingKeys.privateKey)))).toEqual({
      sellers: [{ name: SELLER.name, idType: 'RESIDENT_ID', idNumber: SELLER.idNumber }],
      buyers: [{ name: BUYER.name, idType: 'RESIDENT_ID', idNumber: BUYER.idNumber }],
    });
    expect(() => openDepartmentSeal(parties!, taxKeys.privateKey)).toThrow();
  });

  it('on a 503 record the failure on the request and report the message failed, hidden for its backoff; nothing is audited as provided', async () => {
    // Prepare: the tax department is down.
    answers.set('/tax', 503);
    const filing = await storedFiling();
    // Act
    const { response, batch } = await run('TAX', [message('REQUEST', filing)]);
    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: batch[0]!.MessageId! }] });
    expect(visibilityChanges).toEqual([expect.objectContaining({ ReceiptHandle: batch[0]!.ReceiptHandle, VisibilityTimeout: 2 })]);
    const request = await requestOf(filing);
    expect(request).toMatchObject({ failedAttempts: 1, lastFailure: 'HTTP_503', lastFailureAt: expect.any(String) });
    expect(request.deliveredAt).toBeUndefined();
    expect((await filingRepositoryFromEnv().get(filing.filingId))!.status).toBe('AWAITING_COORDINATION');
    expect((await auditOf(filing)).filter((e) => e.action === 'DATA_PROVIDED_TO_DEPARTMENT')).toEqual([]);
  });

  it('do not POST again a delivery already recorded (a redelivered message), and acknowledge it', async () => {
    const filing = await storedFiling();
    await run('TAX', [message('REQUEST', filing)]);
    const { response } = await run('TAX', [message('REQUEST', filing)]);
    expect(response).toEqual({ batchItemFailures: [] });
    expect(received).toHaveLength(1);
    expect((await auditOf(filing)).filter((e) => e.action === 'DATA_PROVIDED_TO_DEPARTMENT')).toHaveLength(1);
  });

  it('report only the failing messages of a batch', async () => {
    answers.set('/tax', 500);
    const down = await storedFiling();
    const fine = await storedFiling();
    // The second filing's request is no longer open: acknowledged without posting.
    await filingRepositoryFromEnv().commit({
      filingId: fine.filingId,
      district: DISTRICT,
      expectedRevision: 1,
      hadOutbox: true,
      status: 'WITHDRAWN',
      entry: { at: new Date().toISOString(), status: 'WITHDRAWN', by: 'channel:ch-agency' },
      at: new Date().toISOString(),
      set: { coordination: cancelOpenRequests(fine.coordination!, new Date().toISOString()) },
      effects: [],
    });
    const { response, batch } = await run('TAX', [message('REQUEST', down), message('REQUEST', fine)]);
    const failed = batch.find((m) => m.Body!.includes(down.filingId))!;
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: failed.MessageId! }] });
    expect(received).toHaveLength(1);
  });

  it('deliver a cancellation to the department the request went to, and the registration result with the certificate number', async () => {
    // Prepare: delivered, then cancelled (the filer withdrew).
    const filing = await storedFiling();
    await run('TAX', [message('REQUEST', filing)]);
    const repository = filingRepositoryFromEnv();
    const delivered = (await repository.get(filing.filingId))!;
    const at = new Date().toISOString();
    expect(
      await repository.commit({
        filingId: filing.filingId,
        district: DISTRICT,
        expectedRevision: delivered.revision!,
        hadOutbox: true,
        status: 'WITHDRAWN',
        entry: { at, status: 'WITHDRAWN', by: 'channel:ch-agency' },
        at,
        set: { coordination: cancelOpenRequests(delivered.coordination!, at) },
        effects: [],
      }),
    ).toBe(true);
    // Act
    const cancelled = await run('TAX', [message('CANCEL', filing)]);
    // Assess
    expect(cancelled.response).toEqual({ batchItemFailures: [] });
    expect(received.map((r) => [r.path, r.headers['zt-delivery-id'], r.signatureValid])).toEqual([
      ['/tax', `${requestIdOf(filing.filingId, 'TAX_CLEARANCE')}:REQUEST`, true],
      ['/tax', `${requestIdOf(filing.filingId, 'TAX_CLEARANCE')}:CANCEL`, true],
    ]);
    expect(deliveryOf(received[1]!)).toMatchObject({ type: 'CANCEL', reason: 'WITHDRAWN', cancelledAt: at, filingId: filing.filingId });
    expect((await requestOf(filing)).cancellationDeliveredAt).toEqual(expect.any(String));

    // A registered filing whose trading request was delivered: the result goes back with the certificate number.
    const registeredAt = new Date().toISOString();
    const certified = await storedFiling((f) => ({
      status: 'CERTIFIED',
      history: [...f.history, { at: registeredAt, status: 'REGISTERED', by: 'staff:s1' }, { at: registeredAt, status: 'CERTIFIED', by: 'staff:s1' }],
      coordination: { ...f.coordination!, requests: { ...f.coordination!.requests, CONTRACT_FILING: { ...f.coordination!.requests.CONTRACT_FILING!, state: 'CONFIRMED', departmentId: 'trading-jinan', deliveredAt: registeredAt } } },
    }));
    const certificateNo = `鲁(2026)济南市历下区不动产权第${String(counter).padStart(7, '0')}号`;
    await certificateStoreFromEnv().claimAllocation({ filingId: certified.filingId, certificateNo, series: { district: DISTRICT, year: 2026, kind: 'TITLE' } });
    const pushed = await run('TRADING', [message('REGISTRATION_RESULT', certified, 'CONTRACT_FILING')]);
    expect(pushed.response).toEqual({ batchItemFailures: [] });
    expect(received[2]!.path).toBe('/trading');
    expect(deliveryOf(received[2]!)).toEqual({
      v: 1,
      type: 'REGISTRATION_RESULT',
      requestId: requestIdOf(certified.filingId, 'CONTRACT_FILING'),
      filingId: certified.filingId,
      kind: 'CONTRACT_FILING',
      businessType: 'TRANSFER_RESALE',
      unitCode: certified.unitCode,
      district: DISTRICT,
      certificateNo,
      registeredAt,
    });
    expect((await requestOf(certified, 'CONTRACT_FILING')).registrationDeliveredAt).toEqual(expect.any(String));
    expect((await auditOf(certified)).map((e) => e.detail?.type)).toEqual(['REGISTRATION_RESULT']);
  });

  it('log ids, codes and statuses only: no personal data, no endpoint, no department answer', async () => {
    // Prepare: record what the connectors log (the tests run at level ERROR, the delivery lines are INFO).
    const ok = await storedFiling();
    const down = await storedFiling();
    const lines: unknown[][] = [];
    const spies = (['info', 'warn', 'error'] as const).map((level) => vi.spyOn(logger, level).mockImplementation((...args: unknown[]) => void lines.push(args)));
    try {
      // Act: one delivery that succeeds, one to a department that is down.
      await run('TAX', [message('REQUEST', ok)]);
      answers.set('/trading', 503);
      await run('TRADING', [message('REQUEST', down, 'CONTRACT_FILING')]);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    // Assess
    const logged = JSON.stringify(lines);
    expect(lines.map(([text]) => text)).toEqual(['Department delivery', 'Department delivery']);
    expect(lines[0]![1]).toMatchObject({ filingId: ok.filingId, result: 'delivered', departmentId: 'tax-lixia', httpStatus: 202 });
    expect(lines[1]![1]).toMatchObject({ filingId: down.filingId, result: 'failed', reason: 'HTTP_503', departmentId: 'trading-jinan' });
    for (const value of personalData) expect(logged).not.toContain(value);
    expect(logged).not.toContain('127.0.0.1');
    expect(logged).not.toContain('a department answer the connector must never keep');
    // The sender names itself to departments.
    expect(received.map((r) => r.headers['user-agent'])).toEqual(['Zhitong-Department-Connector/1', 'Zhitong-Department-Connector/1']);
  });

  it('report a malformed message failed without posting anything', async () => {
    const { url: queueUrl } = world.emulators.queueUrls.taxRequests;
    const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
    const poison = toSqsRecord({ MessageId: 'poison', ReceiptHandle: 'rh', Body: `{"v":1,"type":"REQUEST","name":"${SELLER.name}"}`, Attributes: { ApproximateReceiveCount: '1' } }, Attributes!.QueueArn!, process.env.AWS_REGION!);
    const response = await connectors.TAX({ Records: [poison] }, lambdaContext('taxConnector'));
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'poison' }] });
    expect(received).toEqual([]);
  });
});
