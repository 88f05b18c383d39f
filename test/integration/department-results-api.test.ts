/**
 * POST /v1/departments/results through its handler, on the real adapters and emulators (DESIGN.md §7b;
 * issue 8): department-signed results move a filing AWAITING_COORDINATION → READY_FOR_REVIEW, or REFUSED
 * with the department's reason and the other request cancelled; a repeated result changes nothing; a
 * contradicting one is 409 and audited; unknown requests 404; bad signatures, unknown departments and
 * stale timestamps 401; malformed and oversized results 4xx with nothing changed. Review takes none of
 * these filings before coordination is complete.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { auditLogFromEnv } from '../../functions/adapters/sqs/audit-queue';
import { auditRecordsOf } from '../support/audit-records';
import { filingRepositoryFromEnv } from '../../functions/adapters/dynamodb/filing-repository';
import { departmentQueuesFromEnv } from '../../functions/adapters/sqs/department-queue';
import { requestIdOf, type ResultKind } from '../../functions/core/domain/coordination';
import type { FilingRecord } from '../../functions/core/domain/filing';
import { moveOnFromAccepted, performTransition } from '../../functions/core/use-cases/transition';
import { generateSm2KeyPair } from '../../functions/shared/crypto/sm2';
import { DEPARTMENTS_ENV, queueEnvVar } from '../../infra/topology';
import { departmentResultResponseSchema } from '../../schemas/departments/v1';
import { parseDepartmentMessage } from '../../schemas/messages/department.v1';
import { filingViewSchema } from '../../schemas/v1/filing-view';
import { PEOPLE } from '../support/channel-world';
import { apigwFixture, lambdaContext, signedEvent } from '../support/fixtures';
import { MemoryNotifications } from '../support/memory-ports';
import { acceptedFiling, ownersOf, putUnit, reviewEvent, sealPeople, staffFilingEvent, startReviewWorld, type ReviewWorld } from '../support/review-world';

type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

let world: ReviewWorld;
let post: ApiHandler;
let review: ApiHandler;
let getStaffFiling: ApiHandler;
let reviewerToken: string;

const taxKeys = generateSm2KeyPair();
const tradingKeys = generateSm2KeyPair();
const otherKeys = generateSm2KeyPair();
const TAX = { channelId: 'tax-370102', privateKey: taxKeys.privateKey, as: 'department' as const };
const TRADING = { channelId: 'trading-370102', privateKey: tradingKeys.privateKey, as: 'department' as const };
const DEPARTMENTS = [
  { departmentId: 'tax-370102', kind: 'TAX', name: '示范区税务局', districts: ['370102'], endpoint: 'http://127.0.0.1:9/tax', publicKey: taxKeys.publicKey },
  { departmentId: 'trading-370102', kind: 'TRADING', name: '示范区住建局', districts: ['370102'], endpoint: 'http://127.0.0.1:9/trading', publicKey: tradingKeys.publicKey },
];

let counter = 0;
const unitCode = () => `370102008008GB00001F${String(++counter).padStart(8, '0')}`;
const body = (response: APIGatewayProxyResult) => JSON.parse(response.body) as Record<string, unknown>;
const code = (response: APIGatewayProxyResult) => `${response.statusCode} ${String(body(response).code ?? 'OK')}`;

beforeAll(async () => {
  world = await startReviewWorld('zt-department-results');
  process.env[DEPARTMENTS_ENV] = JSON.stringify(DEPARTMENTS);
  post = (await import('../../functions/handlers/post-department-result')).handler as unknown as ApiHandler;
  review = (await import('../../functions/handlers/review-filing')).handler as unknown as ApiHandler;
  getStaffFiling = (await import('../../functions/handlers/get-staff-filing')).handler as unknown as ApiHandler;
  reviewerToken = await world.tokenFor(world.account('REVIEWER'));
});
afterAll(async () => {
  delete process.env[DEPARTMENTS_ENV];
  await world.stop();
});

/** A resale transfer accepted by intake and moved on by the lifecycle: AWAITING_COORDINATION, requests out. */
async function coordinatingTransfer(): Promise<FilingRecord> {
  const unit = unitCode();
  await putUnit({ unitCode: unit, owners: await ownersOf(unit, [PEOPLE.owner]) });
  const accepted = await acceptedFiling(
    world.agency,
    unit,
    async (id) => ({
      businessType: 'TRANSFER_RESALE',
      sellers: await sealPeople('370102', id, [PEOPLE.owner]),
      buyers: await sealPeople('370102', id, [PEOPLE.coOwnerA]),
      contractNo: 'HT-DR-1',
      priceFen: '150000000',
    }),
    'ACCEPTED',
  );
  const ports = { filings: filingRepositoryFromEnv(), audit: auditLogFromEnv(), notifications: new MemoryNotifications(), departments: departmentQueuesFromEnv(), clock: { now: () => new Date() } };
  const moved = await moveOnFromAccepted(ports, accepted);
  expect(moved.status).toBe('AWAITING_COORDINATION');
  return moved;
}

