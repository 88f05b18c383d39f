/**
 * Audited unmasking, the citizen's view of it, the insider-misuse detector and the account lock (DESIGN.md
 * §5; 001 4.2.10–11; 004 第二十五条), through the real handlers on the in-process emulators, the detector
 * ON and a fake of the incident desk in place of the real one:
 * - an account that unmasks above the threshold is locked: the call that crosses it is refused 403
 *   STAFF_ACCOUNT_LOCKED without its plaintext, so is every later one and its sign-in; the alert and the
 *   incident exist; after an unlock counting starts afresh and locks again above the threshold;
 * - the data subject's progress lookup shows the unmasking (role, purpose, time; no staff identity);
 * - hostile unmaskings: another district, wrong role, personal data in the reason, unknown fields, oversized;
 * - attempts on another district lock too;
 * - unlock: by an administrator of the district, never the holder, never of another district, conditional
 *   (two racing administrators: one wins), audited; the rules as versioned data; the alerts list.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { auditRecordsOf } from '../support/audit-records';
import { lambdaContext } from '../support/fixtures';
import { staffRequest } from '../support/credit-staff-events';
import { loginEvent } from '../support/staff-world';
import { PEOPLE } from '../support/channel-world';
import { acceptedFiling, sealPeople, startReviewWorld, type ReviewWorld } from '../support/review-world';
import { FakeIncidentDesk } from '../support/fake-incident-desk';
import { BUILT_IN_MISUSE_RULES } from '../../functions/core/domain/misuse';
import { reportDueOf } from '../../functions/core/domain/incident';
import type { StaffAccount, StaffRole } from '../../functions/core/domain/staff';
import type { FilingRecord } from '../../functions/core/domain/filing';
import { filingRepositoryFromEnv } from '../../functions/adapters/dynamodb/filing-repository';
import { hashPassword } from '../../functions/adapters/identity/password-hash';
import { functions, type FunctionDecl } from '../../infra/topology';
import { misuseAlertListSchema, misuseRulesViewSchema } from '../../schemas/v1/misuse';
import { unmaskedFilingSchema } from '../../schemas/v1/unmasking';
import { progressViewSchema } from '../../schemas/v1/progress';

const desk = vi.hoisted(() => ({ current: undefined as unknown }));
vi.mock('../../functions/shared/incident-desk', () => ({ incidentDeskFromEnv: () => desk.current }));
process.env['MISUSE_DETECTION'] = 'on';

type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
const root = resolve(import.meta.dirname, '../..');
const decls: Record<string, FunctionDecl> = functions;
const loadHandler = async (name: string): Promise<ApiHandler> => ((await import(pathToFileURL(resolve(root, decls[name]!.entry)).href)) as { handler: ApiHandler }).handler;

const OWN = '370102';
const OTHER = '370103';
const MORTGAGE_TERMS = { mortgageType: 'GENERAL', amountFen: '100000000', termStart: '2026-01-01', termEnd: '2046-01-01' } as const;
const BANK_ORG = { name: '示例银行', uscc: '91370100MA3C8AXX1X' };
const { version: _v, publishedAt: _p, publishedBy: _b, ...THRESHOLDS } = BUILT_IN_MISUSE_RULES;

let world: ReviewWorld;
const fakeDesk = new FakeIncidentDesk();
desk.current = fakeDesk;
const h: Record<string, ApiHandler> = {};
let ownFiling: FilingRecord;
let otherFiling: FilingRecord;
let accounts = 0;

const today = () => new Date().toISOString().slice(0, 10);
const problem = (r: APIGatewayProxyResult) => `${r.statusCode} ${r.statusCode < 300 ? 'OK' : (JSON.parse(r.body) as { code: string }).code}`;
const codesOf = (r: APIGatewayProxyResult) => JSON.stringify(JSON.parse(r.body));

/** A fresh account (counters are per staff member, so each test starts from zero). */
async function freshAccount(role: StaffRole, district = OWN): Promise<StaffAccount & { token: string; password: string }> {
  accounts += 1;
  const account: StaffAccount = { staffId: `stf-mu-${accounts}`, username: `mu${accounts}.${district}`, displayName: '测试', role, district, status: 'ACTIVE' };
  const password = `Pw-mu-${accounts}-7`;
  await world.directory.putStaff(account, { passwordHash: await hashPassword(password) });
  return { ...account, token: await world.tokenFor(account), password };
}

