/**
 * The credit officers' staff API and the intake review (DESIGN.md §4; 002 三(一)6), through the real handlers
 * with real-shaped events against the in-process emulators (dynalite, local SQS), credit records seeded and
 * read through the credit store adapter:
 * - a violation sent twice is one ledger event; a shutoff of a channel and of an institution, each refused a
 *   second time with 409 ALREADY_SHUT_OFF naming the case;
 * - a rectification report accepted closes the case and reopens the channel on PROBATION; a rejected one
 *   sends the case back to OPEN with the reasons;
 * - an appeal reversed is a REVERSAL event that restores the points; an appeal upheld changes nothing;
 * - the rules published on top of the version read, a stale base refused, rules that do not hold refused;
 * - a held filing accepted moves on; refused for FALSE_MATERIALS it is REFUSED with a credit signal queued;
 * - bad input on every endpoint answers problem+json and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { auditRecordsOf } from '../support/audit-records';
import { channelDirectoryFromEnv } from '../../functions/adapters/dynamodb/channel-directory';
import { creditStoreFromEnv, DynamoCreditRulesStore } from '../../functions/adapters/dynamodb/credit-store';
import { filingRepositoryFromEnv } from '../../functions/adapters/dynamodb/filing-repository';
import { vaultFromEnv } from '../../functions/adapters/keys/personal-data-vault';
import { dynamoDocumentClient } from '../../functions/adapters/aws-clients';
import { BUILT_IN_CREDIT_RULES, ledgerEventIdOf, type CreditSignal, type LedgerEvent } from '../../functions/core/domain/credit';
import type { FilingRecord } from '../../functions/core/domain/filing';
import type { Channel } from '../../functions/core/ports';
import { generateSm2KeyPair } from '../../functions/shared/crypto/sm2';
import type { StaffEndpointName } from '../../functions/shared/http/staff-permissions';
import { tableEnvVar } from '../../infra/topology';
import {
  creditAppealListSchema,
  creditCaseListSchema,
  creditChannelListSchema,
  creditChannelViewSchema,
  creditRulesSchema,
  creditRulesViewSchema,
  staffAppealViewSchema,
  staffCaseViewSchema,
  violationResultSchema,
} from '../../schemas/v1/credit-staff';
import { intakeReviewResultSchema } from '../../schemas/v1/intake-review';
import { staffRequest, type StaffRequest } from '../support/credit-staff-events';
import { lambdaContext } from '../support/fixtures';
import { DISTRICTS, startStaffWorld, type StaffWorld } from '../support/staff-world';

type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

const ENDPOINTS = [
  'listCreditChannels',
  'getCreditChannel',
  'postCreditViolation',
  'postShutoff',
  'listCreditCases',
  'getCreditCase',
  'decideRectification',
  'reopenCase',
  'listCreditAppeals',
  'decideCreditAppeal',
  'getCreditRules',
  'putCreditRules',
  'decideIntakeReview',
] as const satisfies readonly StaffEndpointName[];
type Endpoint = (typeof ENDPOINTS)[number];

let world: StaffWorld;
const handlers = new Map<Endpoint, ApiHandler>();
let officerToken: string;
let clerkToken: string;

const send = async (endpoint: Endpoint, request: Omit<StaffRequest, 'token'> & { token?: string } = {}) =>
  handlers.get(endpoint)!(staffRequest(endpoint, { token: officerToken, ...request }), lambdaContext(endpoint));
const json = (response: APIGatewayProxyResult) => JSON.parse(response.body) as Record<string, unknown>;
const outcome = (response: APIGatewayProxyResult) => `${response.statusCode} ${String(json(response).code ?? 'OK')}`;

const credit = () => creditStoreFromEnv();
/** A rules store that never caches, to see what is stored. */
const storedRules = () => new DynamoCreditRulesStore({ client: dynamoDocumentClient(), tableName: process.env[tableEnvVar('credit')]!, currentTtlMs: 0 });

let channelCounter = 0;
/** A bank channel of its own for each test (institution `institutionId`, or one of its own). */
async function bankChannel(institutionId = `INST-CS-${++channelCounter}`): Promise<Channel> {
  const channel: Channel = {
    channelId: `ch-cs-${++channelCounter}`,
    institutionId,
    institutionName: `${institutionId} 机构`,
    institutionType: 'BANK',
    uscc: '91370100MA3C8AXX1X',
    status: 'ACTIVE',
    publicKey: generateSm2KeyPair().publicKey,
    allowedBusinessTypes: ['MORTGAGE_CREATE'],
    allowedDistricts: [DISTRICTS.own],
  };
  await channelDirectoryFromEnv().putChannel(channel);
  return channel;
}

async function channelView(channelId: string) {
  const response = await send('getCreditChannel', { path: { channelId } });
  expect(response.statusCode).toBe(200);
  return creditChannelViewSchema.parse(json(response));
}

/** An automatic ledger event of the channel, as the credit worker records it, seeded through the adapter. */
async function seedEvent(channel: Channel, cause: string, points: number): Promise<LedgerEvent> {
  const event: LedgerEvent = {
    eventId: ledgerEventIdOf(channel.channelId, cause),
    channelId: channel.channelId,
    institutionId: channel.institutionId,
    kind: 'INTAKE_REFUSED',
    points,
    at: new Date(Date.now() - 60_000).toISOString(),
    source: { type: 'AUTOMATIC', rule: 'INTAKE_REFUSED', rulesVersion: 1 },
    evidence: { filingIds: ['F00000000000000000000C001'] },
    reasonCode: 'UNIT_SEIZED',
    cause,
  };
  await credit().putEvent(event);
  return event;
}

