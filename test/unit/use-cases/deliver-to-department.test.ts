/**
 * The department connector's use case with in-memory ports (the filing repository applies transitions
 * conditionally, as DynamoDB does), the real SM2 signing and sealing, and a scripted HTTP port: what is
 * delivered to whom, what the filing records, and that nothing is posted twice.
 */
import { describe, expect, it } from 'vitest';
import { ConfiguredDepartmentDirectory } from '../../../functions/adapters/config/department-directory';
import { DecoyVault } from '../../../functions/adapters/keys/decoy-vault';
import { cancelOpenRequests, requestIdOf, startCoordination, type Coordination, type CoordinationRequest } from '../../../functions/core/domain/coordination';
import type { FilingRecord, FilingStatus, SealedPerson } from '../../../functions/core/domain/filing';
import type { DepartmentMessage } from '../../../functions/core/domain/lifecycle';
import type { Department } from '../../../functions/core/ports';
import { webhookSignedString } from '../../../functions/core/use-cases/deliver-progress';
import { deliverToDepartment, type DeliverToDepartmentPorts } from '../../../functions/core/use-cases/deliver-to-department';
import { openDepartmentSeal } from '../../../functions/shared/crypto/department-seal';
import { generateSm2KeyPair, sm2Sign, sm2Verify } from '../../../functions/shared/crypto/sm2';
import {
  departmentCancellationSchema,
  departmentRequestSchema,
  registrationResultSchema,
  sealedPartiesSchema,
} from '../../../schemas/departments/v1';
import { fixedClock, MemoryAudit, MemoryFilings, MemoryNotifications, MemorySender } from '../../support/memory-ports';

const DISTRICT = '370102';
const ID = 'F0123456789ABCDEF01234567';
const UNIT = '370102001001GB00001F00010101';
const SELLER = { name: '张三丰', idNumber: '370102198001011237' };
const BUYER = { name: '王小明', idNumber: '370103199002020021' };
const PERSONAL_DATA = [SELLER.name, SELLER.idNumber, BUYER.name, BUYER.idNumber];
const ACCEPTED_AT = '2026-11-23T09:00:00.000Z';
const NOW = '2026-11-23T09:10:00.000Z';
const RESULTS_URL = 'https://zt.example.cn/v1/departments/results';

const taxKeys = generateSm2KeyPair();
const tradingKeys = generateSm2KeyPair();
const platformKeys = generateSm2KeyPair();
const TAX: Department = { departmentId: 'tax-lixia', kind: 'TAX', name: '历下区税务局', districts: [DISTRICT], endpoint: 'https://tax.example.cn/zt', publicKey: taxKeys.publicKey };
const TRADING: Department = { departmentId: 'trading-jinan', kind: 'TRADING', name: '济南市住房交易中心', districts: [DISTRICT], endpoint: 'https://trading.example.cn/zt', publicKey: tradingKeys.publicKey };

const TC = requestIdOf(ID, 'TAX_CLEARANCE');
const CF = requestIdOf(ID, 'CONTRACT_FILING');