const unmask = (token: string, filingId: string, body: unknown = { purpose: 'IDENTITY_VERIFICATION', reason: '核验抵押人身份' }) =>
  h.unmaskFiling!(staffRequest('unmaskFiling', { token, path: { filingId }, body }), lambdaContext('unmaskFiling'));
const unlock = (token: string, staffId: string, reason: unknown = '经核查属正常业务') =>
  h.unlockStaff!(staffRequest('unlockStaff', { token, path: { staffId }, body: { reason } }), lambdaContext('unlockStaff'));

const lookupFixture = JSON.parse(readFileSync(resolve(root, 'events/apigw/lookup-progress.json'), 'utf8')) as APIGatewayProxyEvent;
let address = 0;
function lookupEvent(body: unknown): APIGatewayProxyEvent {
  const event = structuredClone(lookupFixture);
  event.body = JSON.stringify(body);
  event.requestContext.identity.sourceIp = `198.51.100.${++address}`;
  return event;
}

beforeAll(async () => {
  world = await startReviewWorld('zt-misuse');
  for (const name of ['unmaskFiling', 'unlockStaff', 'getMisuseRules', 'putMisuseRules', 'listSecurityAlerts', 'getStaffFiling', 'staffLogin', 'lookupProgress']) h[name] = await loadHandler(name);
  const owner = { ...PEOPLE.owner };
  ownFiling = await acceptedFiling(world.bank, '370102001001GB00001F00010101', async (id) => ({ businessType: 'MORTGAGE_CREATE', mortgagors: await sealPeople(OWN, id, [owner]), mortgagee: BANK_ORG, ...MORTGAGE_TERMS }));
  otherFiling = await acceptedFiling(world.bank, '370103001001GB00002F00010301', async (id) => ({ businessType: 'MORTGAGE_CREATE', mortgagors: await sealPeople(OTHER, id, [PEOPLE.coOwnerA]), mortgagee: BANK_ORG, ...MORTGAGE_TERMS }));
});
afterAll(async () => world.stop());

