/**
 * Incidents (DESIGN.md §5; 003 第十八条) through the real handlers and the incident watch on the in-process
 * emulators (dynalite, local SQS), incidents seeded and read through the incident store adapter:
 * - staff open an incident of their district; the report deadline is detection + 1 hour; audited in `security`;
 * - the desk is idempotent on its dedupe key (also when opened concurrently);
 * - REPORT → END_HANDLING (result due + 6 hours) → REPORT_RESULT; out of order and repeated steps 409;
 *   two administrators racing on one step: one wins;
 * - lists and reads: own district and city-wide only; another district's incident 404, another district's list 403;
 * - the watch escalates an incident past its 1-hour deadline once (audit entry once, however often it runs),
 *   and a filled dead-letter queue opens exactly one SYSTEM_ANOMALY incident, however often the watch looks;
 * - hostile input on every endpoint answers problem+json and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PurgeQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context, ScheduledEvent } from 'aws-lambda';
import { auditRecordsOf } from '../support/audit-records';
import { incidentStoreFromEnv } from '../../functions/adapters/dynamodb/incident-store';
import { filingRepositoryFromEnv } from '../../functions/adapters/dynamodb/filing-repository';
import { vaultFromEnv } from '../../functions/adapters/keys/personal-data-vault';
import type { FilingRecord } from '../../functions/core/domain/filing';
import { reportDueOf, RESULT_DEADLINE_MINUTES } from '../../functions/core/domain/incident';
import { incidentDesk, type IncidentRecord } from '../../functions/core/use-cases/incidents';
import type { StaffEndpointName } from '../../functions/shared/http/staff-permissions';
import { incidentPorts } from '../../functions/shared/incident-deps';
import { deadLetterQueueEnvVar, queues, type QueueName } from '../../infra/topology';
import { incidentListSchema, incidentViewSchema } from '../../schemas/v1/incident';
import { staffRequest, type StaffRequest } from '../support/credit-staff-events';
import { lambdaContext } from '../support/fixtures';
import { DISTRICTS, startStaffWorld, type StaffWorld } from '../support/staff-world';

type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
type WatchHandler = (event: ScheduledEvent, context: Context) => Promise<{ escalated: number; deadLetterIncidents: string[] }>;

const ENDPOINTS = ['postIncident', 'listIncidents', 'getIncident', 'postIncidentAction'] as const satisfies readonly StaffEndpointName[];
type Endpoint = (typeof ENDPOINTS)[number];

let world: StaffWorld;
const handlers = new Map<Endpoint, ApiHandler>();
let watch: WatchHandler;
let adminToken: string;
let auditorToken: string;
let clerkToken: string;
let otherAdminToken: string;

const send = async (endpoint: Endpoint, request: Omit<StaffRequest, 'token'> & { token?: string } = {}) =>
  handlers.get(endpoint)!(staffRequest(endpoint, { token: adminToken, ...request }), lambdaContext(endpoint));
const json = (response: APIGatewayProxyResult) => JSON.parse(response.body) as Record<string, unknown>;
const outcome = (response: APIGatewayProxyResult) => `${response.statusCode} ${String(json(response).code ?? 'OK')}`;
const today = () => new Date().toISOString().slice(0, 10);
const scheduled = (): ScheduledEvent => ({ version: '0', id: 'watch', 'detail-type': 'Scheduled Event', source: 'aws.events', account: '000000000000', time: new Date().toISOString(), region: 'cn-north-1', resources: [], detail: {} });
const runWatch = () => watch(scheduled(), lambdaContext('incidentWatch'));

async function open(body: Record<string, unknown> = {}, token = clerkToken): Promise<IncidentRecord> {
  const response = await send('postIncident', { token, body: { type: 'SPECIAL_URGENT', severity: 'MEDIUM', summary: 'Counter queue blocked', ...body } });
  expect(outcome(response)).toBe('201 OK');
  return incidentViewSchema.parse(json(response)) as IncidentRecord;
}
const act = (incidentId: string, action: string, token = adminToken) => send('postIncidentAction', { token, path: { incidentId }, body: { action, note: `${action} done` } });

beforeAll(async () => {
  world = await startStaffWorld('zt-incidents');
  // The watch looks into every dead-letter queue of the topology (what the runtimes set on `watchesDeadLetters`).
  for (const name of Object.keys(queues) as QueueName[]) process.env[deadLetterQueueEnvVar(name)] = world.emulators.queueUrls[name].dlqUrl;
  const files: Record<Endpoint, string> = { postIncident: 'post-incident', listIncidents: 'list-incidents', getIncident: 'get-incident', postIncidentAction: 'post-incident-action' };
  for (const endpoint of ENDPOINTS) handlers.set(endpoint, (await import(`../../functions/handlers/${files[endpoint]}.ts`)).handler as ApiHandler);
  watch = (await import('../../functions/workers/incident-watch')).handler as unknown as WatchHandler;
  adminToken = await world.tokenFor(world.account('ADMIN'));
  auditorToken = await world.tokenFor(world.account('AUDITOR'));
  clerkToken = await world.tokenFor(world.account('CLERK'));
  otherAdminToken = await world.tokenFor(world.account('ADMIN', DISTRICTS.other));
});
afterAll(async () => world.stop());

describe('POST /v1/staff/incidents', () => {
  it('opens an incident of the caller district, report due 1 hour after detection, audited in the security log', async () => {
    // Prepare
    const detectedAt = new Date(Date.now() - 10 * 60_000).toISOString();
    // Act
    const incident = await open({ detectedAt, evidence: ['filing:F98331C3757F66A9C26A87E9B'] });
    // Assess
    expect(incident).toMatchObject({ district: DISTRICTS.own, status: 'OPEN', detectedAt, reportDueAt: reportDueOf(detectedAt), source: { kind: 'STAFF', staffId: world.account('CLERK').staffId }, version: 1 });
    expect(Date.parse(incident.reportDueAt) - Date.parse(detectedAt)).toBe(3_600_000);
    expect(await incidentStoreFromEnv().get(incident.incidentId)).toMatchObject({ incidentId: incident.incidentId, status: 'OPEN' });
    const entries = (await auditRecordsOf('security', today())).filter((e) => e.target === `incident:${incident.incidentId}`);
    expect(entries.map((e) => [e.action, e.retention])).toEqual([['INCIDENT_OPENED', 'INCIDENT']]);
    expect(entries[0]!.detail).not.toHaveProperty('summary');
  });

  it('refuses a detection time more than 30 days ago (422 DETECTED_AT_OUT_OF_RANGE); 29 days ago is taken', async () => {
    for (const detectedAt of ['1970-01-01T00:00:00.000Z', new Date(Date.now() - 31 * 86_400_000).toISOString()]) {
      const response = await send('postIncident', { token: clerkToken, body: { type: 'SPECIAL_URGENT', severity: 'MEDIUM', summary: 'Old one', detectedAt } });
      expect(outcome(response)).toBe('422 DETECTED_AT_OUT_OF_RANGE');
    }
    const recent = new Date(Date.now() - 29 * 86_400_000).toISOString();
    expect((await open({ detectedAt: recent })).detectedAt).toBe(recent);
  });

  it('keeps a CRITICAL incident 3 years (CORE_INCIDENT), and takes a detection time in the future as now', async () => {
    const incident = await open({ severity: 'CRITICAL', detectedAt: new Date(Date.now() + 86_400_000).toISOString() });
    expect(Date.parse(incident.detectedAt)).toBeLessThanOrEqual(Date.now());
    const [entry] = (await auditRecordsOf('security', today())).filter((e) => e.target === `incident:${incident.incidentId}`);
    expect(entry?.retention).toBe('CORE_INCIDENT');
  });

  it.each([
    ['an unknown type', { type: 'ALIENS', severity: 'LOW', summary: 'x' }, '422 INVALID_BODY'],
    ['a wrong type of summary', { type: 'OTHER', severity: 'LOW', summary: 42 }, '422 INVALID_BODY'],
    ['an unknown field (a district of its own choosing)', { type: 'OTHER', severity: 'LOW', summary: 'x', district: DISTRICTS.other }, '422 INVALID_BODY'],
    ['a summary carrying an ID number', { type: 'OTHER', severity: 'LOW', summary: '当事人身份证 11010519491231002X 遗失' }, '422 INVALID_BODY', 'PERSONAL_DATA_IN_TEXT'],
    ['a summary carrying a phone number', { type: 'OTHER', severity: 'LOW', summary: 'Call 13800138000' }, '422 INVALID_BODY', 'PERSONAL_DATA_IN_TEXT'],
    ['a summary too long', { type: 'OTHER', severity: 'LOW', summary: 'x'.repeat(2001) }, '422 INVALID_BODY'],
    ['too much evidence', { type: 'OTHER', severity: 'LOW', summary: 'x', evidence: Array.from({ length: 51 }, (_, i) => `filing:${i}`) }, '422 INVALID_BODY'],
    ['evidence that is not an id', { type: 'OTHER', severity: 'LOW', summary: 'x', evidence: ['张三 的房子'] }, '422 INVALID_BODY'],
    ['a body over the limit', JSON.stringify({ type: 'OTHER', severity: 'LOW', summary: 'x'.repeat(20_000) }), '413'],
    ['not JSON', '{"type":', '400'],
  ])('refuses %s', async (_what, body, expected, fieldCode?: string) => {
    const before = (await incidentStoreFromEnv().list({ statuses: ['OPEN'], limit: 100 })).items.length;
    const response = await send('postIncident', { token: clerkToken, body });
    expect(outcome(response)).toMatch(new RegExp(`^${expected}`));
    if (fieldCode !== undefined) expect(JSON.stringify(json(response).errors)).toContain(fieldCode);
    // The refused text is never echoed back.
    expect(response.body).not.toMatch(/11010519491231002X|13800138000/);
    expect(response.headers?.['Content-Type'] ?? response.headers?.['content-type']).toBe('application/problem+json');
    expect((await incidentStoreFromEnv().list({ statuses: ['OPEN'], limit: 100 })).items.length).toBe(before);
  });
});

/** The mortgagor on every filing put here, sealed as intake seals it. */
const PARTY = '周杰伦';
let filingCounter = 0;
/** A filing of `district` whose mortgagor is {@link PARTY}, as the repository keeps it. */
async function filingNaming(district: string = DISTRICTS.own): Promise<string> {
  filingCounter += 1;
  const filingId = `F1AC1${String(filingCounter).padStart(20, '0')}`;
  const vault = await vaultFromEnv();
  const at = new Date().toISOString();
  const filing: FilingRecord = {
    filingId,
    channelId: 'ch-bank-a',
    institutionId: 'INST-BANK-A',
    clientRef: `incident-${filingCounter}`,
    batchId: 'B-INCIDENT',
    businessType: 'MORTGAGE_CREATE',
    unitCode: `${district}001001GB00001F0001${String(3000 + filingCounter).padStart(4, '0')}`,
    district,
    content: {
      businessType: 'MORTGAGE_CREATE',
      mortgagors: [{ name: await vault.seal(district, 'name', PARTY, filingId), idType: 'RESIDENT_ID', idNumber: await vault.seal(district, 'idNumber', '370102198001011237', filingId), idIndex: 'bi:x' }],
      mortgagee: { name: '示例银行', uscc: '91370100MA3C8AXX1X' },
      mortgageType: 'GENERAL',
      amountFen: '100000000',
      termStart: '2026-01-01',
      termEnd: '2046-01-01',
    },
    materials: [],
    contentHash: 'ab'.repeat(32),
    status: 'READY_FOR_REVIEW',
    createdAt: at,
    updatedAt: at,
    history: [{ at, status: 'SUBMITTED', by: 'channel:ch-bank-a' }],
  };
  await filingRepositoryFromEnv().putIfAbsent(filing);
  return filingId;
}

