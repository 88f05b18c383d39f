/**
 * The channel API handlers and the intake worker, invoked with real-shaped events (events/) against the
 * in-process emulators: signed submission, per-item validation, idempotency, tenancy, intake and
 * redelivery, and every kind of bad input answered 4xx problem+json with nothing stored.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { filingRepositoryFromEnv } from '../../functions/adapters/dynamodb/filing-repository';
import { auditRecordsOf } from '../support/audit-records';
import { usccCheckChar } from '../../schemas/identifiers';
import { mortgageCreateFiling, REQUIRED_MORTGAGE_MATERIALS } from '../../infra/local/seed/demo-filings';
import { apigwFixture, lambdaContext, signedEvent, sqsFixture } from '../support/fixtures';
import { PEOPLE, startChannelWorld, UNITS, type ChannelWorld } from '../support/channel-world';

type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

let world: ChannelWorld;
let submit: ApiHandler;
let getBatch: ApiHandler;
let getFiling: ApiHandler;
let intake: SqsHandler;

beforeAll(async () => {
  world = await startChannelWorld('zt-api');
  // Handlers read their environment at module load, as on Lambda: import them after the world is up.
  submit = (await import('../../functions/handlers/submit-batch')).handler as unknown as ApiHandler;
  getBatch = (await import('../../functions/handlers/get-batch')).handler as unknown as ApiHandler;
  getFiling = (await import('../../functions/handlers/get-filing')).handler as unknown as ApiHandler;
  intake = (await import('../../functions/workers/intake')).handler as unknown as SqsHandler;
});
afterAll(async () => world.stop());
beforeEach(async () => world.purgeQueue());

let refCounter = 0;
const nextRef = (label: string) => `T-${label}-${++refCounter}`;
const goodFiling = (clientRef = nextRef('good')) => mortgageCreateFiling({ clientRef, unitCode: UNITS.owned, mortgagors: [PEOPLE.owner] });

const post = (body: unknown, options: Parameters<typeof signedEvent>[2] = {}) =>
  submit(signedEvent(apigwFixture('submit-batch'), world.bank, { body: typeof body === 'string' ? body : JSON.stringify(body), ...options }), lambdaContext('submitBatch'));
const json = (response: APIGatewayProxyResult) => JSON.parse(response.body) as Record<string, unknown> & { items: { index: number; status: string; filingId?: string; errors?: { path: string; code: string }[] }[] };

const intakeEvent = (filingId: string, messageId = `m-${filingId}`): SQSEvent => {
  const event = sqsFixture('intake');
  event.Records[0]!.body = JSON.stringify({ v: 1, filingId });
  event.Records[0]!.messageId = messageId;
  return event;
};

describe('POST /v1/batches', () => {
  it('answers 202 per item: valid filings SUBMITTED and enqueued, invalid ones INVALID with field errors and not stored', async () => {
    // Prepare
    const filingsBefore = await world.countItems('filings');
    const bad = goodFiling();
    (bad.mortgagors as { idNumber: string }[])[0]!.idNumber = '370102198001011230';
    // Act
    const response = await post({ filings: [goodFiling(), bad] });
    // Assess
    expect(response.statusCode).toBe(202);
    const body = json(response);
    expect(body.items[0]).toMatchObject({ index: 0, status: 'SUBMITTED' });
    expect(body.items[0]!.filingId).toMatch(/^F[0-9A-F]{24}$/);
    expect(body.items[1]).toMatchObject({ index: 1, status: 'INVALID', errors: [{ path: 'mortgagors.0.idNumber', code: 'ID_CHECK_DIGIT' }] });
    expect(body.items[1]!.filingId).toBeUndefined();
    // One filing and one batch record stored; one message on the intake queue.
    expect(await world.countItems('filings')).toBe(filingsBefore + 2);
    expect(await world.queueDepth()).toBe(1);
  });

  it('stores no plaintext personal data: the stored filing holds only sealed values and a blind index', async () => {
    const response = await post({ filings: [goodFiling()] });
    const filingId = json(response).items[0]!.filingId!;
    const stored = JSON.stringify(await filingRepositoryFromEnv().get(filingId));
    for (const secret of [PEOPLE.owner.name, PEOPLE.owner.idNumber, PEOPLE.owner.phone]) expect(stored).not.toContain(secret);
    expect(stored).toContain('"idIndex"');
  });

  it('is idempotent per clientRef: a re-sent filing keeps its id; the same clientRef with other content is a conflict', async () => {
    const filing = goodFiling();
    const first = json(await post({ filings: [filing] })).items[0]!;
    const again = json(await post({ filings: [filing] })).items[0]!;
    expect(again).toMatchObject({ status: 'SUBMITTED', filingId: first.filingId });
    const changed = { ...filing, amount: '999.00' };
    expect(json(await post({ filings: [changed] })).items[0]).toMatchObject({ status: 'INVALID', errors: [{ path: 'clientRef', code: 'CLIENT_REF_CONFLICT' }] });
  });

  it('the mortgagee is the filing institution: another bank\'s USCC is INVALID MORTGAGEE_NOT_FILER (audited, nothing stored); a name from the body is never kept', async () => {
    // Prepare
    const filingsBefore = await world.countItems('filings');
    const otherBank = { ...goodFiling(), mortgagee: { name: world.otherBank.institutionName, uscc: `91370100MA3C9YYY1${usccCheckChar('91370100MA3C9YYY1')}` } };
    const ownButRenamed = { ...goodFiling(), mortgagee: { name: '冒名银行', uscc: world.bank.uscc } };
    // Act
    const items = json(await post({ filings: [otherBank, ownButRenamed] })).items;
    // Assess
    expect(items[0]).toMatchObject({ status: 'INVALID', errors: [{ path: 'mortgagee.uscc', code: 'MORTGAGEE_NOT_FILER' }] });
    expect(items[0]!.filingId).toBeUndefined();
    expect(items[1]).toMatchObject({ status: 'SUBMITTED' });
    expect((await filingRepositoryFromEnv().get(items[1]!.filingId!))!.content).toMatchObject({ mortgagee: { name: world.bank.institutionName, uscc: world.bank.uscc } });
    expect(await world.countItems('filings')).toBe(filingsBefore + 2);
    const day = new Date().toISOString().slice(0, 10);
    const attempts = (await auditRecordsOf(world.bank.institutionId, day)).filter((r) => r.action === 'OUT_OF_SCOPE_ATTEMPT');
    expect(attempts.at(-1)).toMatchObject({ outcome: 'DENIED', actor: `channel:${world.bank.channelId}`, detail: { reasonCode: 'MORTGAGEE_NOT_FILER', filings: 1 } });
  });

  it('marks a clientRef repeated inside one batch', async () => {
    const filing = goodFiling();
    const items = json(await post({ filings: [filing, filing] })).items;
    expect(items[0]!.status).toBe('SUBMITTED');
    expect(items[1]).toMatchObject({ status: 'INVALID', errors: [{ path: 'clientRef', code: 'DUPLICATE_IN_BATCH' }] });
  });

  it('replays the first response for the same Idempotency-Key and body, and refuses the key with another body', async () => {
    const body = { filings: [goodFiling()] };
    const key = { headers: { 'Idempotency-Key': `idem-${refCounter}` } };
    const first = await post(body, key);
    const replay = await post(body, key);
    expect(replay.statusCode).toBe(202);
    expect(replay.body).toBe(first.body);
    expect(replay.headers?.['idempotent-replayed']).toBe('true');
    const other = await post({ filings: [goodFiling()] }, key);
    expect(other.statusCode).toBe(422);
    expect(JSON.parse(other.body).code).toBe('IDEMPOTENCY_KEY_REUSED');
  });
});

describe('bad input: a 4xx problem+json with a stable code, nothing stored, nothing enqueued', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const bodyOf = (filings: unknown[]) => JSON.stringify({ filings });
  const cases: { name: string; status: number; code: string; event: () => APIGatewayProxyEvent }[] = [
    { name: 'malformed JSON', status: 400, code: 'MALFORMED_JSON', event: () => signedEvent(apigwFixture('submit-batch'), world.bank, { body: '{"filings": [' }) },
    {
      name: 'wrong content type',
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      event: () => signedEvent(apigwFixture('submit-batch'), world.bank, { body: bodyOf([goodFiling()]), headers: { 'Content-Type': 'text/plain' } }),
    },
    { name: 'body over the limit', status: 413, code: 'PAYLOAD_TOO_LARGE', event: () => signedEvent(apigwFixture('submit-batch'), world.bank, { body: `{"filings":[],"pad":"${'x'.repeat(5 * 1024 * 1024)}"}` }) },
    { name: 'more than 500 filings', status: 422, code: 'INVALID_BODY', event: () => signedEvent(apigwFixture('submit-batch'), world.bank, { body: bodyOf(Array.from({ length: 501 }, () => goodFiling())) }) },
    { name: 'no filings', status: 422, code: 'INVALID_BODY', event: () => signedEvent(apigwFixture('submit-batch'), world.bank, { body: bodyOf([]) }) },
    { name: 'unknown business type', status: 422, code: 'UNKNOWN_BUSINESS_TYPE', event: () => signedEvent(apigwFixture('submit-batch'), world.bank, { body: bodyOf([goodFiling(), { ...goodFiling(), businessType: 'LOAN' }]) }) },
    { name: 'a type the channel may not file', status: 403, code: 'BUSINESS_TYPE_NOT_PERMITTED', event: () => signedEvent(apigwFixture('submit-batch'), world.bank, { body: bodyOf([goodFiling(), { ...goodFiling(), businessType: 'TRANSFER_RESALE' }]) }) },
    {
      name: 'missing signature',
      status: 401,
      code: 'AUTH_MISSING',
      event: () => {
        const event = signedEvent(apigwFixture('submit-batch'), world.bank, { body: bodyOf([goodFiling()]) });
        delete event.headers.Authorization;
        return event;
      },
    },
    { name: 'malformed Authorization', status: 401, code: 'AUTH_MALFORMED', event: () => signedEvent(apigwFixture('submit-batch'), world.bank, { body: bodyOf([goodFiling()]), headers: { Authorization: 'Bearer abc' } }) },
    {
      name: 'signed by another key',
      status: 401,
      code: 'AUTH_FAILED',
      event: () => signedEvent(apigwFixture('submit-batch'), { channelId: world.bank.channelId, privateKey: world.otherBank.privateKey }, { body: bodyOf([goodFiling()]) }),
    },
    {
      name: 'body differs from the signed one',
      status: 401,
      code: 'AUTH_FAILED',
      event: () => {
        const event = signedEvent(apigwFixture('submit-batch'), world.bank, { body: bodyOf([goodFiling('T-signed')]) });
        event.body = bodyOf([goodFiling('T-swapped')]);
        return event;
      },
    },
    { name: 'stale timestamp', status: 401, code: 'AUTH_TIMESTAMP_OUT_OF_WINDOW', event: () => signedEvent(apigwFixture('submit-batch'), world.bank, { body: bodyOf([goodFiling()]), timestamp: now() - 301 }) },
    { name: 'future timestamp', status: 401, code: 'AUTH_TIMESTAMP_OUT_OF_WINDOW', event: () => signedEvent(apigwFixture('submit-batch'), world.bank, { body: bodyOf([goodFiling()]), timestamp: now() + 301 }) },
    {
      name: 'unknown channel',
      status: 401,
      code: 'AUTH_FAILED',
      event: () => signedEvent(apigwFixture('submit-batch'), { channelId: 'ch-nobody', privateKey: world.bank.privateKey }, { body: bodyOf([goodFiling()]) }),
    },
    { name: 'disabled channel', status: 403, code: 'CHANNEL_DISABLED', event: () => signedEvent(apigwFixture('submit-batch'), world.disabledBank, { body: bodyOf([goodFiling()]) }) },
  ];

  it.each(cases)('$name → $status $code', async ({ status, code, event }) => {
    const before = await world.countItems('filings');
    const response = await submit(event(), lambdaContext('submitBatch'));
    expect(response.statusCode).toBe(status);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
    const problem = JSON.parse(response.body);
    expect(problem).toMatchObject({ status, code });
    expect(typeof problem.title).toBe('string');
    expect(typeof problem.detail).toBe('string');
    expect(await world.countItems('filings')).toBe(before);
    expect(await world.queueDepth()).toBe(0);
  });

  it('a reused nonce → 401 AUTH_NONCE_REUSED, and the replay stores nothing', async () => {
    const event = signedEvent(apigwFixture('submit-batch'), world.bank, { body: bodyOf([goodFiling()]), nonce: `Nonce${Date.now()}abcdefgh` });
    expect((await submit(structuredClone(event), lambdaContext('submitBatch'))).statusCode).toBe(202);
    const before = await world.countItems('filings');
    await world.purgeQueue();
    const replay = await submit(structuredClone(event), lambdaContext('submitBatch'));
    expect(replay.statusCode).toBe(401);
    expect(JSON.parse(replay.body).code).toBe('AUTH_NONCE_REUSED');
    expect(await world.countItems('filings')).toBe(before);
    expect(await world.queueDepth()).toBe(0);
  });
});

describe('reading batches and filings', () => {
  it('shows the channel its own batch and its filing with personal data masked', async () => {
    const submitted = json(await post({ filings: [goodFiling()] }));
    const batchId = submitted.batchId as string;
    const filingId = submitted.items[0]!.filingId!;

    const batch = await getBatch(signedEvent(apigwFixture('get-batch'), world.bank, { path: `/v1/batches/${batchId}`, pathParameters: { batchId } }), lambdaContext('getBatch'));
    expect(batch.statusCode).toBe(200);
    expect(JSON.parse(batch.body)).toMatchObject({ batchId, items: [{ index: 0, filingId, status: 'SUBMITTED' }] });

    const filing = await getFiling(signedEvent(apigwFixture('get-filing'), world.bank, { path: `/v1/filings/${filingId}`, pathParameters: { filingId } }), lambdaContext('getFiling'));
    expect(filing.statusCode).toBe(200);
    const view = JSON.parse(filing.body);
    expect(view.mortgagors).toEqual([{ name: '张*丰', idType: 'RESIDENT_ID', idNumber: '3701**********1237', phone: '138****5678' }]);
    expect(filing.body).not.toContain(PEOPLE.owner.idNumber);
    expect(view.history).toEqual([expect.objectContaining({ status: 'SUBMITTED', by: `channel:${world.bank.channelId}` })]);
  });

  it("answers another channel's batch and filing exactly like ones that do not exist", async () => {
    const submitted = json(await post({ filings: [goodFiling()] }));
    const batchId = submitted.batchId as string;
    const filingId = submitted.items[0]!.filingId!;
    const asOther = (fixture: 'get-batch' | 'get-filing', path: string, params: Record<string, string>) =>
      signedEvent(apigwFixture(fixture), world.otherBank, { path, pathParameters: params });

    const foreignBatch = await getBatch(asOther('get-batch', `/v1/batches/${batchId}`, { batchId }), lambdaContext('getBatch'));
    const missingBatch = await getBatch(asOther('get-batch', '/v1/batches/B20260101NOPE', { batchId: 'B20260101NOPE' }), lambdaContext('getBatch'));
    expect(foreignBatch.statusCode).toBe(404);
    expect(JSON.parse(foreignBatch.body)).toEqual(JSON.parse(missingBatch.body));

    const foreignFiling = await getFiling(asOther('get-filing', `/v1/filings/${filingId}`, { filingId }), lambdaContext('getFiling'));
    const missingFiling = await getFiling(asOther('get-filing', '/v1/filings/FNOPE', { filingId: 'FNOPE' }), lambdaContext('getFiling'));
    expect(foreignFiling.statusCode).toBe(404);
    expect(JSON.parse(foreignFiling.body)).toEqual(JSON.parse(missingFiling.body));
  });
});

describe('intake worker', () => {
  const submitOne = async (filing: Record<string, unknown>) => json(await post({ filings: [filing] })).items[0]!.filingId!;
  const statusOf = async (filingId: string) => (await filingRepositoryFromEnv().get(filingId))!;

  it('accepts, refuses with a reason, or asks for correction', async () => {
    const accepted = await submitOne(mortgageCreateFiling({ clientRef: nextRef('acc'), unitCode: UNITS.coOwned, mortgagors: [PEOPLE.coOwnerB, PEOPLE.coOwnerA] }));
    const seized = await submitOne(mortgageCreateFiling({ clientRef: nextRef('seized'), unitCode: UNITS.seized, mortgagors: [PEOPLE.seizedOwner] }));
    const stranger = await submitOne(mortgageCreateFiling({ clientRef: nextRef('str'), unitCode: UNITS.owned, mortgagors: [PEOPLE.stranger] }));
    const unknown = await submitOne(mortgageCreateFiling({ clientRef: nextRef('unk'), unitCode: UNITS.notRegistered, mortgagors: [PEOPLE.owner] }));
    const partial = await submitOne(
      mortgageCreateFiling({ clientRef: nextRef('part'), unitCode: UNITS.owned, mortgagors: [PEOPLE.owner], materialTypes: REQUIRED_MORTGAGE_MATERIALS.filter((t) => t !== 'MORTGAGE_CONTRACT') }),
    );

    for (const id of [accepted, seized, stranger, unknown, partial]) {
      expect(await intake(intakeEvent(id), lambdaContext('intake'))).toEqual({ batchItemFailures: [] });
    }
    expect((await statusOf(accepted)).status).toBe('READY_FOR_REVIEW');
    expect(await statusOf(seized)).toMatchObject({ status: 'REFUSED', reasonCode: 'UNIT_SEIZED' });
    expect(await statusOf(stranger)).toMatchObject({ status: 'REFUSED', reasonCode: 'MORTGAGOR_NOT_OWNER' });
    expect(await statusOf(unknown)).toMatchObject({ status: 'REFUSED', reasonCode: 'UNIT_NOT_FOUND' });
    const corrected = await statusOf(partial);
    expect(corrected).toMatchObject({ status: 'CORRECTION_REQUIRED', missingMaterials: ['MORTGAGE_CONTRACT'] });
    expect(corrected.correctionDeadline).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('refuses a second active filing on the same unit as a duplicate', async () => {
    // The owned unit already holds an active (CORRECTION_REQUIRED) filing from the previous test.
    const second = await submitOne(mortgageCreateFiling({ clientRef: nextRef('dup'), unitCode: UNITS.owned, mortgagors: [PEOPLE.owner] }));
    await intake(intakeEvent(second), lambdaContext('intake'));
    expect(await statusOf(second)).toMatchObject({ status: 'REFUSED', reasonCode: 'DUPLICATE_ACTIVE_FILING' });
  });

  it('the same message delivered 5 times makes exactly one transition', async () => {
    const id = await submitOne(mortgageCreateFiling({ clientRef: nextRef('redeliver'), unitCode: UNITS.seized, mortgagors: [PEOPLE.seizedOwner] }));
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => intake(intakeEvent(id, `dup-${i}`), lambdaContext('intake'))));
    for (const result of results) expect(result.batchItemFailures).toEqual([]);
    const filing = await statusOf(id);
    expect(filing.status).toBe('REFUSED');
    expect(filing.history.map((h) => h.status)).toEqual(['SUBMITTED', 'REFUSED']);
  });

  it('reports a malformed message as a batch item failure and processes the rest', async () => {
    const id = await submitOne(mortgageCreateFiling({ clientRef: nextRef('mixed'), unitCode: UNITS.seized, mortgagors: [PEOPLE.seizedOwner] }));
    const event = intakeEvent(id, 'good-one');
    event.Records.push({ ...structuredClone(event.Records[0]!), messageId: 'poison', body: '{"v":2}' });
    expect(await intake(event, lambdaContext('intake'))).toEqual({ batchItemFailures: [{ itemIdentifier: 'poison' }] });
    expect((await statusOf(id)).status).toBe('REFUSED');
  });
});