describe('POST /v1/staff/filings/{filingId}/unmasking', () => {
  it('answers the people in the clear, after recording the disclosure on the filing and auditing it (purpose, reason, no plaintext)', async () => {
    const reviewer = await freshAccount('REVIEWER');
    const response = await unmask(reviewer.token, ownFiling.filingId);
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['cache-control']).toBe('no-store');
    const body = unmaskedFilingSchema.parse(JSON.parse(response.body));
    expect(body).toMatchObject({ filingId: ownFiling.filingId, purpose: 'IDENTITY_VERIFICATION', purposeLabel: '核验申请人身份' });
    expect(body.parties.mortgagors).toEqual([{ name: PEOPLE.owner.name, idType: 'RESIDENT_ID', idNumber: PEOPLE.owner.idNumber }]);
    const stored = (await filingRepositoryFromEnv().get(ownFiling.filingId)) as FilingRecord & { disclosures?: unknown[]; disclosureCount?: number };
    expect(stored.disclosures).toContainEqual({ at: body.unmaskedAt, role: 'REVIEWER', purpose: 'IDENTITY_VERIFICATION', actor: `staff:${reviewer.staffId}` });
    const audit = (await auditRecordsOf(OWN, today())).filter((r) => r.action === 'PERSONAL_DATA_UNMASKED' && r.actor === `staff:${reviewer.staffId}`);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ outcome: 'SUCCESS', target: ownFiling.filingId, detail: { purpose: 'IDENTITY_VERIFICATION', reason: '核验抵押人身份', fields: 'name,idNumber,phone', role: 'REVIEWER' } });
    expect(JSON.stringify(audit)).not.toContain(PEOPLE.owner.idNumber);
    expect(JSON.stringify(audit)).not.toContain(PEOPLE.owner.name);
  });

  it('shows the data subject the unmasking in the progress lookup: time, role and purpose, never the staff member', async () => {
    const registrar = await freshAccount('REGISTRAR');
    const unmasked = unmaskedFilingSchema.parse(JSON.parse((await unmask(registrar.token, ownFiling.filingId, { purpose: 'DISPUTE_HANDLING', reason: '处理异议申请' })).body));
    const response = await h.lookupProgress!(lookupEvent({ businessNumber: ownFiling.filingId, name: PEOPLE.owner.name, idNumber: PEOPLE.owner.idNumber }), lambdaContext('lookupProgress'));
    expect(response.statusCode).toBe(200);
    const view = progressViewSchema.parse(JSON.parse(response.body));
    expect(view.disclosures).toContainEqual({ at: unmasked.unmaskedAt, role: 'REGISTRAR', purpose: 'DISPUTE_HANDLING', purposeLabel: '处理异议/纠纷' });
    expect(response.body).not.toContain(registrar.staffId);
    expect(response.body).not.toContain('staff:');
  });

  it.each([
    ['another district’s filing (404 like a missing one)', 'REVIEWER', (): string => otherFiling.filingId, undefined, '404 FILING_NOT_FOUND'],
    ['a clerk (role)', 'CLERK', (): string => ownFiling.filingId, undefined, '403 ROLE_FORBIDDEN'],
    ['an auditor (role)', 'AUDITOR', (): string => ownFiling.filingId, undefined, '403 ROLE_FORBIDDEN'],
    ['an ID number in the reason', 'REVIEWER', (): string => ownFiling.filingId, { purpose: 'IDENTITY_VERIFICATION', reason: `核验 ${PEOPLE.owner.idNumber}` }, '422 INVALID_BODY'],
    ['a phone number in the reason', 'REVIEWER', (): string => ownFiling.filingId, { purpose: 'IDENTITY_VERIFICATION', reason: '联系 138-1234-5678 核验' }, '422 INVALID_BODY'],
    ['a reason under 4 characters', 'REVIEWER', (): string => ownFiling.filingId, { purpose: 'IDENTITY_VERIFICATION', reason: '核验' }, '422 INVALID_BODY'],
    ['an unknown purpose', 'REVIEWER', (): string => ownFiling.filingId, { purpose: 'CURIOSITY', reason: '想看看这个人' }, '422 INVALID_BODY'],
    ['an unknown field', 'REVIEWER', (): string => ownFiling.filingId, { purpose: 'SUPERVISION', reason: '监督检查', fields: ['idNumber'] }, '422 INVALID_BODY'],
    ['a wrong type', 'REVIEWER', (): string => ownFiling.filingId, { purpose: 7, reason: ['x'] }, '422 INVALID_BODY'],
    ['an oversized body', 'REVIEWER', (): string => ownFiling.filingId, { purpose: 'SUPERVISION', reason: '监'.repeat(5000) }, '413 PAYLOAD_TOO_LARGE'],
    ['a malformed filing id', 'REVIEWER', (): string => '../F1', undefined, '404 FILING_NOT_FOUND'],
  ] as const)('refuses %s, decrypting nothing and recording no disclosure', async (_name, role, filingId, body, expected) => {
    const staff = await freshAccount(role);
    const before = ((await filingRepositoryFromEnv().get(ownFiling.filingId)) as { disclosureCount?: number }).disclosureCount ?? 0;
    const response = await unmask(staff.token, filingId(), body);
    expect(problem(response)).toBe(expected);
    expect(response.body).not.toContain(PEOPLE.owner.idNumber);
    expect(response.body).not.toContain(PEOPLE.coOwnerA.name);
    expect(((await filingRepositoryFromEnv().get(ownFiling.filingId)) as { disclosureCount?: number }).disclosureCount ?? 0).toBe(before);
    if (expected.startsWith('422')) expect(codesOf(response)).not.toContain(PEOPLE.owner.idNumber);
  });

  it('counts a refusal for naming a party as an unmasking: guessing masked names one refusal at a time locks the account like unmasking does', async () => {
    const reviewer = await freshAccount('REVIEWER');
    const guess = { purpose: 'IDENTITY_VERIFICATION', reason: `核验${PEOPLE.owner.name}本人身份` };
    for (let i = 1; i <= 10; i++) expect(problem(await unmask(reviewer.token, ownFiling.filingId, guess))).toBe('422 INVALID_BODY');
    expect((await world.directory.get(reviewer.staffId))!.status).toBe('ACTIVE');
    // A refusal of an ID-number pattern tells nothing about the filing: not counted.
    expect(problem(await unmask(reviewer.token, ownFiling.filingId, { purpose: 'IDENTITY_VERIFICATION', reason: `核验 ${PEOPLE.owner.idNumber}` }))).toBe('422 INVALID_BODY');
    expect((await world.directory.get(reviewer.staffId))!.status).toBe('ACTIVE');
    expect(problem(await unmask(reviewer.token, ownFiling.filingId, guess))).toBe('422 INVALID_BODY');
    expect((await world.directory.get(reviewer.staffId))!.lock?.rule).toBe('UNMASKING_RATE');
  });

  it.each([
    ['as written', `核验${PEOPLE.owner.name}本人身份`],
    ['with spaces between its characters', `核验 张 三 丰 本人身份`],
    ['with full-width spaces and zero-width characters', `核验张\u3000三\u200b丰本人身份`],
    ['in full-width punctuation', '核验张、三。丰本人身份'],
  ])('refuses a reason naming a party of the filing (%s): 422 PERSONAL_DATA_IN_TEXT on reason, not echoed, no disclosure, no audit, nothing answered in the clear', async (_label, reason) => {
    const reviewer = await freshAccount('REVIEWER');
    const before = ((await filingRepositoryFromEnv().get(ownFiling.filingId)) as { disclosureCount?: number }).disclosureCount ?? 0;
    const response = await unmask(reviewer.token, ownFiling.filingId, { purpose: 'IDENTITY_VERIFICATION', reason });
    expect(problem(response)).toBe('422 INVALID_BODY');
    expect(JSON.parse(response.body).errors).toEqual([expect.objectContaining({ path: 'reason', code: 'PERSONAL_DATA_IN_TEXT' })]);
    expect(response.body).not.toContain('三');
    expect(response.body).not.toContain(PEOPLE.owner.idNumber);
    expect(((await filingRepositoryFromEnv().get(ownFiling.filingId)) as { disclosureCount?: number }).disclosureCount ?? 0).toBe(before);
    expect((await auditRecordsOf(OWN, today())).filter((r) => r.action === 'PERSONAL_DATA_UNMASKED' && r.actor === `staff:${reviewer.staffId}`)).toEqual([]);
    expect(JSON.stringify(await auditRecordsOf(OWN, today()))).not.toContain('本人身份');
  });

  it('answers 500 and no plaintext when the disclosure cannot be recorded', async () => {
    const reviewer = await freshAccount('REVIEWER');
    const spy = vi.spyOn(Object.getPrototypeOf(filingRepositoryFromEnv()) as { recordDisclosure: () => Promise<boolean> }, 'recordDisclosure').mockRejectedValueOnce(new Error('throttled'));
    const response = await unmask(reviewer.token, ownFiling.filingId);
    spy.mockRestore();
    expect(problem(response)).toBe('500 INTERNAL_ERROR');
    expect(response.body).not.toContain(PEOPLE.owner.name);
    expect((await auditRecordsOf(OWN, today())).filter((r) => r.action === 'PERSONAL_DATA_UNMASKED' && r.actor === `staff:${reviewer.staffId}`)).toEqual([]);
  });
});