describe('free text naming a person the incident concerns (F4)', () => {
  const openCount = async () => (await incidentStoreFromEnv().list({ statuses: ['OPEN'], limit: 100 })).items.length;

  it.each([
    ['a party of a filing in the evidence', async () => ({ summary: `${PARTY}的材料被外泄`, evidence: [`filing:${await filingNaming()}`] })],
    ['a party of a filing in the evidence, spaced', async () => ({ summary: '周 杰 伦的材料被外泄', evidence: [`filing:${await filingNaming()}`] })],
    ['a party of a filing in the evidence, full-width and zero-width', async () => ({ summary: '周\u3000杰\u200b伦的材料被外泄', evidence: ['audit:370102:1', `filing:${await filingNaming()}`] })],
    ['a staff member in the evidence', async () => ({ summary: '测试 REVIEWER 下载了材料', evidence: [`staff:${world.account('REVIEWER').staffId}`] })],
    ['the reporter', async () => ({ summary: '测试ｃｌｅｒｋ发现了异常' })],
  ])('a summary naming %s is refused: 422 PERSONAL_DATA_IN_TEXT on summary, not echoed, nothing stored or audited', async (_label, body) => {
    const before = await openCount();
    const auditBefore = (await auditRecordsOf('security', today())).length;
    const response = await send('postIncident', { token: clerkToken, body: { type: 'INFORMATION_LEAK', severity: 'HIGH', ...(await body()) } });
    expect(outcome(response)).toBe('422 INVALID_BODY');
    expect(json(response).errors).toEqual([expect.objectContaining({ path: 'summary', code: 'PERSONAL_DATA_IN_TEXT' })]);
    expect(response.body).not.toMatch(/杰|测试/);
    expect(await openCount()).toBe(before);
    expect((await auditRecordsOf('security', today())).length).toBe(auditBefore);
  });

  it('a summary naming nobody, with the same evidence, opens the incident as before', async () => {
    const evidence = [`filing:${await filingNaming()}`, `staff:${world.account('REVIEWER').staffId}`];
    const incident = await open({ type: 'INFORMATION_LEAK', severity: 'HIGH', summary: '抵押人材料被外泄，杰出的测试', evidence });
    expect(incident.evidence).toEqual(evidence);
  });

  it("another district's filing is not opened: naming its party is not refused, so the refusal tells nothing about it", async () => {
    const response = await send('postIncident', { token: clerkToken, body: { type: 'INFORMATION_LEAK', severity: 'HIGH', summary: `${PARTY}的材料`, evidence: [`filing:${await filingNaming(DISTRICTS.other)}`] } });
    expect(outcome(response)).toBe('201 OK');
  });

  it.each([
    ['a party of a filing in its evidence', '已通知周 杰 伦'],
    ['the staff member acting', '测试 ADMIN 已报告'],
    ['the reporter', '已与测试ＣＬＥＲＫ核实'],
  ])('a step note naming %s is refused: 422 PERSONAL_DATA_IN_TEXT on note, not echoed, the incident unchanged, nothing audited', async (_label, note) => {
    const incident = await open({ type: 'INFORMATION_LEAK', severity: 'HIGH', summary: '材料外泄', evidence: [`filing:${await filingNaming()}`] });
    const response = await send('postIncidentAction', { path: { incidentId: incident.incidentId }, body: { action: 'REPORT', note } });
    expect(outcome(response)).toBe('422 INVALID_BODY');
    expect(json(response).errors).toEqual([expect.objectContaining({ path: 'note', code: 'PERSONAL_DATA_IN_TEXT' })]);
    expect(response.body).not.toMatch(/杰|测试/);
    expect(await incidentStoreFromEnv().get(incident.incidentId)).toMatchObject({ status: 'OPEN', version: 1 });
    expect((await auditRecordsOf('security', today())).filter((e) => e.target === `incident:${incident.incidentId}`).map((e) => e.action)).toEqual(['INCIDENT_OPENED']);
    expect(outcome(await send('postIncidentAction', { path: { incidentId: incident.incidentId }, body: { action: 'REPORT', note: '已报告省局' } }))).toBe('200 OK');
  });
});