async function seedAppeal(channel: Channel, eventId: string): Promise<void> {
  expect(await credit().createAppeal({ eventId, channelId: channel.channelId, submittedAt: new Date().toISOString(), grounds: 'The seizure had been lifted', status: 'PENDING' })).toBe(true);
}

/** A channel shut off by an officer, with one SUBMITTED rectification report in its case (as the channel's endpoint leaves it). */
async function caseWithReport(): Promise<{ channel: Channel; caseNo: string; rectificationId: string }> {
  const channel = await bankChannel();
  const opened = await send('postShutoff', { body: { scope: 'CHANNEL', channelId: channel.channelId, reason: 'Repeated filings on seized units', evidence: {} } });
  expect(opened.statusCode).toBe(201);
  const { caseNo } = staffCaseViewSchema.parse(json(opened));
  const current = (await credit().getCase(caseNo))!;
  const rectificationId = `RC${String(channelCounter).padStart(16, '0')}`;
  const report = { rectificationId, channelId: channel.channelId, submittedAt: new Date().toISOString(), whatWasWrong: 'Units were not checked', whatChanged: 'A register check before filing', attachments: [], status: 'SUBMITTED' as const };
  expect(await credit().updateCase({ ...current, status: 'RECTIFICATION_SUBMITTED', rectifications: [report], version: current.version + 1 }, current.version)).toBe(true);
  return { channel, caseNo, rectificationId };
}

// ---------------------------------------------------------------------------------------------------------
// Queues
// ---------------------------------------------------------------------------------------------------------

let sqs: SQSClient;
async function drain(queue: 'credit' | 'notifications'): Promise<Message[]> {
  const url = world.emulators.queueUrls[queue].url;
  const all: Message[] = [];
  for (;;) {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (!Messages?.length) return all;
    all.push(...Messages);
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
  }
}
const signalsOn = async (): Promise<CreditSignal[]> => (await drain('credit')).map((m) => JSON.parse(m.Body!) as CreditSignal);

// ---------------------------------------------------------------------------------------------------------
// Filings held for intake review
// ---------------------------------------------------------------------------------------------------------

let filingCounter = 0;
/** The mortgagor of every held filing, sealed as intake seals it: review notes are checked against the name. */
const MORTGAGOR_NAME = '周杰伦';

async function heldFiling(channel: Channel, district: string = DISTRICTS.own): Promise<FilingRecord> {
  filingCounter += 1;
  const filingId = `F1D7A${String(filingCounter).padStart(20, '0')}`;
  const sealedName = await (await vaultFromEnv()).seal(district, 'name', MORTGAGOR_NAME, filingId);
  const at = new Date(Date.now() - 60_000).toISOString();
  const filing: FilingRecord = {
    filingId,
    channelId: channel.channelId,
    institutionId: channel.institutionId,
    clientRef: `held-${filingCounter}`,
    batchId: 'B-HELD',
    businessType: 'MORTGAGE_CREATE',
    unitCode: `${district}001001GB00001F0001${String(2000 + filingCounter).padStart(4, '0')}`,
    district,
    content: {
      businessType: 'MORTGAGE_CREATE',
      mortgagors: [{ name: sealedName, idType: 'RESIDENT_ID', idNumber: 'v1:sealed-id', idIndex: 'bi:abc' }],
      mortgagee: { name: '示例银行', uscc: '91370100MA3C8AXX1X' },
      mortgageType: 'GENERAL',
      amountFen: '100000000',
      termStart: '2026-01-01',
      termEnd: '2046-01-01',
    },
    materials: [],
    contentHash: 'ab'.repeat(32),
    status: 'INTAKE_REVIEW',
    manualIntake: { grade: 'WATCH' },
    createdAt: at,
    updatedAt: at,
    history: [
      { at, status: 'SUBMITTED', by: `channel:${channel.channelId}` },
      { at, status: 'INTAKE_REVIEW', by: 'worker:intake' },
    ],
  };
  await filingRepositoryFromEnv().putIfAbsent(filing);
  return filing;
}

beforeAll(async () => {
  world = await startStaffWorld('zt-credit-staff-api');
  sqs = new SQSClient({});
  // Handlers read their environment at module load, as on Lambda: import them after the world is up.
  const modules: Record<Endpoint, () => Promise<{ handler: unknown }>> = {
    listCreditChannels: () => import('../../functions/handlers/list-credit-channels'),
    getCreditChannel: () => import('../../functions/handlers/get-credit-channel'),
    postCreditViolation: () => import('../../functions/handlers/post-credit-violation'),
    postShutoff: () => import('../../functions/handlers/post-shutoff'),
    listCreditCases: () => import('../../functions/handlers/list-credit-cases'),
    getCreditCase: () => import('../../functions/handlers/get-credit-case'),
    decideRectification: () => import('../../functions/handlers/decide-rectification'),
    reopenCase: () => import('../../functions/handlers/reopen-case'),
    listCreditAppeals: () => import('../../functions/handlers/list-credit-appeals'),
    decideCreditAppeal: () => import('../../functions/handlers/decide-credit-appeal'),
    getCreditRules: () => import('../../functions/handlers/get-credit-rules'),
    putCreditRules: () => import('../../functions/handlers/put-credit-rules'),
    decideIntakeReview: () => import('../../functions/handlers/decide-intake-review'),
  };
  for (const endpoint of ENDPOINTS) handlers.set(endpoint, (await modules[endpoint]()).handler as ApiHandler);
  officerToken = await world.tokenFor(world.account('CREDIT_OFFICER'));
  clerkToken = await world.tokenFor(world.account('CLERK'));
});
afterAll(async () => world.stop());

