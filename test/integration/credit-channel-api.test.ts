/**
 * The channel edge of credit (DESIGN.md §4, §7; 002 三(一)6) over the real handlers on the in-process
 * emulators: the submit gate (shut off: 403 with the case, reads and rectification open; WATCH: batch
 * size and daily quota, manual intake, a refused batch consumes nothing; NORMAL reads no rules), the
 * out-of-scope and burst signals on the credit queue with their ids, and the credit endpoints
 * (GET /v1/channel/credit, rectification reports, appeals) with bad input refused and nothing stored.
 * Credit state, cases and events are seeded through the credit store adapter.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { auditRecordsOf } from '../support/audit-records';
import { channelDirectoryFromEnv } from '../../functions/adapters/dynamodb/channel-directory';
import { creditRulesStoreFromEnv, creditStoreFromEnv } from '../../functions/adapters/dynamodb/credit-store';
import { filingRepositoryFromEnv } from '../../functions/adapters/dynamodb/filing-repository';
import { BUSINESS_TYPES_BY_INSTITUTION, type InstitutionType } from '../../functions/core/domain/business-types';
import {
  BUILT_IN_CREDIT_RULES,
  MIN_PEER_GROUP,
  initialCreditState,
  ledgerEventIdOf,
  NO_COUNTS,
  type ChannelStanding,
  type CreditCase,
  type CreditSignal,
  type CreditState,
  type DayCounts,
  type LedgerEvent,
} from '../../functions/core/domain/credit';
import type { Channel, CreditRulesStore } from '../../functions/core/ports';
import { generateSm2KeyPair } from '../../functions/shared/crypto/sm2';
import { cstDate } from '../../functions/core/domain/working-days';
import { mortgageCreateFiling } from '../../infra/local/seed/demo-filings';
import { demoInstitutions } from '../../infra/local/seed/demo-data';
import { usccCheckChar } from '../../schemas/identifiers';
import { channelCreditViewSchema } from '../../schemas/v1/credit';
import { apigwFixture, lambdaContext, signedEvent, type Signer } from '../support/fixtures';
import { PEOPLE, startChannelWorld, UNITS, type ChannelWorld } from '../support/channel-world';

type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

// The rules store the handlers get: the real one, with its reads counted and, when asked, refused.
const rulesSpy = vi.hoisted(() => ({ reads: 0, fail: false }));
vi.mock('../../functions/adapters/dynamodb/credit-store', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../functions/adapters/dynamodb/credit-store')>();
  return {
    ...original,
    creditRulesStoreFromEnv: (): CreditRulesStore => {
      const real = original.creditRulesStoreFromEnv();
      return {
        current: async () => {
          rulesSpy.reads += 1;
          if (rulesSpy.fail) throw new Error('the rules were read');
          return real.current();
        },
        version: (v) => real.version(v),
        history: () => real.history(),
        publish: (draft, by, at) => real.publish(draft, by, at),
      };
    },
  };
});

let world: ChannelWorld;
let submit: ApiHandler;
let getFiling: ApiHandler;
let getCredit: ApiHandler;
let postRectification: ApiHandler;
let postAppeal: ApiHandler;
let sqs: SQSClient;

const BANK_USCC = demoInstitutions()[0]!.uscc;
const RULES = { restricted: { dailyQuota: 5, maxBatchSize: 3 }, signatureFailures: { burst: 3, windowMinutes: 60 }, rateLimitAbuse: { burst: 2, windowMinutes: 60 } };

async function addChannel(channelId: string, institutionId: string, options: { type?: InstitutionType; branchName?: string; standing?: ChannelStanding } = {}): Promise<Channel & Signer> {
  const keys = generateSm2KeyPair();
  const type = options.type ?? 'BANK';
  const channel: Channel = {
    channelId,
    institutionId,
    institutionName: `${institutionId} 机构`,
    institutionType: type,
    uscc: BANK_USCC,
    status: 'ACTIVE',
    publicKey: keys.publicKey,
    allowedBusinessTypes: BUSINESS_TYPES_BY_INSTITUTION[type],
    allowedDistricts: ['370102', '370103'],
    ...(options.branchName ? { branchName: options.branchName } : {}),
    ...(options.standing ? { standing: options.standing } : {}),
  };
  await channelDirectoryFromEnv().putChannel(channel);
  return { ...channel, privateKey: keys.privateKey };
}

beforeAll(async () => {
  world = await startChannelWorld('zt-credit-api');
  sqs = new SQSClient({});
  await creditRulesStoreFromEnv().publish({ ...BUILT_IN_CREDIT_RULES, ...RULES, baseVersion: 1, note: 'small limits for the test' }, 'staff:test', new Date());
  submit = (await import('../../functions/handlers/submit-batch')).handler as unknown as ApiHandler;
  getFiling = (await import('../../functions/handlers/get-filing')).handler as unknown as ApiHandler;
  getCredit = (await import('../../functions/handlers/get-channel-credit')).handler as unknown as ApiHandler;
  postRectification = (await import('../../functions/handlers/post-rectification')).handler as unknown as ApiHandler;
  postAppeal = (await import('../../functions/handlers/post-credit-appeal')).handler as unknown as ApiHandler;
});
afterAll(async () => world.stop());
beforeEach(async () => {
  rulesSpy.fail = false;
  await drain('credit');
  await drain('notifications');
});

/** Receives and deletes every message of a queue, answering the bodies. */
async function drain(queue: 'credit' | 'notifications'): Promise<Record<string, unknown>[]> {
  const url = world.emulators.queueUrls[queue].url;
  const bodies: Record<string, unknown>[] = [];
  for (;;) {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (!Messages?.length) return bodies;
    for (const m of Messages) bodies.push(JSON.parse(m.Body!) as Record<string, unknown>);
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
  }
}
const creditSignals = async () => (await drain('credit')) as unknown as CreditSignal[];