describe('the incident desk (misuse detector, alarms)', () => {
  it('opens once per dedupe key, also when opened concurrently, and audits once', async () => {
    // Prepare
    const desk = incidentDesk(await incidentPorts());
    const draft = {
      type: 'INFORMATION_LEAK' as const,
      severity: 'HIGH' as const,
      district: DISTRICTS.own,
      summary: 'Unmasking above threshold',
      source: { kind: 'MISUSE_DETECTOR' as const, alertId: 'AL-1', staffId: 'stf-x', rule: 'UNMASKINGS_PER_HOUR' },
      detectedAt: new Date().toISOString(),
      dedupeKey: 'AL-1',
    };
    // Act
    const opened = await Promise.all(Array.from({ length: 5 }, () => desk.open(draft)));
    const again = await desk.open({ ...draft, summary: 'changed' });
    // Assess
    expect(new Set(opened.map((i) => i.incidentId)).size).toBe(1);
    expect(again).toEqual(opened[0]);
    expect(again.summary).toBe('Unmasking above threshold');
    expect(again.reportDueAt).toBe(reportDueOf(draft.detectedAt));
    const entries = (await auditRecordsOf('security', today())).filter((e) => e.target === `incident:${again.incidentId}`);
    // The old audit adapter keeps a record with an id once; the Merkle log dedupes on the same id.
    expect(entries.map((e) => e.action)).toEqual(['INCIDENT_OPENED']);
  });
});