describe('violations', () => {
  it('records the same violation sent twice as one ledger event, with the officer and the evidence', async () => {
    // Prepare
    const channel = await bankChannel();
    const body = { points: -10, reason: 'Filed a mortgage for a unit it had been told was seized', evidence: { filingIds: ['F00000000000000000000D001'], note: 'See the intake refusal' } };
    // Act
    const first = await send('postCreditViolation', { path: { channelId: channel.channelId }, body });
    const second = await send('postCreditViolation', { path: { channelId: channel.channelId }, body });
    // Assess
    expect([first.statusCode, second.statusCode]).toEqual([201, 201]);
    const a = violationResultSchema.parse(json(first));
    const b = violationResultSchema.parse(json(second));
    expect(b.event.eventId).toBe(a.event.eventId);
    expect(a.event).toMatchObject({ kind: 'OFFICER_VIOLATION', points: -10, source: { type: 'OFFICER', staffId: world.account('CREDIT_OFFICER').staffId }, evidence: body.evidence });
    expect(b.state).toMatchObject({ channelId: channel.channelId, score: 90, grade: 'NORMAL' });
    const view = await channelView(channel.channelId);
    expect(view.ledger.filter((e) => e.kind === 'OFFICER_VIOLATION')).toHaveLength(1);
    expect(view.state.score).toBe(90);
    // Staff names never leave the registry: only the staff id.
    expect(first.body).not.toContain(world.account('CREDIT_OFFICER').displayName);
  });

  it('a different violation is another event, and the channel list shows the lowest score first', async () => {
    const channel = await bankChannel();
    for (const points of [-20, -15]) expect((await send('postCreditViolation', { path: { channelId: channel.channelId }, body: { points, reason: `Violation ${points}`, evidence: {} } })).statusCode).toBe(201);
    const view = await channelView(channel.channelId);
    expect(view.state).toMatchObject({ score: 65, grade: 'WATCH' });
    const list = creditChannelListSchema.parse(json(await send('listCreditChannels', { query: { grade: 'WATCH' } })));
    expect(list.items.map((i) => i.channelId)).toContain(channel.channelId);
    const scores = creditChannelListSchema.parse(json(await send('listCreditChannels'))).items.map((i) => i.score);
    expect(scores).toEqual([...scores].sort((x, y) => x - y));
  });
});

describe('shutoffs', () => {
  it('shuts a channel off with a case, projects SHUT_OFF onto the channel record, and refuses a second shutoff with the case number', async () => {
    const channel = await bankChannel();
    const response = await send('postShutoff', { body: { scope: 'CHANNEL', channelId: channel.channelId, reason: 'False materials found at review', evidence: { filingIds: ['F00000000000000000000E001'] } } });
    expect(response.statusCode).toBe(201);
    const opened = staffCaseViewSchema.parse(json(response));
    expect(opened).toMatchObject({ scope: 'CHANNEL', channelId: channel.channelId, status: 'OPEN', reason: 'OFFICER_DECISION', detail: 'False materials found at review', openedBy: `staff:${world.account('CREDIT_OFFICER').staffId}` });
    expect(opened.caseNo).toMatch(/^CS\d{8}[0-9A-F]{8}$/);
    expect((await channelDirectoryFromEnv().get(channel.channelId))?.standing).toMatchObject({ grade: 'SHUT_OFF', caseNo: opened.caseNo, scope: 'CHANNEL' });
    // The same request again is the same case; another is refused, naming the case.
    const again = await send('postShutoff', { body: { scope: 'CHANNEL', channelId: channel.channelId, reason: 'False materials found at review', evidence: { filingIds: ['F00000000000000000000E001'] } } });
    expect(staffCaseViewSchema.parse(json(again)).caseNo).toBe(opened.caseNo);
    const second = await send('postShutoff', { body: { scope: 'CHANNEL', channelId: channel.channelId, reason: 'Another reason', evidence: {} } });
    expect(outcome(second)).toBe('409 ALREADY_SHUT_OFF');
    expect(json(second).caseNo).toBe(opened.caseNo);
    expect(second.headers?.['content-type']).toBe('application/problem+json');
    const detail = creditCaseListSchema.parse(json(await send('listCreditCases', { query: { status: 'OPEN' } })));
    expect(detail.items.filter((c) => c.channelId === channel.channelId)).toHaveLength(1);
  });

  it('shuts a whole institution off: every branch channel SHUT_OFF under one case; a second is refused with that case', async () => {
    const institutionId = 'INST-CS-BRANCHES';
    const [north, south] = [await bankChannel(institutionId), await bankChannel(institutionId)];
    const response = await send('postShutoff', { body: { scope: 'INSTITUTION', institutionId, reason: 'Dishonest filings from several branches', evidence: {} } });
    expect(response.statusCode).toBe(201);
    const opened = staffCaseViewSchema.parse(json(response));
    expect(opened).toMatchObject({ scope: 'INSTITUTION', institutionId, status: 'OPEN' });
    for (const channel of [north!, south!]) {
      expect((await channelDirectoryFromEnv().get(channel.channelId))?.standing).toMatchObject({ grade: 'SHUT_OFF', caseNo: opened.caseNo, scope: 'INSTITUTION' });
      expect((await channelView(channel.channelId)).institution).toEqual({ institutionId, openCaseNo: opened.caseNo });
    }
    const second = await send('postShutoff', { body: { scope: 'CHANNEL', channelId: south!.channelId, reason: 'One branch again', evidence: {} } });
    expect(outcome(second)).toBe('409 ALREADY_SHUT_OFF');
    expect(json(second).caseNo).toBe(opened.caseNo);
    const third = await send('postShutoff', { body: { scope: 'INSTITUTION', institutionId, reason: 'Again', evidence: {} } });
    expect(outcome(third)).toBe('409 ALREADY_SHUT_OFF');
    expect(json(third).caseNo).toBe(opened.caseNo);
  });
});