const result = (filing: FilingRecord, kind: ResultKind, outcome: string, extra: Record<string, unknown> = {}) => ({
  requestId: requestIdOf(filing.filingId, kind),
  filingId: filing.filingId,
  kind,
  outcome,
  ...extra,
});

const send = (signer: typeof TAX, payload: unknown, options: { timestamp?: number; raw?: string } = {}) =>
  post(signedEvent(apigwFixture('post-department-result'), signer, { body: options.raw ?? JSON.stringify(payload), timestamp: options.timestamp }), lambdaContext('postDepartmentResult'));

const stored = async (filing: FilingRecord) => (await filingRepositoryFromEnv().get(filing.filingId))!;

async function drain(queue: 'taxRequests' | 'tradingRequests'): Promise<{ type: string; filingId: string; requestId: string }[]> {
  const sqs = new SQSClient({});
  const out: { type: string; filingId: string; requestId: string }[] = [];
  for (;;) {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: process.env[queueEnvVar(queue)]!, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (!Messages?.length) return out;
    out.push(...Messages.map((m) => parseDepartmentMessage(m.Body!)));
  }
}

describe('department results', () => {
  it('PENDING keeps the filing waiting, the last CONFIRMED makes it READY_FOR_REVIEW, and review takes it only then', async () => {
    // Prepare
    const filing = await coordinatingTransfer();
    const requested = [...(await drain('taxRequests')), ...(await drain('tradingRequests'))].filter((m) => m.filingId === filing.filingId);
    expect(requested.map((m) => `${m.type} ${m.requestId}`).sort()).toEqual([`REQUEST ${requestIdOf(filing.filingId, 'CONTRACT_FILING')}`, `REQUEST ${requestIdOf(filing.filingId, 'TAX_CLEARANCE')}`]);
    expect(code(await review(reviewEvent(reviewerToken, filing.filingId, { decision: 'APPROVE' }), lambdaContext('reviewFiling')))).toBe('409 FILING_NOT_REVIEWABLE');

    // Act / Assess: tax not yet paid.
    const pending = await send(TAX, result(filing, 'TAX_CLEARANCE', 'PENDING', { reasonCode: 'TAX_UNPAID' }));
    expect(code(pending)).toBe('200 OK');
    expect(departmentResultResponseSchema.parse(body(pending))).toMatchObject({ changed: true, filingStatus: 'AWAITING_COORDINATION' });
    expect(body(await send(TAX, result(filing, 'TAX_CLEARANCE', 'PENDING', { reasonCode: 'TAX_UNPAID' })))).toMatchObject({ changed: false });

    // Paid: confirmed, sent five times, recorded once.
    for (let i = 0; i < 5; i++) {
      const confirmed = await send(TAX, result(filing, 'TAX_CLEARANCE', 'CONFIRMED', { reference: 'WS-2026-7' }));
      expect(body(confirmed)).toMatchObject({ changed: i === 0, filingStatus: 'AWAITING_COORDINATION' });
    }
    const waiting = await stored(filing);
    expect(waiting.coordination!.requests.TAX_CLEARANCE).toMatchObject({ state: 'CONFIRMED', reference: 'WS-2026-7', answers: [{ outcome: 'PENDING', reasonCode: 'TAX_UNPAID' }, { outcome: 'CONFIRMED' }] });
    const revision = waiting.revision;

    // The contract filing confirmed: ready for review, by itself.
    expect(body(await send(TRADING, result(filing, 'CONTRACT_FILING', 'CONFIRMED', { reference: 'HT-2026-9' })))).toMatchObject({ changed: true, filingStatus: 'READY_FOR_REVIEW' });
    const ready = await stored(filing);
    expect(ready.status).toBe('READY_FOR_REVIEW');
    expect(ready.revision).toBe((revision ?? 0) + 1);
    expect(ready.history.map((h) => h.status)).toEqual(['SUBMITTED', 'ACCEPTED', 'AWAITING_COORDINATION', 'READY_FOR_REVIEW']);

    // Staff see what was asked of whom, when, and what came back.
    const view = filingViewSchema.parse(body(await getStaffFiling(staffFilingEvent(reviewerToken, filing.filingId), lambdaContext('getStaffFiling'))));
    expect(view.coordination!.requests.map((r) => `${r.kind} ${r.state} ${r.reference}`)).toEqual(['CONTRACT_FILING CONFIRMED HT-2026-9', 'TAX_CLEARANCE CONFIRMED WS-2026-7']);

    // A result contradicting the final one is refused, audited, and changes nothing.
    const contradiction = await send(TAX, result(filing, 'TAX_CLEARANCE', 'REJECTED', { reasonCode: 'TAX_ASSESSMENT_REFUSED' }));
    expect(code(contradiction)).toBe('409 RESULT_CONTRADICTS');
    expect((await stored(filing)).revision).toBe(ready.revision);
    const day = new Date().toISOString().slice(0, 10);
    const audit = await auditRecordsOf('370102', day);
    expect(audit.filter((r) => r.target === filing.filingId).map((r) => r.action)).toEqual(
      expect.arrayContaining(['DEPARTMENT_RESULT_RECORDED', 'COORDINATION_COMPLETED', 'DEPARTMENT_RESULT_CONTRADICTED']),
    );

    expect(code(await review(reviewEvent(reviewerToken, filing.filingId, { decision: 'APPROVE' }), lambdaContext('reviewFiling')))).toBe('200 OK');
  });

  it('a definitive REJECTED refuses the filing with the department reason, frees the unit, and cancels the other request', async () => {
    const filing = await coordinatingTransfer();
    await drain('taxRequests');
    const rejected = await send(TRADING, result(filing, 'CONTRACT_FILING', 'REJECTED', { reasonCode: 'CONTRACT_NOT_FILED' }));
    expect(body(rejected)).toMatchObject({ changed: true, filingStatus: 'REFUSED' });
    const refused = await stored(filing);
    expect(refused).toMatchObject({ status: 'REFUSED', reasonCode: 'CONTRACT_NOT_FILED' });
    expect(refused.coordination!.requests.TAX_CLEARANCE).toMatchObject({ state: 'CANCELLED' });
    expect((await filingRepositoryFromEnv().readDisposition(filing.unitCode)).holders[filing.filingId]).toBeUndefined();
    expect((await drain('taxRequests')).filter((m) => m.filingId === filing.filingId).map((m) => m.type)).toEqual(['CANCEL']);
    // The tax department answering the cancelled request: nothing to record.
    expect(code(await send(TAX, result(filing, 'TAX_CLEARANCE', 'CONFIRMED')))).toBe('409 REQUEST_CANCELLED');
  });

  it('answers 401 for a wrong key, an unknown department or a stale timestamp; 404 for a request not made to the caller; 4xx with nothing changed for bad bodies', async () => {
    const filing = await coordinatingTransfer();
    const before = await stored(filing);
    const taxResult = result(filing, 'TAX_CLEARANCE', 'CONFIRMED');
    expect(code(await send({ ...TAX, privateKey: otherKeys.privateKey }, taxResult))).toBe('401 AUTH_FAILED');
    expect(code(await send({ ...TAX, channelId: 'tax-999999' }, taxResult))).toBe('401 AUTH_FAILED');
    // A channel's signature scheme is not a department's.
    expect(code(await send({ channelId: 'tax-370102', privateKey: taxKeys.privateKey, as: 'channel' as never }, taxResult))).toBe('401 AUTH_MALFORMED');
    expect(code(await send(TAX, taxResult, { timestamp: Math.floor(Date.now() / 1000) - 3600 }))).toBe('401 AUTH_TIMESTAMP_OUT_OF_WINDOW');
    // The trading department answering the tax request, and a request that does not exist.
    expect(code(await send(TRADING, taxResult))).toBe('404 REQUEST_NOT_FOUND');
    expect(code(await send(TAX, { ...taxResult, filingId: 'F000000000000000000000000', requestId: 'F000000000000000000000000-TC' }))).toBe('404 REQUEST_NOT_FOUND');
    expect(code(await send(TAX, { ...taxResult, kind: 'CONTRACT_FILING' }))).toBe('422 RESULT_KIND_MISMATCH');
    expect(code(await send(TAX, { ...taxResult, outcome: 'REJECTED' }))).toBe('422 INVALID_BODY');
    expect(code(await send(TAX, { ...taxResult, extra: 1 }))).toBe('422 INVALID_BODY');
    expect(code(await send(TAX, taxResult, { raw: '{"requestId":' }))).toBe('400 MALFORMED_JSON');
    expect(code(await send(TAX, taxResult, { raw: JSON.stringify({ ...taxResult, reference: 'x'.repeat(5000) }) }))).toBe('413 PAYLOAD_TOO_LARGE');
    const after = await stored(filing);
    expect(after.revision).toBe(before.revision);
    expect(after.coordination).toEqual(before.coordination);
  });
});