describe('POST /v1/staff/incidents/{incidentId}/actions', () => {
  it('REPORT, END_HANDLING (result due 6 hours later), REPORT_RESULT: closed, each step audited', async () => {
    const incident = await open();
    const reported = incidentViewSchema.parse(json(await act(incident.incidentId, 'REPORT')));
    expect(reported).toMatchObject({ status: 'REPORTED', version: 2 });
    const handledResponse = await act(incident.incidentId, 'END_HANDLING', auditorToken);
    expect(outcome(handledResponse)).toBe('200 OK');
    const handled = incidentViewSchema.parse(json(handledResponse));
    expect(handled.status).toBe('HANDLED');
    expect(Date.parse(handled.resultDueAt!) - Date.parse(handled.handledAt!)).toBe(RESULT_DEADLINE_MINUTES * 60_000);
    const closed = incidentViewSchema.parse(json(await act(incident.incidentId, 'REPORT_RESULT')));
    expect(closed).toMatchObject({ status: 'CLOSED', version: 4 });
    expect(closed.steps?.map((s) => [s.action, s.by])).toEqual([
      ['REPORT', world.account('ADMIN').staffId],
      ['END_HANDLING', world.account('AUDITOR').staffId],
      ['REPORT_RESULT', world.account('ADMIN').staffId],
    ]);
    const actions = (await auditRecordsOf('security', today())).filter((e) => e.target === `incident:${incident.incidentId}`).map((e) => e.action);
    expect(actions).toEqual(['INCIDENT_OPENED', 'INCIDENT_REPORTED', 'INCIDENT_HANDLING_ENDED', 'INCIDENT_RESULT_REPORTED']);
  });

  it('handling may end before the report; the result needs both; a closed incident takes no step', async () => {
    const incident = await open();
    expect(outcome(await act(incident.incidentId, 'REPORT_RESULT'))).toBe('409 INCIDENT_NOT_READY');
    expect(outcome(await act(incident.incidentId, 'END_HANDLING'))).toBe('200 OK');
    expect(outcome(await act(incident.incidentId, 'END_HANDLING'))).toBe('409 INCIDENT_STEP_DONE');
    expect(outcome(await act(incident.incidentId, 'REPORT_RESULT'))).toBe('409 INCIDENT_NOT_READY');
    const reported = json(await act(incident.incidentId, 'REPORT'));
    expect(reported.status).toBe('HANDLED');
    expect(outcome(await act(incident.incidentId, 'REPORT_RESULT'))).toBe('200 OK');
    expect(outcome(await act(incident.incidentId, 'REPORT'))).toBe('409 INCIDENT_CLOSED');
    expect((await incidentStoreFromEnv().get(incident.incidentId))?.version).toBe(4);
  });

  it('two administrators reporting at once: one wins, the other is told it was done', async () => {
    const incident = await open();
    const answers = await Promise.all([act(incident.incidentId, 'REPORT', adminToken), act(incident.incidentId, 'REPORT', auditorToken)]);
    expect(answers.map(outcome).sort()).toEqual(['200 OK', '409 INCIDENT_STEP_DONE']);
    const stored = await incidentStoreFromEnv().get(incident.incidentId);
    expect(stored).toMatchObject({ status: 'REPORTED', version: 2 });
    expect(stored?.steps).toHaveLength(1);
  });

  it("answers another district's incident 404 like a missing one, and refuses roles that do not handle incidents", async () => {
    const incident = await open();
    expect(outcome(await act(incident.incidentId, 'REPORT', otherAdminToken))).toBe('404 INCIDENT_NOT_FOUND');
    expect(outcome(await act('IN000000000000000000000000', 'REPORT'))).toBe('404 INCIDENT_NOT_FOUND');
    expect(outcome(await act('../../etc', 'REPORT'))).toBe('404 INCIDENT_NOT_FOUND');
    expect(outcome(await act(incident.incidentId, 'REPORT', clerkToken))).toBe('403 ROLE_FORBIDDEN');
    expect(outcome(await send('postIncidentAction', { path: { incidentId: incident.incidentId }, body: { action: 'DELETE', note: 'x' } }))).toBe('422 INVALID_BODY');
    const pii = await send('postIncidentAction', { path: { incidentId: incident.incidentId }, body: { action: 'REPORT', note: '联系 13912345678' } });
    expect(outcome(pii)).toBe('422 INVALID_BODY');
    expect(JSON.stringify(json(pii).errors)).toContain('PERSONAL_DATA_IN_TEXT');
    expect(outcome(await send('postIncidentAction', { path: { incidentId: incident.incidentId }, body: { action: 'REPORT', note: 'x', extra: 1 } }))).toBe('422 INVALID_BODY');
    expect(outcome(await send('postIncidentAction', { path: { incidentId: incident.incidentId }, body: { action: ['REPORT'], note: 7 } }))).toBe('422 INVALID_BODY');
    expect((await incidentStoreFromEnv().get(incident.incidentId))).toMatchObject({ status: 'OPEN', version: 1 });
  });
});