describe('every step audited and told to the webhook', () => {
  const today = () => new Date().toISOString().slice(0, 10);

  it('a shutoff: the call audited under the officer\'s district, the case under the institution, a CASE_OPENED notice queued; no staff name anywhere', async () => {
    const channel = await bankChannel();
    await drain('notifications');
    const context = lambdaContext('postShutoff');
    const response = await handlers.get('postShutoff')!(
      staffRequest('postShutoff', { token: officerToken, body: { scope: 'CHANNEL', channelId: channel.channelId, reason: 'Forged contracts', evidence: {} } }),
      context,
    );
    const { caseNo } = staffCaseViewSchema.parse(json(response));
    const officer = world.account('CREDIT_OFFICER');
    const call = (await auditRecordsOf(DISTRICTS.own, today())).find((e) => e.detail?.requestId === context.awsRequestId);
    expect(call).toMatchObject({ actor: `staff:${officer.staffId}`, action: 'API_POST_SHUTOFF', outcome: 'SUCCESS', target: `channel:${channel.channelId}` });
    const own = await auditRecordsOf(channel.institutionId, today());
    expect(own.find((e) => e.action === 'CHANNEL_SHUT_OFF')).toMatchObject({ actor: `staff:${officer.staffId}`, target: caseNo, detail: { channelId: channel.channelId, scope: 'CHANNEL' } });
    const notices = (await drain('notifications')).map((m) => JSON.parse(m.Body!) as { type?: string; change?: string; caseNo?: string; channelId?: string });
    expect(notices.filter((n) => n.type === 'CREDIT' && n.channelId === channel.channelId).map((n) => n.change)).toContain('CASE_OPENED');
    expect(JSON.stringify([call, own, notices])).not.toContain(officer.displayName);
  });

  it('an appeal upheld: audited (CREDIT_APPEAL_UPHELD) and told (APPEAL_UPHELD)', async () => {
    const channel = await bankChannel();
    const event = await seedEvent(channel, 'told-refusal', -2);
    await seedAppeal(channel, event.eventId);
    await drain('notifications');
    expect((await send('decideCreditAppeal', { path: { channelId: channel.channelId, eventId: event.eventId }, body: { decision: 'UPHOLD', reason: 'Stands' } })).statusCode).toBe(200);
    expect((await auditRecordsOf(channel.institutionId, today())).map((e) => e.action)).toContain('CREDIT_APPEAL_UPHELD');
    const notices = (await drain('notifications')).map((m) => JSON.parse(m.Body!) as { change?: string; ledgerEventId?: string });
    expect(notices).toContainEqual(expect.objectContaining({ change: 'APPEAL_UPHELD', ledgerEventId: event.eventId }));
  });
});

