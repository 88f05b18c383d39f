/**
 * Hostile input at the channel edge (issue 7 §1–§3), through the real handlers against the emulators:
 * ids of the wrong shape, prototype names, bodies that would make a huge error, the one AUTH_FAILED
 * answer with its expectedStringToSign, the aggregated audit of unauthenticated denials, clientRef echo
 * and personal data in free text. Every answer is problem+json of the Problem schema, and nothing is stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { auditRecordsOf } from '../support/audit-records';
import { rateCounterFromEnv } from '../../functions/adapters/dynamodb/rate-counter';
import { mortgageCreateFiling } from '../../infra/local/seed/demo-filings';
import { problemSchema } from '../../schemas/v1/problem';
import { apigwFixture, lambdaContext, signedEvent } from '../support/fixtures';
import { PEOPLE, startChannelWorld, UNITS, type ChannelWorld } from '../support/channel-world';

type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

let world: ChannelWorld;
let submit: ApiHandler;
let getFiling: ApiHandler;
let getBatch: ApiHandler;
let withdraw: ApiHandler;

beforeAll(async () => {
  world = await startChannelWorld('zt-edge');
  submit = (await import('../../functions/handlers/submit-batch')).handler as unknown as ApiHandler;
  getFiling = (await import('../../functions/handlers/get-filing')).handler as unknown as ApiHandler;
  getBatch = (await import('../../functions/handlers/get-batch')).handler as unknown as ApiHandler;
  withdraw = (await import('../../functions/handlers/withdraw-filing')).handler as unknown as ApiHandler;
});
afterAll(async () => world.stop());

/** A problem answer, checked against the published Problem schema (closed: every member declared). */
function problemOf(response: APIGatewayProxyResult) {
  expect(response.headers?.['content-type']).toBe('application/problem+json');
  const body = JSON.parse(response.body) as Record<string, unknown>;
  expect(problemSchema.strict().safeParse(body).success, response.body.slice(0, 300)).toBe(true);
  expect(body.status).toBe(response.statusCode);
  return body as { status: number; code: string; errors?: unknown[]; errorsTruncated?: boolean; expectedStringToSign?: string };
}

const onFiling = (fixture: 'get-filing' | 'withdraw-filing', filingId: string, body?: string) =>
  signedEvent(apigwFixture(fixture), world.bank, { path: `/v1/filings/${encodeURIComponent(filingId)}${fixture === 'withdraw-filing' ? '/withdrawal' : ''}`, pathParameters: { filingId }, body });

describe('path ids are checked against their format before they become keys', () => {
  it.each([
    ['a 2 KB id', 'F'.repeat(2048)],
    ['a lower-case id', `f${'a'.repeat(24)}`],
    ['a name', '张三丰'],
    ['a prototype name', '__proto__'],
    ['a traversal', '../../etc/passwd'],
  ])('GET /v1/filings/{%s} → 404 FILING_NOT_FOUND, like a missing filing', async (_label, filingId) => {
    const response = await getFiling(onFiling('get-filing', filingId), lambdaContext('getFiling'));
    expect(response.statusCode).toBe(404);
    expect(problemOf(response).code).toBe('FILING_NOT_FOUND');
    const missing = await getFiling(onFiling('get-filing', `F${'0'.repeat(24)}`), lambdaContext('getFiling'));
    expect(response.body).toBe(missing.body);
  });

  it('GET /v1/batches/{2 KB} → 404 BATCH_NOT_FOUND', async () => {
    const batchId = 'B'.repeat(2048);
    const response = await getBatch(signedEvent(apigwFixture('get-batch'), world.bank, { path: `/v1/batches/${batchId}`, pathParameters: { batchId } }), lambdaContext('getBatch'));
    expect(response.statusCode).toBe(404);
    expect(problemOf(response).code).toBe('BATCH_NOT_FOUND');
  });

  it('POST /v1/filings/{2 KB}/withdrawal → 404, nothing stored', async () => {
    const before = await world.countItems('filings');
    const response = await withdraw(onFiling('withdraw-filing', 'F'.repeat(2048), '{}'), lambdaContext('withdrawFiling'));
    expect(response.statusCode).toBe(404);
    expect(problemOf(response).code).toBe('FILING_NOT_FOUND');
    expect(await world.countItems('filings')).toBe(before);
  });
});

