/**
 * End to end over real HTTP through the local runtime that `npm start` runs: seeded demo data, the
 * institution-side client module signing requests, the HTTP adapter, the handlers, the intake queue and
 * its poller, and the emulators persisting under a data directory. Also checks that no plaintext
 * personal data reaches the tables, the files under the data directory, or the logs.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { signRequest, ZhitongClient } from '../../client/zt-client';
import { tables, tableEnvVar, type TableName } from '../../infra/topology';
import type { LocalRuntime } from '../../infra/local/runtime';
import { reenqueueStrandedFilings } from '../../infra/local/recovery';
import type { DemoCredentials } from '../../infra/local/seed/seed';
import { captureOutput, startDemoRuntime, type DemoRuntime, type OutputCapture } from '../support/demo-runtime';
import { demoRegister } from '../../infra/local/seed/demo-data';
import { coOwnedUnits, fileableUnits, mortgageCreateFiling, REQUIRED_MORTGAGE_MATERIALS, seizedUnits, UNREGISTERED_UNIT_CODE } from '../../infra/local/seed/demo-filings';
import { isMovingOnItsOwn } from '../support/statuses';

let demo: DemoRuntime;
let runtime: LocalRuntime;
let dataDir: string;
let credentials: DemoCredentials;
let bank: ZhitongClient;
let agency: ZhitongClient;
let output: OutputCapture;

beforeAll(async () => {
  // Capture everything the runtime and the handlers log, to look for personal data in it.
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  output = captureOutput();
  demo = await startDemoRuntime('e2e', { afterStart: async () => void (await reenqueueStrandedFilings()) });
  ({ runtime, dataDir, credentials } = demo);
  const channel = (type: string) => credentials.channels.find((c) => c.institutionType === type)!;
  bank = new ZhitongClient({ baseUrl: runtime.url, channelId: channel('BANK').channelId, privateKeyHex: channel('BANK').privateKey });
  agency = new ZhitongClient({ baseUrl: runtime.url, channelId: channel('AGENCY').channelId, privateKeyHex: channel('AGENCY').privateKey });
}, 120_000);

afterAll(async () => {
  output?.restore();
  await demo?.stop();
});

interface Item {
  index: number;
  filingId?: string;
  status: string;
  errors?: { path: string; code: string }[];
}

async function waitForIntake(batchId: string): Promise<Item[]> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const view = await bank.request('GET', `/v1/batches/${batchId}`);
    expect(view.status).toBe(200);
    const items = (view.body as { items: Item[] }).items;
    if (!items.some((i) => isMovingOnItsOwn(i.status))) return items;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('intake did not finish in time');
}

const filed: { name: string; idNumber: string }[] = [];

describe('a bank files mortgages end to end over HTTP', () => {
  let batchId: string;
  let items: Item[];

  it('seeds a register of at least 1,000 units and four demo channels: the bank files from two branches', async () => {
    expect(demoRegister().length).toBeGreaterThanOrEqual(1000);
    expect(credentials.channels.map((c) => c.institutionType).sort()).toEqual(['AGENCY', 'BANK', 'BANK', 'DEVELOPER']);
    // Two branch channels of one institution: one USCC, each its own key, grants and branch name.
    const [first, second] = credentials.channels.filter((c) => c.institutionType === 'BANK');
    expect(second!.institutionId).toBe(first!.institutionId);
    expect(second!.uscc).toBe(first!.uscc);
    expect(second!.publicKey).not.toBe(first!.publicKey);
    expect(first).toMatchObject({ channelId: 'ch-bank-demo', branchName: '齐鲁示范银行济南历下支行', allowedDistricts: ['370102', '370103'] });
    expect(second).toMatchObject({ channelId: 'ch-bank-branch-shizhong', branchName: '齐鲁示范银行济南市中支行', allowedDistricts: ['370103'] });
    const health = await fetch(`${runtime.url}/health`);
    expect(await health.json()).toMatchObject({ status: 'ok' });
  });

  it('submits a signed batch: each filing is answered SUBMITTED or INVALID, then intake decides each one', async () => {
    const singles = fileableUnits().filter((u) => u.owners.length === 1);
    const [good, dupUnit, strangerUnit, correction, bad] = [singles[3]!, singles[7]!, singles[11]!, singles[15]!, singles[19]!];
    const coOwned = coOwnedUnits()[2]!;
    const seized = seizedUnits()[0]!;
    const stranger = singles[40]!.owners[0]!;
    const wrongCheck = { ...good.owners[0]!, idNumber: good.owners[0]!.idNumber.slice(0, 17) + (good.owners[0]!.idNumber.endsWith('1') ? '2' : '1') };
    const filings = [
      mortgageCreateFiling({ clientRef: 'E2E-01', unitCode: good.unitCode, mortgagors: good.owners }),
      mortgageCreateFiling({ clientRef: 'E2E-02', unitCode: coOwned.unitCode, mortgagors: coOwned.owners }),
      mortgageCreateFiling({ clientRef: 'E2E-03', unitCode: seized.unitCode, mortgagors: seized.owners }),
      mortgageCreateFiling({ clientRef: 'E2E-04', unitCode: strangerUnit.unitCode, mortgagors: [stranger] }),
      mortgageCreateFiling({ clientRef: 'E2E-05', unitCode: UNREGISTERED_UNIT_CODE, mortgagors: [stranger] }),
      mortgageCreateFiling({ clientRef: 'E2E-06', unitCode: correction.unitCode, mortgagors: correction.owners, materialTypes: REQUIRED_MORTGAGE_MATERIALS.slice(1) }),
      mortgageCreateFiling({ clientRef: 'E2E-07', unitCode: dupUnit.unitCode, mortgagors: dupUnit.owners }),
      mortgageCreateFiling({ clientRef: 'E2E-08', unitCode: bad.unitCode, mortgagors: [wrongCheck] }),
    ];
    filed.push(...[good, coOwned, seized, correction, dupUnit].flatMap((u) => u.owners), stranger, wrongCheck);

    const response = await bank.request('POST', '/v1/batches', { filings }, { idempotencyKey: 'e2e-batch-1' });
    expect(response.status).toBe(202);
    const body = response.body as { batchId: string; items: Item[] };
    batchId = body.batchId;
    expect(body.items.map((i) => i.status)).toEqual([...Array(7).fill('SUBMITTED'), 'INVALID']);

    // A second filing on the unit of E2E-07, in a second batch, once the first is decided.
    items = await waitForIntake(batchId);
    const second = await bank.request('POST', '/v1/batches', { filings: [mortgageCreateFiling({ clientRef: 'E2E-09', unitCode: dupUnit.unitCode, mortgagors: dupUnit.owners, amount: 5_000_000 })] });
    const secondItems = await waitForIntake((second.body as { batchId: string }).batchId);

    // Accepted mortgages need no department result: they go straight on to review.
    expect(items.map((i) => i.status)).toEqual(['READY_FOR_REVIEW', 'READY_FOR_REVIEW', 'REFUSED', 'REFUSED', 'REFUSED', 'CORRECTION_REQUIRED', 'READY_FOR_REVIEW', 'INVALID']);
    expect(secondItems[0]!.status).toBe('REFUSED');
    const reason = async (item: Item) => ((await bank.request('GET', `/v1/filings/${item.filingId}`)).body as { reasonCode?: string }).reasonCode;
    expect(await reason(items[2]!)).toBe('UNIT_SEIZED');
    expect(await reason(items[3]!)).toBe('MORTGAGOR_NOT_OWNER');
    expect(await reason(items[4]!)).toBe('UNIT_NOT_FOUND');
    expect(await reason(secondItems[0]!)).toBe('DUPLICATE_ACTIVE_FILING');
  });

  it('shows a filing with its history and masked personal data', async () => {
    const filing = await bank.request('GET', `/v1/filings/${items[5]!.filingId}`);
    expect(filing.status).toBe(200);
    const view = filing.body as { status: string; missingMaterials: string[]; mortgagors: { name: string; idNumber: string }[]; history: { status: string }[] };
    expect(view.status).toBe('CORRECTION_REQUIRED');
    expect(view.missingMaterials).toEqual([REQUIRED_MORTGAGE_MATERIALS[0]]);
    expect(view.history.map((h) => h.status)).toEqual(['SUBMITTED', 'CORRECTION_REQUIRED']);
    expect(view.mortgagors[0]!.idNumber).toMatch(/^3701\*{10}\d{3}[\dX]$/);
    expect(view.mortgagors[0]!.name).toContain('*');
  });

  it("never shows one channel another channel's batch or filing", async () => {
    const foreign = await agency.request('GET', `/v1/batches/${batchId}`);
    const missing = await agency.request('GET', '/v1/batches/B20260101000000000000000000');
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual(missing.body);
    expect((await agency.request('GET', `/v1/filings/${items[0]!.filingId}`)).status).toBe(404);
  });

  it('refuses bad requests over HTTP with 4xx problem+json', async () => {
    const bankCreds = credentials.channels.find((c) => c.institutionType === 'BANK')!;
    const body = JSON.stringify({ filings: [mortgageCreateFiling({ clientRef: 'E2E-BAD', unitCode: UNREGISTERED_UNIT_CODE, mortgagors: [filed[0]!] })] });
    const signed = signRequest({ channelId: bankCreds.channelId, privateKeyHex: bankCreds.privateKey, method: 'POST', pathAndQuery: '/v1/batches', body });
    const send = (headers: Record<string, string>, payload: string | Uint8Array = body) => fetch(`${runtime.url}/v1/batches`, { method: 'POST', headers, body: payload });

    const first = await send({ 'content-type': 'application/json', authorization: signed.authorization });
    expect(first.status).toBe(202);
    const replayed = await send({ 'content-type': 'application/json', authorization: signed.authorization });
    expect(replayed.status).toBe(401);
    expect(replayed.headers.get('content-type')).toBe('application/problem+json');
    expect(await replayed.json()).toMatchObject({ code: 'AUTH_NONCE_REUSED' });

    const unsigned = await send({ 'content-type': 'application/json' });
    expect(unsigned.status).toBe(401);
    const huge = await send({ 'content-type': 'application/json', authorization: signed.authorization }, Buffer.alloc(11 * 1024 * 1024, 0x20));
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    const unknownRoute = await fetch(`${runtime.url}/v1/nothing-here`);
    expect(unknownRoute.status).toBe(404);
  });

  it('serves the OpenAPI document generated from the schemas', async () => {
    const response = await fetch(`${runtime.url}/openapi.json`);
    const document = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toMatch(/^3\.1/);
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/v1/batches', '/v1/batches/{batchId}', '/v1/filings/{filingId}']));
  });
});

describe('no plaintext personal data at rest or in logs', () => {
  const secretsOf = (people: { name: string; idNumber: string }[]) => people.flatMap((p) => [p.name, p.idNumber]);
  const seededSample = () => secretsOf(demoRegister().slice(0, 60).flatMap((u) => u.owners));

  it('no table holds a plaintext name or ID number of the filed people or the seeded owners', async () => {
    const client = new DynamoDBClient({});
    const secrets = [...secretsOf(filed), ...seededSample()];
    let scanned = 0;
    for (const table of Object.keys(tables) as TableName[]) {
      for await (const page of paginateScan({ client }, { TableName: process.env[tableEnvVar(table)]! })) {
        const text = JSON.stringify(page.Items ?? []);
        scanned += page.Items?.length ?? 0;
        for (const secret of secrets) expect(text.includes(secret), `${table} holds plaintext personal data`).toBe(false);
      }
    }
    expect(scanned).toBeGreaterThan(1200);
  });

  it('no log line holds a plaintext name or ID number', () => {
    const text = output.text();
    expect(text.length).toBeGreaterThan(0);
    for (const secret of secretsOf(filed)) expect(text.includes(secret)).toBe(false);
  });

  it('no file under the data directory holds a plaintext name or ID number, but the sandbox register of synthetic people', async () => {
    await runtime.stop();
    // demo/sandbox.json publishes the seeded (synthetic) owners on purpose, so that integrators can file
    // against them (DESIGN.md §7); it holds nobody else. Every other file must hold none of them.
    const sandbox = join(dataDir, 'demo', 'sandbox.json');
    const all = (await readdir(dataDir, { recursive: true, withFileTypes: true })).filter((f) => f.isFile());
    expect(all.map((f) => join(f.parentPath, f.name))).toContain(sandbox);
    const files = all.filter((f) => join(f.parentPath, f.name) !== sandbox);
    expect(files.length).toBeGreaterThan(0);
    const secrets = [...secretsOf(filed), ...seededSample()].map((s) => Buffer.from(s, 'utf8'));
    for (const file of files) {
      const bytes = await readFile(join(file.parentPath, file.name));
      for (const secret of secrets) expect(bytes.includes(secret), `${file.name} holds plaintext personal data`).toBe(false);
    }
  });
});