let refs = 0;
const filing = (unitCode: string = UNITS.owned) => mortgageCreateFiling({ clientRef: `T-credit-${++refs}`, unitCode, mortgagors: [PEOPLE.owner] });
const filings = (n: number) => Array.from({ length: n }, () => filing());

const post = (signer: Signer, body: unknown, headers: Record<string, string> = {}) =>
  submit(signedEvent(apigwFixture('submit-batch'), signer, { body: JSON.stringify(body), headers }), lambdaContext('submitBatch'));
const readCredit = (signer: Signer) => getCredit(signedEvent(apigwFixture('get-channel-credit'), signer), lambdaContext('getChannelCredit'));
const rectify = (signer: Signer, body: unknown, headers: Record<string, string> = {}) =>
  postRectification(signedEvent(apigwFixture('post-rectification'), signer, { body: JSON.stringify(body), headers }), lambdaContext('postRectification'));
const appeal = (signer: Signer, eventId: string, body: unknown, headers: Record<string, string> = {}) =>
  postAppeal(
    signedEvent(apigwFixture('post-credit-appeal'), signer, { path: `/v1/channel/credit/events/${eventId}/appeal`, pathParameters: { eventId }, body: JSON.stringify(body), headers }),
    lambdaContext('postCreditAppeal'),
  );
const bodyOf = (response: APIGatewayProxyResult) => JSON.parse(response.body) as Record<string, unknown>;

const now = () => new Date().toISOString();
let caseCounter = 0;
const newCaseNo = () => `CS${cstDate(new Date()).replaceAll('-', '')}${(0xa0000000 + ++caseCounter).toString(16).toUpperCase()}`;

async function seedCase(channel: Channel, scope: CreditCase['scope'], status: CreditCase['status'] = 'OPEN'): Promise<CreditCase> {
  const creditCase: CreditCase = {
    caseNo: newCaseNo(),
    scope,
    ...(scope === 'CHANNEL' ? { channelId: channel.channelId } : {}),
    institutionId: channel.institutionId,
    status,
    reason: 'OFFICER_DECISION',
    detail: 'Irregular filings on units outside the granted districts.',
    evidence: { filingIds: ['F0A1B2C3D4E5F60718293A4B5'] },
    openedAt: now(),
    openedBy: 'staff:officer-1',
    rectifications: [],
    version: 1,
  };
  await creditStoreFromEnv().createCase(creditCase);
  return creditCase;
}

async function seedState(channel: Channel, changes: Partial<CreditState>): Promise<CreditState> {
  const store = creditStoreFromEnv();
  const existing = await store.getState(channel.channelId);
  const base = existing ?? initialCreditState(channel, BUILT_IN_CREDIT_RULES, now());
  const state: CreditState = { ...base, ...changes, version: base.version + 1, updatedAt: now() };
  expect(await store.putState(state, base.version)).toBe(true);
  return state;
}

async function seedEvent(channel: Channel, kind: LedgerEvent['kind'], points: number, cause: string): Promise<LedgerEvent> {
  const event: LedgerEvent = {
    eventId: ledgerEventIdOf(channel.channelId, cause),
    channelId: channel.channelId,
    institutionId: channel.institutionId,
    kind,
    points,
    at: now(),
    source: kind === 'OFFICER_VIOLATION' ? { type: 'OFFICER', staffId: 'officer-1', reason: 'Filed on a unit it was told was seized.' } : { type: 'AUTOMATIC', rule: kind, rulesVersion: 2 },
    evidence: { batchId: 'B20261201AAAAAAAAAAAAAAAAAAAA', indexes: [1] },
    reasonCode: kind === 'OUT_OF_SCOPE' ? 'DISTRICT_NOT_PERMITTED' : undefined,
    cause,
  };
  await creditStoreFromEnv().putEvent(event);
  return event;
}

const auditActions = async (institutionId: string) => (await auditRecordsOf(institutionId, new Date().toISOString().slice(0, 10))).map((r) => r.action);

