/**
 * A department simulator over loopback (infra/local/simulators/): a delivery signed by the platform goes
 * in, a result signed with the simulator's own key comes out to a stand-in registry; redeliveries are
 * not answered twice; a bad platform signature is refused 401; `down` and `error` modes; CANCEL stops an
 * answer still to come; a registry that is away gets the result once it is back; a restart sends what was
 * left to send.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requestIdOf, type ResultKind } from '../../../functions/core/domain/coordination';
import { sealForDepartment } from '../../../functions/shared/crypto/department-seal';
import { canonicalRequestString } from '../../../functions/shared/crypto/request-signature';
import { generateSm2KeyPair, sm2Verify } from '../../../functions/shared/crypto/sm2';
import { sandboxDepartments } from '../../../infra/local/seed/demo-departments';
import { DepartmentCases, referenceOf } from '../../../infra/local/simulators/decide';
import { startDepartmentSimulator, type DepartmentSimulator, type DepartmentSimulatorOptions, type LoggedDelivery } from '../../../infra/local/simulators/department-simulator';
import { signDelivery } from '../../../infra/local/simulators/signatures';
import { deliveryIdOf, departmentResultSchema, type DepartmentDelivery } from '../../../schemas/departments/v1';

const platform = generateSm2KeyPair();
const sandbox = sandboxDepartments(2);
const cases = new DepartmentCases(sandbox);
const FILING = 'F0123456789ABCDEF01234567';
const freeUnit = '370102001001GB00001F00010101';

interface Received {
  readonly authorization: string;
  readonly path: string;
  readonly raw: Buffer;
  readonly body: ReturnType<typeof departmentResultSchema.parse>;
}

/** A stand-in for the registry's results endpoint: records what arrives; answers with `status()`. */
class FakeRegistry {
  readonly received: Received[] = [];
  status = (): number => 200;
  private server?: Server;
  url = '';