describe('department results: what a department may not send', () => {
  it('a reference carrying an ID or phone number is refused, PERSONAL_DATA_IN_TEXT, and nothing is stored', async () => {
    const filing = await coordinatingTransfer();
    const before = await stored(filing);
    for (const reference of ['110101199003077774', '13812345678']) {
      const response = await send(TAX, result(filing, 'TAX_CLEARANCE', 'PENDING', { reasonCode: 'TAX_UNPAID', reference }));
      expect(code(response)).toBe('422 INVALID_BODY');
      expect(JSON.stringify(body(response))).toContain('PERSONAL_DATA_IN_TEXT');
      expect(response.body).not.toContain(reference);
    }
    expect((await stored(filing)).revision).toBe(before.revision);
  });

  it('a CONFIRMED under another reference after a final CONFIRMED contradicts it; a withdrawal cancels at a department that confirmed too', async () => {
    const filing = await coordinatingTransfer();
    await drain('taxRequests');
    expect(body(await send(TAX, result(filing, 'TAX_CLEARANCE', 'CONFIRMED', { reference: 'WS-1' })))).toMatchObject({ changed: true });
    expect(code(await send(TAX, result(filing, 'TAX_CLEARANCE', 'CONFIRMED', { reference: 'WS-2' })))).toBe('409 RESULT_CONTRADICTS');
    expect(body(await send(TAX, result(filing, 'TAX_CLEARANCE', 'CONFIRMED', { reference: 'WS-1' })))).toMatchObject({ changed: false });
    const { vaultFromEnv } = await import('../../functions/adapters/keys/personal-data-vault');
    const ports = { filings: filingRepositoryFromEnv(), audit: auditLogFromEnv(), notifications: new MemoryNotifications(), departments: departmentQueuesFromEnv(), vault: await vaultFromEnv(), clock: { now: () => new Date() } };
    const { withdrawFiling } = await import('../../functions/core/use-cases/withdraw-filing');
    await withdrawFiling(ports, world.agency, filing.filingId, undefined);
    const withdrawn = await stored(filing);
    expect(withdrawn.coordination!.requests.TAX_CLEARANCE).toMatchObject({ state: 'CONFIRMED', cancelledAt: expect.any(String) });
    expect(withdrawn.coordination!.requests.CONTRACT_FILING).toMatchObject({ state: 'CANCELLED' });
    expect((await drain('taxRequests')).filter((m) => m.filingId === filing.filingId).map((m) => m.type)).toEqual(['CANCEL']);
    expect(code(await send(TAX, result(filing, 'TAX_CLEARANCE', 'CONFIRMED', { reference: 'WS-1' })))).toBe('409 REQUEST_CANCELLED');
  });
});

