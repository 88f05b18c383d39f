/**
 * Receipts for institutions (DESIGN.md §5), through the real handlers on the in-process emulators: the 202 of
 * POST /v1/batches names its receipt; the BATCH_SUBMITTED record is keyed `batch:<batchId>` and commits to SM3 of
 * the signed body and of the items answered; GET …/receipt answers 202 PENDING (with Retry-After) until a signed
 * tree head covers the entry, then a receipt that `client/zt-audit.ts` verifies with the published key alone;
 * the consistency proof from an earlier head verifies; another channel's batch is 404; hostile queries are
 * problem+json. The log itself is room A2's in-memory one (test/support/audit-read-world.ts), filled here from the
 * record the handler wrote, as the appender will (INTEGRATION: with room A1's store, drain the queue instead).
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { verifyConsistency, verifyReceipt, type BatchReceipt, type SignedTreeHead } from '../../client/zt-audit';
import { canonicalJson } from '../../functions/core/domain/audit-log';
import { mortgageCreateFiling } from '../../infra/local/seed/demo-filings';
import { auditRecordsOf } from '../support/audit-records';
import { PEOPLE, startChannelWorld, UNITS, type ChannelWorld } from '../support/channel-world';
import { apigwFixture, lambdaContext, signedEvent } from '../support/fixtures';

vi.mock('../../functions/shared/audit-read-deps', async () => (await import('../support/audit-read-world')).auditReadDepsModule());
const { reader } = await import('../support/audit-read-world');

type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
let world: ChannelWorld;
let submit: ApiHandler;
let receipt: ApiHandler;
let consistency: ApiHandler;
let logKey: ApiHandler;

beforeAll(async () => {
  world = await startChannelWorld('zt-a2-receipts');
  submit = (await import('../../functions/handlers/submit-batch')).handler as unknown as ApiHandler;
  receipt = (await import('../../functions/handlers/get-batch-receipt')).handler as unknown as ApiHandler;
  consistency = (await import('../../functions/handlers/get-batch-receipt-consistency')).handler as unknown as ApiHandler;
  logKey = (await import('../../functions/handlers/get-audit-log-key')).handler as unknown as ApiHandler;
});
afterAll(async () => world.stop());

const get = (handler: ApiHandler, name: string, path: string, batchId: string, signer = world.bank, query?: Record<string, string>) => {
  const search = query ? `?${new URLSearchParams(query).toString()}` : '';
  const event = signedEvent(apigwFixture('get-batch'), signer, { path: `${path}${search}`, pathParameters: { batchId } });
  event.path = path;
  event.queryStringParameters = query ?? null;
  event.multiValueQueryStringParameters = query ? Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]])) : null;
  return handler(event, lambdaContext(name));
};
const code = (response: APIGatewayProxyResult) => `${response.statusCode} ${(JSON.parse(response.body) as { code?: string }).code ?? 'OK'}`;

async function submitOne(): Promise<{ batchId: string; body: string; answer: { receipt: { href: string; logId: string; entryKey: string }; items: unknown[] } }> {
  const body = JSON.stringify({ filings: [mortgageCreateFiling({ clientRef: `R-${Math.random().toString(36).slice(2, 10)}`, unitCode: UNITS.owned, mortgagors: [PEOPLE.owner] })] });
  const response = await submit(signedEvent(apigwFixture('submit-batch'), world.bank, { body }), lambdaContext('submitBatch'));
  expect(response.statusCode).toBe(202);
  const answer = JSON.parse(response.body) as { batchId: string; receipt: { href: string; logId: string; entryKey: string }; items: unknown[] };
  return { batchId: answer.batchId, body, answer };
}

/** What the appender does with the record (room A1): the entry keyed by the record's id, in the tenant's log. */
async function appendRecordOf(batchId: string): Promise<void> {
  const records = await auditRecordsOf(world.bank.institutionId, new Date().toISOString().slice(0, 10));
  const record = records.find((r) => r.action === 'BATCH_SUBMITTED' && r.target === batchId)!;
  reader.append(world.bank.institutionId, [{ key: `batch:${batchId}`, at: record.at, actor: record.actor, action: record.action, outcome: record.outcome, target: record.target, subject: record.subject, detail: record.detail }]);
}

