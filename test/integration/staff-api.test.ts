/**
 * Staff identity and district tenancy (DESIGN.md §5), through the real handlers with real-shaped events
 * (events/apigw) against the in-process emulators:
 * - the local issuer's sign-in: right credentials, wrong password and unknown username (the same answer
 *   after the same work), a deactivated account, bad bodies;
 * - the MATRIX: every staff endpoint × every role × own/other district → the expected answer, generated
 *   from STAFF_PERMISSIONS, each call audited under the caller's district;
 * - a deactivated account or a changed role acts on the next request; tokens of unknown accounts, expired,
 *   forged or missing tokens are refused.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { auditRecordsOf, type AuditEntry } from '../support/audit-records';
import { filingRepositoryFromEnv } from '../../functions/adapters/dynamodb/filing-repository';
import { rateCounterFromEnv } from '../../functions/adapters/dynamodb/rate-counter';
import { LOCAL_STAFF_AUDIENCE, LOCAL_STAFF_ISSUER, LocalStaffIssuer } from '../../functions/adapters/identity/local-issuer';
import { hashPassword } from '../../functions/adapters/identity/password-hash';
import { JwtStaffTokenVerifier } from '../../functions/adapters/identity/staff-token-verifier';
import type { FilingRecord, FilingStatus } from '../../functions/core/domain/filing';
import { STAFF_ROLES, type StaffRole } from '../../functions/core/domain/staff';
import { STAFF_PERMISSIONS, staffEndpointNames, type StaffEndpointName } from '../../functions/shared/http/staff-permissions';
import { functions, type FunctionDecl } from '../../infra/topology';
import { staffFilingListSchema, staffLoginResponseSchema } from '../../schemas/v1/staff';
import { getChecklistEvent, putChecklistEvent } from '../support/checklist-events';
import { lambdaContext } from '../support/fixtures';
import { reviewEvent, staffFilingEvent } from '../support/review-world';
import { DISTRICTS, loginEvent, staffGet, staffPost, startStaffWorld, type StaffWorld, type World } from '../support/staff-world';
import { staffRequest } from '../support/credit-staff-events';
import { channelDirectoryFromEnv } from '../../functions/adapters/dynamodb/channel-directory';
import { creditStoreFromEnv } from '../../functions/adapters/dynamodb/credit-store';
import { BUILT_IN_CREDIT_RULES, ledgerEventIdOf } from '../../functions/core/domain/credit';
import { BUILT_IN_MISUSE_RULES } from '../../functions/core/domain/misuse';
import { generateSm2KeyPair } from '../../functions/shared/crypto/sm2';
import { incidentStoreFromEnv } from '../../functions/adapters/dynamodb/incident-store';
import { reportDueOf } from '../../functions/core/domain/incident';

// Counts scrypt runs, to check that an unknown username costs the same work as a wrong password.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, scrypt: vi.fn(actual.scrypt) };
});
const { scrypt } = await import('node:crypto');
// The audit log's read side over room A2's in-memory log (test/support/audit-read-world.ts) until room A1's store lands.
vi.mock('../../functions/shared/audit-read-deps', async () => (await import('../support/audit-read-world')).auditReadDepsModule());
const { AUDIT_WORLD } = await import('../support/audit-read-world');

type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

const root = resolve(import.meta.dirname, '../..');
const decls: Record<string, FunctionDecl> = functions;
const loadHandler = async (name: string): Promise<ApiHandler> =>
  ((await import(pathToFileURL(resolve(root, decls[name]!.entry)).href)) as { handler: ApiHandler }).handler;

let world: StaffWorld;
let login: ApiHandler;
let jwks: ApiHandler;
let listFilings: ApiHandler;
const handlers = new Map<StaffEndpointName, ApiHandler>();

const call = (handler: ApiHandler, event: APIGatewayProxyEvent, name = 'staff') => handler(event, lambdaContext(name));
const problem = (response: APIGatewayProxyResult) => `${response.statusCode} ${(JSON.parse(response.body) as { code?: string }).code ?? 'OK'}`;
const status = (response: APIGatewayProxyResult) => (response.statusCode < 300 ? `${response.statusCode} OK` : problem(response));

const READY = 'READY_FOR_REVIEW' satisfies FilingStatus;
/** Filings held for intake review, one per district. */
const HELD = { own: 'F1E1D0000000000000000A001', other: 'F1E1D0000000000000000B001' } as const;
/** Credit records the matrix acts on (seeded below through the credit store adapter). */
const CREDIT = {
  channel: 'ch-matrix-bank',
  shutChannel: 'ch-matrix-shut',
  reopenChannel: 'ch-matrix-reopen',
  caseNo: 'CS20261201AAAA0001',
  reopenCaseNo: 'CS20261201AAAA0002',
  rectificationId: 'RC00000000000000A1',
  eventId: ledgerEventIdOf('ch-matrix-bank', 'matrix-refusal'),
} as const;
const { version: _version, publishedAt: _publishedAt, publishedBy: _publishedBy, ...RULES_BODY } = BUILT_IN_CREDIT_RULES;
const { version: _mVersion, publishedAt: _mPublishedAt, publishedBy: _mPublishedBy, ...BUILT_IN_MISUSE_THRESHOLDS } = BUILT_IN_MISUSE_RULES;