async function world(options: { departments?: Department[]; resultsUrl?: string | undefined } = {}) {
  const vault = new DecoyVault();
  const seal = async (p: { name: string; idNumber: string }): Promise<SealedPerson> => ({
    name: await vault.seal(DISTRICT, 'name', p.name, ID),
    idType: 'RESIDENT_ID',
    idNumber: await vault.seal(DISTRICT, 'idNumber', p.idNumber, ID),
    idIndex: await vault.blindIndex(DISTRICT, 'idNumber', p.idNumber),
  });
  const base: FilingRecord = {
    filingId: ID,
    channelId: 'ch-agency',
    institutionId: 'INST-AGENCY',
    clientRef: 'RESALE-1',
    batchId: 'B1',
    businessType: 'TRANSFER_RESALE',
    unitCode: UNIT,
    district: DISTRICT,
    content: { businessType: 'TRANSFER_RESALE', sellers: [await seal(SELLER)], buyers: [await seal(BUYER)], contractNo: 'HT-2026-0001', priceFen: '250000000' },
    materials: [],
    contentHash: 'x',
    status: 'AWAITING_COORDINATION',
    createdAt: ACCEPTED_AT,
    updatedAt: ACCEPTED_AT,
    history: [
      { at: ACCEPTED_AT, status: 'SUBMITTED', by: 'channel:ch-agency' },
      { at: ACCEPTED_AT, status: 'ACCEPTED', by: 'worker:intake' },
      { at: ACCEPTED_AT, status: 'AWAITING_COORDINATION', by: 'worker:lifecycle' },
    ],
  };
  const filing: FilingRecord = { ...base, coordination: startCoordination(base, ACCEPTED_AT, 30) };
  const filings = new MemoryFilings();
  filings.put(filing);
  const audit = new MemoryAudit();
  const sender = new MemorySender();
  const allocations = new Map<string, string>();
  const ports: DeliverToDepartmentPorts = {
    filings,
    audit,
    notifications: new MemoryNotifications(),
    clock: fixedClock(NOW),
    directory: new ConfiguredDepartmentDirectory(options.departments ?? [TAX, TRADING]),
    vault,
    certificates: { allocationOf: async (filingId) => (allocations.has(filingId) ? { filingId, certificateNo: allocations.get(filingId)!, series: { district: DISTRICT, year: 2026, kind: 'TITLE' } } : undefined) },
    signer: { keyId: 'local-sm2:0123456789abcdef', publicKeyHex: async () => platformKeys.publicKey, sign: async (m) => sm2Sign(m, platformKeys.privateKey) },
    sender,
    ...('resultsUrl' in options ? (options.resultsUrl === undefined ? {} : { resultsUrl: options.resultsUrl }) : { resultsUrl: RESULTS_URL }),
  };
  const stored = () => filings.filings.get(ID)!;
  const requestOf = (requestId: string): CoordinationRequest => Object.values(stored().coordination!.requests).find((r) => r!.requestId === requestId)!;
  /** Changes the stored filing as another decision would have (a department's answer, a withdrawal, …). */
  const change = (f: (filing: FilingRecord) => Partial<FilingRecord>) => {
    const current = stored();
    filings.filings.set(ID, { ...current, ...f(current), revision: (current.revision ?? 0) + 1 });
  };
  return { ports, filings, audit, sender, allocations, stored, requestOf, change };
}

const message = (type: DepartmentMessage['type'], requestId = TC): DepartmentMessage => ({ v: 1, type, filingId: ID, requestId });
const bodyOf = (sent: { body: string }) => JSON.parse(sent.body) as Record<string, unknown>;
const withState = (coordination: Coordination, requestId: string, patch: Partial<CoordinationRequest>): Coordination => ({
  ...coordination,
  requests: Object.fromEntries(Object.entries(coordination.requests).map(([k, r]) => [k, r!.requestId === requestId ? { ...r!, ...patch } : r])),
});