describe('the local runtime after a restart (its queues live in memory)', () => {
  it('sends again the requests of filings waiting on departments that were never delivered, and only those', async () => {
    const filing = await coordinatingTransfer();
    const answered = await coordinatingTransfer();
    await drain('taxRequests');
    await drain('tradingRequests');
    // The tax department answered one of them (so it was delivered), the other was never delivered anywhere.
    await send(TAX, result(answered, 'TAX_CLEARANCE', 'PENDING', { reasonCode: 'TAX_UNPAID' }));
    const repository = filingRepositoryFromEnv();
    const current = (await repository.get(answered.filingId))!;
    const delivered = { ...current.coordination!, requests: { ...current.coordination!.requests, TAX_CLEARANCE: { ...current.coordination!.requests.TAX_CLEARANCE!, deliveredAt: new Date().toISOString() } } };
    await repository.commit({ filingId: current.filingId, district: current.district, expectedRevision: current.revision ?? 0, hadOutbox: current.outbox !== undefined, status: current.status, at: new Date().toISOString(), set: { coordination: delivered }, effects: [] });
    const { resendUndeliveredRequests } = await import('../../infra/local/recovery');
    await resendUndeliveredRequests();
    const sent = [...(await drain('taxRequests')), ...(await drain('tradingRequests'))].filter((m) => m.filingId === filing.filingId || m.filingId === answered.filingId);
    expect(sent.map((m) => `${m.type} ${m.requestId}`).sort()).toEqual(
      [`REQUEST ${requestIdOf(answered.filingId, 'CONTRACT_FILING')}`, `REQUEST ${requestIdOf(filing.filingId, 'CONTRACT_FILING')}`, `REQUEST ${requestIdOf(filing.filingId, 'TAX_CLEARANCE')}`].sort(),
    );
  });
});