// ---------------------------------------------------------------------------------------------------------

describe('a shut-off channel', () => {
  it('is refused new batches with 403 CHANNEL_SHUT_OFF, caseNo and scope, storing nothing; its filings, credit record and rectification stay open', async () => {
    // Prepare: a channel files while NORMAL, then an officer's case shuts it off.
    const channel = await addChannel('ch-shut', 'INST-SHUT');
    const earlier = bodyOf(await post(channel, { filings: [filing()] })) as { items: { filingId: string }[] };
    const filingId = earlier.items[0]!.filingId;
    const creditCase = await seedCase(channel, 'CHANNEL');
    await seedState(channel, { grade: 'SHUT_OFF', score: 55, openCaseNo: creditCase.caseNo });
    await channelDirectoryFromEnv().setStanding(channel.channelId, { grade: 'SHUT_OFF', score: 55, caseNo: creditCase.caseNo, scope: 'CHANNEL', since: now() });
    const filingsBefore = await world.countItems('filings');

    // Act
    const refused = await post(channel, { filings: [filing()] });

    // Assess
    expect(refused.statusCode).toBe(403);
    expect(refused.headers?.['content-type']).toBe('application/problem+json');
    expect(bodyOf(refused)).toMatchObject({ status: 403, code: 'CHANNEL_SHUT_OFF', caseNo: creditCase.caseNo, scope: 'CHANNEL' });
    expect(String(bodyOf(refused).detail)).toContain('POST /v1/channel/rectifications');
    expect(await world.countItems('filings')).toBe(filingsBefore);

    const read = await getFiling(signedEvent(apigwFixture('get-filing'), channel, { path: `/v1/filings/${filingId}`, pathParameters: { filingId } }), lambdaContext('getFiling'));
    expect(read.statusCode).toBe(200);

    const credit = await readCredit(channel);
    expect(credit.statusCode).toBe(200);
    const view = channelCreditViewSchema.parse(bodyOf(credit));
    expect(view.channel).toMatchObject({ channelId: 'ch-shut', grade: 'SHUT_OFF', score: 55, openCase: { caseNo: creditCase.caseNo, scope: 'CHANNEL', status: 'OPEN' } });
    expect(view.institution).toMatchObject({ institutionId: 'INST-SHUT', grade: 'SHUT_OFF', score: 55 });

    const report = { caseNo: creditCase.caseNo, whatWasWrong: 'Staff filed outside the granted districts.', whatChanged: 'The district is now checked before sending.', attachments: [] };
    const receipt = await rectify(channel, report);
    expect(receipt.statusCode).toBe(201);
    expect(bodyOf(receipt)).toMatchObject({ caseNo: creditCase.caseNo, status: 'SUBMITTED', rectificationId: expect.stringMatching(/^RC[0-9A-F]{16}$/) });
  });

  it('an institution-wide case shuts every channel of it off: scope INSTITUTION', async () => {
    const branch = await addChannel('ch-inst-branch', 'INST-WIDE', { branchName: '历下支行' });
    const creditCase = await seedCase(branch, 'INSTITUTION');
    await channelDirectoryFromEnv().setStanding(branch.channelId, { grade: 'SHUT_OFF', score: 100, caseNo: creditCase.caseNo, scope: 'INSTITUTION', since: now() });
    const refused = await post(branch, { filings: [filing()] });
    expect(refused.statusCode).toBe(403);
    expect(bodyOf(refused)).toMatchObject({ code: 'CHANNEL_SHUT_OFF', caseNo: creditCase.caseNo, scope: 'INSTITUTION' });
  });
});