describe('the misuse detector locks the account', () => {
  it('above the unmasking threshold: the 11th unmasking is refused 403 STAFF_ACCOUNT_LOCKED without its plaintext, so is every later request and sign-in; alert and incident exist', async () => {
    const reviewer = await freshAccount('REVIEWER');
    for (let i = 1; i <= 10; i++) expect(problem(await unmask(reviewer.token, ownFiling.filingId))).toBe('200 OK');
    expect((await world.directory.get(reviewer.staffId))!.status).toBe('ACTIVE');
    // The 11th goes above the threshold of 10: the account is locked on it and its answer withheld.
    const crossing = await unmask(reviewer.token, ownFiling.filingId);
    expect(problem(crossing)).toBe('403 STAFF_ACCOUNT_LOCKED');
    expect(crossing.body).not.toContain(PEOPLE.owner.name);
    expect(crossing.body).not.toContain(PEOPLE.owner.idNumber);
    const locked = await world.directory.get(reviewer.staffId);
    expect(locked).toMatchObject({ status: 'LOCKED', lock: { rule: 'UNMASKING_RATE', alertId: expect.stringMatching(/^AL[0-9A-F]{22}$/), incidentId: expect.any(String) } });
    // Every later request is refused, whatever the endpoint, and audited.
    const context = lambdaContext('getStaffFiling');
    const next = await h.getStaffFiling!(staffRequest('getStaffFiling', { token: reviewer.token, path: { filingId: ownFiling.filingId } }), context);
    expect(problem(next)).toBe('403 STAFF_ACCOUNT_LOCKED');
    expect(problem(await unmask(reviewer.token, ownFiling.filingId))).toBe('403 STAFF_ACCOUNT_LOCKED');
    expect(problem(await h.staffLogin!(loginEvent({ username: reviewer.username, password: reviewer.password }), lambdaContext('staffLogin')))).toBe('403 STAFF_ACCOUNT_LOCKED');
    const records = await auditRecordsOf(OWN, today());
    expect(records.find((r) => r.detail?.['requestId'] === context.awsRequestId)).toMatchObject({ actor: `staff:${reviewer.staffId}`, outcome: 'DENIED', detail: { code: 'STAFF_ACCOUNT_LOCKED' } });
    // The alert, its audit in log security, the incident through the desk.
    const alertId = locked!.lock!.alertId;
    const security = (await auditRecordsOf('security', today())).filter((r) => r.action === 'MISUSE_DETECTED' && r.target === `staff:${reviewer.staffId}`);
    expect(security).toHaveLength(1);
    expect(security[0]).toMatchObject({ retention: 'INCIDENT', detail: { alertId, rule: 'UNMASKING_RATE', count: 11, threshold: 10, locked: true } });
    const draft = fakeDesk.drafts.find((d) => d.dedupeKey === alertId)!;
    expect(draft).toMatchObject({ type: 'INFORMATION_LEAK', severity: 'HIGH', district: OWN, source: { kind: 'MISUSE_DETECTOR', alertId, staffId: reviewer.staffId, rule: 'UNMASKING_RATE' } });
    const incident = fakeDesk.incidents.get(alertId)!;
    expect(incident.reportDueAt).toBe(reportDueOf(draft.detectedAt));
    expect(Date.parse(incident.reportDueAt) - Date.parse(draft.detectedAt)).toBe(60 * 60_000);
    expect(locked!.lock!.incidentId).toBe(incident.incidentId);
    const admin = await freshAccount('ADMIN');
    const list = misuseAlertListSchema.parse(JSON.parse((await h.listSecurityAlerts!(staffRequest('listSecurityAlerts', { token: admin.token }), lambdaContext('listSecurityAlerts'))).body));
    expect(list.items).toContainEqual(expect.objectContaining({ alertId, rule: 'UNMASKING_RATE', staffId: reviewer.staffId, count: 11, threshold: 10, incidentId: incident.incidentId }));
    expect(JSON.stringify(list)).not.toContain(PEOPLE.owner.name);
  });

  it('on the 4th attempt of a day on another district (cross-district 404s), and not before', async () => {
    const reviewer = await freshAccount('REVIEWER');
    for (let i = 1; i <= 3; i++) expect(problem(await unmask(reviewer.token, otherFiling.filingId))).toBe('404 FILING_NOT_FOUND');
    expect((await world.directory.get(reviewer.staffId))!.status).toBe('ACTIVE');
    expect(problem(await unmask(reviewer.token, otherFiling.filingId))).toBe('404 FILING_NOT_FOUND');
    expect((await world.directory.get(reviewer.staffId))!.lock?.rule).toBe('CROSS_DISTRICT');
    expect(problem(await unmask(reviewer.token, ownFiling.filingId))).toBe('403 STAFF_ACCOUNT_LOCKED');
  });

  it('never for a missing filing of one’s own district', async () => {
    const reviewer = await freshAccount('REVIEWER');
    for (let i = 1; i <= 5; i++) expect(problem(await unmask(reviewer.token, 'F0000000000000000000000FF'))).toBe('404 FILING_NOT_FOUND');
    expect((await world.directory.get(reviewer.staffId))!.status).toBe('ACTIVE');
  });
});