describe('rectification reports and reopening', () => {
  it('accepting a report closes the case and reopens the channel on PROBATION', async () => {
    const { channel, caseNo, rectificationId } = await caseWithReport();
    const response = await send('decideRectification', { path: { caseNo, rectificationId }, body: { decision: 'ACCEPT', reasons: 'The register check is in place' } });
    expect(response.statusCode).toBe(200);
    const closed = staffCaseViewSchema.parse(json(response));
    expect(closed).toMatchObject({ status: 'CLOSED', closedHow: 'RECTIFICATION_ACCEPTED', rectifications: [{ rectificationId, status: 'ACCEPTED', reasons: 'The register check is in place' }] });
    const view = await channelView(channel.channelId);
    expect(view.state.grade).toBe('PROBATION');
    expect(view.state.probationUntil).toBeDefined();
    expect(view.state.openCaseNo).toBeUndefined();
    expect((await channelDirectoryFromEnv().get(channel.channelId))?.standing).toMatchObject({ grade: 'PROBATION' });
    // The same decision again answers the case again; a different one is refused.
    expect(staffCaseViewSchema.parse(json(await send('decideRectification', { path: { caseNo, rectificationId }, body: { decision: 'ACCEPT', reasons: 'The register check is in place' } }))).status).toBe('CLOSED');
    expect(outcome(await send('decideRectification', { path: { caseNo, rectificationId }, body: { decision: 'REJECT', reasons: 'Changed my mind' } }))).toBe('409 RECTIFICATION_NOT_PENDING');
  });

  it('rejecting a report sends the case back to OPEN with the reasons; the channel stays shut off', async () => {
    const { channel, caseNo, rectificationId } = await caseWithReport();
    const response = await send('decideRectification', { path: { caseNo, rectificationId }, body: { decision: 'REJECT', reasons: 'No evidence that the check is used' } });
    expect(response.statusCode).toBe(200);
    expect(staffCaseViewSchema.parse(json(response))).toMatchObject({ status: 'OPEN', rectifications: [{ rectificationId, status: 'REJECTED', reasons: 'No evidence that the check is used' }] });
    expect((await channelDirectoryFromEnv().get(channel.channelId))?.standing).toMatchObject({ grade: 'SHUT_OFF', caseNo });
    const read = staffCaseViewSchema.parse(json(await send('getCreditCase', { path: { caseNo } })));
    expect(read.rectifications[0]).toMatchObject({ whatWasWrong: 'Units were not checked', status: 'REJECTED' });
    expect(outcome(await send('decideRectification', { path: { caseNo, rectificationId }, body: { decision: 'ACCEPT', reasons: 'After all' } }))).toBe('409 RECTIFICATION_NOT_PENDING');
  });

  it('an officer reopens a case: CLOSED by the officer, the channel on PROBATION', async () => {
    const { channel, caseNo } = await caseWithReport();
    const response = await send('reopenCase', { path: { caseNo }, body: { reason: 'Court order' } });
    expect(response.statusCode).toBe(200);
    expect(staffCaseViewSchema.parse(json(response))).toMatchObject({ status: 'CLOSED', closedHow: 'REOPENED_BY_OFFICER' });
    expect((await channelView(channel.channelId)).state.grade).toBe('PROBATION');
  });
});

describe('appeals', () => {
  it('reversing an appealed event records a REVERSAL that cancels it and restores its points', async () => {
    // Prepare: a violation of -10, appealed.
    const channel = await bankChannel();
    const recorded = violationResultSchema.parse(json(await send('postCreditViolation', { path: { channelId: channel.channelId }, body: { points: -10, reason: 'Wrong district', evidence: {} } })));
    expect(recorded.state.score).toBe(90);
    await seedAppeal(channel, recorded.event.eventId);
    expect(creditAppealListSchema.parse(json(await send('listCreditAppeals', { query: { status: 'PENDING' } }))).items.map((a) => a.eventId)).toContain(recorded.event.eventId);
    // Act
    const response = await send('decideCreditAppeal', { path: { channelId: channel.channelId, eventId: recorded.event.eventId }, body: { decision: 'REVERSE', reason: 'The district was granted' } });
    // Assess
    expect(response.statusCode).toBe(200);
    const appeal = staffAppealViewSchema.parse(json(response));
    expect(appeal).toMatchObject({ status: 'REVERSED', reason: 'The district was granted', reversalEventId: ledgerEventIdOf(channel.channelId, `REVERSAL:${recorded.event.eventId}`) });
    const view = await channelView(channel.channelId);
    expect(view.state.score).toBe(100);
    expect(view.ledger.find((e) => e.kind === 'REVERSAL')).toMatchObject({ eventId: appeal.reversalEventId, points: 10, cancels: recorded.event.eventId });
    expect(view.ledger.find((e) => e.eventId === recorded.event.eventId)).toMatchObject({ points: -10, appeal: { status: 'REVERSED' } });
    // The same decision again changes nothing more; the other is refused.
    await send('decideCreditAppeal', { path: { channelId: channel.channelId, eventId: recorded.event.eventId }, body: { decision: 'REVERSE', reason: 'The district was granted' } });
    expect((await channelView(channel.channelId)).ledger.filter((e) => e.kind === 'REVERSAL')).toHaveLength(1);
    expect(outcome(await send('decideCreditAppeal', { path: { channelId: channel.channelId, eventId: recorded.event.eventId }, body: { decision: 'UPHOLD', reason: 'No' } }))).toBe('409 APPEAL_NOT_PENDING');
  });

  it('upholding an appealed event leaves the ledger and score as they are', async () => {
    const channel = await bankChannel();
    const event = await seedEvent(channel, 'intake-refusal-1', -2);
    await seedAppeal(channel, event.eventId);
    const response = await send('decideCreditAppeal', { path: { channelId: channel.channelId, eventId: event.eventId }, body: { decision: 'UPHOLD', reason: 'The unit was seized when filed' } });
    expect(response.statusCode).toBe(200);
    expect(staffAppealViewSchema.parse(json(response))).toMatchObject({ status: 'UPHELD', decidedBy: `staff:${world.account('CREDIT_OFFICER').staffId}` });
    expect((await credit().listEvents(channel.channelId, '1970-01-01T00:00:00.000Z')).map((e) => e.kind)).toEqual(['INTAKE_REFUSED']);
    expect(outcome(await send('decideCreditAppeal', { path: { channelId: channel.channelId, eventId: event.eventId }, body: { decision: 'REVERSE', reason: 'After all' } }))).toBe('409 APPEAL_NOT_PENDING');
  });
});

