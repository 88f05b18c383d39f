/**
 * Credit monitoring and channel shutoff end to end over real HTTP on the local runtime (issue 9, "How it
 * will be checked"; DESIGN.md §4; 002 三(一)6: 对登记不规范或存在失信行为的应关闭端口，整改合格后予以开放):
 *
 * 1. the bank's second branch channel files irregular filings — a seized unit, another bank's mortgage,
 *    districts it was not granted — and its score falls by the points of the rules read from
 *    `GET /v1/staff/credit/rules`, to WATCH: batches over the size limit are refused 429 QUOTA_EXCEEDED and a
 *    valid filing is held in INTAKE_REVIEW, never auto-accepted; the same batch sent five times counts once;
 * 2. more of them, and it is SHUT_OFF: 403 CHANNEL_SHUT_OFF with the case number, while its earlier accepted
 *    filing still reaches a certificate and the bank's other branch still files;
 * 3. a credit officer shuts another institution off by hand;
 * 4. the branch's rectification report, accepted, reopens it on PROBATION;
 * 5. an appeal reversed restores the event's points;
 * 6. each step is in the audit table and in the institutions' webhook feeds (signed credit notices, no
 *    personal data); staff of every other role are refused every officer's action (403) and change nothing.
 *
 * One runtime for the file; every wait is bounded.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditQueueSettled } from '../support/audit-records';
import { ZhitongClient } from '../../client/zt-client';
import { isCreditNotice, verifyWebhook, type ZhitongCreditNotice } from '../../client/zt-webhook';
import { pointsOf, type CreditRules, type LedgerKind, type SignalKind } from '../../functions/core/domain/credit';
import { STAFF_ROLES } from '../../functions/core/domain/staff';
import { tableEnvVar } from '../../infra/topology';
import { DEMO_BANK_BRANCH, demoRegister, OTHER_BANK_ID, type DemoUnit } from '../../infra/local/seed/demo-data';
import { firstRegistrationFiling, mortgageChangeFiling, mortgageCreateFiling } from '../../infra/local/seed/demo-filings';
import { DEMO_PROJECT, demoProjectUnits } from '../../infra/local/seed/demo-projects';
import type { DemoCredentials } from '../../infra/local/seed/seed';
import { startDemoRuntime, type DemoRuntime } from '../support/demo-runtime';
import { isWaitingOnPlatform } from '../support/statuses';
import { eventually } from '../support/eventually';

// ---------------------------------------------------------------------------------------------------
// The runtime, the channels, the officer and the webhook receiver

let demo: DemoRuntime;
let credentials: DemoCredentials;
let rules: CreditRules;
let receiver: Server | undefined;
/** Verified credit notices by event id; deliveries that did not verify. */
const notices = new Map<string, ZhitongCreditNotice>();
const rawBodies: string[] = [];
const rejected: string[] = [];

type Channel = DemoCredentials['channels'][number];
const channelById = (channelId: string): Channel => credentials.channels.find((c) => c.channelId === channelId)!;
const clientOf = (channel: Channel) => new ZhitongClient({ baseUrl: demo.runtime.url, channelId: channel.channelId, privateKeyHex: channel.privateKey });

let branch: Channel;
let firstBranch: Channel;
let developer: Channel;
let agency: Channel;

beforeAll(async () => {
  demo = await startDemoRuntime('credit');
  credentials = demo.credentials;
  branch = channelById(DEMO_BANK_BRANCH.channelId);
  firstBranch = credentials.channels.find((c) => c.institutionType === 'BANK' && c.channelId !== branch.channelId)!;
  developer = credentials.channels.find((c) => c.institutionType === 'DEVELOPER')!;
  agency = credentials.channels.find((c) => c.institutionType === 'AGENCY')!;
}, 120_000);