/** Incidents the matrix acts on: one to read per district, and one per role and district to report on. */
const INCIDENTS = {
  read: { own: 'IN00000000000000000000A000', other: 'IN00000000000000000000B000' },
  // One per role (every row of the matrix builds its event, allowed or not).
  act: { own: [1, 2, 3, 4, 5, 6].map((n) => `IN0000000000000000000000A${n}`), other: [1, 2, 3, 4, 5, 6].map((n) => `IN0000000000000000000000B${n}`) },
};
const actedOn = { own: 0, other: 0 };

async function seedIncidents(): Promise<void> {
  const at = new Date().toISOString();
  const store = incidentStoreFromEnv();
  for (const [world, district] of [['own', DISTRICTS.own], ['other', DISTRICTS.other]] as const) {
    for (const incidentId of [INCIDENTS.read[world], ...INCIDENTS.act[world]]) {
      await store.create({ incidentId, type: 'OTHER', severity: 'LOW', district, summary: 'Matrix check', source: { kind: 'STAFF', staffId: 'matrix' }, detectedAt: at, openedAt: at, reportDueAt: reportDueOf(at), status: 'OPEN', version: 1 });
    }
  }
}

async function seedCredit(): Promise<void> {
  const directory = channelDirectoryFromEnv();
  for (const [channelId, institutionId] of [[CREDIT.channel, 'INST-MATRIX-A'], [CREDIT.shutChannel, 'INST-MATRIX-B'], [CREDIT.reopenChannel, 'INST-MATRIX-C']] as const) {
    await directory.putChannel({
      channelId,
      institutionId,
      institutionName: `${institutionId} 机构`,
      institutionType: 'BANK',
      uscc: '91370100MA3C8AXX1X',
      status: 'ACTIVE',
      publicKey: generateSm2KeyPair().publicKey,
      allowedBusinessTypes: ['MORTGAGE_CREATE'],
      allowedDistricts: [DISTRICTS.own],
    });
  }
  const credit = creditStoreFromEnv();
  const at = new Date().toISOString();
  const base = { scope: 'CHANNEL', status: 'OPEN', reason: 'OFFICER_DECISION', detail: 'Seeded', evidence: {}, openedAt: at, openedBy: 'staff:stf-seed', rectifications: [], version: 1 } as const;
  await credit.createCase({
    ...base,
    caseNo: CREDIT.caseNo,
    channelId: CREDIT.channel,
    institutionId: 'INST-MATRIX-A',
    status: 'RECTIFICATION_SUBMITTED',
    rectifications: [{ rectificationId: CREDIT.rectificationId, channelId: CREDIT.channel, submittedAt: at, whatWasWrong: 'Wrong unit codes', whatChanged: 'Checks added', attachments: [], status: 'SUBMITTED' }],
  });
  await credit.createCase({ ...base, caseNo: CREDIT.reopenCaseNo, channelId: CREDIT.reopenChannel, institutionId: 'INST-MATRIX-C' });
  await credit.putEvent({
    eventId: CREDIT.eventId,
    channelId: CREDIT.channel,
    institutionId: 'INST-MATRIX-A',
    kind: 'INTAKE_REFUSED',
    points: -2,
    at,
    source: { type: 'AUTOMATIC', rule: 'INTAKE_REFUSED', rulesVersion: 1 },
    evidence: { filingIds: ['FAA04112ADF1A453BE32AB9B8'] },
    reasonCode: 'UNIT_SEIZED',
    cause: 'matrix-refusal',
  });
  await credit.createAppeal({ eventId: CREDIT.eventId, channelId: CREDIT.channel, submittedAt: at, grounds: 'The seizure was lifted', status: 'PENDING' });
}
function filing(filingId: string, district: string, minute: number): FilingRecord {
  const at = `2026-11-23T09:${String(minute).padStart(2, '0')}:00.000Z`;
  return {
    filingId,
    channelId: 'ch-bank-a',
    institutionId: 'INST-BANK-A',
    clientRef: `ref-${filingId}`,
    batchId: 'B-1',
    businessType: 'MORTGAGE_CREATE',
    unitCode: `${district}001001GB00001F0001${String(100 + minute).padStart(4, '0')}`,
    district,
    content: {
      businessType: 'MORTGAGE_CREATE',
      mortgagors: [{ name: 'v1:sealed-name', idType: 'RESIDENT_ID', idNumber: 'v1:sealed-id', idIndex: 'bi:abc' }],
      mortgagee: { name: '示例银行', uscc: '91370100MA3C8AXX1X' },
      mortgageType: 'GENERAL',
      amountFen: '100000000',
      termStart: '2026-01-01',
      termEnd: '2046-01-01',
    },
    materials: [],
    contentHash: 'ab'.repeat(32),
    status: READY,
    createdAt: at,
    updatedAt: at,
    history: [{ at, status: READY, by: 'worker:intake' }],
  };
}

/** The audit record of one handler call, found by its request id. */
async function auditOf(tenant: string, requestId: string): Promise<AuditEntry | undefined> {
  const day = new Date().toISOString().slice(0, 10);
  return (await auditRecordsOf(tenant, day)).find((entry) => entry.detail?.requestId === requestId);
}