describe('a channel on WATCH', () => {
  let watched: Channel & Signer;
  beforeAll(async () => {
    watched = await addChannel('ch-watch', 'INST-WATCH', { standing: { grade: 'WATCH', score: 80, since: now() } });
  });

  it('is held to the batch size and the daily quota (429 QUOTA_EXCEEDED, Retry-After to CST midnight); a refused batch consumes nothing; its filings go to manual intake; the quota refusals beyond the burst are one RATE_LIMIT_ABUSE signal', async () => {
    const filingsBefore = await world.countItems('filings');

    // Too large: refused before anything is counted, no Retry-After (split and send at once).
    const tooLarge = await post(watched, { filings: filings(4) });
    expect(tooLarge.statusCode).toBe(429);
    expect(bodyOf(tooLarge)).toMatchObject({ code: 'QUOTA_EXCEEDED', quota: { dailyQuota: 5, usedToday: 0, maxBatchSize: 3 } });
    expect(tooLarge.headers?.['retry-after']).toBeUndefined();
    expect(await world.countItems('filings')).toBe(filingsBefore);

    // Within the limits: stored for manual intake.
    const firstFilings = filings(3);
    const first = await post(watched, { filings: firstFilings });
    expect(first.statusCode).toBe(202);
    const ids = (bodyOf(first) as { items: { filingId: string }[] }).items.map((i) => i.filingId);
    for (const id of ids) expect((await filingRepositoryFromEnv().get(id))?.manualIntake).toEqual({ grade: 'WATCH' });
    // The same batch re-sent (a retry after a timeout, no Idempotency-Key): the same filings, not counted again.
    const resent = await post(watched, { filings: firstFilings });
    expect(resent.statusCode).toBe(202);
    expect((bodyOf(resent) as { items: { filingId: string }[] }).items.map((i) => i.filingId)).toEqual(ids);

    // A batch refused for a business type it may not file consumes nothing either.
    const notGranted = await post(watched, { filings: [{ ...filing(), businessType: 'TRANSFER_RESALE' }] });
    expect(bodyOf(notGranted)).toMatchObject({ status: 403, code: 'BUSINESS_TYPE_NOT_PERMITTED' });

    // 3 + 3 > 5: refused, with how long to wait, and nothing counted.
    const over = await post(watched, { filings: filings(3) });
    expect(over.statusCode).toBe(429);
    const problem = bodyOf(over);
    expect(problem).toMatchObject({ code: 'QUOTA_EXCEEDED', quota: { dailyQuota: 5, usedToday: 3, maxBatchSize: 3 } });
    expect(problem.retryAfterSeconds).toEqual(expect.any(Number));
    expect(over.headers?.['retry-after']).toBe(String(problem.retryAfterSeconds));
    const untilMidnight = (Date.parse(`${cstDate(new Date())}T16:00:00.000Z`) - Date.now()) / 1000;
    expect(Math.abs(Number(problem.retryAfterSeconds) - untilMidnight)).toBeLessThan(60);

    // 3 + 2 = 5 fits: the refused batches took nothing.
    expect((await post(watched, { filings: filings(2) })).statusCode).toBe(202);
    const exhausted = await post(watched, { filings: filings(1) });
    expect(exhausted.statusCode).toBe(429);
    expect(bodyOf(exhausted)).toMatchObject({ quota: { usedToday: 5 } });
    expect(await world.countItems('filings')).toBe(filingsBefore + 5 + 3); // five filings, three batch records (one re-sent)

    const view = channelCreditViewSchema.parse(bodyOf(await readCredit(watched)));
    expect(view.quota).toEqual({ dailyQuota: 5, usedToday: 5, maxBatchSize: 3 });
    expect(view.rules).toMatchObject({ restricted: { dailyQuota: 5, maxBatchSize: 3 } });

    // Three QUOTA_EXCEEDED answers, burst 2: the third sent one signal; the type refusal one OUT_OF_SCOPE.
    const signals = await creditSignals();
    const abuse = signals.filter((s) => s.kind === 'RATE_LIMIT_ABUSE');
    expect(abuse).toHaveLength(1);
    const windowStart = abuse[0]!.evidence.window!.split('/')[0]!;
    expect(Date.parse(windowStart) % 3_600_000).toBe(0);
    expect(abuse[0]).toMatchObject({ signalId: `RATE_LIMIT_ABUSE:ch-watch:${windowStart}`, channelId: 'ch-watch', evidence: { count: 3 } });
    expect(signals.filter((s) => s.kind === 'OUT_OF_SCOPE').map((s) => s.reasonCode)).toEqual(['BUSINESS_TYPE_NOT_PERMITTED']);
  });

  it('reads the rules (a failing rules store fails the batch): the NORMAL path is the one that does not', async () => {
    rulesSpy.fail = true;
    const response = await post(watched, { filings: filings(1) });
    expect(response.statusCode).toBe(500);
  });
});

describe('a NORMAL channel', () => {
  it('submits without reading the credit rules at all', async () => {
    // Prepare
    rulesSpy.fail = true;
    const reads = rulesSpy.reads;
    // Act
    const response = await post(world.bank, { filings: [filing()] });
    // Assess
    expect(response.statusCode).toBe(202);
    expect(rulesSpy.reads).toBe(reads);
  });
});