describe('deliverToDepartment: a REQUEST', () => {
  it('POSTs a signed request to the department of its kind serving the district, and records the delivery with a DATA_PROVIDED audit record', async () => {
    // Prepare
    const { ports, sender, audit, requestOf } = await world();
    // Act
    const result = await deliverToDepartment(ports, message('REQUEST'));
    // Assess: delivered to the tax department, once.
    expect(result).toEqual({ kind: 'delivered', departmentId: TAX.departmentId, httpStatus: 204 });
    expect(sender.sent).toHaveLength(1);
    const [sent] = sender.sent;
    expect(sent!.url).toBe(TAX.endpoint);
    expect(sent!.headers['ZT-Delivery-Id']).toBe(`${TC}:REQUEST`);
    expect(sent!.headers['content-type']).toBe('application/json; charset=utf-8');
    const timestamp = Number(sent!.headers['ZT-Timestamp']);
    expect(timestamp).toBe(Date.parse(NOW) / 1000);
    const signature = /^ZT-SM2 keyId="local-sm2:0123456789abcdef",signature="([A-Za-z0-9+/=]+)"$/.exec(sent!.headers['ZT-Signature']!);
    expect(signature).not.toBeNull();
    expect(sm2Verify(webhookSignedString(timestamp, `${TC}:REQUEST`, sent!.body), Buffer.from(signature![1]!, 'base64'), platformKeys.publicKey)).toBe(true);
    // The body is exactly a department request.
    const body = departmentRequestSchema.parse(bodyOf(sent!));
    expect(body).toMatchObject({
      v: 1,
      type: 'REQUEST',
      requestId: TC,
      filingId: ID,
      kind: 'TAX_CLEARANCE',
      businessType: 'TRANSFER_RESALE',
      unitCode: UNIT,
      district: DISTRICT,
      requestedAt: ACCEPTED_AT,
      contractNo: 'HT-2026-0001',
      priceFen: '250000000',
      replyTo: RESULTS_URL,
    });
    // Recorded on the request, and audited as data provided to the department (≥ 3 years), ids and codes only.
    expect(requestOf(TC)).toMatchObject({ state: 'REQUESTED', departmentId: TAX.departmentId, deliveredAt: NOW });
    expect(requestOf(CF).deliveredAt).toBeUndefined();
    expect(audit.records).toHaveLength(1);
    expect(audit.records[0]).toMatchObject({
      retention: 'DATA_PROVIDED',
      tenant: DISTRICT,
      actor: 'worker:department-connector',
      action: 'DATA_PROVIDED_TO_DEPARTMENT',
      outcome: 'SUCCESS',
      target: ID,
      detail: { requestId: TC, departmentId: TAX.departmentId, type: 'REQUEST', httpStatus: 204 },
    });
    for (const value of PERSONAL_DATA) expect(JSON.stringify(audit.records)).not.toContain(value);
  });

  it('seals the sellers and buyers for that department only: its private key opens them, nothing personal is outside `parties`', async () => {
    const { ports, sender } = await world();
    await deliverToDepartment(ports, message('REQUEST'));
    const body = departmentRequestSchema.parse(bodyOf(sender.sent[0]!));
    // Prepare the assessment: everything but the envelope carries no personal data.
    const { parties, ...outside } = body;
    for (const value of PERSONAL_DATA) {
      expect(JSON.stringify(outside)).not.toContain(value);
      expect(JSON.stringify(parties)).not.toContain(value);
    }
    // Assess: the tax department's key opens exactly the filing's people; the trading department's does not.
    expect(sealedPartiesSchema.parse(JSON.parse(openDepartmentSeal(parties!, taxKeys.privateKey)))).toEqual({
      sellers: [{ name: SELLER.name, idType: 'RESIDENT_ID', idNumber: SELLER.idNumber }],
      buyers: [{ name: BUYER.name, idType: 'RESIDENT_ID', idNumber: BUYER.idNumber }],
    });
    expect(() => openDepartmentSeal(parties!, tradingKeys.privateKey)).toThrow();
  });

  it('goes to the trading department for the contract filing, and leaves replyTo out when no results URL is configured', async () => {
    const { ports, sender, requestOf } = await world({ resultsUrl: undefined });
    await deliverToDepartment(ports, message('REQUEST', CF));
    expect(sender.sent.map((s) => s.url)).toEqual([TRADING.endpoint]);
    const body = departmentRequestSchema.parse(bodyOf(sender.sent[0]!));
    expect(body.kind).toBe('CONTRACT_FILING');
    expect(body).not.toHaveProperty('replyTo');
    expect(requestOf(CF).departmentId).toBe(TRADING.departmentId);
  });

  it('does not POST again once the delivery is recorded (a redelivered message)', async () => {
    const { ports, sender, audit } = await world();
    await deliverToDepartment(ports, message('REQUEST'));
    const again = await deliverToDepartment(ports, message('REQUEST'));
    expect(again).toEqual({ kind: 'skipped', reason: 'ALREADY_DELIVERED' });
    expect(sender.sent).toHaveLength(1);
    expect(audit.records).toHaveLength(1);
  });

  it('records a failed attempt (503, timeout) on the request and answers failed, audited as data provided with outcome ERROR (the department may have got it)', async () => {
    const { ports, sender, audit, requestOf } = await world();
    sender.answers.push({ kind: 'answered', status: 503 }, { kind: 'unanswered', reason: 'TIMEOUT' });
    expect(await deliverToDepartment(ports, message('REQUEST'))).toEqual({ kind: 'failed', reason: 'HTTP_503', departmentId: TAX.departmentId, httpStatus: 503 });
    expect(requestOf(TC)).toMatchObject({ failedAttempts: 1, lastFailure: 'HTTP_503', lastFailureAt: NOW });
    expect(requestOf(TC).deliveredAt).toBeUndefined();
    expect(await deliverToDepartment(ports, message('REQUEST'))).toEqual({ kind: 'failed', reason: 'TIMEOUT', departmentId: TAX.departmentId });
    expect(requestOf(TC)).toMatchObject({ failedAttempts: 2, lastFailure: 'TIMEOUT' });
    expect(audit.records.map((r) => `${r.action} ${r.outcome} ${r.retention}`)).toEqual(['DATA_DELIVERY_FAILED ERROR DATA_PROVIDED', 'DATA_DELIVERY_FAILED ERROR DATA_PROVIDED']);
    // Then the department is back: delivered.
    expect((await deliverToDepartment(ports, message('REQUEST'))).kind).toBe('delivered');
    expect(requestOf(TC)).toMatchObject({ failedAttempts: 2, deliveredAt: NOW });
  });

  it('records NO_DEPARTMENT and posts nothing when no department of the kind serves the district', async () => {
    const { ports, sender, requestOf } = await world({ departments: [TRADING] });
    expect(await deliverToDepartment(ports, message('REQUEST'))).toEqual({ kind: 'failed', reason: 'NO_DEPARTMENT' });
    expect(sender.sent).toEqual([]);
    expect(requestOf(TC)).toMatchObject({ failedAttempts: 1, lastFailure: 'NO_DEPARTMENT' });
  });

  it.each<[string, FilingStatus, Partial<CoordinationRequest>, string]>([
    ['the filing no longer awaits coordination', 'WITHDRAWN', {}, 'NOT_AWAITING_COORDINATION'],
    ['the request was answered already', 'AWAITING_COORDINATION', { state: 'CONFIRMED' }, 'REQUEST_NOT_OPEN'],
    ['the request was cancelled', 'AWAITING_COORDINATION', { state: 'CANCELLED' }, 'REQUEST_NOT_OPEN'],
  ])('acknowledges without posting when %s', async (_why, status, patch, reason) => {
    const { ports, sender, change, stored } = await world();
    change((f) => ({ status, coordination: withState(f.coordination!, TC, patch) }));
    const revision = stored().revision;
    expect(await deliverToDepartment(ports, message('REQUEST'))).toEqual({ kind: 'skipped', reason });
    expect(sender.sent).toEqual([]);
    expect(stored().revision).toBe(revision);
  });

  it('acknowledges a message of an unknown filing or request', async () => {
    const { ports, sender } = await world();
    expect(await deliverToDepartment(ports, { v: 1, type: 'REQUEST', filingId: 'F00000000000000000000000Z', requestId: 'F00000000000000000000000Z-TC' })).toEqual({ kind: 'skipped', reason: 'FILING_NOT_FOUND' });
    expect(await deliverToDepartment(ports, message('REQUEST', requestIdOf(ID, 'COMPLETION_RECORD')))).toEqual({ kind: 'skipped', reason: 'REQUEST_NOT_FOUND' });
    expect(sender.sent).toEqual([]);
  });

  it('keeps an answer that the department gave before its delivery was recorded (the record is re-read and re-applied)', async () => {
    // Prepare: the department answers PENDING while the POST is under way, before the connector records it.
    const { ports, filings, requestOf, change } = await world();
    let raced = false;
    filings.beforeCommit = () => {
      if (raced) return;
      raced = true;
      change((f) => ({ coordination: withState(f.coordination!, TC, { state: 'PENDING', reasonCode: 'TAX_UNPAID', answeredAt: NOW }) }));
    };
    // Act
    const result = await deliverToDepartment(ports, message('REQUEST'));
    // Assess: both the answer and the delivery are on the request.
    expect(result.kind).toBe('delivered');
    expect(requestOf(TC)).toMatchObject({ state: 'PENDING', reasonCode: 'TAX_UNPAID', deliveredAt: NOW, departmentId: TAX.departmentId });
  });
});