describe('intake review', () => {
  it('accepting a held filing makes it ACCEPTED, and it moves on by itself; a FILING_ACCEPTED signal is queued', async () => {
    const channel = await bankChannel();
    const filing = await heldFiling(channel);
    await drain('credit');
    const response = await send('decideIntakeReview', { token: clerkToken, path: { filingId: filing.filingId }, body: { decision: 'ACCEPT' } });
    expect(response.statusCode).toBe(200);
    const result = intakeReviewResultSchema.parse(json(response));
    const stored = (await filingRepositoryFromEnv().get(filing.filingId))!;
    expect(stored.history.map((h) => h.status)).toEqual(['SUBMITTED', 'INTAKE_REVIEW', 'ACCEPTED', 'READY_FOR_REVIEW']);
    expect(stored.history[2]!.by).toBe(`staff:${world.account('CLERK').staffId}`);
    expect(result).toEqual({ filingId: filing.filingId, status: 'READY_FOR_REVIEW' });
    expect((await signalsOn()).filter((s) => s.evidence.filingIds?.includes(filing.filingId)).map((s) => s.kind)).toEqual(['FILING_ACCEPTED']);
    // Deciding again: the same decision answers again; the other is refused with where the filing stands.
    expect((await send('decideIntakeReview', { token: clerkToken, path: { filingId: filing.filingId }, body: { decision: 'ACCEPT' } })).statusCode).toBe(200);
    const refused = await send('decideIntakeReview', { token: clerkToken, path: { filingId: filing.filingId }, body: { decision: 'REFUSE', reasonCode: 'DATA_MISMATCH' } });
    expect(outcome(refused)).toBe('409 FILING_NOT_IN_INTAKE_REVIEW');
    expect(json(refused).filingStatus).toBe('READY_FOR_REVIEW');
  });

  it('refusing a held filing for FALSE_MATERIALS (a reviewer; a clerk may not) makes it REFUSED and queues a FALSE_MATERIALS credit signal', async () => {
    const channel = await bankChannel();
    const filing = await heldFiling(channel);
    await drain('credit');
    const byClerk = await send('decideIntakeReview', { token: clerkToken, path: { filingId: filing.filingId }, body: { decision: 'REFUSE', reasonCode: 'FALSE_MATERIALS', note: 'The contract was forged' } });
    expect(byClerk.statusCode).toBe(403);
    expect(json(byClerk).code).toBe('ROLE_FORBIDDEN');
    expect((await filingRepositoryFromEnv().get(filing.filingId))?.status).toBe('INTAKE_REVIEW');
    const reviewerToken = await world.tokenFor(world.account('REVIEWER'));
    const response = await send('decideIntakeReview', { token: reviewerToken, path: { filingId: filing.filingId }, body: { decision: 'REFUSE', reasonCode: 'FALSE_MATERIALS', note: 'The contract was forged' } });
    expect(response.statusCode).toBe(200);
    expect(intakeReviewResultSchema.parse(json(response))).toEqual({ filingId: filing.filingId, status: 'REFUSED' });
    expect((await filingRepositoryFromEnv().get(filing.filingId))).toMatchObject({ status: 'REFUSED', reasonCode: 'FALSE_MATERIALS' });
    const signals = (await signalsOn()).filter((s) => s.evidence.filingIds?.includes(filing.filingId));
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({ channelId: channel.channelId, kind: 'FALSE_MATERIALS', reasonCode: 'FALSE_MATERIALS' });
  });

  it.each([
    ['ACCEPT', '周杰伦材料齐全'],
    ['ACCEPT', '周 杰 伦材料齐全'],
    ['REFUSE', '周\u3000杰\u200b伦的合同与登记簿不符'],
    ['REFUSE', '周、杰、伦的合同与登记簿不符'],
  ] as const)('a %s note naming the mortgagor (%s) is refused: 422 PERSONAL_DATA_IN_TEXT on note, not echoed, the filing still held, no signal', async (decision, note) => {
    const channel = await bankChannel();
    const filing = await heldFiling(channel);
    await drain('credit');
    const before = (await filingRepositoryFromEnv().get(filing.filingId))!;
    const body = decision === 'ACCEPT' ? { decision, note } : { decision, reasonCode: 'DATA_MISMATCH', note };
    const response = await send('decideIntakeReview', { token: clerkToken, path: { filingId: filing.filingId }, body });
    expect(outcome(response)).toBe('422 INVALID_BODY');
    expect(json(response).errors).toEqual([expect.objectContaining({ path: 'note', code: 'PERSONAL_DATA_IN_TEXT' })]);
    expect(response.body).not.toContain('杰');
    expect(await filingRepositoryFromEnv().get(filing.filingId)).toEqual(before);
    expect((await signalsOn()).filter((s) => s.evidence.filingIds?.includes(filing.filingId))).toEqual([]);
    // A note naming nobody decides as before.
    expect(outcome(await send('decideIntakeReview', { token: clerkToken, path: { filingId: filing.filingId }, body: { decision, ...(decision === 'REFUSE' ? { reasonCode: 'DATA_MISMATCH' } : {}), note: '经核对，杰出材料' } }))).toBe('200 OK');
  });

  it("answers another district's held filing 404 like a missing one, and leaves it held", async () => {
    const channel = await bankChannel();
    const filing = await heldFiling(channel, DISTRICTS.other);
    expect(outcome(await send('decideIntakeReview', { token: clerkToken, path: { filingId: filing.filingId }, body: { decision: 'ACCEPT' } }))).toBe('404 FILING_NOT_FOUND');
    expect((await filingRepositoryFromEnv().get(filing.filingId))?.status).toBe('INTAKE_REVIEW');
  });
});