describe('out-of-scope attempts at submission', () => {
  it('send one OUT_OF_SCOPE signal per item, named by its clientRef (the same filing re-sent counts once), with evidence; the audit records the attempts', async () => {
    // Prepare
    const otherMortgagee = { ...filing(), mortgagee: { name: world.otherBank.institutionName, uscc: `91370100MA3C9YYY1${usccCheckChar('91370100MA3C9YYY1')}` } };
    const outOfDistrict = filing(UNITS.otherDistrict);
    const otherRef = (otherMortgagee as unknown as { clientRef: string }).clientRef;
    // Act: the batch, then the same batch again (a retry without an Idempotency-Key)
    const response = await post(world.bank, { filings: [filing(), outOfDistrict, otherMortgagee] });
    const again = await post(world.bank, { filings: [outOfDistrict, otherMortgagee] });
    // Assess
    expect(response.statusCode).toBe(202);
    expect(again.statusCode).toBe(202);
    const { batchId, items } = bodyOf(response) as { batchId: string; items: { status: string; errors?: { code: string }[] }[] };
    expect(items.map((i) => i.status)).toEqual(['SUBMITTED', 'INVALID', 'INVALID']);
    const signals = await creditSignals();
    const channelId = world.bank.channelId;
    const first = signals.filter((signal) => signal.evidence.batchId === batchId).sort((a, b) => a.evidence.indexes![0]! - b.evidence.indexes![0]!);
    expect(first).toEqual([
      { v: 1, signalId: `OOS:${channelId}:${outOfDistrict.clientRef}:DISTRICT_NOT_PERMITTED`, channelId, kind: 'OUT_OF_SCOPE', at: expect.any(String), reasonCode: 'DISTRICT_NOT_PERMITTED', evidence: { batchId, indexes: [1] } },
      { v: 1, signalId: `OOS:${channelId}:${otherRef}:MORTGAGEE_NOT_FILER`, channelId, kind: 'OUT_OF_SCOPE', at: expect.any(String), reasonCode: 'MORTGAGEE_NOT_FILER', evidence: { batchId, indexes: [2] } },
    ]);
    // The re-sent batch sends the same two signal ids: the credit worker counts each once.
    expect(new Set(signals.map((signal) => signal.signalId))).toEqual(new Set(first.map((signal) => signal.signalId)));
    const records = (await auditRecordsOf(world.bank.institutionId, new Date().toISOString().slice(0, 10))).filter((r) => r.action === 'OUT_OF_SCOPE_ATTEMPT' && r.target === batchId);
    expect(records.map((r) => r.detail?.reasonCode).sort()).toEqual(['DISTRICT_NOT_PERMITTED', 'MORTGAGEE_NOT_FILER']);
  });

  it('a batch refused for a business type not granted sends one signal per attempt (the same batch retried is one), with the indexes', async () => {
    const body = { filings: [filing(), { ...filing(), businessType: 'TRANSFER_RESALE' }, { ...filing(), businessType: 'PRESALE_NOTICE' }] };
    const response = await post(world.bank, body);
    const again = await post(world.bank, body);
    expect(response.statusCode).toBe(403);
    expect(again.statusCode).toBe(403);
    expect(bodyOf(response)).toMatchObject({ code: 'BUSINESS_TYPE_NOT_PERMITTED', indexes: [1, 2] });
    const signals = await creditSignals();
    expect(signals).toHaveLength(2);
    expect(signals[0]).toMatchObject({ kind: 'OUT_OF_SCOPE', reasonCode: 'BUSINESS_TYPE_NOT_PERMITTED', channelId: world.bank.channelId, evidence: { indexes: [1, 2] } });
    expect(signals[0]!.signalId).toMatch(new RegExp(`^TYPE:${world.bank.channelId}:[0-9a-f]{24}$`));
    expect(signals[1]!.signalId).toBe(signals[0]!.signalId);
  });

  it('a clean batch sends no signal', async () => {
    expect((await post(world.bank, { filings: [filing()] })).statusCode).toBe(202);
    expect(await creditSignals()).toEqual([]);
  });
});

describe('edge bursts', () => {
  it('replays of an existing channel beyond the burst send exactly one SIGNATURE_FAILURES signal per window; bad signatures (anyone can claim an id) and an unknown channel send none', async () => {
    // Prepare: someone holding the wrong key claims the channel; the channel itself replays its requests.
    const target = await addChannel('ch-burst', 'INST-BURST');
    const impostor: Signer = { channelId: target.channelId, privateKey: generateSm2KeyPair().privateKey };
    const unknown: Signer = { channelId: 'ch-nobody', privateKey: generateSm2KeyPair().privateKey };

    // Act: 10 bad signatures and 6 for an unknown id (never charged), then 5 replays of one genuine request.
    for (let i = 0; i < 10; i++) expect((await readCredit(impostor)).statusCode).toBe(401);
    for (let i = 0; i < 6; i++) expect((await readCredit(unknown)).statusCode).toBe(401);
    expect(await creditSignals()).toEqual([]);
    const genuine = signedEvent(apigwFixture('get-channel-credit'), target);
    expect((await getCredit(genuine, lambdaContext('getChannelCredit'))).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) expect(bodyOf(await getCredit(structuredClone(genuine), lambdaContext('getChannelCredit'))).code).toBe('AUTH_NONCE_REUSED');

    // Assess: the burst is 3, so the 4th replay sends the one signal of the window and the 5th none.
    const signals = await creditSignals();
    expect(signals).toHaveLength(1);
    const [signal] = signals;
    const [start, end] = signal!.evidence.window!.split('/');
    expect(Date.parse(start!) % 3_600_000).toBe(0);
    expect(Date.parse(end!) - Date.parse(start!)).toBe(3_600_000);
    expect(signal).toMatchObject({ v: 1, signalId: `SIGNATURE_FAILURES:ch-burst:${start}`, channelId: 'ch-burst', kind: 'SIGNATURE_FAILURES', evidence: { count: 4 } });
  });
});