afterAll(async () => {
  if (receiver) {
    receiver.closeAllConnections();
    await new Promise<void>((resolve) => receiver!.close(() => resolve()));
  }
  await demo?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it answers something other than undefined, for at most `timeoutMs`. */
const tokens = new Map<string, string>();
async function staffToken(username: string): Promise<string> {
  const cached = tokens.get(username);
  if (cached) return cached;
  const account = credentials.staff?.find((s) => s.username === username);
  if (!account) throw new Error(`No demo staff account ${username}`);
  const response = await fetch(`${demo.runtime.url}/v1/staff/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: account.username, password: account.password }) });
  expect(response.status).toBe(200);
  const { accessToken } = (await response.json()) as { accessToken: string };
  tokens.set(username, accessToken);
  return accessToken;
}

const OFFICER = 'credit_officer.370102';

/** A valid draft of the rules in force (what an officer would PUT), unchanged. */
const draftOf = ({ version, publishedAt: _at, publishedBy: _by, note: _note, ...body }: CreditRules) => ({ ...body, baseVersion: version });

async function staff(username: string, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${demo.runtime.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${await staffToken(username)}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

// ---------------------------------------------------------------------------------------------------
// The channel's credit, as the institution reads it

interface LedgerEventView {
  eventId: string;
  kind: LedgerKind;
  points: number;
  at: string;
  source: { type: 'AUTOMATIC'; rule: string; rulesVersion: number } | { type: 'OFFICER'; reason: string };
  evidence: { filingIds?: string[]; batchId?: string; indexes?: number[] };
  reasonCode?: string;
  cancels?: string;
  appeal?: { status: string };
}
interface CaseView {
  caseNo: string;
  scope: 'CHANNEL' | 'INSTITUTION';
  status: string;
  reason: string;
  rectifications: { rectificationId: string; status: string }[];
}
interface ChannelCredit {
  channel: { channelId: string; branchName?: string; score: number; grade: string; probationUntil?: string; openCase?: CaseView };
  institution: { institutionId: string; score: number; grade: string; openCase?: CaseView; channels: { channelId: string; score: number; grade: string }[] };
  rules: { version: number; watchBelow: number; shutOffBelow: number };
  quota?: { dailyQuota: number; usedToday: number; maxBatchSize: number };
  ledger: LedgerEventView[];
  appeals: { eventId: string; status: string }[];
}

async function creditOf(channel: Channel): Promise<ChannelCredit> {
  const answer = await clientOf(channel).request('GET', '/v1/channel/credit');
  expect(answer.status, `GET /v1/channel/credit as ${channel.channelId}`).toBe(200);
  return answer.body as ChannelCredit;
}

/** Waits until the channel's ledger holds at least `events` events (the credit worker runs off the queue). */
const ledgerOf = (channel: Channel, events: number, also: (c: ChannelCredit) => boolean = () => true) =>
  eventually(`${events} ledger events of ${channel.channelId}`, async () => {
    const credit = await creditOf(channel);
    return credit.ledger.length >= events && also(credit) ? credit : undefined;
  });

/** The score the rules give the ledger: start score plus every event's points, reversals cancelling their event. */
function expectedScore(ledger: readonly LedgerEventView[]): number {
  const cancelled = new Set(ledger.filter((e) => e.kind === 'REVERSAL' && e.cancels).map((e) => e.cancels!));
  const sum = ledger.filter((e) => e.kind !== 'REVERSAL' && !cancelled.has(e.eventId)).reduce((total, e) => total + e.points, 0);
  return Math.max(0, Math.min(rules.startScore, rules.startScore + sum));
}

const gradeOf = (score: number) => (score < rules.thresholds.shutOffBelow ? 'SHUT_OFF' : score < rules.thresholds.watchBelow ? 'WATCH' : 'NORMAL');

/** Every automatic event carries the points its rule gives it, under the rules in force. */
function expectPointsPerRules(ledger: readonly LedgerEventView[]): void {
  for (const event of ledger) {
    if (event.source.type !== 'AUTOMATIC' || event.kind === 'REOPENED') continue;
    expect(event.source.rulesVersion, event.eventId).toBe(rules.version);
    expect(event.points, `${event.kind} ${event.reasonCode ?? ''}`).toBe(pointsOf(rules, event.kind as SignalKind, event.reasonCode));
  }
}

// ---------------------------------------------------------------------------------------------------
// Filings: units of the demo register in the branch's district

interface Item {
  index: number;
  filingId?: string;
  status: string;
  errors?: { code: string }[];
}

const unitsOf = (district: string, filter: (u: DemoUnit) => boolean) => demoRegister().filter((u) => u.district === district && filter(u));
// From the middle of the register: other e2e files share none of this runtime, but keep clear of the demo plans' habits.
const free = unitsOf('370103', (u) => !u.seized && u.mortgages.length === 0 && u.owners.length === 1).slice(200);
const freeElsewhere = unitsOf('370102', (u) => !u.seized && u.mortgages.length === 0 && u.owners.length === 1).slice(200);
const seized = unitsOf('370103', (u) => u.seized && u.mortgages.length === 0)[0]!;
const othersMortgage = unitsOf('370103', (u) => !u.seized && u.mortgages.some((m) => m.holderInstitutionId === OTHER_BANK_ID))[0]!;

let refs = 0;
const ref = (kind: string) => `CR-${kind}-${String(++refs).padStart(3, '0')}`;
const mortgage = (unit: DemoUnit) => mortgageCreateFiling({ clientRef: ref('M'), unitCode: unit.unitCode, mortgagors: unit.owners });
/** A filing in a district the branch was not granted (submit-time out of scope: DISTRICT_NOT_PERMITTED). */
let elsewhere = 0;
const undeclaredDistrict = () => mortgage(freeElsewhere[elsewhere++]!);
let fresh = 0;
const freeUnit = () => free[fresh++]!;

async function submit(channel: Channel, filings: readonly Record<string, unknown>[], idempotencyKey?: string) {
  return clientOf(channel).request('POST', '/v1/batches', { filings }, idempotencyKey ? { idempotencyKey } : {});
}

async function awaitIntake(channel: Channel, batchId: string): Promise<Item[]> {
  return eventually(`intake of ${batchId}`, async () => {
    const items = ((await clientOf(channel).request('GET', `/v1/batches/${batchId}`)).body as { items: Item[] }).items;
    return items.some((i) => isWaitingOnPlatform(i.status)) ? undefined : items;
  });
}

/** The audit records of a tenant (an institution, or a staff member's district for staff calls). */
async function scanAudit(tenant: string): Promise<{ action: string; outcome: string; target?: string }[]> {
  // Records are queued before the runtime's appender puts them in the log.
  await auditQueueSettled();
  const client = new DynamoDBClient({});
  const found: { action: string; outcome: string; target?: string }[] = [];
  for await (const page of paginateScan({ client }, { TableName: process.env[tableEnvVar('audit')]! })) {
    for (const item of page.Items ?? []) {
      if (item.pk?.S !== `LOG#${tenant}` || item.sk?.S?.startsWith('E#') !== true) continue;
      found.push({ action: item.action?.S ?? '', outcome: item.outcome?.S ?? '', ...(item.target?.S ? { target: item.target.S } : {}) });
    }
  }
  return found;
}

const changesOf = (channelId: string) => [...notices.values()].filter((n) => n.channelId === channelId).map((n) => n.change);

// ---------------------------------------------------------------------------------------------------

describe('credit monitoring and channel shutoff, over HTTP on the local runtime', () => {
  let accepted: string;
  let held: string;
  let caseNo: string;

  it('the officer reads the rules in force; every channel registers a webhook to a receiver that verifies each delivery', async () => {
    const read = await staff(OFFICER, 'GET', '/v1/staff/credit/rules');
    expect(read.status).toBe(200);
    rules = (read.body as { current: CreditRules }).current;
    expect(rules.version).toBeGreaterThanOrEqual(1);
    // The arithmetic below files on these rules: a run of out-of-scope items takes the branch through WATCH to SHUT_OFF.
    expect(rules.points.OUT_OF_SCOPE).toBeLessThan(0);

    const view = await clientOf(branch).request('GET', '/v1/channel/webhook');
    const publicKey = (view.body as { platformPublicKey: string }).platformPublicKey;
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks);
        const result = verifyWebhook({ headers: request.headers, body, platformPublicKeyHex: publicKey });
        if (!result.ok) {
          rejected.push(result.reason);
          response.writeHead(401).end();
          return;
        }
        if (isCreditNotice(result.event)) {
          notices.set(result.event.eventId, result.event);
          rawBodies.push(body.toString('utf8'));
        }
        response.writeHead(204).end();
      });
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/zhitong/events`;
    for (const channel of credentials.channels) expect((await clientOf(channel).request('PUT', '/v1/channel/webhook', { url })).status, channel.channelId).toBe(200);
  });

  it('staff of every other role are refused every officer action (403), and nothing changes', async () => {
    const others = STAFF_ROLES.filter((role) => role !== 'CREDIT_OFFICER');
    expect(others.length).toBeGreaterThan(0);
    for (const role of others) {
      const who = `${role.toLowerCase()}.370102`;
      const attempts = [
        await staff(who, 'POST', '/v1/staff/credit/shutoffs', { scope: 'CHANNEL', channelId: agency.channelId, reason: '越权尝试', evidence: {} }),
        await staff(who, 'POST', `/v1/staff/credit/channels/${agency.channelId}/violations`, { points: -10, reason: '越权尝试', evidence: {} }),
        await staff(who, 'POST', '/v1/staff/credit/cases/CS20260101AAAAAAAA/reopening', { reason: '越权尝试' }),
        await staff(who, 'PUT', '/v1/staff/credit/rules', draftOf(rules)),
      ];
      for (const attempt of attempts) expect(attempt.status, role).toBe(403);
    }
    // Reading the rules is for officers, auditors and administrators; clerks are refused that too.
    expect((await staff('clerk.370102', 'GET', '/v1/staff/credit/rules')).status).toBe(403);
    const credit = await creditOf(agency);
    expect(credit.channel).toMatchObject({ grade: 'NORMAL', score: rules.startScore });
    expect(credit.ledger).toEqual([]);
  });

  it('irregular filings lower the branch score by the rules to WATCH; the same batch sent five times counts once', async () => {
    // Prepare: one filing intake accepts, and irregular ones of every kind.
    const filings = [mortgage(freeUnit()), mortgage(seized), mortgageChangeFiling({ clientRef: ref('C'), unitCode: othersMortgage.unitCode, mortgageId: othersMortgage.mortgages[0]!.mortgageId, mortgagors: othersMortgage.owners, amount: '1500000.00' })];
    // Enough undeclared-district items to fall below the watch threshold, not below the shutoff one.
    const drop = rules.startScore - rules.thresholds.watchBelow + 1;
    const outOfScope = Math.ceil(drop / -rules.points.OUT_OF_SCOPE);
    for (let i = 0; i < outOfScope; i += 1) filings.push(undeclaredDistrict());
    // Act: the same request five times (a client retrying).
    const answers = [];
    for (let i = 0; i < 5; i += 1) answers.push(await submit(branch, filings, 'credit-e2e-normal-1'));
    // Assess: one batch; its items as intake and the submit-time checks decide.
    for (const answer of answers) expect(answer.status).toBe(202);
    const { batchId, items } = answers[0]!.body as { batchId: string; items: Item[] };
    expect(new Set(answers.map((a) => (a.body as { batchId: string }).batchId))).toEqual(new Set([batchId]));
    expect(items.slice(3).map((i) => i.errors?.[0]?.code)).toEqual(Array.from({ length: outOfScope }, () => 'DISTRICT_NOT_PERMITTED'));
    const decided = await awaitIntake(branch, batchId);
    expect(decided.slice(0, 3).map((i) => i.status)).toEqual(['READY_FOR_REVIEW', 'REFUSED', 'REFUSED']);
    accepted = decided[0]!.filingId!;

    // Every irregularity is one ledger event, once, with the rules' points; score and grade follow.
    const credit = await ledgerOf(branch, 2 + outOfScope);
    await sleep(1_000);
    const settled = await creditOf(branch);
    expect(settled.ledger).toHaveLength(2 + outOfScope);
    expect(settled.ledger.filter((e) => e.evidence.batchId === batchId)).toHaveLength(outOfScope);
    expect(settled.ledger.map((e) => e.kind).sort()).toEqual(expect.arrayContaining(['INTAKE_REFUSED', 'OUT_OF_SCOPE']));
    expect(settled.ledger.some((e) => e.reasonCode === 'UNIT_SEIZED')).toBe(true);
    expect(settled.ledger.some((e) => e.reasonCode === 'MORTGAGE_NOT_HELD')).toBe(true);
    expectPointsPerRules(settled.ledger);
    expect(settled.channel.score).toBe(expectedScore(settled.ledger));
    expect(settled.channel.score).toBeLessThan(rules.thresholds.watchBelow);
    expect(settled.channel.grade).toBe(gradeOf(settled.channel.score));
    expect(settled.channel.grade).toBe('WATCH');
    expect(settled.quota).toMatchObject({ dailyQuota: rules.restricted.dailyQuota, maxBatchSize: rules.restricted.maxBatchSize });
    expect(credit.channel.branchName).toBe(branch.branchName);
    // The bank's other branch is scored apart.
    expect((await creditOf(firstBranch)).channel).toMatchObject({ grade: 'NORMAL', score: rules.startScore });
  }, 90_000);

  it('on WATCH: a batch over the size limit is refused 429 QUOTA_EXCEEDED and stores nothing; a valid filing is held in INTAKE_REVIEW, not accepted', async () => {
    const tooMany = Array.from({ length: rules.restricted.maxBatchSize + 1 }, () => mortgage(freeUnit()));
    const refused = await submit(branch, tooMany);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ code: 'QUOTA_EXCEEDED', quota: { maxBatchSize: rules.restricted.maxBatchSize, dailyQuota: rules.restricted.dailyQuota } });

    const filed = await submit(branch, [mortgage(freeUnit())]);
    expect(filed.status).toBe(202);
    const [item] = await eventually('the held filing', async () => {
      const items = ((await clientOf(branch).request('GET', `/v1/batches/${(filed.body as { batchId: string }).batchId}`)).body as { items: Item[] }).items;
      return items[0]!.status === 'SUBMITTED' ? undefined : items;
    });
    expect(item!.status).toBe('INTAKE_REVIEW');
    held = item!.filingId!;
    // A refused batch consumed nothing of the daily quota (the held filing counts, and at most the first batch's items).
    const used = (await creditOf(branch)).quota!.usedToday;
    expect(used).toBeGreaterThanOrEqual(1);
    expect(used).toBeLessThan(rules.restricted.maxBatchSize + 1);
  }, 60_000);

  it('more out-of-scope attempts shut the branch off: 403 CHANNEL_SHUT_OFF with the case number; reads stay open', async () => {
    const before = await creditOf(branch);
    const needed = Math.floor((before.channel.score - rules.thresholds.shutOffBelow) / -rules.points.OUT_OF_SCOPE) + 1;
    expect(needed).toBeLessThanOrEqual(rules.restricted.maxBatchSize);
    const answer = await submit(branch, Array.from({ length: needed }, undeclaredDistrict));
    expect(answer.status).toBe(202);

    const shut = await ledgerOf(branch, before.ledger.length + needed, (c) => c.channel.grade === 'SHUT_OFF');
    expect(shut.channel.score).toBe(expectedScore(shut.ledger));
    expect(shut.channel.score).toBeLessThan(rules.thresholds.shutOffBelow);
    expect(shut.channel.openCase).toMatchObject({ scope: 'CHANNEL', status: 'OPEN', reason: 'SCORE_BELOW_THRESHOLD' });
    caseNo = shut.channel.openCase!.caseNo;
    expect(caseNo).toMatch(/^CS\d{8}[0-9A-F]{8}$/);

    const refused = await submit(branch, [mortgage(freeUnit())]);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'CHANNEL_SHUT_OFF', caseNo, scope: 'CHANNEL' });
    expect((refused.body as { detail: string }).detail).toContain('/v1/channel/rectifications');
    // Reads stay open: its filings, and the held one is still waiting for a person, not accepted.
    const view = await clientOf(branch).request('GET', `/v1/filings/${held}`);
    expect(view.status).toBe(200);
    expect((view.body as { status: string }).status).toBe('INTAKE_REVIEW');
  }, 60_000);

  it('while the branch is shut off, its earlier accepted filing still reaches a certificate, and the bank’s other branch still files', async () => {
    const approved = await staff('reviewer.370103', 'POST', `/v1/staff/filings/${accepted}/review`, { decision: 'APPROVE' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ filingId: accepted, status: 'CERTIFIED' });
    const certificate = await clientOf(branch).request('GET', `/v1/filings/${accepted}/certificate`);
    expect(certificate.status).toBe(200);

    const other = await submit(firstBranch, [mortgage(freeUnit())]);
    expect(other.status).toBe(202);
    const [item] = await awaitIntake(firstBranch, (other.body as { batchId: string }).batchId);
    expect(item!.status).toBe('READY_FOR_REVIEW');
    // The institution sees both branches, and its worst grade.
    const institution = (await creditOf(firstBranch)).institution;
    expect(institution.channels.map((c) => c.channelId).sort()).toEqual([branch.channelId, firstBranch.channelId].sort());
    expect(institution.grade).toBe('SHUT_OFF');
  }, 60_000);

  it("a credit officer shuts another institution off by hand: every channel of it is refused with the institution's case", async () => {
    const body = { scope: 'INSTITUTION', institutionId: developer.institutionId, reason: '开发企业预售资料不实，关闭端口待核查', evidence: { note: '核查通知书 2026-017' } };
    const opened = await staff(OFFICER, 'POST', '/v1/staff/credit/shutoffs', body);
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({ scope: 'INSTITUTION', status: 'OPEN', reason: 'OFFICER_DECISION' });
    const developerCase = opened.body.caseNo as string;
    // The same request again is the same case; another shutoff of the institution is refused with it.
    const same = await staff(OFFICER, 'POST', '/v1/staff/credit/shutoffs', body);
    expect(same.body.caseNo).toBe(developerCase);
    const another = await staff(OFFICER, 'POST', '/v1/staff/credit/shutoffs', { ...body, reason: '再次关闭' });
    expect(another.status).toBe(409);
    expect(another.body).toMatchObject({ code: 'ALREADY_SHUT_OFF', caseNo: developerCase });
    const surveyed = demoProjectUnits().find((u) => u.status === 'SURVEYED' && !u.presaleBuyers)!;
    const refused = await submit(developer, [firstRegistrationFiling({ clientRef: ref('D'), unitCode: surveyed.unitCode, projectId: DEMO_PROJECT.projectId })]);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'CHANNEL_SHUT_OFF', caseNo: developerCase, scope: 'INSTITUTION' });
    // The agency, untouched, still files.
    expect((await creditOf(agency)).channel.grade).toBe('NORMAL');
  });

  it('the branch’s rectification report, accepted by the officer, reopens it on PROBATION at the rules’ reopening score', async () => {
    const report = await clientOf(branch).request(
      'POST',
      '/v1/channel/rectifications',
      { caseNo, whatWasWrong: '支行经办人员未核验抵押权人与辖区授权。', whatChanged: '已上线提交前校验并完成培训。', attachments: [{ name: '整改报告.pdf', sm3: 'a'.repeat(64) }] },
      { idempotencyKey: 'credit-e2e-rectification' },
    );
    expect(report.status).toBe(201);
    expect(report.body).toMatchObject({ caseNo, status: 'SUBMITTED' });
    const rectificationId = (report.body as { rectificationId: string }).rectificationId;
    expect(rectificationId).toMatch(/^RC[0-9A-F]{16}$/i);
    // Still shut off while the report waits for the officer.
    expect((await submit(branch, [mortgage(freeUnit())])).status).toBe(403);

    const decided = await staff(OFFICER, 'POST', `/v1/staff/credit/cases/${caseNo}/rectifications/${rectificationId}/decision`, { decision: 'ACCEPT', reasons: '整改措施到位，同意重新开放。' });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ caseNo, status: 'CLOSED' });

    const reopened = await creditOf(branch);
    expect(reopened.channel.grade).toBe('PROBATION');
    expect(reopened.channel.openCase).toBeUndefined();
    expect(Date.parse(reopened.channel.probationUntil!)).toBeGreaterThan(Date.now());
    expect(reopened.channel.score).toBe(rules.probation.reopenScore);
    expect(reopened.ledger.some((e) => e.kind === 'REOPENED' && e.points > 0)).toBe(true);
    // It files again, under the restrictions: held for intake review.
    const filed = await submit(branch, [mortgage(freeUnit())]);
    expect(filed.status).toBe(202);
  }, 60_000);

  it('an appeal of one event, reversed by the officer, restores exactly its points', async () => {
    const before = await creditOf(branch);
    const appealed = before.ledger.find((e) => e.kind === 'OUT_OF_SCOPE')!;
    const appeal = await clientOf(branch).request('POST', `/v1/channel/credit/events/${appealed.eventId}/appeal`, { grounds: '该笔为系统测试数据误发，非真实业务。' }, { idempotencyKey: 'credit-e2e-appeal' });
    expect(appeal.status).toBe(201);
    expect(appeal.body).toMatchObject({ eventId: appealed.eventId, status: 'PENDING' });

    const decided = await staff(OFFICER, 'POST', `/v1/staff/credit/channels/${branch.channelId}/events/${appealed.eventId}/appeal/decision`, { decision: 'REVERSE', reason: '经核实确为测试数据。' });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ eventId: appealed.eventId, status: 'REVERSED', reversalEventId: expect.stringMatching(/^CE/) });

    const after = await creditOf(branch);
    expect(after.channel.score).toBe(Math.min(rules.startScore, before.channel.score - appealed.points));
    expect(after.ledger).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'REVERSAL', cancels: appealed.eventId, points: -appealed.points })]));
    expect(after.ledger.find((e) => e.eventId === appealed.eventId)?.appeal?.status).toBe('REVERSED');
  });

  it('every step is in the audit of the institutions concerned', async () => {
    const bank = new Set((await scanAudit(branch.institutionId)).map((a) => a.action));
    for (const action of ['CREDIT_EVENT_RECORDED', 'CREDIT_GRADE_CHANGED', 'CHANNEL_SHUT_OFF', 'RECTIFICATION_SUBMITTED', 'CHANNEL_REOPENED', 'CREDIT_APPEAL_SUBMITTED', 'CREDIT_APPEAL_REVERSED']) {
      expect(bank, action).toContain(action);
    }
    const developerAudit = await scanAudit(developer.institutionId);
    expect(developerAudit.map((a) => a.action)).toContain('CHANNEL_SHUT_OFF');
    // Staff calls are audited in the staff member's district: the officer's shutoffs, and the other roles' refused attempts.
    const calls = (await scanAudit('370102')).filter((a) => a.action === 'API_POST_SHUTOFF');
    expect(calls.map((c) => c.outcome)).toEqual(expect.arrayContaining(['SUCCESS', 'DENIED']));
  });

  it('and in the institutions’ webhook feeds: signed credit notices for every change, ids and numbers only', async () => {
    const wanted = ['LEDGER_EVENT', 'GRADE_CHANGED', 'CASE_OPENED', 'RECTIFICATION_RECEIVED', 'CASE_CLOSED', 'APPEAL_RECEIVED', 'APPEAL_REVERSED'];
    await eventually('the branch’s credit notices', async () => (wanted.every((c) => changesOf(branch.channelId).includes(c)) ? true : undefined));
    await eventually('the developer’s credit notice', async () => (changesOf(developer.channelId).includes('CASE_OPENED') ? true : undefined));
    expect(rejected).toEqual([]);
    const grades = [...notices.values()].filter((n) => n.channelId === branch.channelId && n.change === 'GRADE_CHANGED').map((n) => n.grade);
    expect(grades).toEqual(expect.arrayContaining(['WATCH', 'SHUT_OFF']));
    expect([...notices.values()].find((n) => n.channelId === branch.channelId && n.change === 'CASE_OPENED')).toMatchObject({ caseNo, grade: 'SHUT_OFF', institutionId: branch.institutionId });
    // No personal data: none of the names or ID numbers filed, no officer's or institution's free text.
    const filedPeople = [seized, othersMortgage, ...free.slice(0, fresh), ...freeElsewhere.slice(0, elsewhere)].flatMap((u) => u.owners.flatMap((o) => [o.name, o.idNumber]));
    for (const body of rawBodies) {
      for (const value of filedPeople) expect(body).not.toContain(value);
      expect(body).not.toMatch(/整改|核查|测试数据/);
    }
  }, 60_000);
});
