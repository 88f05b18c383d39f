/**
 * The local runtime with its department simulators (issue 8), as test/support/department-simulators.ts
 * starts it for end-to-end tests: the functions see DEPARTMENTS naming the simulators and ZT_RESULTS_URL
 * naming the runtime; the credentials file carries the departments' key pairs (and a key registered
 * nowhere); the sandbox file carries the departments section; a delivery signed with the runtime's
 * platform key is taken by a simulator, whose answer reaches the runtime's results route.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sm2 } from 'sm-crypto-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDepartmentConfig } from '../../functions/adapters/config/department-directory';
import { LocalPlatformSigner } from '../../functions/adapters/keys/local-platform-signer';
import { requestIdOf } from '../../functions/core/domain/coordination';
import { sealForDepartment } from '../../functions/shared/crypto/department-seal';
import { sm3Hex } from '../../functions/shared/crypto/sm3';
import { DEPARTMENTS_ENV, functions, RESULTS_URL_ENV, type FunctionDecl } from '../../infra/topology';
import { demoInstitutions } from '../../infra/local/seed/demo-data';
import { deliveryIdOf, type DepartmentDelivery } from '../../schemas/departments/v1';
import { startCoordinationRuntime, type CoordinationRuntime } from '../support/department-simulators';

// While the results route and the connectors are being written (issue 8), run what exists; the OpenAPI
// document (not needed here) cannot be built until the results route has its operation.
const present = Object.fromEntries(
  Object.entries(functions as Readonly<Record<string, FunctionDecl>>).filter(([name, decl]) => existsSync(decl.entry) && name !== 'getOpenapi'),
);

let coordination: CoordinationRuntime;

beforeAll(async () => {
  coordination = await startCoordinationRuntime('simulators', { functions: present });
}, 120_000);
afterAll(async () => coordination?.stop());

describe('the local runtime with department simulators', () => {
  it('names the simulators in DEPARTMENTS and the runtime in ZT_RESULTS_URL', () => {
    const departments = parseDepartmentConfig(process.env[DEPARTMENTS_ENV]!);
    expect(departments.map((d) => [d.departmentId, d.kind, d.districts])).toEqual([
      ['tax-370100', 'TAX', ['370102', '370103']],
      ['trading-370100', 'TRADING', ['370102', '370103']],
    ]);
    expect(departments.map((d) => d.endpoint)).toEqual([coordination.simulators.tax.endpoint, coordination.simulators.trading.endpoint]);
    expect(departments.map((d) => d.publicKey)).toEqual([coordination.simulators.tax.publicKey, coordination.simulators.trading.publicKey]);
    expect(process.env[RESULTS_URL_ENV]).toBe(`${coordination.runtime.url}/v1/departments/results`);
  });

  it('writes the departments with their key pairs, and a key registered nowhere, into credentials.json (0600)', async () => {
    const path = join(coordination.dataDir, 'demo', 'credentials.json');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const file = JSON.parse(await readFile(path, 'utf8')) as typeof coordination.credentials;
    // Every demo channel: the bank's two branches, the developer and the agency.
    expect(file.channels.map((c) => c.channelId).sort()).toEqual(demoInstitutions().map((i) => i.channelId).sort());
    expect(file.departments).toHaveLength(2);
    for (const d of file.departments!) {
      expect(sm2.getPublicKeyFromPrivateKey(d.privateKey)).toBe(d.publicKey);
      expect(d.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/deliveries$/);
      expect(d.controlUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/_simulator$/);
    }
    expect(sm2.getPublicKeyFromPrivateKey(file.wrongDepartmentKey!.privateKey)).toBe(file.wrongDepartmentKey!.publicKey);
    expect(file.departments!.map((d) => d.publicKey)).not.toContain(file.wrongDepartmentKey!.publicKey);
  });

  it('writes the departments section into sandbox.json', async () => {
    const sandbox = JSON.parse(await readFile(join(coordination.dataDir, 'demo', 'sandbox.json'), 'utf8')) as { departments: { taxUnpaidSeconds: number; cases: Record<string, { units: unknown[] }> } };
    expect(Object.keys(sandbox.departments.cases)).toEqual(['NO_CONTRACT_FILING', 'CONTRACT_NAMES_OTHER_BUYERS', 'TAX_UNPAID_AT_FIRST', 'NO_COMPLETION_RECORD']);
    for (const c of Object.values(sandbox.departments.cases)) expect(c.units.length).toBeGreaterThan(0);
    // The time the simulators use (the helper's default for tests).
    expect(sandbox.departments.taxUnpaidSeconds).toBe(coordination.simulators.cases.sandbox.taxUnpaidSeconds);
    expect(sandbox.departments.taxUnpaidSeconds).toBe(3);
  });

  it("takes a delivery signed with the runtime's platform key and answers to the runtime", async () => {
    // Prepare: the platform's own key, as the connectors sign with it.
    const signer = await LocalPlatformSigner.open(process.env.LOCAL_KEYRING_DIR ?? join(coordination.dataDir, 'keyring'));
    const { trading } = coordination.simulators;
    const filingId = 'F0000000000000000000000FF';
    const delivery: DepartmentDelivery = {
      v: 1,
      type: 'REQUEST',
      requestId: requestIdOf(filingId, 'CONTRACT_FILING'),
      filingId,
      kind: 'CONTRACT_FILING',
      businessType: 'TRANSFER_RESALE',
      unitCode: '370102001001GB00001F00010101',
      district: '370102',
      requestedAt: new Date().toISOString(),
      parties: sealForDepartment(JSON.stringify({ buyers: [] }), trading.publicKey),
      replyTo: process.env[RESULTS_URL_ENV]!,
    };
    const body = JSON.stringify(delivery);
    const deliveryId = deliveryIdOf(delivery.requestId, 'REQUEST');
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = (await signer.sign(Buffer.from(`${timestamp}\n${deliveryId}\n${sm3Hex(body)}\n`))).toString('base64');
    // Act
    const response = await fetch(trading.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'ZT-Delivery-Id': deliveryId, 'ZT-Timestamp': String(timestamp), 'ZT-Signature': `ZT-SM2 keyId="${signer.keyId}",signature="${signature}"` },
      body,
    });
    // Assess: taken, and answered to the runtime (which knows no such request: refused, not retried).
    expect(response.status).toBe(202);
    const deadline = Date.now() + 10_000;
    let answer = trading.deliveries().find((d) => d.deliveryId === deliveryId)?.answers?.[0];
    while ((answer === undefined || answer.state === 'SCHEDULED') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      answer = trading.deliveries().find((d) => d.deliveryId === deliveryId)?.answers?.[0];
    }
    expect(answer?.lastStatus).toEqual(expect.any(Number));
    expect(answer?.lastStatus).not.toBe(401);
  });

  it('sets the control mode over HTTP', async () => {
    await coordination.setMode('error', 'tax');
    expect(coordination.simulators.tax.mode()).toBe('error');
    await coordination.setMode('up');
    expect(coordination.simulators.all.map((s) => s.mode())).toEqual(['up', 'up']);
  });
});