beforeAll(async () => {
  world = await startStaffWorld('zt-staff-api');
  // Handlers read their environment at module load, as on Lambda: import them after the world is up.
  login = await loadHandler('staffLogin');
  jwks = await loadHandler('staffJwks');
  listFilings = await loadHandler('listStaffFilings');
  for (const endpoint of staffEndpointNames()) handlers.set(endpoint, await loadHandler(endpoint));
  const repository = filingRepositoryFromEnv();
  for (const [i, id] of ['FAA04112ADF1A453BE32AB9B8', 'F5879652B7FDE4CF58AAC5B5B', 'F6522ABDDC10C03C53605104F'].entries()) await repository.putIfAbsent(filing(id, DISTRICTS.own, i + 1));
  await repository.putIfAbsent(filing('F6653F8BDB54AE7B4E56FB53A', DISTRICTS.other, 0));
  // For the urgent lane: ACCEPTED filings outside the READY_FOR_REVIEW worklist, so marking them changes no worklist test;
  // discharges (no people to unseal: the reason is checked against the parties' names).
  for (const [id, district] of [['F006998959F8F1334D8963331', DISTRICTS.own], ['F338EE494F5D4D626E7CD3F9C', DISTRICTS.other]] as const) {
    const base = filing(id, district, 41);
    await repository.putIfAbsent({
      ...base,
      businessType: 'MORTGAGE_DISCHARGE',
      content: { businessType: 'MORTGAGE_DISCHARGE', mortgageId: 'DY00000002', reason: 'REPAID' },
      status: 'ACCEPTED',
      history: [{ at: base.createdAt, status: 'ACCEPTED', by: 'worker:intake' }],
    });
  }
  // For the review endpoints: ACCEPTED discharges (no people to unseal), outside the READY_FOR_REVIEW worklist.
  for (const [id, district] of [['F98331C3757F66A9C26A87E9B', DISTRICTS.own], ['FF77813DC29E691A674E51C9F', DISTRICTS.other]] as const) {
    const base = filing(id, district, 40);
    const at = base.createdAt;
    await repository.putIfAbsent({ ...base, businessType: 'MORTGAGE_DISCHARGE', content: { businessType: 'MORTGAGE_DISCHARGE', mortgageId: 'DY00000001', reason: 'REPAID' }, status: 'ACCEPTED', history: [{ at, status: 'ACCEPTED', by: 'worker:intake' }] });
  }
  // For the intake review: filings of a watched channel held in INTAKE_REVIEW.
  for (const [id, district] of [[HELD.own, DISTRICTS.own], [HELD.other, DISTRICTS.other]] as const) {
    const base = filing(id, district, 42);
    const at = base.createdAt;
    await repository.putIfAbsent({ ...base, status: 'INTAKE_REVIEW', manualIntake: { grade: 'WATCH' }, history: [{ at, status: 'SUBMITTED', by: 'channel:ch-bank-a' }, { at, status: 'INTAKE_REVIEW', by: 'worker:intake' }] });
  }
  await seedCredit();
  await seedIncidents();
  for (const district of Object.values(DISTRICTS)) {
    await world.directory.putStaff({ staffId: `stf-${district}-locked`, username: `locked.${district}`, displayName: '测试锁定', role: 'CLERK', district, status: 'ACTIVE' });
    await world.directory.lock(`stf-${district}-locked`, { at: '2026-11-23T09:00:00.000Z', rule: 'UNMASKING_RATE', alertId: `AL-MATRIX-${district}` });
  }
});
afterAll(async () => world.stop());