describe('credit rules', () => {
  const { version: _v, publishedAt: _at, publishedBy: _by, ...body } = BUILT_IN_CREDIT_RULES;

  it('publishes a version on top of the one read, refuses a stale base and rules that do not hold together', async () => {
    const published = await send('putCreditRules', { body: { ...body, restricted: { dailyQuota: 40, maxBatchSize: 10 }, baseVersion: 1, note: 'Tighter watch quota' } });
    expect(published.statusCode).toBe(200);
    expect(creditRulesSchema.parse(json(published))).toMatchObject({ version: 2, publishedBy: `staff:${world.account('CREDIT_OFFICER').staffId}`, restricted: { dailyQuota: 40, maxBatchSize: 10 } });
    const stale = await send('putCreditRules', { body: { ...body, baseVersion: 1 } });
    expect(outcome(stale)).toBe('409 CREDIT_RULES_VERSION_CONFLICT');
    const invalid = await send('putCreditRules', { body: { ...body, thresholds: { watchBelow: 50, shutOffBelow: 60, probationShutOffBelow: 70 }, baseVersion: 2 } });
    expect(outcome(invalid)).toBe('422 CREDIT_RULES_INVALID');
    expect((json(invalid).errors as { path: string }[]).map((e) => e.path)).toContain('thresholds');
    expect(invalid.headers?.['content-type']).toBe('application/problem+json');
    const view = creditRulesViewSchema.parse(json(await send('getCreditRules')));
    expect(view.current.version).toBe(2);
    expect(view.history.map((r) => r.version)).toEqual([2, 1]);
    expect((await storedRules().current()).version).toBe(2);
  });
});