describe('GET /v1/staff/incidents and /v1/staff/incidents/{incidentId}', () => {
  it("lists the district's and the city-wide incidents, never another district's, and pages through them", async () => {
    const other = await open({}, await world.tokenFor(world.account('CLERK', DISTRICTS.other)));
    const city = await incidentDesk(await incidentPorts()).open({ type: 'SYSTEM_ANOMALY', severity: 'HIGH', district: 'city', summary: 'Alarm', source: { kind: 'ALARM', alarm: 'test' }, detectedAt: new Date().toISOString(), dedupeKey: 'list-test' });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const response = await send('listIncidents', { token: auditorToken, query: { status: 'OPEN', limit: '2', ...(cursor ? { cursor } : {}) } });
      expect(outcome(response)).toBe('200 OK');
      const page = incidentListSchema.parse(json(response));
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((i) => i.incidentId));
      for (const item of page.items) expect([DISTRICTS.own, 'city']).toContain(item.district);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    expect(seen).toContain(city.incidentId);
    expect(seen).not.toContain(other.incidentId);
    expect(new Set(seen).size).toBe(seen.length);
    expect(outcome(await send('getIncident', { path: { incidentId: city.incidentId } }))).toBe('200 OK');
    expect(outcome(await send('getIncident', { path: { incidentId: other.incidentId } }))).toBe('404 INCIDENT_NOT_FOUND');
    expect(outcome(await send('listIncidents', { query: { district: DISTRICTS.other } }))).toBe('403 DISTRICT_FORBIDDEN');
  });

  it('refuses hostile queries and edited cursors', async () => {
    expect(outcome(await send('listIncidents', { query: { status: 'DELETED' } }))).toMatch(/^400/);
    expect(outcome(await send('listIncidents', { query: { limit: '100000' } }))).toMatch(/^400/);
    expect(outcome(await send('listIncidents', { query: { overdue: 'maybe' } }))).toMatch(/^400/);
    expect(outcome(await send('listIncidents', { query: { unknown: 'x' } }))).toMatch(/^400/);
    expect(outcome(await send('listIncidents', { query: { cursor: 'not-a-cursor' } }))).toBe('400 CURSOR_INVALID');
    // A cursor of another listing (other status), and one pointing into another partition of the table.
    const page = incidentListSchema.parse(json(await send('listIncidents', { query: { status: 'OPEN', limit: '1' } })));
    expect(page.nextCursor).toBeDefined();
    expect(outcome(await send('listIncidents', { query: { status: 'CLOSED', cursor: page.nextCursor! } }))).toBe('400 CURSOR_INVALID');
    const forged = JSON.parse(Buffer.from(page.nextCursor!, 'base64url').toString()) as { k?: Record<string, string> };
    forged.k = { pk: 'ALERT#1', sk: 'META', gsi1pk: 'INCIDENTS#OPEN', gsi1sk: 'x' };
    expect(outcome(await send('listIncidents', { query: { status: 'OPEN', cursor: Buffer.from(JSON.stringify(forged)).toString('base64url') } }))).toBe('400 CURSOR_INVALID');
    expect(outcome(await send('listIncidents', { token: clerkToken }))).toBe('403 ROLE_FORBIDDEN');
  });
});