describe('POST /v1/staff/accounts/{staffId}/unlock', () => {
  async function lockedAccount(district = OWN): Promise<StaffAccount> {
    const staff = await freshAccount('REVIEWER', district);
    await world.directory.lock(staff.staffId, { at: new Date().toISOString(), rule: 'UNMASKING_RATE', alertId: `AL-T-${staff.staffId}` });
    return staff;
  }

  it('an administrator of the district unlocks, with a reason, audited; the account works again', async () => {
    const [staff, admin] = [await lockedAccount(), await freshAccount('ADMIN')];
    const response = await unlock(admin.token, staff.staffId);
    expect(problem(response)).toBe('200 OK');
    expect(JSON.parse(response.body)).toMatchObject({ staffId: staff.staffId, status: 'ACTIVE', alertId: `AL-T-${staff.staffId}` });
    expect(await world.directory.get(staff.staffId)).toMatchObject({ status: 'ACTIVE' });
    expect((await world.directory.get(staff.staffId))!.lock).toBeUndefined();
    expect((await auditRecordsOf(OWN, today())).filter((r) => r.action === 'STAFF_UNLOCKED' && r.target === `staff:${staff.staffId}`)).toEqual([
      expect.objectContaining({ actor: `staff:${admin.staffId}`, outcome: 'SUCCESS', detail: expect.objectContaining({ reason: '经核查属正常业务', alertId: `AL-T-${staff.staffId}` }) }),
    ]);
    expect(problem(await unmask(await world.tokenFor(staff), ownFiling.filingId))).toBe('200 OK');
  });

  it('withholds the plaintext of the firing unmasking even when the detector fails after locking (the incident desk down)', async () => {
    const reviewer = await freshAccount('REVIEWER');
    for (let i = 1; i <= 10; i++) expect(problem(await unmask(reviewer.token, ownFiling.filingId))).toBe('200 OK');
    fakeDesk.failNext = true;
    const crossing = await unmask(reviewer.token, ownFiling.filingId);
    expect(problem(crossing)).toBe('403 STAFF_ACCOUNT_LOCKED');
    expect(crossing.body).not.toContain(PEOPLE.owner.idNumber);
    expect((await world.directory.get(reviewer.staffId))!.status).toBe('LOCKED');
  });

  it('after an unlock the detector counts afresh: ten more unmaskings that hour are answered, the eleventh locks the account again', async () => {
    const reviewer = await freshAccount('REVIEWER');
    const admin = await freshAccount('ADMIN');
    for (let i = 1; i <= 11; i++) await unmask(reviewer.token, ownFiling.filingId);
    const first = (await world.directory.get(reviewer.staffId))!.lock!.alertId;
    expect(problem(await unlock(admin.token, reviewer.staffId))).toBe('200 OK');
    for (let i = 1; i <= 10; i++) expect(problem(await unmask(reviewer.token, ownFiling.filingId))).toBe('200 OK');
    expect(problem(await unmask(reviewer.token, ownFiling.filingId))).toBe('403 STAFF_ACCOUNT_LOCKED');
    const again = await world.directory.get(reviewer.staffId);
    expect(again).toMatchObject({ status: 'LOCKED', lock: { rule: 'UNMASKING_RATE' } });
    expect(again!.lock!.alertId).not.toBe(first);
  });

  it('of two administrators racing, exactly one unlocks; the other gets 409 STAFF_NOT_LOCKED', async () => {
    const [staff, a, b] = [await lockedAccount(), await freshAccount('ADMIN'), await freshAccount('ADMIN')];
    const answers = (await Promise.all([unlock(a.token, staff.staffId), unlock(b.token, staff.staffId)])).map(problem).sort();
    expect(answers).toEqual(['200 OK', '409 STAFF_NOT_LOCKED']);
    expect((await auditRecordsOf(OWN, today())).filter((r) => r.action === 'STAFF_UNLOCKED' && r.target === `staff:${staff.staffId}`)).toHaveLength(1);
  });

  it("an administrator's attempts on other districts' accounts count as cross-district: the fourth of a day locks the administrator", async () => {
    const admin = await freshAccount('ADMIN');
    const elsewhere = await lockedAccount(OTHER);
    for (let i = 1; i <= 3; i++) expect(problem(await unlock(admin.token, elsewhere.staffId))).toBe('404 STAFF_NOT_FOUND');
    expect((await world.directory.get(admin.staffId))!.status).toBe('ACTIVE');
    // The fourth goes above the threshold of 3: it keeps its refusal (nothing to withhold), and the account is locked.
    expect(problem(await unlock(admin.token, elsewhere.staffId))).toBe('404 STAFF_NOT_FOUND');
    expect((await world.directory.get(admin.staffId))!.lock?.rule).toBe('CROSS_DISTRICT');
    expect(problem(await unlock(admin.token, elsewhere.staffId))).toBe('403 STAFF_ACCOUNT_LOCKED');
  });

  it('refuses the holder (SELF_UNLOCK_FORBIDDEN), a locked holder (STAFF_ACCOUNT_LOCKED), another district, other roles, an account not locked, personal data in the reason', async () => {
    const admin = await freshAccount('ADMIN');
    expect(problem(await unlock(admin.token, admin.staffId))).toBe('403 SELF_UNLOCK_FORBIDDEN');
    const lockedAdmin = await freshAccount('ADMIN');
    await world.directory.lock(lockedAdmin.staffId, { at: new Date().toISOString(), rule: 'OUT_OF_HOURS', alertId: 'AL-T-SELF' });
    expect(problem(await unlock(lockedAdmin.token, lockedAdmin.staffId))).toBe('403 STAFF_ACCOUNT_LOCKED');
    const elsewhere = await lockedAccount(OTHER);
    // Another district's account answers exactly like a missing one: staff ids of other districts cannot be probed.
    const foreign = await unlock(admin.token, elsewhere.staffId);
    const missing = await unlock(admin.token, 'stf-nobody-at-all');
    expect([problem(foreign), problem(missing)]).toEqual(['404 STAFF_NOT_FOUND', '404 STAFF_NOT_FOUND']);
    expect(JSON.parse(foreign.body).detail).toBe(JSON.parse(missing.body).detail);
    expect((await world.directory.get(elsewhere.staffId))!.status).toBe('LOCKED');
    const staff = await lockedAccount();
    for (const role of ['AUDITOR', 'REGISTRAR', 'CLERK'] as const) expect(problem(await unlock((await freshAccount(role)).token, staff.staffId))).toBe('403 ROLE_FORBIDDEN');
    expect(problem(await unlock(admin.token, staff.staffId, `本人 ${PEOPLE.owner.idNumber} 已核实`))).toBe('422 INVALID_BODY');
    expect(problem(await unlock(admin.token, (await freshAccount('CLERK')).staffId))).toBe('409 STAFF_NOT_LOCKED');
    expect(problem(await unlock(admin.token, 'stf-nobody'))).toBe('404 STAFF_NOT_FOUND');
    expect(problem(await unlock(admin.token, `${'x'.repeat(2048)}/../stf`))).toBe('404 STAFF_NOT_FOUND');
    expect((await world.directory.get(staff.staffId))!.status).toBe('LOCKED');
  });
});