describe('GET /v1/channel/credit', () => {
  it('shows the ledger newest first with appeals, the institution with its branches, and indicators; an officer is never named', async () => {
    // Prepare
    const first = await addChannel('ch-view-1', 'INST-VIEW', { branchName: '历下支行' });
    const second = await addChannel('ch-view-2', 'INST-VIEW', { branchName: '市中支行' });
    const older = await seedEvent(first, 'OUT_OF_SCOPE', -5, 'view:1');
    await new Promise((r) => setTimeout(r, 5));
    const officer = await seedEvent(first, 'OFFICER_VIOLATION', -10, 'view:2');
    const day = cstDate(new Date());
    await seedState(first, { score: 85, days: { [day]: { ...NO_COUNTS, accepted: 3, refused: 1, outOfScope: 1 } } });
    await seedState(second, { score: 70, grade: 'WATCH', days: { [day]: { ...NO_COUNTS, accepted: 4 } } });
    await creditStoreFromEnv().createAppeal({ eventId: older.eventId, channelId: first.channelId, submittedAt: now(), grounds: 'Granted late.', status: 'PENDING' });

    // Act
    const response = await readCredit(first);

    // Assess
    expect(response.statusCode).toBe(200);
    const view = channelCreditViewSchema.parse(bodyOf(response));
    expect(view.channel).toEqual({ channelId: 'ch-view-1', branchName: '历下支行', score: 85, grade: 'NORMAL' });
    expect(view.institution).toMatchObject({ institutionId: 'INST-VIEW', institutionType: 'BANK', score: 70, grade: 'WATCH' });
    expect(view.institution.channels).toEqual([
      { channelId: 'ch-view-1', branchName: '历下支行', score: 85, grade: 'NORMAL' },
      { channelId: 'ch-view-2', branchName: '市中支行', score: 70, grade: 'WATCH' },
    ]);
    expect(view.ledger.map((e) => e.eventId)).toEqual([officer.eventId, older.eventId]);
    expect(view.ledger[0]!.source).toEqual({ type: 'OFFICER', reason: 'Filed on a unit it was told was seized.' });
    expect(JSON.stringify(view)).not.toContain('officer-1');
    expect(view.ledger[1]).toMatchObject({ kind: 'OUT_OF_SCOPE', points: -5, reasonCode: 'DISTRICT_NOT_PERMITTED', appeal: { status: 'PENDING' }, evidence: { indexes: [1] } });
    expect(view.appeals).toEqual([{ eventId: older.eventId, submittedAt: expect.any(String), status: 'PENDING' }]);
    expect(view.quota).toBeUndefined();
    // The institution's indicators over both its channels: 1 refused of 8 decided.
    expect(view.indicators).toMatchObject({ refusalRate: 0.125, decided: 8, outOfScopeAttempts: 1 });
  });

  it('compares with peers of the type only from MIN_PEER_GROUP (5) institutions on, withheld below', async () => {
    // Agencies: a type no other test seeds.
    const day = cstDate(new Date());
    const counts = (accepted: number, refused: number): Record<string, DayCounts> => ({ [day]: { ...NO_COUNTS, accepted, refused } });
    const agency = await addChannel('ch-agency-1', 'INST-AG-1', { type: 'AGENCY' });
    await seedState(agency, { days: counts(9, 1) });
    for (let i = 2; i <= MIN_PEER_GROUP - 1; i++) await seedState(await addChannel(`ch-agency-${i}`, `INST-AG-${i}`, { type: 'AGENCY' }), { days: counts(10 - i, i) });
    const withheld = channelCreditViewSchema.parse(bodyOf(await readCredit(agency)));
    expect(withheld.peers).toEqual({ institutionType: 'AGENCY', institutions: MIN_PEER_GROUP - 1, withheld: 'TOO_FEW_PEERS' });

    await seedState(await addChannel(`ch-agency-${MIN_PEER_GROUP}`, `INST-AG-${MIN_PEER_GROUP}`, { type: 'AGENCY' }), { days: counts(10 - MIN_PEER_GROUP, MIN_PEER_GROUP) });
    const shown = channelCreditViewSchema.parse(bodyOf(await readCredit(agency)));
    expect(shown.peers).toMatchObject({ institutionType: 'AGENCY', institutions: MIN_PEER_GROUP, distribution: { refusalRate: { min: 0.1, median: 0.3, max: 0.5 } } });
    expect(shown.peers.withheld).toBeUndefined();
    expect(shown.indicators.refusalRate).toBe(0.1);
  });
});