describe('deliverToDepartment: a CANCEL', () => {
  it('tells the department the request went to, with the reason, and records the cancellation delivered', async () => {
    // Prepare: delivered to the tax department, then withdrawn by the filer.
    const { ports, sender, change, requestOf, audit } = await world();
    await deliverToDepartment(ports, message('REQUEST'));
    change((f) => ({ status: 'WITHDRAWN', coordination: cancelOpenRequests(f.coordination!, NOW) }));
    // Act
    const result = await deliverToDepartment(ports, message('CANCEL'));
    // Assess
    expect(result).toEqual({ kind: 'delivered', departmentId: TAX.departmentId, httpStatus: 204 });
    expect(sender.sent[1]!.headers['ZT-Delivery-Id']).toBe(`${TC}:CANCEL`);
    expect(departmentCancellationSchema.parse(bodyOf(sender.sent[1]!))).toEqual({
      v: 1,
      type: 'CANCEL',
      requestId: TC,
      filingId: ID,
      kind: 'TAX_CLEARANCE',
      businessType: 'TRANSFER_RESALE',
      unitCode: UNIT,
      district: DISTRICT,
      reason: 'WITHDRAWN',
      cancelledAt: NOW,
    });
    expect(requestOf(TC)).toMatchObject({ state: 'CANCELLED', cancellationDeliveredAt: NOW });
    expect(audit.records.at(-1)).toMatchObject({ action: 'DATA_PROVIDED_TO_DEPARTMENT', detail: { type: 'CANCEL', requestId: TC } });
    // Redelivered: nothing more.
    expect(await deliverToDepartment(ports, message('CANCEL'))).toEqual({ kind: 'skipped', reason: 'ALREADY_DELIVERED' });
    expect(sender.sent).toHaveLength(2);
  });

  it('says REFUSED when the filing was refused on another result, and goes to the serving department if never delivered', async () => {
    const { ports, sender, change } = await world();
    change((f) => ({ status: 'REFUSED', coordination: cancelOpenRequests(f.coordination!, NOW) }));
    await deliverToDepartment(ports, message('CANCEL', CF));
    expect(sender.sent.map((s) => s.url)).toEqual([TRADING.endpoint]);
    expect(departmentCancellationSchema.parse(bodyOf(sender.sent[0]!)).reason).toBe('REFUSED');
  });

  it('has nobody to tell when the request was never delivered and no department serves it', async () => {
    const { ports, sender, change } = await world({ departments: [] });
    change((f) => ({ status: 'WITHDRAWN', coordination: cancelOpenRequests(f.coordination!, NOW) }));
    expect(await deliverToDepartment(ports, message('CANCEL'))).toEqual({ kind: 'skipped', reason: 'NEVER_DELIVERED' });
    expect(sender.sent).toEqual([]);
  });

  it('is not sent for a request that is not cancelled', async () => {
    const { ports, sender } = await world();
    expect(await deliverToDepartment(ports, message('CANCEL'))).toEqual({ kind: 'skipped', reason: 'REQUEST_NOT_OPEN' });
    expect(sender.sent).toEqual([]);
  });
});