describe('an unlock reason naming a staff member', () => {
  async function lockedNamed(displayName: string): Promise<StaffAccount> {
    accounts += 1;
    const staff: StaffAccount = { staffId: `stf-mu-${accounts}`, username: `mu${accounts}.${OWN}`, displayName, role: 'REVIEWER', district: OWN, status: 'ACTIVE' };
    await world.directory.putStaff(staff, { passwordHash: await hashPassword(`Pw-mu-${accounts}-7`) });
    await world.directory.lock(staff.staffId, { at: new Date().toISOString(), rule: 'UNMASKING_RATE', alertId: `AL-T-${staff.staffId}` });
    return staff;
  }

  it.each([
    ['the locked account holder', '经核查刘 德 华属正常业务'],
    ['the locked account holder, full-width and zero-width', '经核查刘\u3000德\u200b华属正常业务'],
    ['the administrator', '管理员测试 员已核实'],
  ])('is refused when it names %s: 422 PERSONAL_DATA_IN_TEXT on reason, not echoed, still locked, nothing audited', async (_label, reason) => {
    const staff = await lockedNamed('刘德华');
    accounts += 1;
    const admin: StaffAccount = { staffId: `stf-mu-${accounts}`, username: `mu${accounts}.${OWN}`, displayName: '测试员', role: 'ADMIN', district: OWN, status: 'ACTIVE' };
    await world.directory.putStaff(admin, { passwordHash: await hashPassword(`Pw-mu-${accounts}-7`) });
    const response = await unlock(await world.tokenFor(admin), staff.staffId, reason);
    expect(problem(response)).toBe('422 INVALID_BODY');
    expect(JSON.parse(response.body).errors).toEqual([expect.objectContaining({ path: 'reason', code: 'PERSONAL_DATA_IN_TEXT' })]);
    expect(response.body).not.toContain('德');
    expect(response.body).not.toContain('测试');
    expect((await world.directory.get(staff.staffId))!.status).toBe('LOCKED');
    expect((await auditRecordsOf(OWN, today())).filter((r) => r.action === 'STAFF_UNLOCKED' && r.target === `staff:${staff.staffId}`)).toEqual([]);
  });

  it('a reason naming nobody unlocks as before', async () => {
    const staff = await lockedNamed('刘德华');
    const admin = await freshAccount('ADMIN');
    expect(problem(await unlock(admin.token, staff.staffId, '经核查属正常业务，德才兼备'))).toBe('200 OK');
  });
});