describe('POST /v1/channel/rectifications', () => {
  let channel: Channel & Signer;
  let open: CreditCase;
  const report = (caseNo: string, overrides: Record<string, unknown> = {}) => ({
    caseNo,
    whatWasWrong: 'Branch staff filed on units outside the granted districts.',
    whatChanged: 'The core system checks the district against the grant before sending.',
    attachments: [{ name: 'training-record.pdf', sm3: 'a'.repeat(64) }],
    ...overrides,
  });
  beforeAll(async () => {
    channel = await addChannel('ch-rect', 'INST-RECT');
    open = await seedCase(channel, 'CHANNEL');
  });

  it.each([
    ['an ID number in whatWasWrong', { whatWasWrong: `The buyer 370102198001011237 was filed twice.` }, 'whatWasWrong', 'PERSONAL_DATA_IN_TEXT'],
    ['a phone number in whatChanged', { whatChanged: 'Call 13812345678 for questions.' }, 'whatChanged', 'PERSONAL_DATA_IN_TEXT'],
    ['an ID number in an attachment name', { attachments: [{ name: '370102198001011237.pdf', sm3: 'a'.repeat(64) }] }, 'attachments.0.name', 'PERSONAL_DATA_IN_TEXT'],
  ])('refuses %s: 422, not echoed, nothing stored', async (_label, overrides, path, code) => {
    const response = await rectify(channel, report(open.caseNo, overrides));
    expect(response.statusCode).toBe(422);
    expect(bodyOf(response)).toMatchObject({ code: 'INVALID_BODY', errors: [{ path, code }] });
    expect(response.body).not.toContain('370102198001011237');
    expect(response.body).not.toContain('13812345678');
    expect((await creditStoreFromEnv().getCase(open.caseNo))!.rectifications).toEqual([]);
  });

  it('refuses malformed bodies with 422: an empty text, 21 attachments, a bad digest, a malformed case number, an unknown field', async () => {
    for (const bad of [
      report(open.caseNo, { whatChanged: '' }),
      report(open.caseNo, { attachments: Array.from({ length: 21 }, () => ({ name: 'a.pdf', sm3: 'a'.repeat(64) })) }),
      report(open.caseNo, { attachments: [{ name: 'a.pdf', sm3: 'A'.repeat(64) }] }),
      report('CS123'),
      { ...report(open.caseNo), extra: true },
    ]) {
      const response = await rectify(channel, bad);
      expect(response.statusCode).toBe(422);
      expect(bodyOf(response).code).toBe('INVALID_BODY');
    }
    expect((await creditStoreFromEnv().getCase(open.caseNo))!.rectifications).toEqual([]);
  });

  it('answers 404 CASE_NOT_FOUND for a case of another institution or none, and 409 CASE_NOT_OPEN for a closed case', async () => {
    const others = await seedCase(world.otherBank, 'CHANNEL');
    expect(bodyOf(await rectify(channel, report(others.caseNo)))).toMatchObject({ status: 404, code: 'CASE_NOT_FOUND' });
    expect(bodyOf(await rectify(channel, report(newCaseNo())))).toMatchObject({ status: 404, code: 'CASE_NOT_FOUND' });
    expect((await creditStoreFromEnv().getCase(others.caseNo))!.rectifications).toEqual([]);
    const closed = await seedCase(channel, 'CHANNEL', 'CLOSED');
    expect(bodyOf(await rectify(channel, report(closed.caseNo)))).toMatchObject({ status: 409, code: 'CASE_NOT_OPEN' });
  });

  it('records one report, audited and notified; a retry answers it again, another report is 409 RECTIFICATION_PENDING; the Idempotency-Key replays', async () => {
    // Act
    const first = await rectify(channel, report(open.caseNo), { 'Idempotency-Key': 'rect-1' });
    const replay = await rectify(channel, report(open.caseNo), { 'Idempotency-Key': 'rect-1' });
    const retry = await rectify(channel, report(open.caseNo));
    const another = await rectify(channel, report(open.caseNo, { whatChanged: 'Something else entirely.' }));

    // Assess
    expect(first.statusCode).toBe(201);
    const receipt = bodyOf(first);
    expect(receipt).toMatchObject({ caseNo: open.caseNo, status: 'SUBMITTED' });
    expect(replay.body).toBe(first.body);
    expect(replay.headers?.['idempotent-replayed']).toBe('true');
    expect(retry.statusCode).toBe(201);
    expect(bodyOf(retry)).toEqual(receipt);
    expect(bodyOf(another)).toMatchObject({ status: 409, code: 'RECTIFICATION_PENDING', caseNo: open.caseNo });

    const stored = (await creditStoreFromEnv().getCase(open.caseNo))!;
    expect(stored.status).toBe('RECTIFICATION_SUBMITTED');
    expect(stored.rectifications).toHaveLength(1);
    expect(stored.rectifications[0]).toMatchObject({ rectificationId: receipt.rectificationId, channelId: 'ch-rect', status: 'SUBMITTED', attachments: [{ name: 'training-record.pdf', sm3: 'a'.repeat(64) }] });
    expect((await auditActions('INST-RECT')).filter((a) => a === 'RECTIFICATION_SUBMITTED')).toHaveLength(1);
    const notices = (await drain('notifications')).filter((n) => n.type === 'CREDIT' && n.change === 'RECTIFICATION_RECEIVED');
    expect(notices.length).toBeGreaterThanOrEqual(1);
    expect(new Set(notices.map((n) => n.eventId)).size).toBe(1);
    expect(notices[0]).toMatchObject({ channelId: 'ch-rect', caseNo: open.caseNo, rectificationId: receipt.rectificationId });
  });
});