describe('deliverToDepartment: a REGISTRATION_RESULT', () => {
  it('pushes the certificate number and registration time to the department that took part, once', async () => {
    // Prepare: delivered and confirmed, then registered and certified.
    const { ports, sender, change, requestOf, allocations } = await world();
    await deliverToDepartment(ports, message('REQUEST'));
    const REGISTERED_AT = '2026-11-24T02:00:00.000Z';
    change((f) => ({
      status: 'CERTIFIED',
      coordination: withState(f.coordination!, TC, { state: 'CONFIRMED' }),
      history: [...f.history, { at: REGISTERED_AT, status: 'REGISTERED', by: 'staff:s1' }, { at: '2026-11-24T02:00:05.000Z', status: 'CERTIFIED', by: 'staff:s1' }],
    }));
    allocations.set(ID, '鲁(2026)济南市历下区不动产权第0000123号');
    // Act
    const result = await deliverToDepartment(ports, message('REGISTRATION_RESULT'));
    // Assess
    expect(result.kind).toBe('delivered');
    expect(sender.sent[1]!.url).toBe(TAX.endpoint);
    expect(registrationResultSchema.parse(bodyOf(sender.sent[1]!))).toEqual({
      v: 1,
      type: 'REGISTRATION_RESULT',
      requestId: TC,
      filingId: ID,
      kind: 'TAX_CLEARANCE',
      businessType: 'TRANSFER_RESALE',
      unitCode: UNIT,
      district: DISTRICT,
      certificateNo: '鲁(2026)济南市历下区不动产权第0000123号',
      registeredAt: REGISTERED_AT,
    });
    expect(requestOf(TC).registrationDeliveredAt).toBe(NOW);
    expect(await deliverToDepartment(ports, message('REGISTRATION_RESULT'))).toEqual({ kind: 'skipped', reason: 'ALREADY_DELIVERED' });
    expect(sender.sent).toHaveLength(2);
  });

  it('fails (to be retried) while the filing has no certificate, posting nothing', async () => {
    const { ports, sender } = await world();
    await deliverToDepartment(ports, message('REQUEST'));
    await expect(deliverToDepartment(ports, message('REGISTRATION_RESULT'))).rejects.toThrow(/no certificate/);
    expect(sender.sent).toHaveLength(1);
  });
});