describe('error answers stay small and declared', () => {
  it('a signed 4.7 MB body of unknown keys answers a 422 with 100 field errors and errorsTruncated, not a huge problem', async () => {
    const keys: Record<string, number> = {};
    for (let i = 0; i < 400_000; i++) keys[`k${i}`] = 1;
    const body = JSON.stringify({ filings: [{}], ...keys });
    expect(body.length).toBeGreaterThan(4_500_000);
    const response = await submit(signedEvent(apigwFixture('submit-batch'), world.bank, { body }), lambdaContext('submitBatch'));
    expect(response.statusCode).toBe(422);
    const problem = problemOf(response);
    expect(problem).toMatchObject({ code: 'INVALID_BODY', errorsTruncated: true });
    expect(problem.errors).toHaveLength(100);
    expect(response.body.length).toBeLessThan(20_000);
  });

  it('a batch of 501 filings answers INVALID_BODY with filings TOO_MANY', async () => {
    const filings = Array.from({ length: 501 }, () => ({}));
    const response = await submit(signedEvent(apigwFixture('submit-batch'), world.bank, { body: JSON.stringify({ filings }) }), lambdaContext('submitBatch'));
    expect(problemOf(response)).toMatchObject({ status: 422, code: 'INVALID_BODY', errors: [{ path: 'filings', code: 'TOO_MANY' }] });
  });

  it('body keys named __proto__, constructor, toString are unknown fields, never a 500', async () => {
    const body = '{"__proto__":{"x":1},"constructor":{"prototype":{}},"toString":1}';
    const response = await withdraw(onFiling('withdraw-filing', `F${'1'.repeat(24)}`, body), lambdaContext('withdrawFiling'));
    expect(response.statusCode).toBe(422);
    expect(problemOf(response).code).toBe('INVALID_BODY');
  });
});

describe('authentication failures answer alike; the audit tells them apart', () => {
  const from = (event: APIGatewayProxyEvent, sourceIp: string) => {
    event.requestContext.identity.sourceIp = sourceIp;
    return event;
  };

  it('an unknown channel and a bad signature get the same 401 AUTH_FAILED, with the string the server expected', async () => {
    const at = Math.floor(Date.now() / 1000);
    const nonce = `Nonce${Date.now()}abcdefghij`;
    const options = { path: '/v1/filings/F000000000000000000000000', pathParameters: { filingId: 'F000000000000000000000000' }, timestamp: at, nonce };
    const unknown = await getFiling(from(signedEvent(apigwFixture('get-filing'), { channelId: 'ch-nobody', privateKey: world.bank.privateKey }, options), '192.0.2.10'), lambdaContext('getFiling'));
    const forged = await getFiling(from(signedEvent(apigwFixture('get-filing'), { channelId: world.bank.channelId, privateKey: world.otherBank.privateKey }, options), '192.0.2.10'), lambdaContext('getFiling'));
    const a = problemOf(unknown);
    const b = problemOf(forged);
    expect(a.code).toBe('AUTH_FAILED');
    expect({ ...a }).toEqual({ ...b });
    // Built from the request alone: method, path, timestamp, nonce, SM3 of the (empty) body.
    expect(a.expectedStringToSign).toBe(`GET\n/v1/filings/F000000000000000000000000\n${at}\n${nonce}\n1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b\n`);
  });

  it('audits the first denial of a source in a minute with its real code and counts the rest, one counter per source and minute', async () => {
    const source = '192.0.2.77';
    const contexts = [lambdaContext('getFiling'), lambdaContext('getFiling'), lambdaContext('getFiling')];
    for (const context of contexts) {
      await getFiling(from(signedEvent(apigwFixture('get-filing'), { channelId: 'ch-ghost', privateKey: world.bank.privateKey }, { path: '/v1/filings/F000000000000000000000001', pathParameters: { filingId: 'F000000000000000000000001' } }), source), context);
    }
    const day = new Date().toISOString().slice(0, 10);
    const entries = (await auditRecordsOf('unauthenticated', day)).filter((e) => contexts.some((c) => c.awsRequestId === e.detail?.requestId));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor: 'channel:ch-ghost', outcome: 'DENIED', detail: { status: 401, code: 'AUTH_UNKNOWN_CHANNEL' } });
    expect(await rateCounterFromEnv().current(String(entries[0]!.detail?.deniedCounter))).toBe(3);
    expect(JSON.stringify(entries[0])).not.toContain(source);
  });
});