  async start(port = 0): Promise<void> {
    this.server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const status = this.status();
        if (status < 300) this.received.push({ authorization: String(req.headers.authorization), path: req.url ?? '', raw, body: departmentResultSchema.parse(JSON.parse(raw.toString())) });
        res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/v1/departments/results`;
  }
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
  get port(): number {
    return Number(new URL(this.url).port);
  }
}

let dir: string;
let registry: FakeRegistry;
let simulator: DepartmentSimulator | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zt-simulator-'));
  registry = new FakeRegistry();
  await registry.start();
});
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
  await registry.stop();
  await rm(dir, { recursive: true, force: true });
});

const start = (kind: 'TAX' | 'TRADING', overrides: Partial<DepartmentSimulatorOptions> = {}) =>
  startDepartmentSimulator({
    departmentId: kind === 'TAX' ? 'tax-370100' : 'trading-370100',
    kind,
    name: kind,
    districts: ['370102', '370103'],
    dir,
    platformPublicKey: platform.publicKey,
    resultsUrl: registry.url,
    cases,
    delayMs: 50,
    retryBaseMs: 50,
    ...overrides,
  });

function request(kind: ResultKind, unitCode: string, sealedFor: string, buyers: string[] = ['370102199001010011']): DepartmentDelivery {
  return {
    v: 1,
    type: 'REQUEST',
    requestId: requestIdOf(FILING, kind),
    filingId: FILING,
    kind,
    businessType: 'TRANSFER_RESALE',
    unitCode,
    district: unitCode.slice(0, 6),
    requestedAt: new Date().toISOString(),
    contractNo: 'CL-TEST-1',
    priceFen: '210000000',
    parties: sealForDepartment(
      JSON.stringify({ sellers: [{ name: '甲某', idType: 'RESIDENT_ID', idNumber: '370102198001010012' }], buyers: buyers.map((idNumber) => ({ name: '乙某', idType: 'RESIDENT_ID', idNumber })) }),
      sealedFor,
    ),
    replyTo: registry.url,
  };
}

async function deliver(sim: DepartmentSimulator, delivery: DepartmentDelivery, options: { privateKey?: string; deliveryId?: string } = {}) {
  const body = JSON.stringify(delivery);
  const deliveryId = options.deliveryId ?? deliveryIdOf(delivery.requestId, delivery.type);
  const timestamp = Math.floor(Date.now() / 1000);
  return fetch(sim.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'ZT-Delivery-Id': deliveryId,
      'ZT-Timestamp': String(timestamp),
      'ZT-Signature': signDelivery({ deliveryId, timestamp, body, keyId: 'local-sm2:0123456789abcdef', privateKeyHex: options.privateKey ?? platform.privateKey }),
    },
    body,
  });
}

async function until(condition: () => boolean, timeoutMs = 8_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const AUTH = /^ZT-SM2 department="([^"]+)",timestamp="(\d+)",nonce="([A-Za-z0-9]{16,64})",signature="([A-Za-z0-9+/=]+)"$/;

describe('department simulator over loopback', () => {
  it('takes a signed delivery with 202 at once and posts a result signed with its own key', async () => {
    simulator = await start('TRADING');
    // Prepare
    const delivery = request('CONTRACT_FILING', freeUnit, simulator.publicKey);
    // Act
    const response = await deliver(simulator, delivery);
    // Assess
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ accepted: true, deliveryId: `${delivery.requestId}:REQUEST` });
    await until(() => registry.received.length === 1);
    const [got] = registry.received;
    expect(got!.body).toEqual({ requestId: delivery.requestId, filingId: FILING, kind: 'CONTRACT_FILING', outcome: 'CONFIRMED', reference: referenceOf('CONTRACT_FILING', delivery.requestId) });
    const match = AUTH.exec(got!.authorization)!;
    expect(match[1]).toBe('trading-370100');
    const signed = canonicalRequestString({ method: 'POST', pathAndQuery: got!.path, timestamp: Number(match[2]), nonce: match[3]!, body: got!.raw });
    expect(sm2Verify(signed, Buffer.from(match[4]!, 'base64'), simulator.publicKey)).toBe(true);
    expect(sm2Verify(signed, Buffer.from(match[4]!, 'base64'), generateSm2KeyPair().publicKey)).toBe(false);
    await simulator.idle();
    // Its key pair is its own, and only its owner can read the private half.
    expect((await stat(join(dir, 'signing.key'))).mode & 0o777).toBe(0o600);
    // The log shows ids and codes, never the opened personal data.
    const log = (await (await fetch(`${simulator.url}/_simulator/deliveries`)).json()) as { deliveries: LoggedDelivery[] };
    expect(log.deliveries[0]).toMatchObject({ deliveryId: `${delivery.requestId}:REQUEST`, parties: { sellers: 1, buyers: 1 }, answers: [{ outcome: 'CONFIRMED', state: 'SENT', attempts: 1 }] });
    expect(JSON.stringify(log)).not.toContain('370102199001010011');
  });

  it('drops a redelivered ZT-Delivery-Id: answered once however often it comes', async () => {
    simulator = await start('TRADING');
    const delivery = request('CONTRACT_FILING', freeUnit, simulator.publicKey);
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await deliver(simulator, delivery)).status);
    expect(statuses).toEqual([202, 202, 202, 202, 202]);
    await until(() => registry.received.length >= 1);
    await sleep(300);
    expect(registry.received).toHaveLength(1);
    expect(simulator.deliveries()).toHaveLength(1);
  });

  it('answers sandbox outcomes: no contract filing, contract naming other buyers', async () => {
    simulator = await start('TRADING');
    const noContract = sandbox.cases.NO_CONTRACT_FILING.units[0]!.unitCode;
    const otherBuyers = sandbox.cases.CONTRACT_NAMES_OTHER_BUYERS.units[0]!;
    await deliver(simulator, request('CONTRACT_FILING', noContract, simulator.publicKey));
    await until(() => registry.received.length === 1);
    expect(registry.received[0]!.body).toMatchObject({ outcome: 'REJECTED', reasonCode: 'CONTRACT_NOT_FILED' });
    await deliver(simulator, { ...request('CONTRACT_FILING', otherBuyers.unitCode, simulator.publicKey), requestId: 'F0123456789ABCDEF0123456A-CF', filingId: 'F0123456789ABCDEF0123456A' });
    await until(() => registry.received.length === 2);
    expect(registry.received[1]!.body).toMatchObject({ outcome: 'REJECTED', reasonCode: 'CONTRACT_PARTIES_DIFFER' });
    await deliver(simulator, {
      ...request('CONTRACT_FILING', otherBuyers.unitCode, simulator.publicKey, otherBuyers.contractBuyers!.map((b) => b.idNumber)),
      requestId: 'F0123456789ABCDEF0123456B-CF',
      filingId: 'F0123456789ABCDEF0123456B',
    });
    await until(() => registry.received.length === 3);
    expect(registry.received[2]!.body).toMatchObject({ outcome: 'CONFIRMED' });
  });

  it('refuses a delivery not signed by the platform with 401 and records nothing', async () => {
    simulator = await start('TRADING');
    const delivery = request('CONTRACT_FILING', freeUnit, simulator.publicKey);
    const wrong = await deliver(simulator, delivery, { privateKey: generateSm2KeyPair().privateKey });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ code: 'BAD_SIGNATURE' });
    const unsigned = await fetch(simulator.endpoint, { method: 'POST', body: JSON.stringify(delivery) });
    expect(unsigned.status).toBe(401);
    // A signature over another delivery id does not vouch for this body.
    expect((await deliver(simulator, delivery, { deliveryId: 'F0123456789ABCDEF01234567-TC:REQUEST' })).status).toBe(400);
    await sleep(200);
    expect(registry.received).toHaveLength(0);
    expect(simulator.deliveries()).toHaveLength(0);
    // The genuine delivery is still taken afterwards.
    expect((await deliver(simulator, delivery)).status).toBe(202);
  });

  it('refuses parties sealed for another department (400, not recorded, so a corrected redelivery is taken)', async () => {
    simulator = await start('TRADING');
    const delivery = request('CONTRACT_FILING', freeUnit, generateSm2KeyPair().publicKey);
    expect((await deliver(simulator, delivery)).status).toBe(400);
    expect((await deliver(simulator, request('CONTRACT_FILING', freeUnit, simulator.publicKey))).status).toBe(202);
  });

  it('refuses a result kind it does not give (422)', async () => {
    simulator = await start('TAX');
    expect((await deliver(simulator, request('CONTRACT_FILING', freeUnit, simulator.publicKey))).status).toBe(422);
  });

  it('mode down destroys delivery connections; error answers 503; up is normal again; nothing is recorded meanwhile', async () => {
    simulator = await start('TRADING');
    const delivery = request('CONTRACT_FILING', freeUnit, simulator.publicKey);
    const setMode = (mode: string) => fetch(`${simulator!.url}/_simulator/mode`, { method: 'POST', body: JSON.stringify({ mode }) });
    expect((await setMode('down')).status).toBe(200);
    await expect(deliver(simulator, delivery)).rejects.toThrow();
    expect((await setMode('error')).status).toBe(200);
    expect((await deliver(simulator, delivery)).status).toBe(503);
    expect((await setMode('sideways')).status).toBe(400);
    expect(((await (await fetch(`${simulator.url}/_simulator/status`)).json()) as { mode: string }).mode).toBe('error');
    expect(simulator.deliveries()).toHaveLength(0);
    expect((await setMode('up')).status).toBe(200);
    expect((await deliver(simulator, delivery)).status).toBe(202);
    await until(() => registry.received.length === 1);
  });

  it('tax unpaid at first: PENDING at once, CONFIRMED pushed by itself once paid', async () => {
    simulator = await start('TAX');
    const unit = sandbox.cases.TAX_UNPAID_AT_FIRST.units[0]!.unitCode;
    const started = Date.now();
    await deliver(simulator, request('TAX_CLEARANCE', unit, simulator.publicKey));
    await until(() => registry.received.length === 1);
    expect(registry.received[0]!.body).toMatchObject({ outcome: 'PENDING', reasonCode: 'TAX_UNPAID' });
    await until(() => registry.received.length === 2, 5_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    expect(registry.received[1]!.body).toMatchObject({ outcome: 'CONFIRMED', reference: referenceOf('TAX_CLEARANCE', requestIdOf(FILING, 'TAX_CLEARANCE')) });
  });

  it('CANCEL stops an answer still to come', async () => {
    simulator = await start('TAX');
    const unit = sandbox.cases.TAX_UNPAID_AT_FIRST.units[0]!.unitCode;
    const req = request('TAX_CLEARANCE', unit, simulator.publicKey);
    await deliver(simulator, req);
    await until(() => registry.received.length === 1);
    const { v, requestId, filingId, kind, businessType, unitCode, district } = req;
    const response = await deliver(simulator, { v, requestId, filingId, kind, businessType, unitCode, district, type: 'CANCEL', reason: 'WITHDRAWN', cancelledAt: new Date().toISOString() });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ stoppedAnswers: 1 });
    await sleep(2_500);
    expect(registry.received.map((r) => r.body.outcome)).toEqual(['PENDING']);
    expect(simulator.deliveries()[0]!.answers!.map((a) => a.state)).toEqual(['SENT', 'CANCELLED']);
  });

  it('records a REGISTRATION_RESULT in its log', async () => {
    simulator = await start('TRADING');
    const delivery: DepartmentDelivery = {
      v: 1,
      type: 'REGISTRATION_RESULT',
      requestId: requestIdOf(FILING, 'CONTRACT_FILING'),
      filingId: FILING,
      kind: 'CONTRACT_FILING',
      businessType: 'TRANSFER_RESALE',
      unitCode: freeUnit,
      district: '370102',
      certificateNo: '鲁(2026)济南市不动产权第0000001号',
      registeredAt: new Date().toISOString(),
    };
    expect((await deliver(simulator, delivery)).status).toBe(202);
    const log = (await (await fetch(`${simulator.url}/_simulator/deliveries`)).json()) as { deliveries: LoggedDelivery[] };
    expect(log.deliveries).toEqual([expect.objectContaining({ type: 'REGISTRATION_RESULT', certificateNo: delivery.certificateNo, deliveryId: `${delivery.requestId}:REGISTRATION_RESULT` })]);
  });

  it('retries a result the registry did not take (5xx, then away), until it is back', async () => {
    simulator = await start('TRADING');
    let calls = 0;
    registry.status = () => (++calls <= 2 ? 503 : 200);
    await deliver(simulator, request('CONTRACT_FILING', freeUnit, simulator.publicKey));
    await until(() => registry.received.length === 1);
    // The registry has the result before the simulator has read the answer.
    await simulator.idle();
    expect(simulator.deliveries()[0]!.answers![0]).toMatchObject({ state: 'SENT', attempts: 3, lastStatus: 200 });

    // The registry is down altogether, then comes back on the same port.
    const port = registry.port;
    await registry.stop();
    await deliver(simulator, { ...request('CONTRACT_FILING', freeUnit, simulator.publicKey), requestId: 'F0123456789ABCDEF0123456C-CF', filingId: 'F0123456789ABCDEF0123456C' });
    await until(() => (simulator!.deliveries()[1]!.answers![0]!.attempts ?? 0) >= 2);
    const back = new FakeRegistry();
    await back.start(port);
    registry = back;
    await until(() => back.received.length === 1);
    expect(back.received[0]!.body.requestId).toBe('F0123456789ABCDEF0123456C-CF');
  });

  it('after a restart keeps its key and port, still drops seen deliveries, and sends answers left to send', async () => {
    simulator = await start('TAX', { delayMs: 400 });
    const { publicKey, endpoint } = simulator;
    const req = request('TAX_CLEARANCE', freeUnit, simulator.publicKey);
    await deliver(simulator, req);
    await simulator.close();
    simulator = await start('TAX', { delayMs: 400 });
    expect(simulator.publicKey).toBe(publicKey);
    expect(simulator.endpoint).toBe(endpoint);
    await until(() => registry.received.length === 1);
    expect(registry.received[0]!.body).toMatchObject({ outcome: 'CONFIRMED', requestId: req.requestId });
    expect(await (await deliver(simulator, req)).json()).toMatchObject({ duplicate: true });
    await sleep(600);
    expect(registry.received).toHaveLength(1);
  });

  it('keeps its log to maxLogEntries, dropping the oldest deliveries with nothing left to send', async () => {
    simulator = await start('TRADING', { maxLogEntries: 3 });
    const ids = ['F0123456789ABCDEF0123456D', 'F0123456789ABCDEF0123456E', 'F0123456789ABCDEF0123456F', 'F0123456789ABCDEF01234570', 'F0123456789ABCDEF01234571'];
    for (const filingId of ids) await deliver(simulator, { ...request('CONTRACT_FILING', freeUnit, simulator.publicKey), requestId: `${filingId}-CF`, filingId });
    await until(() => registry.received.length === 5);
    await simulator.idle();
    // One more change to save: the log is trimmed as it is written.
    await deliver(simulator, { ...request('CONTRACT_FILING', freeUnit, simulator.publicKey), requestId: 'F0123456789ABCDEF01234572-CF', filingId: 'F0123456789ABCDEF01234572' });
    await until(() => registry.received.length === 6);
    await simulator.idle();
    expect(simulator.deliveries().length).toBeLessThanOrEqual(3);
    expect(simulator.deliveries().at(-1)!.filingId).toBe('F0123456789ABCDEF01234572');
  });

  it('serves its control endpoints to loopback only', async () => {
    simulator = await start('TRADING');
    const status = await (await fetch(`${simulator.url}/_simulator/status`)).json();
    expect(status).toMatchObject({ departmentId: 'trading-370100', kind: 'TRADING', mode: 'up', endpoint: simulator.endpoint, publicKey: simulator.publicKey });
    expect(status).not.toHaveProperty('privateKey');
  });
});