describe('receipts', () => {
  it('the 202 names the receipt; the record commits to the signed body and the answer; PENDING until a head covers it, then a receipt the client verifies with the published key', async () => {
    // Prepare
    const { batchId, body, answer } = await submitOne();
    const keyAnswer = await logKey({ ...apigwFixture('get-batch'), httpMethod: 'GET', path: '/v1/audit/log-key', pathParameters: null, headers: {}, multiValueHeaders: {} }, lambdaContext('getAuditLogKey'));
    const published = JSON.parse(keyAnswer.body) as { publicKey: string; keyId: string; algorithm: string; userId: string };
    // Assess: the reference and the committed record
    expect(answer.receipt).toEqual({ href: `/v1/batches/${batchId}/receipt`, logId: `zhitong/audit/v1/${world.bank.institutionId}`, entryKey: `batch:${batchId}` });
    expect(published).toEqual({ keyId: reader.logKey.keyId, publicKey: reader.logKey.publicKey, algorithm: 'SM2-with-SM3', userId: '1234567812345678' });
    const record = (await auditRecordsOf(world.bank.institutionId, new Date().toISOString().slice(0, 10))).find((r) => r.action === 'BATCH_SUBMITTED' && r.target === batchId)!;
    const items = (answer.items as { index: number; clientRef?: string; filingId?: string; status: string }[]).map((i) => ({ index: i.index, clientRef: i.clientRef, filingId: i.filingId, status: i.status }));
    expect(record.detail).toMatchObject({
      bodySm3: createHash('sm3').update(body).digest('hex'),
      itemsSm3: createHash('sm3').update(canonicalJson(items)).digest('hex'),
      filings: 1,
      submitted: 1,
    });

    // Act 1: not in the log yet, then in it but not signed → PENDING with Retry-After
    const before = await get(receipt, 'getBatchReceipt', `/v1/batches/${batchId}/receipt`, batchId);
    expect(before.statusCode).toBe(202);
    expect(before.headers?.['retry-after']).toBe('5');
    expect(JSON.parse(before.body)).toEqual({ batchId, status: 'PENDING' });
    const earlier = await reader.checkpoint(world.bank.institutionId);
    await appendRecordOf(batchId);
    expect((await get(receipt, 'getBatchReceipt', `/v1/batches/${batchId}/receipt`, batchId)).statusCode).toBe(202);

    // Act 2: a checkpoint covers it
    await reader.checkpoint(world.bank.institutionId);
    const ready = await get(receipt, 'getBatchReceipt', `/v1/batches/${batchId}/receipt`, batchId);
    expect(ready.statusCode).toBe(200);
    const got = JSON.parse(ready.body) as BatchReceipt;
    expect(verifyReceipt(got, published.publicKey)).toEqual({ ok: true });
    expect(JSON.parse(got.entry)).toMatchObject({ key: `batch:${batchId}`, action: 'BATCH_SUBMITTED', detail: { bodySm3: createHash('sm3').update(body).digest('hex') } });
    // A receipt altered anywhere fails; so does one checked against another key.
    expect(verifyReceipt({ ...got, entry: got.entry.replace('"submitted":1', '"submitted":2') }, published.publicKey)).toMatchObject({ ok: false });
    expect(verifyReceipt(got, (await import('../support/memory-audit-reader')).testLogKey().publicKey)).toEqual({ ok: false, reason: 'KEY_MISMATCH' });

    // Act 3: the log grows; consistency from the earlier head to the latest
    const second = await submitOne();
    await appendRecordOf(second.batchId);
    await reader.checkpoint(world.bank.institutionId);
    const proof = await get(consistency, 'getBatchReceiptConsistency', `/v1/batches/${batchId}/receipt/consistency`, batchId, world.bank, { from: String(got.treeHead.treeHead.treeSize) });
    expect(proof.statusCode).toBe(200);
    const answered = JSON.parse(proof.body) as { treeHead: SignedTreeHead; proof: string[] };
    expect(verifyConsistency(got.treeHead, answered.treeHead, answered.proof, published.publicKey)).toEqual({ ok: true });
    expect(verifyConsistency(earlier, answered.treeHead, answered.proof, published.publicKey)).toMatchObject({ ok: false });
  });

  it("another channel's batch is 404 like a missing one; hostile consistency queries are problem+json", async () => {
    const { batchId } = await submitOne();
    expect(code(await get(receipt, 'getBatchReceipt', `/v1/batches/${batchId}/receipt`, batchId, world.otherBank))).toBe('404 BATCH_NOT_FOUND');
    expect(code(await get(receipt, 'getBatchReceipt', '/v1/batches/B..%2F/receipt', '../x'))).toBe('404 BATCH_NOT_FOUND');
    const path = `/v1/batches/${batchId}/receipt/consistency`;
    for (const [query, expected] of [
      [{ from: '-1' }, '400 INVALID_QUERY'],
      [{ from: 'abc' }, '400 INVALID_QUERY'],
      [{ from: '1.5' }, '400 INVALID_QUERY'],
      [{ from: '1', extra: 'x' }, '400 INVALID_QUERY'],
      [{}, '400 INVALID_QUERY'],
      [{ from: '99999999' }, '422 TREE_SIZE_OUT_OF_RANGE'],
      // Only plain decimal digits are a number: no trailing text, exponent, sign, spaces, leading zero or hex.
      [{ from: '1abc' }, '400 INVALID_QUERY'],
      [{ from: '1e1' }, '400 INVALID_QUERY'],
      [{ from: '+1' }, '400 INVALID_QUERY'],
      [{ from: ' 1' }, '400 INVALID_QUERY'],
      [{ from: '01' }, '400 INVALID_QUERY'],
      [{ from: '0x1' }, '400 INVALID_QUERY'],
      [{ from: '' }, '400 INVALID_QUERY'],
      [{ from: '99999999999999999999' }, '400 INVALID_QUERY'],
      // Consistency with the empty tree proves nothing (RFC 9162: 0 < from).
      [{ from: '0' }, '422 TREE_SIZE_OUT_OF_RANGE'],
    ] as const) {
      expect(code(await get(consistency, 'getBatchReceiptConsistency', path, batchId, world.bank, query as Record<string, string>)), JSON.stringify(query)).toBe(expected);
    }
    expect(code(await get(consistency, 'getBatchReceiptConsistency', path, batchId, world.otherBank, { from: '1' }))).toBe('404 BATCH_NOT_FOUND');
  });
});