describe('personal data never lands in plaintext', () => {
  it.each([
    ['a name', '张三丰'],
    ['an ID number', PEOPLE.owner.idNumber],
    ['a phone number', 'REF-13812345678'],
    ['an old 15-digit ID number', '370102800101123'],
    ['a reference over 64 characters', `R${'x'.repeat(64)}`],
  ])('an INVALID item does not echo %s as its clientRef', async (_label, clientRef) => {
    const filing = { ...mortgageCreateFiling({ clientRef: 'X', unitCode: UNITS.owned, mortgagors: [PEOPLE.owner] }), clientRef, amount: -1 };
    const response = await submit(signedEvent(apigwFixture('submit-batch'), world.bank, { body: JSON.stringify({ filings: [filing] }) }), lambdaContext('submitBatch'));
    expect(response.statusCode).toBe(202);
    const item = (JSON.parse(response.body) as { items: { status: string; clientRef?: string }[] }).items[0]!;
    expect(item.status).toBe('INVALID');
    expect(item.clientRef).toBeUndefined();
    expect(response.body).not.toContain(clientRef);
  });

  it('an INVALID item still echoes a well-formed clientRef', async () => {
    const filing = { ...mortgageCreateFiling({ clientRef: 'LOAN-2026-0001', unitCode: UNITS.owned, mortgagors: [PEOPLE.owner] }), amount: -1 };
    const response = await submit(signedEvent(apigwFixture('submit-batch'), world.bank, { body: JSON.stringify({ filings: [filing] }) }), lambdaContext('submitBatch'));
    expect((JSON.parse(response.body) as { items: { clientRef?: string }[] }).items[0]!.clientRef).toBe('LOAN-2026-0001');
  });

  it.each([
    ['an 18-character ID number', `The buyer ${PEOPLE.owner.idNumber} asked for it`],
    ['an ID number with spaces', `id ${PEOPLE.owner.idNumber.slice(0, 6)} ${PEOPLE.owner.idNumber.slice(6, 14)} ${PEOPLE.owner.idNumber.slice(14)}`],
    ['a mobile number', '请致电13812345678'],
    ['full-width digits', '电话１３８１２３４５６７８'],
  ])('a withdrawal reason carrying %s is refused with PERSONAL_DATA_IN_TEXT, nothing stored, nothing echoed', async (_label, reason) => {
    const before = await world.countItems('filings');
    const response = await withdraw(onFiling('withdraw-filing', `F${'2'.repeat(24)}`, JSON.stringify({ reason })), lambdaContext('withdrawFiling'));
    expect(response.statusCode).toBe(422);
    expect(problemOf(response)).toMatchObject({ code: 'INVALID_BODY', errors: [{ path: 'reason', code: 'PERSONAL_DATA_IN_TEXT' }] });
    expect(response.body).not.toContain('13812345678');
    expect(response.body).not.toContain(PEOPLE.owner.idNumber);
    expect(await world.countItems('filings')).toBe(before);
  });
});