describe('deliverToDepartment: deliveries whose record raced another decision', () => {
  it('a REQUEST redelivered after the department answered (its record lost to a failure) is recorded, audited as data provided, and not posted again', async () => {
    const { ports, sender, audit, requestOf, change } = await world();
    // The department got it and answered; the filing moved on; the connector never recorded the delivery.
    change((f) => ({ status: 'READY_FOR_REVIEW', coordination: withState(f.coordination!, TC, { state: 'CONFIRMED', answers: [{ at: NOW, outcome: 'CONFIRMED' }] }) }));
    expect(await deliverToDepartment(ports, message('REQUEST'))).toEqual({ kind: 'skipped', reason: 'NOT_AWAITING_COORDINATION' });
    expect(sender.sent).toEqual([]);
    expect(requestOf(TC)).toMatchObject({ deliveredAt: NOW, departmentId: TAX.departmentId });
    expect(audit.records.map((r) => `${r.action} ${r.retention} ${String(r.detail?.['knownFromAnswer'])}`)).toEqual(['DATA_PROVIDED_TO_DEPARTMENT DATA_PROVIDED true']);
  });

  it('a REQUEST that reaches the department after its cancellation is followed by the cancellation again', async () => {
    const { ports, sender, requestOf, change } = await world();
    // The filing is withdrawn while the REQUEST is being posted; its CANCEL went first (and was dropped as unknown).
    const post = sender.post.bind(sender);
    sender.post = async (request) => {
      const outcome = await post(request);
      if (request.headers['ZT-Delivery-Id']!.endsWith(':REQUEST')) {
        change((f) => {
          const cancelled = cancelOpenRequests(f.coordination!, NOW);
          return { status: 'WITHDRAWN', coordination: withState(cancelled, TC, { state: 'CANCELLED', cancellationDeliveredAt: NOW }) };
        });
      }
      return outcome;
    };
    expect((await deliverToDepartment(ports, message('REQUEST'))).kind).toBe('delivered');
    expect(sender.sent.map((s) => s.headers['ZT-Delivery-Id'])).toEqual([`${TC}:REQUEST`, `${TC}:CANCEL`]);
    expect(requestOf(TC)).toMatchObject({ state: 'CANCELLED', deliveredAt: NOW, cancellationDeliveredAt: NOW });
  });
});