describe('POST /v1/staff/login (local issuer)', () => {
  it('signs in with the right password: a Bearer token its JWKS verifies, and the account role and district', async () => {
    const clerk = world.account('CLERK');
    const response = await call(login, loginEvent({ username: clerk.username, password: world.password(clerk) }), 'staffLogin');
    expect(response.statusCode).toBe(200);
    const body = staffLoginResponseSchema.parse(JSON.parse(response.body));
    expect(body).toMatchObject({ tokenType: 'Bearer', expiresIn: 3600, staff: { staffId: clerk.staffId, role: 'CLERK', district: DISTRICTS.own } });
    const published = JSON.parse((await call(jwks, staffGet('staff-jwks'), 'staffJwks')).body) as JSONWebKeySet;
    const verifier = new JwtStaffTokenVerifier({ jwks: createLocalJWKSet(published), issuer: LOCAL_STAFF_ISSUER, audience: LOCAL_STAFF_AUDIENCE, audienceClaim: 'aud' });
    expect(await verifier.verify(body.accessToken)).toEqual({ staffId: clerk.staffId });
    // The token works on a staff endpoint at once.
    expect(status(await call(listFilings, staffGet('list-staff-filings', { token: body.accessToken, query: { status: READY } })))).toBe('200 OK');
  });

  it('answers a wrong password and an unknown username identically, after the same scrypt work', async () => {
    const clerk = world.account('CLERK');
    // Prepare: the first call builds the dependencies (including the decoy hash).
    await call(login, loginEvent({ username: 'nobody.370102', password: 'x' }));
    const spy = vi.mocked(scrypt);
    const attempt = async (username: string) => {
      spy.mockClear();
      const response = await call(login, loginEvent({ username, password: 'Wrong-password-1' }));
      return { response, runs: spy.mock.calls.map((c) => JSON.stringify(c[3])) };
    };
    // Act
    const wrongPassword = await attempt(clerk.username);
    const unknownUser = await attempt('ghost.370102');
    // Assess
    expect(problem(wrongPassword.response)).toBe('401 INVALID_CREDENTIALS');
    expect(unknownUser.response.statusCode).toBe(wrongPassword.response.statusCode);
    expect(unknownUser.response.body).toBe(wrongPassword.response.body);
    expect(unknownUser.response.headers).toEqual(wrongPassword.response.headers);
    expect(wrongPassword.runs).toHaveLength(1);
    expect(unknownUser.runs).toEqual(wrongPassword.runs);
  });

  it('tells a deactivated account so only once the password is right', async () => {
    const leaver = { ...world.account('REGISTRAR', DISTRICTS.other), staffId: 'stf-login-leaver', username: 'leaver.370103' };
    await world.directory.putStaff(leaver, { passwordHash: await hashPassword('Leaver-pw-1') });
    await world.directory.deactivate('stf-login-leaver');
    expect(problem(await call(login, loginEvent({ username: 'leaver.370103', password: 'Leaver-pw-1' })))).toBe('403 STAFF_DEACTIVATED');
    expect(problem(await call(login, loginEvent({ username: 'leaver.370103', password: 'not-it' })))).toBe('401 INVALID_CREDENTIALS');
  });

  it('refuses an account without a local password (managed by Cognito) like a wrong password', async () => {
    await world.directory.putStaff({ ...world.account('AUDITOR'), staffId: 'stf-cognito', username: 'cognito.only' });
    expect(problem(await call(login, loginEvent({ username: 'cognito.only', password: '' })))).toBe('422 INVALID_BODY');
    expect(problem(await call(login, loginEvent({ username: 'cognito.only', password: 'anything' })))).toBe('401 INVALID_CREDENTIALS');
  });

  it.each([
    ['malformed JSON', () => loginEvent('{"username":'), '400 MALFORMED_JSON'],
    ['wrong content type', () => loginEvent({ username: 'clerk.370102', password: 'x' }, { 'Content-Type': 'text/plain' }), '415 UNSUPPORTED_MEDIA_TYPE'],
    ['an oversized body', () => loginEvent({ username: 'clerk.370102', password: 'x'.repeat(5000) }), '413 PAYLOAD_TOO_LARGE'],
    ['a missing password', () => loginEvent({ username: 'clerk.370102' }), '422 INVALID_BODY'],
    ['an extra field', () => loginEvent({ username: 'clerk.370102', password: 'x', role: 'ADMIN' }), '422 INVALID_BODY'],
    ['a username that is no username', () => loginEvent({ username: 'Robert"); DROP', password: 'x' }), '422 INVALID_BODY'],
  ] as const)('answers %s with a problem, never echoing the input', async (_name, event, expected) => {
    const response = await call(login, event());
    expect(problem(response)).toBe(expected);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
    expect(response.body).not.toContain('DROP');
  });

  it('audits every attempt under the right tenant, never with the password or the username tried; failures of one address and minute are counted, not audited one by one', async () => {
    const reviewer = world.account('REVIEWER', DISTRICTS.other);
    const ok = lambdaContext('staffLogin');
    await login(loginEvent({ username: reviewer.username, password: world.password(reviewer) }), ok);
    const from = (event: APIGatewayProxyEvent, sourceIp: string) => {
      event.requestContext.identity.sourceIp = sourceIp;
      return event;
    };
    const denied = lambdaContext('staffLogin');
    await login(from(loginEvent({ username: 'guess.370103', password: 'Secret-guess-9' }), '198.51.100.7'), denied);
    const again = lambdaContext('staffLogin');
    expect(problem(await login(from(loginEvent({ username: 'guess2.370103', password: 'Secret-guess-9' }), '198.51.100.7'), again))).toBe('401 INVALID_CREDENTIALS');
    expect(await auditOf(DISTRICTS.other, ok.awsRequestId)).toMatchObject({ actor: `staff:${reviewer.staffId}`, action: 'API_STAFF_LOGIN', outcome: 'SUCCESS' });
    const record = await auditOf('unauthenticated', denied.awsRequestId);
    expect(record).toMatchObject({ actor: 'anonymous', outcome: 'DENIED', detail: { status: 401, code: 'INVALID_CREDENTIALS' } });
    expect(String(record?.detail?.deniedCounter)).toMatch(/^denied#API_STAFF_LOGIN#INVALID_CREDENTIALS#[0-9a-f]{16}#\d+$/);
    // The second denial of the minute is in the counter the first names, not an audit entry of its own.
    expect(await auditOf('unauthenticated', again.awsRequestId)).toBeUndefined();
    expect(await rateCounterFromEnv().current(String(record?.detail?.deniedCounter))).toBe(2);
    expect(JSON.stringify(record)).not.toMatch(/Secret-guess-9|guess\.370103|198\.51\.100\.7/);
  });

  it('throttles sign-in: after 5 wrong passwords for one username, even the right one answers 429 RATE_LIMITED with Retry-After, without scrypt work', async () => {
    const victim = { ...world.account('CLERK'), staffId: 'stf-throttled', username: 'throttled.370102' };
    await world.directory.putStaff(victim, { passwordHash: await hashPassword('Right-pw-1') });
    const fromAddress = (i: number) => {
      const event = loginEvent({ username: victim.username, password: `wrong-${i}` });
      event.requestContext.identity.sourceIp = `203.0.113.${i + 1}`;
      return event;
    };
    for (let i = 0; i < 5; i++) expect(problem(await call(login, fromAddress(i)))).toBe('401 INVALID_CREDENTIALS');
    const right = loginEvent({ username: victim.username, password: 'Right-pw-1' });
    right.requestContext.identity.sourceIp = '203.0.113.99';
    const response = await call(login, right);
    expect(problem(response)).toBe('429 RATE_LIMITED');
    expect(Number(response.headers?.['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(response.body).retryAfterSeconds).toBe(Number(response.headers?.['retry-after']));
    expect(response.body).not.toContain(victim.username);
  });

  it('throttles sign-in per address: after 20 failures from one address, any username answers 429', async () => {
    const fromHere = (username: string, password: string) => {
      const event = loginEvent({ username, password });
      event.requestContext.identity.sourceIp = '192.0.2.44';
      return event;
    };
    for (let i = 0; i < 20; i++) expect(problem(await call(login, fromHere(`nobody${i}.370102`, 'x')))).toBe('401 INVALID_CREDENTIALS');
    const reviewer = world.account('REVIEWER', DISTRICTS.other);
    expect(problem(await call(login, fromHere(reviewer.username, world.password(reviewer))))).toBe('429 RATE_LIMITED');
  });
});

/**
 * Per staff endpoint: how to call it on a district. A new endpoint in STAFF_PERMISSIONS fails to compile
 * here until it says how it is called, and from then on it is part of the matrix.
 */
const requests: {
  readonly [E in StaffEndpointName]: {
    readonly ok: number;
    readonly event: (token: string, district: string) => APIGatewayProxyEvent;
    /** The answer on another district's filing when it is not DISTRICT_FORBIDDEN (a filing elsewhere is 404, like a missing one). */
    readonly other?: string;
  };
} = {
  listStaffFilings: { ok: 200, event: (token, district) => staffGet('list-staff-filings', { token, query: { status: READY, district } }) },
  // An ACCEPTED filing of the district named (F-*-RV, seeded below); another district's answers 404 like a missing one.
  getStaffFiling: { ok: 200, other: '404 FILING_NOT_FOUND', event: (token, district) => staffFilingEvent(token, district === DISTRICTS.own ? 'F98331C3757F66A9C26A87E9B' : 'FF77813DC29E691A674E51C9F') },
  // Refusing is idempotent (the same decision answers the same result), so both allowed roles get 200.
  reviewFiling: {
    ok: 200,
    other: '404 FILING_NOT_FOUND',
    event: (token, district) => reviewEvent(token, district === DISTRICTS.own ? 'F98331C3757F66A9C26A87E9B' : 'FF77813DC29E691A674E51C9F', { decision: 'REFUSE', reasonCode: 'DATA_MISMATCH' }),
  },
  // An ACCEPTED filing of the district named (F-*-URG, seeded below; marking is idempotent, so every allowed role gets 200).
  markUrgent: {
    ok: 200,
    other: '404 FILING_NOT_FOUND',
    event: (token, district) => staffPost('mark-urgent', { token, filingId: district === DISTRICTS.own ? 'F006998959F8F1334D8963331' : 'F338EE494F5D4D626E7CD3F9C', body: { reason: 'Court deadline' } }),
  },
  // Checklists are city-wide (scope `city`): no district in the request; "own"/"other" pick a business type,
  // so that each of the two allowed publishes is the first on its type (baseVersion 1).
  getChecklist: { ok: 200, event: (token, district) => getChecklistEvent(token, district === DISTRICTS.own ? 'TRANSFER_NEW' : 'TRANSFER_RESALE') },
  putChecklist: {
    ok: 200,
    event: (token, district) =>
      putChecklistEvent(token, district === DISTRICTS.own ? 'TRANSFER_NEW' : 'TRANSFER_RESALE', { baseVersion: 1, required: ['APPLICATION_FORM'], optional: [] }),
  },
  // A filing held in INTAKE_REVIEW of each district (seeded below); refusing is idempotent, so every allowed role gets 200.
  decideIntakeReview: {
    ok: 200,
    other: '404 FILING_NOT_FOUND',
    event: (token, district) =>
      staffRequest('decideIntakeReview', { token, path: { filingId: district === DISTRICTS.own ? HELD.own : HELD.other }, body: { decision: 'REFUSE', reasonCode: 'DATA_MISMATCH' } }),
  },
  // Credit is city-wide: the same records whoever calls; each write is idempotent (the same officer and body,
  // the same decision), so the two calls of the one allowed role both succeed.
  listCreditChannels: { ok: 200, event: (token) => staffRequest('listCreditChannels', { token, query: { grade: 'NORMAL' } }) },
  getCreditChannel: { ok: 200, event: (token) => staffRequest('getCreditChannel', { token, path: { channelId: CREDIT.channel } }) },
  postCreditViolation: {
    ok: 201,
    event: (token) => staffRequest('postCreditViolation', { token, path: { channelId: CREDIT.channel }, body: { points: -1, reason: 'Matrix check', evidence: {} } }),
  },
  postShutoff: {
    ok: 201,
    event: (token) => staffRequest('postShutoff', { token, body: { scope: 'CHANNEL', channelId: CREDIT.shutChannel, reason: 'Matrix check', evidence: {} } }),
  },
  listCreditCases: { ok: 200, event: (token) => staffRequest('listCreditCases', { token, query: { status: 'OPEN' } }) },
  getCreditCase: { ok: 200, event: (token) => staffRequest('getCreditCase', { token, path: { caseNo: CREDIT.caseNo } }) },
  decideRectification: {
    ok: 200,
    event: (token) =>
      staffRequest('decideRectification', { token, path: { caseNo: CREDIT.caseNo, rectificationId: CREDIT.rectificationId }, body: { decision: 'REJECT', reasons: 'Evidence missing' } }),
  },
  reopenCase: { ok: 200, event: (token) => staffRequest('reopenCase', { token, path: { caseNo: CREDIT.reopenCaseNo }, body: { reason: 'Matrix check' } }) },
  listCreditAppeals: { ok: 200, event: (token) => staffRequest('listCreditAppeals', { token, query: { status: 'PENDING' } }) },
  decideCreditAppeal: {
    ok: 200,
    event: (token) => staffRequest('decideCreditAppeal', { token, path: { channelId: CREDIT.channel, eventId: CREDIT.eventId }, body: { decision: 'UPHOLD', reason: 'The refusal stands' } }),
  },
  getCreditRules: { ok: 200, event: (token) => staffRequest('getCreditRules', { token }) },
  // The one allowed role publishes twice, "own" first (the matrix runs in order): on version 1, then on 2.
  putCreditRules: { ok: 200, event: (token, district) => staffRequest('putCreditRules', { token, body: { ...RULES_BODY, baseVersion: district === DISTRICTS.own ? 1 : 2 } }) },
  // Incidents: opened in the caller's own district whatever is targeted (the body names none); another
  // district's incident answers 404 like a missing one; a list of another district is DISTRICT_FORBIDDEN.
  postIncident: { ok: 201, other: '201 OK', event: (token) => staffRequest('postIncident', { token, body: { type: 'OTHER', severity: 'LOW', summary: 'Matrix check' } }) },
  listIncidents: { ok: 200, event: (token, district) => staffRequest('listIncidents', { token, query: { district } }) },
  getIncident: { ok: 200, other: '404 INCIDENT_NOT_FOUND', event: (token, district) => staffRequest('getIncident', { token, path: { incidentId: INCIDENTS.read[district === DISTRICTS.own ? 'own' : 'other'] } }) },
  // Each allowed call reports a fresh incident of the district targeted (REPORT is a one-time step).
  postIncidentAction: {
    ok: 200,
    other: '404 INCIDENT_NOT_FOUND',
    event: (token, district) => {
      const world = district === DISTRICTS.own ? 'own' : 'other';
      const incidentId = INCIDENTS.act[world][actedOn[world]++]!;
      return staffRequest('postIncidentAction', { token, path: { incidentId }, body: { action: 'REPORT', note: 'Reported by phone' } });
    },
  },
  getRiskAssessment: { ok: 200, event: (token) => staffRequest('getRiskAssessment', { token, query: { year: String(new Date().getUTCFullYear()) } }) },
  // The review filings (discharges: no people), so an unmasking reveals nothing; another district's is 404.
  unmaskFiling: {
    ok: 200,
    other: '404 FILING_NOT_FOUND',
    event: (token, district) =>
      staffRequest('unmaskFiling', { token, path: { filingId: district === DISTRICTS.own ? 'F98331C3757F66A9C26A87E9B' : 'FF77813DC29E691A674E51C9F' }, body: { purpose: 'SUPERVISION', reason: 'Matrix check' } }),
  },
  getMisuseRules: { ok: 200, event: (token) => staffRequest('getMisuseRules', { token }) },
  // The one allowed role publishes twice, "own" first: on version 1, then on 2.
  putMisuseRules: { ok: 200, event: (token, district) => staffRequest('putMisuseRules', { token, body: { ...BUILT_IN_MISUSE_THRESHOLDS, baseVersion: district === DISTRICTS.own ? 1 : 2 } }) },
  listSecurityAlerts: { ok: 200, event: (token, district) => staffRequest('listSecurityAlerts', { token, query: { district } }) },
  // A LOCKED account of each district (seeded below); the one allowed role unlocks its own district's once.
  // Another district's account answers like a missing one (no probing of staff ids), counted as a cross-district attempt.
  unlockStaff: { ok: 200, other: '404 STAFF_NOT_FOUND', event: (token, district) => staffRequest('unlockStaff', { token, path: { staffId: `stf-${district}-locked` }, body: { reason: 'Reviewed: a false alarm' } }) },
  // The audit logs (test/support/audit-read-world.ts): a district's log is its staff's; another district's is 403.
  listAuditEntries: { ok: 200, event: (token, district) => staffRequest('listAuditEntries', { token, query: { tenant: district } }) },
  // A trace reads across logs and keeps the readable ones: the same 200 whichever filing is traced.
  getAuditTrace: { ok: 200, other: '200 OK', event: (token) => staffRequest('getAuditTrace', { token, query: { filingId: AUDIT_WORLD.filingId } }) },
  getAuditStatistics: { ok: 200, event: (token, district) => staffRequest('getAuditStatistics', { token, query: { tenant: district, groupBy: 'action' } }) },
  getAuditTreeHead: { ok: 200, event: (token, district) => staffRequest('getAuditTreeHead', { token, path: { tenant: district } }) },
  listAuditTreeHeads: { ok: 200, event: (token, district) => staffRequest('listAuditTreeHeads', { token, path: { tenant: district } }) },
  getAuditInclusion: { ok: 200, event: (token, district) => staffRequest('getAuditInclusion', { token, path: { tenant: district }, query: { seq: '3' } }) },
  getAuditConsistency: { ok: 200, event: (token, district) => staffRequest('getAuditConsistency', { token, path: { tenant: district }, query: { first: '4', second: '12' } }) },
  postAuditExport: { ok: 201, event: (token, district) => staffRequest('postAuditExport', { token, body: { tenant: district } }) },
  // Without `district`: the caller's own district (or, for auditors and credit officers, every district).
  // Another district's figures asked by a clerk are 403 DISTRICT_FORBIDDEN (test/integration/statistics-api.test.ts).
  getFilingStatistics: { ok: 200, event: (token) => staffRequest('getFilingStatistics', { token, query: { from: '2026-11-01', to: '2026-11-30' } }) },
  getStaffSelf: { ok: 200, event: (token) => staffRequest('getStaffSelf', { token }) },
  getChannelStatistics: { ok: 200, event: (token) => staffRequest('getChannelStatistics', { token, query: { from: '2026-11-01', to: '2026-11-30' } }) },
  getAuditExport: {
    ok: 200,
    event: (token, district) => staffRequest('getAuditExport', { token, path: { exportId: district === DISTRICTS.own ? AUDIT_WORLD.exports.own : AUDIT_WORLD.exports.other } }),
  },
};

const matrix = staffEndpointNames().flatMap((endpoint) =>
  STAFF_ROLES.flatMap((role) =>
    (['own', 'other'] as const satisfies readonly World[]).map((target) => {
      const allowed = (STAFF_PERMISSIONS[endpoint].roles as readonly StaffRole[]).includes(role);
      // A city-wide endpoint acts on no district: staff of every district get the same answer.
      const cityWide = (STAFF_PERMISSIONS[endpoint].scope as string) === 'city';
      const expected = !allowed ? '403 ROLE_FORBIDDEN' : target === 'own' || cityWide ? `${requests[endpoint].ok} OK` : (requests[endpoint].other ?? '403 DISTRICT_FORBIDDEN');
      return { endpoint, role, target, expected };
    }),
  ),
);

describe('the role × endpoint × district matrix (generated from STAFF_PERMISSIONS)', () => {
  it('covers every staff endpoint of the topology: routed functions reading the staff table, except the local issuer', () => {
    const staffRoutes = Object.entries(decls)
      .filter(([, decl]) => decl.route !== undefined && decl.tables.staff !== undefined && decl.localOnly !== true)
      .map(([name]) => name);
    expect(staffEndpointNames().sort()).toEqual(staffRoutes.sort());
    expect(matrix).toHaveLength(staffRoutes.length * STAFF_ROLES.length * 2);
  });

  it.each(matrix)('$endpoint × $role × $target district → $expected', async ({ endpoint, role, target, expected }) => {
    // Prepare: a staff member of the own district, calling on their own or the other district.
    const staff = world.account(role, DISTRICTS.own);
    const context = lambdaContext(endpoint);
    // Act
    const response = await handlers.get(endpoint)!(requests[endpoint].event(await world.tokenFor(staff), DISTRICTS[target]), context);
    // Assess: the answer, and its audit record under the caller's district naming the caller.
    expect(status(response)).toBe(expected);
    expect(await auditOf(staff.district, context.awsRequestId)).toMatchObject({
      tenant: DISTRICTS.own,
      actor: `staff:${staff.staffId}`,
      outcome: response.statusCode < 400 ? 'SUCCESS' : 'DENIED',
    });
  });
});

describe('GET /v1/staff/filings', () => {
  const list = async (query: Readonly<Record<string, string | readonly string[]>>, role: StaffRole = 'REVIEWER') =>
    call(listFilings, staffGet('list-staff-filings', { token: await world.tokenFor(world.account(role)), query }), 'listStaffFilings');

  it("defaults to the caller's own district and answers summaries only, oldest change first, without personal data", async () => {
    const response = await list({ status: READY });
    expect(response.statusCode).toBe(200);
    const body = staffFilingListSchema.parse(JSON.parse(response.body));
    expect(body.district).toBe(DISTRICTS.own);
    expect(body.items.map((i) => i.filingId)).toEqual(['FAA04112ADF1A453BE32AB9B8', 'F5879652B7FDE4CF58AAC5B5B', 'F6522ABDDC10C03C53605104F']);
    expect(Object.keys(JSON.parse(response.body).items[0]).sort()).toEqual(['businessType', 'filingId', 'institutionId', 'status', 'unitCode', 'updatedAt']);
    expect(response.body).not.toMatch(/sealed|mortgagors|idIndex|F-OTHER/);
  });

  it('pages through the worklist with nextCursor', async () => {
    const first = JSON.parse((await list({ status: READY, limit: '2' })).body) as { items: { filingId: string }[]; nextCursor?: string };
    expect(first.items.map((i) => i.filingId)).toEqual(['FAA04112ADF1A453BE32AB9B8', 'F5879652B7FDE4CF58AAC5B5B']);
    const second = JSON.parse((await list({ status: READY, limit: '2', cursor: first.nextCursor! })).body) as { items: { filingId: string }[] };
    expect(second.items.map((i) => i.filingId)).toEqual(['F6522ABDDC10C03C53605104F']);
  });

  it("refuses another district's cursor (400 CURSOR_INVALID) even to a caller of that district's own worklist", async () => {
    const otherToken = await world.tokenFor(world.account('REVIEWER', DISTRICTS.other));
    await filingRepositoryFromEnv().putIfAbsent(filing('F142258F292979AB45F161B01', DISTRICTS.other, 5));
    const page = JSON.parse((await call(listFilings, staffGet('list-staff-filings', { token: otherToken, query: { status: READY, limit: '1' } }))).body) as { nextCursor?: string };
    expect(page.nextCursor).toBeDefined();
    expect(problem(await list({ status: READY, cursor: page.nextCursor! }))).toBe('400 CURSOR_INVALID');
  });

  it.each([
    ['no status', {}],
    ['an unknown status', { status: 'PENDING' }],
    ['a district that is no district code', { status: READY, district: '3701' }],
    ['a limit out of range', { status: READY, limit: '0' }],
    ['a repeated parameter', { status: [READY, 'ACCEPTED'] }],
    ['an unknown parameter', { status: READY, owner: '张三' }],
    ['a parameter named constructor', { status: READY, constructor: 'x' }],
    ['a parameter named __proto__', { status: READY, ['__proto__']: 'x' }],
    ['a parameter named toString, repeated', { status: READY, toString: ['a', 'b'] }],
    ['a 2 KB parameter name', { status: READY, ['n'.repeat(2048)]: 'x' }],
  ] as const)('answers %s with 400 INVALID_QUERY, never echoing the input', async (_name, query) => {
    const response = await list(query);
    expect(problem(response)).toBe('400 INVALID_QUERY');
    expect(response.body).not.toContain('张三');
  });

  it('audits a refused look into another district with the district asked for', async () => {
    const reviewer = world.account('REVIEWER');
    const context = lambdaContext('listStaffFilings');
    await listFilings(staffGet('list-staff-filings', { token: await world.tokenFor(reviewer), query: { status: READY, district: DISTRICTS.other } }), context);
    expect(await auditOf(DISTRICTS.own, context.awsRequestId)).toMatchObject({
      actor: `staff:${reviewer.staffId}`,
      outcome: 'DENIED',
      target: `district:${DISTRICTS.other}/status:${READY}`,
      detail: { status: 403, code: 'DISTRICT_FORBIDDEN' },
    });
  });
});

describe('staff authentication on every request', () => {
  const get = (options: Parameters<typeof staffGet>[1]) => call(listFilings, staffGet('list-staff-filings', { query: { status: READY }, ...options }));

  it('refuses a deactivated account on its very next request, with the token it already holds', async () => {
    const account = { ...world.account('CLERK', DISTRICTS.other), staffId: 'stf-deactivate-me', username: 'deactivate.me' };
    await world.directory.putStaff(account);
    const token = await world.tokenFor(account);
    expect(status(await get({ token }))).toBe('200 OK');
    await world.directory.deactivate(account.staffId);
    expect(problem(await get({ token }))).toBe('403 STAFF_DEACTIVATED');
  });

  it('applies a role change on the next request', async () => {
    const account = { ...world.account('REGISTRAR'), staffId: 'stf-role-change', username: 'role.change' };
    await world.directory.putStaff(account);
    const token = await world.tokenFor(account);
    expect(status(await get({ token }))).toBe('200 OK');
    await world.directory.putStaff({ ...account, role: 'CREDIT_OFFICER' });
    expect(problem(await get({ token }))).toBe('403 ROLE_FORBIDDEN');
  });

  it('refuses a validly signed token for a deleted or unknown staffId (401 STAFF_TOKEN_INVALID)', async () => {
    const response = await get({ token: await world.tokenFor({ staffId: 'stf-deleted-long-ago', username: 'gone.370102' }) });
    expect(problem(response)).toBe('401 STAFF_TOKEN_INVALID');
    expect(response.headers?.['www-authenticate']).toMatch(/^Bearer /);
  });

  it.each([
    ['no Authorization header', { token: null }, '401 STAFF_TOKEN_MISSING'],
    ['a channel signature instead of a token', { authorization: 'ZT-SM2 channel="ch-bank-a",timestamp="1",nonce="abcdefghijklmnop",signature="MEUCIQ=="' }, '401 STAFF_TOKEN_INVALID'],
    ['a garbage token', { token: 'not.a.jwt' }, '401 STAFF_TOKEN_INVALID'],
  ] as const)('refuses %s', async (_name, options, expected) => {
    expect(problem(await get(options))).toBe(expected);
  });

  it('refuses an expired token', async () => {
    const token = await world.tokenFor(world.account('ADMIN'), new Date(Date.now() - 2 * 3600_000));
    expect(problem(await get({ token }))).toBe('401 STAFF_TOKEN_INVALID');
  });

  it("refuses a token signed by another issuer's key, even with the right claims", async () => {
    const dir = await mkdtemp(resolve(tmpdir(), 'zt-rogue-'));
    try {
      const rogue = await LocalStaffIssuer.open(dir);
      const { accessToken } = await rogue.issue(world.account('ADMIN'));
      expect(problem(await get({ token: accessToken }))).toBe('401 STAFF_TOKEN_INVALID');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