describe('a filing waiting on departments past its deadline', () => {
  it('a reviewer may refuse it once flagged COORDINATION_OVERDUE (not before), and its departments are told', async () => {
    const filing = await coordinatingTransfer();
    await drain('taxRequests');
    await drain('tradingRequests');
    const refuse = () => review(reviewEvent(reviewerToken, filing.filingId, { decision: 'REFUSE', reasonCode: 'COORDINATION_OVERDUE' }), lambdaContext('reviewFiling'));
    expect(code(await refuse())).toBe('409 FILING_NOT_REVIEWABLE');
    // The sweeper's flag, as it writes it past the deadline.
    const ports = { filings: filingRepositoryFromEnv(), audit: auditLogFromEnv(), notifications: new MemoryNotifications(), clock: { now: () => new Date() } };
    const flagged = await performTransition(ports, await stored(filing), 'FLAG_FOR_STAFF', { actor: 'worker:sweeper', set: { flaggedForStaff: { at: new Date().toISOString(), reason: 'COORDINATION_OVERDUE' } } });
    expect(flagged.kind).toBe('moved');
    const refused = await refuse();
    expect(code(refused)).toBe('200 OK');
    const after = await stored(filing);
    expect(after).toMatchObject({ status: 'REVIEW_REFUSED', reasonCode: 'COORDINATION_OVERDUE' });
    expect(after.coordination!.requests.TAX_CLEARANCE!.state).toBe('CANCELLED');
    expect((await filingRepositoryFromEnv().readDisposition(filing.unitCode)).holders[filing.filingId]).toBeUndefined();
    const cancels = [...(await drain('taxRequests')), ...(await drain('tradingRequests'))].filter((m) => m.filingId === filing.filingId).map((m) => `${m.type} ${m.requestId.slice(-2)}`);
    expect(cancels.sort()).toEqual(['CANCEL CF', 'CANCEL TC']);
  });
});

describe('department results sent at once', () => {
  it('the same CONFIRMED five times at once is recorded once: one answer changed, one history entry, one audit record', async () => {
    const filing = await coordinatingTransfer();
    await send(TRADING, result(filing, 'CONTRACT_FILING', 'CONFIRMED', { reference: 'HT-PAR-1' }));
    const before = await stored(filing);
    const answers = await Promise.all(Array.from({ length: 5 }, () => send(TAX, result(filing, 'TAX_CLEARANCE', 'CONFIRMED', { reference: 'WS-PAR-1' }))));
    expect(answers.map(code)).toEqual(Array(5).fill('200 OK'));
    expect(answers.filter((a) => body(a).changed === true)).toHaveLength(1);
    const after = await stored(filing);
    expect(after.status).toBe('READY_FOR_REVIEW');
    expect(after.history).toHaveLength(before.history.length + 1);
    expect(after.coordination!.requests.TAX_CLEARANCE!.answers).toHaveLength(1);
    const audit = await auditRecordsOf('370102', new Date().toISOString().slice(0, 10));
    expect(audit.filter((r) => r.target === filing.filingId && r.action === 'COORDINATION_COMPLETED')).toHaveLength(1);
  });
});