describe('bad input on every endpoint: problem+json, nothing changed', () => {
  let channel: Channel;
  let caseNo: string;
  let rectificationId: string;
  let eventId: string;
  let held: FilingRecord;

  beforeAll(async () => {
    ({ channel, caseNo, rectificationId } = await caseWithReport());
    eventId = (await seedEvent(channel, 'bad-input-refusal', -2)).eventId;
    await seedAppeal(channel, eventId);
    held = await heldFiling(channel);
  });

  /** What the endpoints could change: the channel's credit, its case, its appeal, the rules, the held filing. */
  async function snapshot() {
    const store = credit();
    return JSON.stringify({
      state: await store.getState(channel.channelId),
      events: await store.listEvents(channel.channelId, '1970-01-01T00:00:00.000Z'),
      creditCase: await store.getCase(caseNo),
      appeal: await store.getAppeal(channel.channelId, eventId),
      cases: (await store.listCases({ limit: 100 })).items.map((c) => `${c.caseNo}:${c.version}`),
      rules: (await storedRules().history()).map((r) => r.version),
      filing: await filingRepositoryFromEnv().get(held.filingId),
      standing: (await channelDirectoryFromEnv().get(channel.channelId))?.standing,
    });
  }

  const phone = '请联系13912345678';
  const rows: readonly (readonly [string, Endpoint, () => Omit<StaffRequest, 'token'> & { token?: string }, string])[] = [
    ['an unknown grade', 'listCreditChannels', () => ({ query: { grade: 'EXCELLENT' } }), '400 INVALID_QUERY'],
    ['a limit out of range', 'listCreditChannels', () => ({ query: { limit: '0' } }), '400 INVALID_QUERY'],
    ['a forged cursor', 'listCreditChannels', () => ({ query: { cursor: 'bm90LWEtY3Vyc29y' } }), '400 CURSOR_INVALID'],
    ['a channel id of the wrong shape', 'getCreditChannel', () => ({ path: { channelId: '../etc' } }), '404 CHANNEL_NOT_FOUND'],
    ['a channel that does not exist', 'getCreditChannel', () => ({ path: { channelId: 'ch-nobody' } }), '404 CHANNEL_NOT_FOUND'],
    ['zero points', 'postCreditViolation', () => ({ path: { channelId: channel.channelId }, body: { points: 0, reason: 'x', evidence: {} } }), '422 INVALID_BODY'],
    ['points beyond the rules', 'postCreditViolation', () => ({ path: { channelId: channel.channelId }, body: { points: -51, reason: 'x', evidence: {} } }), '422 INVALID_BODY'],
    ['a reason with a phone number', 'postCreditViolation', () => ({ path: { channelId: channel.channelId }, body: { points: -1, reason: phone, evidence: {} } }), '422 INVALID_BODY'],
    ['an extra field', 'postCreditViolation', () => ({ path: { channelId: channel.channelId }, body: { points: -1, reason: 'x', evidence: {}, staffId: 'someone' } }), '422 INVALID_BODY'],
    ['malformed JSON', 'postCreditViolation', () => ({ path: { channelId: channel.channelId }, body: '{"points":' }), '400 MALFORMED_JSON'],
    ['an unknown channel', 'postCreditViolation', () => ({ path: { channelId: 'ch-nobody' }, body: { points: -1, reason: 'x', evidence: {} } }), '404 CHANNEL_NOT_FOUND'],
    ['a channel scope without a channel', 'postShutoff', () => ({ body: { scope: 'CHANNEL', reason: 'x', evidence: {} } }), '422 INVALID_BODY'],
    ['an empty reason', 'postShutoff', () => ({ body: { scope: 'CHANNEL', channelId: channel.channelId, reason: '  ', evidence: {} } }), '422 INVALID_BODY'],
    ['evidence naming no filing', 'postShutoff', () => ({ body: { scope: 'CHANNEL', channelId: channel.channelId, reason: 'x', evidence: { filingIds: ['not-a-filing'] } } }), '422 INVALID_BODY'],
    ['an unknown institution', 'postShutoff', () => ({ body: { scope: 'INSTITUTION', institutionId: 'INST-NOBODY', reason: 'x', evidence: {} } }), '404 INSTITUTION_NOT_FOUND'],
    ['an unknown status', 'listCreditCases', () => ({ query: { status: 'PENDING' } }), '400 INVALID_QUERY'],
    ['a case number of the wrong shape', 'getCreditCase', () => ({ path: { caseNo: 'CS1' } }), '404 CASE_NOT_FOUND'],
    ['a case that does not exist', 'getCreditCase', () => ({ path: { caseNo: 'CS20260101FFFFFFFF' } }), '404 CASE_NOT_FOUND'],
    ['a report id of the wrong shape', 'decideRectification', () => ({ path: { caseNo, rectificationId: 'RC1' }, body: { decision: 'ACCEPT', reasons: 'x' } }), '404 RECTIFICATION_NOT_FOUND'],
    ['a report not in the case', 'decideRectification', () => ({ path: { caseNo, rectificationId: 'RCFFFFFFFFFFFFFFFF' }, body: { decision: 'ACCEPT', reasons: 'x' } }), '404 RECTIFICATION_NOT_FOUND'],
    ['a decision that is no decision', 'decideRectification', () => ({ path: { caseNo, rectificationId }, body: { decision: 'MAYBE', reasons: 'x' } }), '422 INVALID_BODY'],
    ['reasons with an ID number', 'decideRectification', () => ({ path: { caseNo, rectificationId }, body: { decision: 'ACCEPT', reasons: '经办人370102199001011231' } }), '422 INVALID_BODY'],
    ['no reason', 'reopenCase', () => ({ path: { caseNo }, body: {} }), '422 INVALID_BODY'],
    ['a body that is not JSON', 'reopenCase', () => ({ path: { caseNo }, body: 'reason' }), '400 MALFORMED_JSON'],
    ['an unknown status', 'listCreditAppeals', () => ({ query: { status: 'OPEN' } }), '400 INVALID_QUERY'],
    ['an event id of the wrong shape', 'decideCreditAppeal', () => ({ path: { channelId: channel.channelId, eventId: 'CE1' }, body: { decision: 'UPHOLD', reason: 'x' } }), '404 APPEAL_NOT_FOUND'],
    ['an event without an appeal', 'decideCreditAppeal', () => ({ path: { channelId: channel.channelId, eventId: 'CEFFFFFFFFFFFFFFFFFFFFFFFF' }, body: { decision: 'UPHOLD', reason: 'x' } }), '404 APPEAL_NOT_FOUND'],
    ['a decision that is no decision', 'decideCreditAppeal', () => ({ path: { channelId: channel.channelId, eventId }, body: { decision: 'CANCEL', reason: 'x' } }), '422 INVALID_BODY'],
    ['rules without points', 'putCreditRules', () => ({ body: { baseVersion: 2, startScore: 100 } }), '422 INVALID_BODY'],
    ['a threshold out of bounds', 'putCreditRules', () => ({ body: { ...rulesBody, thresholds: { ...rulesBody.thresholds, watchBelow: 5000 }, baseVersion: 2 } }), '422 INVALID_BODY'],
    ['a refusal without a reason code', 'decideIntakeReview', () => ({ token: clerkToken, path: { filingId: held.filingId }, body: { decision: 'REFUSE' } }), '422 INVALID_BODY'],
    ['OTHER without a note', 'decideIntakeReview', () => ({ token: clerkToken, path: { filingId: held.filingId }, body: { decision: 'REFUSE', reasonCode: 'OTHER' } }), '422 INVALID_BODY'],
    ['a note with a phone number', 'decideIntakeReview', () => ({ token: clerkToken, path: { filingId: held.filingId }, body: { decision: 'ACCEPT', note: phone } }), '422 INVALID_BODY'],
    ['a review refusal code', 'decideIntakeReview', () => ({ token: clerkToken, path: { filingId: held.filingId }, body: { decision: 'REFUSE', reasonCode: 'MORTGAGEE_MISMATCH' } }), '422 INVALID_BODY'],
    ['a filing id of the wrong shape', 'decideIntakeReview', () => ({ token: clerkToken, path: { filingId: 'F1' }, body: { decision: 'ACCEPT' } }), '404 FILING_NOT_FOUND'],
  ];

  const cases = rows.map(([name, endpoint, request, expected]) => ({ name, endpoint, request, expected }));
  it.each(cases)('$name ($endpoint) → $expected', async ({ endpoint, request, expected }) => {
    const before = await snapshot();
    const response = await send(endpoint, request());
    expect(outcome(response)).toBe(expected);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
    expect(response.body).not.toContain('13912345678');
    expect(response.body).not.toContain('370102199001011231');
    expect(await snapshot()).toBe(before);
  });
});

const { version: _rv, publishedAt: _rat, publishedBy: _rby, ...rulesBody } = BUILT_IN_CREDIT_RULES;