describe('misuse rules as versioned data', () => {
  it('an administrator publishes version 2 on version 1; every version is kept; auditors read but may not publish; a stale base is 409; numbers that do not hold are 422', async () => {
    const [admin, auditor] = [await freshAccount('ADMIN'), await freshAccount('AUDITOR')];
    const put = (token: string, body: unknown) => h.putMisuseRules!(staffRequest('putMisuseRules', { token, body }), lambdaContext('putMisuseRules'));
    expect(problem(await put(auditor.token, { ...THRESHOLDS, baseVersion: 1 }))).toBe('403 ROLE_FORBIDDEN');
    expect(problem(await put(admin.token, { ...THRESHOLDS, workingHours: { startHour: 20, endHour: 8, weekdays: [1] }, baseVersion: 1 }))).toBe('422 MISUSE_RULES_INVALID');
    expect(problem(await put(admin.token, { ...THRESHOLDS, unmaskingsPerHour: 0, baseVersion: 1 }))).toBe('422 INVALID_BODY');
    expect(problem(await put(admin.token, { ...THRESHOLDS, extra: 1, baseVersion: 1 }))).toBe('422 INVALID_BODY');
    expect(problem(await put(admin.token, { ...THRESHOLDS, unmaskingsPerHour: 10, baseVersion: 1 }))).toBe('200 OK');
    expect(problem(await put(admin.token, { ...THRESHOLDS, baseVersion: 1 }))).toBe('409 MISUSE_RULES_VERSION_CONFLICT');
    const view = misuseRulesViewSchema.parse(JSON.parse((await h.getMisuseRules!(staffRequest('getMisuseRules', { token: auditor.token }), lambdaContext('getMisuseRules'))).body));
    expect(view.current).toMatchObject({ version: 2, publishedBy: `staff:${admin.staffId}` });
    expect(view.history.map((r) => r.version)).toEqual([2, 1]);
    expect((await auditRecordsOf('security', today())).filter((r) => r.action === 'MISUSE_RULES_PUBLISHED')).toEqual([expect.objectContaining({ actor: `staff:${admin.staffId}`, target: 'misuse-rules:2', retention: 'INCIDENT' })]);
  });
});