describe('the incident watch', () => {
  it('escalates an incident past its 1-hour report deadline once, however often it runs (audit entry and overdue once)', async () => {
    // Prepare: detected 61 minutes ago, not reported.
    const incident = await open({ detectedAt: new Date(Date.now() - 61 * 60_000).toISOString() });
    // Act
    const first = await runWatch();
    const second = await runWatch();
    // Assess
    expect(first.escalated).toBeGreaterThanOrEqual(1);
    const stored = await incidentStoreFromEnv().get(incident.incidentId);
    expect(stored?.overdue).toEqual(['REPORT']);
    expect(stored?.escalatedAt).toBeDefined();
    expect(second.escalated).toBe(0);
    const escalations = (await auditRecordsOf('security', today())).filter((e) => e.target === `incident:${incident.incidentId}` && e.action === 'INCIDENT_ESCALATED');
    expect(escalations.map((e) => e.detail?.deadline)).toEqual(['REPORT']);
    // Shown as overdue to staff.
    const overdue = incidentListSchema.parse(json(await send('listIncidents', { query: { overdue: 'true', limit: '100' } })));
    expect(overdue.items.map((i) => i.incidentId)).toContain(incident.incidentId);
    const notOverdue = incidentListSchema.parse(json(await send('listIncidents', { query: { overdue: 'false', limit: '100' } })));
    expect(notOverdue.items.map((i) => i.incidentId)).not.toContain(incident.incidentId);
  });

  it('leaves an incident reported in time alone', async () => {
    const incident = await open({ detectedAt: new Date(Date.now() - 30 * 60_000).toISOString() });
    await runWatch();
    expect((await incidentStoreFromEnv().get(incident.incidentId))?.overdue).toBeUndefined();
  });

  it('opens exactly one SYSTEM_ANOMALY incident for a filled dead-letter queue, however often it looks', async () => {
    // Prepare: a dead letter in the credit DLQ (as the redrive policy would move it).
    const client = new SQSClient({});
    const dlqUrl = world.emulators.queueUrls.credit.dlqUrl;
    await client.send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: '{"v":1}' }));
    try {
      // Act
      const runs = [await runWatch(), await runWatch(), await runWatch()];
      // Assess
      const ids = new Set(runs.flatMap((r) => r.deadLetterIncidents));
      expect(ids.size).toBe(1);
      const incident = await incidentStoreFromEnv().get([...ids][0]!);
      expect(incident).toMatchObject({ type: 'SYSTEM_ANOMALY', severity: 'HIGH', district: 'city', status: 'OPEN', source: { kind: 'ALARM', alarm: 'DLQ:credit' }, evidence: ['queue:credit'] });
      expect(incident!.reportDueAt).toBe(reportDueOf(incident!.detectedAt));
      // Its second deadline starts when handling ends.
      const handled = incidentViewSchema.parse(json(await act(incident!.incidentId, 'END_HANDLING')));
      expect(Date.parse(handled.resultDueAt!) - Date.parse(handled.handledAt!)).toBe(RESULT_DEADLINE_MINUTES * 60_000);
      const opened = (await auditRecordsOf('security', today())).filter((e) => e.target === `incident:${incident!.incidentId}` && e.action === 'INCIDENT_OPENED');
      expect(opened).toHaveLength(1);
      expect(opened[0]!.actor).toBe('alarm:DLQ:credit');
    } finally {
      await client.send(new PurgeQueueCommand({ QueueUrl: dlqUrl }));
    }
  });
});