describe('POST /v1/channel/credit/events/{eventId}/appeal', () => {
  let channel: Channel & Signer;
  let charged: LedgerEvent;
  let earned: LedgerEvent;
  beforeAll(async () => {
    channel = await addChannel('ch-appeal', 'INST-APPEAL');
    charged = await seedEvent(channel, 'OUT_OF_SCOPE', -5, 'appeal:1');
    earned = await seedEvent(channel, 'GOOD_STANDING', 2, 'appeal:2');
  });
  const grounds = { grounds: 'The district was granted to this branch on 1 November; the register was updated late.' };

  it('refuses grounds carrying an ID number (422, not echoed) and stores no appeal', async () => {
    const response = await appeal(channel, charged.eventId, { grounds: 'The owner 370102198001011237 consented.' });
    expect(response.statusCode).toBe(422);
    expect(bodyOf(response)).toMatchObject({ code: 'INVALID_BODY', errors: [{ path: 'grounds', code: 'PERSONAL_DATA_IN_TEXT' }] });
    expect(response.body).not.toContain('370102198001011237');
    expect(await creditStoreFromEnv().getAppeal(channel.channelId, charged.eventId)).toBeUndefined();
  });

  it('answers 404 CREDIT_EVENT_NOT_FOUND for a malformed id, a missing one and another channel’s event, reading nothing for the malformed', async () => {
    const others = await seedEvent(world.otherBank, 'OUT_OF_SCOPE', -5, 'appeal:other');
    for (const eventId of ['CE123', charged.eventId.toLowerCase(), `${charged.eventId}0`, ledgerEventIdOf(channel.channelId, 'never'), others.eventId]) {
      const response = await appeal(channel, eventId, grounds);
      expect(response.statusCode, eventId).toBe(404);
      expect(bodyOf(response).code).toBe('CREDIT_EVENT_NOT_FOUND');
    }
    expect(await creditStoreFromEnv().getAppeal(world.otherBank.channelId, others.eventId)).toBeUndefined();
  });

  it('answers 422 EVENT_NOT_APPEALABLE for an event that charged nothing', async () => {
    expect(bodyOf(await appeal(channel, earned.eventId, grounds))).toMatchObject({ status: 422, code: 'EVENT_NOT_APPEALABLE' });
    expect(await creditStoreFromEnv().getAppeal(channel.channelId, earned.eventId)).toBeUndefined();
  });

  it('records one PENDING appeal, audited and notified; the same grounds again answer it, other grounds are 409 APPEAL_EXISTS; the Idempotency-Key replays', async () => {
    const first = await appeal(channel, charged.eventId, grounds, { 'Idempotency-Key': 'appeal-1' });
    const replay = await appeal(channel, charged.eventId, grounds, { 'Idempotency-Key': 'appeal-1' });
    const retry = await appeal(channel, charged.eventId, grounds);
    const other = await appeal(channel, charged.eventId, { grounds: 'Another reason.' });

    expect(first.statusCode).toBe(201);
    expect(bodyOf(first)).toEqual({ eventId: charged.eventId, submittedAt: expect.any(String), status: 'PENDING' });
    expect(replay.body).toBe(first.body);
    expect(replay.headers?.['idempotent-replayed']).toBe('true');
    expect(retry.statusCode).toBe(201);
    expect(bodyOf(retry)).toEqual(bodyOf(first));
    expect(bodyOf(other)).toMatchObject({ status: 409, code: 'APPEAL_EXISTS' });

    expect(await creditStoreFromEnv().getAppeal(channel.channelId, charged.eventId)).toMatchObject({ status: 'PENDING', grounds: grounds.grounds });
    expect((await auditActions('INST-APPEAL')).filter((a) => a === 'CREDIT_APPEAL_SUBMITTED')).toHaveLength(1);
    const notices = (await drain('notifications')).filter((n) => n.type === 'CREDIT' && n.change === 'APPEAL_RECEIVED');
    expect(notices.length).toBeGreaterThanOrEqual(1);
    expect(notices[0]).toMatchObject({ channelId: 'ch-appeal', ledgerEventId: charged.eventId });

    const view = channelCreditViewSchema.parse(bodyOf(await readCredit(channel)));
    expect(view.ledger.find((e) => e.eventId === charged.eventId)?.appeal).toEqual({ status: 'PENDING' });
  });
});
