/**
 * The register cannot be written against stale facts (issue 6), end to end over real HTTP through the
 * local runtime, as an institution's system and registry staff use it:
 * - an approval and a refusal of the same filing, sent at once, 50 times: exactly one wins each time, and a
 *   refused filing has neither a register entry nor a certificate number;
 * - a transfer and a mortgage by the same owner on one unit cannot both be accepted; once the transfer is
 *   registered, the former owner's mortgage is refused with a reason and the register holds no such mortgage;
 * - a mortgage naming another bank as mortgagee is INVALID (MORTGAGEE_NOT_FILER) and nothing is stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZhitongClient } from '../../client/zt-client';
import { certificateStoreFromEnv } from '../../functions/adapters/dynamodb/certificate-store';
import { filingRepositoryFromEnv } from '../../functions/adapters/dynamodb/filing-repository';
import { registerRepositoryFromEnv } from '../../functions/adapters/dynamodb/register-repository';
import { mortgageIdFor } from '../../functions/core/domain/registration';
import type { LocalRuntime } from '../../infra/local/runtime';
import { demoRegister, type DemoPerson } from '../../infra/local/seed/demo-data';
import { mortgageCreateFiling, transferResaleFiling } from '../../infra/local/seed/demo-filings';
import type { DemoCredentials } from '../../infra/local/seed/seed';
import { usccCheckChar } from '../../schemas/identifiers';
import { startDemoRuntime, type DemoRuntime } from '../support/demo-runtime';
import { isWaitingOnPlatform } from '../support/statuses';

let demo: DemoRuntime;
let runtime: LocalRuntime;
let credentials: DemoCredentials;
let bank: ZhitongClient;
let agency: ZhitongClient;

beforeAll(async () => {
  demo = await startDemoRuntime('register-integrity');
  ({ runtime, credentials } = demo);
  const channel = (type: string) => credentials.channels.find((c) => c.institutionType === type)!;
  bank = new ZhitongClient({ baseUrl: runtime.url, channelId: channel('BANK').channelId, privateKeyHex: channel('BANK').privateKey });
  agency = new ZhitongClient({ baseUrl: runtime.url, channelId: channel('AGENCY').channelId, privateKeyHex: channel('AGENCY').privateKey });
}, 120_000);
afterAll(async () => demo?.stop());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let refs = 0;
const ref = (kind: string) => `RI-${kind}-${String(++refs).padStart(4, '0')}`;

interface Item {
  readonly index: number;
  readonly filingId?: string;
  readonly status: string;
  readonly errors?: readonly { code: string }[];
}

/** Submits and waits until intake decided every filing; answers the decided items. */
async function submit(client: ZhitongClient, filings: readonly Record<string, unknown>[]): Promise<Item[]> {
  const submitted = await client.request('POST', '/v1/batches', { filings });
  expect(submitted.status).toBe(202);
  const { batchId, items } = submitted.body as { batchId: string; items: Item[] };
  if (items.every((i) => i.status === 'INVALID')) return items;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const view = await client.request('GET', `/v1/batches/${batchId}`);
    const current = (view.body as { items: Item[] }).items;
    if (!current.some((i) => isWaitingOnPlatform(i.status))) return current;
    if (Date.now() > deadline) throw new Error(`Intake of ${batchId} did not finish`);
    await sleep(100);
  }
}

async function filingOf(client: ZhitongClient, filingId: string): Promise<{ status: string; reasonCode?: string }> {
  const response = await client.request('GET', `/v1/filings/${filingId}`);
  expect(response.status).toBe(200);
  return response.body as { status: string; reasonCode?: string };
}

const tokens = new Map<string, string>();
async function staffToken(username: string): Promise<string> {
  if (!tokens.has(username)) {
    const account = credentials.staff!.find((s) => s.username === username)!;
    const response = await fetch(`${runtime.url}/v1/staff/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: account.username, password: account.password }),
    });
    expect(response.status).toBe(200);
    tokens.set(username, ((await response.json()) as { accessToken: string }).accessToken);
  }
  return tokens.get(username)!;
}

async function review(district: string, filingId: string, decision: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${runtime.url}/v1/staff/filings/${encodeURIComponent(filingId)}/review`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await staffToken(`reviewer.${district}`)}` },
    body: JSON.stringify(decision),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const free = () => demoRegister().filter((u) => !u.seized && u.mortgages.length === 0 && u.owners.length === 1);
const buyer = (unitIndex: number): DemoPerson => free()[500 + unitIndex]!.owners[0]!;

describe('register integrity over HTTP', () => {
  it('approve and refuse of one filing sent at once, 50 times: exactly one wins; a refused filing has no register entry and no certificate number', async () => {
    // Prepare: 50 accepted mortgages, each on its own unit.
    const units = free().slice(0, 50);
    const items = await submit(bank, units.map((u) => mortgageCreateFiling({ clientRef: ref('RACE'), unitCode: u.unitCode, mortgagors: u.owners })));
    expect(items.map((i) => i.status)).toEqual(units.map(() => 'READY_FOR_REVIEW'));

    for (const district of new Set(units.map((u) => u.district))) await staffToken(`reviewer.${district}`);
    // Act: both decisions at once, for every filing.
    const outcomes = await Promise.all(
      items.map(async (item, i) => {
        const district = units[i]!.district;
        const approve = () => review(district, item.filingId!, { decision: 'APPROVE' });
        const refuse = () => review(district, item.filingId!, { decision: 'REFUSE', reasonCode: 'DATA_MISMATCH' });
        // Half the pairs send the refusal first, so each side gets its chance to win.
        const [approval, refusal] =
          i % 2 === 0 ? await Promise.all([approve(), refuse()]) : await Promise.all([refuse(), approve()]).then(([r, a]) => [a, r] as const);
        return { item, unit: units[i]!, approval, refusal };
      }),
    );

    // Assess
    const register = registerRepositoryFromEnv();
    const certificates = certificateStoreFromEnv();
    let approved = 0;
    let refused = 0;
    for (const { item, unit, approval, refusal } of outcomes) {
      expect([approval.status, refusal.status].filter((s) => s === 200), item.filingId).toHaveLength(1);
      const filing = await filingOf(bank, item.filingId!);
      const recorded = await register.getUnit(unit.unitCode);
      const allocation = await certificates.allocationOf(item.filingId!);
      if (filing.status === 'CERTIFIED') {
        approved += 1;
        expect(approval.status).toBe(200);
        // The refusal met the approval's claim, or (arriving later) a filing already certified.
        expect(['REVIEW_IN_PROGRESS', 'FILING_NOT_REVIEWABLE']).toContain(refusal.body.code);
        expect(recorded!.mortgages.map((m) => m.mortgageId)).toEqual([mortgageIdFor(item.filingId!)]);
        expect(allocation?.certificateNo).toBe(approval.body.certificateNo);
      } else {
        refused += 1;
        expect(filing.status).toBe('REVIEW_REFUSED');
        expect(refusal.status).toBe(200);
        expect(approval.body.code).toBe('FILING_NOT_REVIEWABLE');
        expect(recorded!.mortgages).toEqual([]);
        expect(recorded!.appliedFilings).not.toContain(item.filingId);
        expect(allocation).toBeUndefined();
      }
      // Either way the unit is free again.
      expect((await filingRepositoryFromEnv().readDisposition(unit.unitCode)).holders).toEqual({});
    }
    expect(approved + refused).toBe(50);
    console.log(`approve/refuse race: ${approved} approved, ${refused} refused`);
  }, 120_000);

  it('a transfer and a mortgage by the same owner cannot both be accepted; after the transfer, the former owner cannot mortgage', async () => {
    const unit = free()[60]!;
    const newOwner = buyer(0);
    const [transfer] = await submit(agency, [transferResaleFiling({ clientRef: ref('SALE'), unitCode: unit.unitCode, sellers: unit.owners, buyers: [newOwner] })]);
    // The transfer waited on the (simulated) tax and trading departments, which confirmed.
    expect(transfer!.status).toBe('READY_FOR_REVIEW');
    // The owner also mortgages the unit while the sale is under way: refused, the unit is being disposed of.
    const [early] = await submit(bank, [mortgageCreateFiling({ clientRef: ref('EARLY'), unitCode: unit.unitCode, mortgagors: unit.owners })]);
    expect(early!.status).toBe('REFUSED');
    expect((await filingOf(bank, early!.filingId!)).reasonCode).toBe('UNIT_DISPOSITION_PENDING');
    expect((await review(unit.district, early!.filingId!, { decision: 'APPROVE' })).body.code).toBe('FILING_NOT_REVIEWABLE');

    expect((await review(unit.district, transfer!.filingId!, { decision: 'APPROVE' })).body.status).toBe('CERTIFIED');
    const [late] = await submit(bank, [mortgageCreateFiling({ clientRef: ref('LATE'), unitCode: unit.unitCode, mortgagors: unit.owners })]);
    expect(late!.status).toBe('REFUSED');
    expect((await filingOf(bank, late!.filingId!)).reasonCode).toBe('MORTGAGOR_NOT_OWNER');
    const recorded = (await registerRepositoryFromEnv().getUnit(unit.unitCode))!;
    expect(recorded.mortgages).toEqual([]);
    expect(recorded.appliedFilings).toEqual([transfer!.filingId]);
    // The new owner can.
    const [theirs] = await submit(bank, [mortgageCreateFiling({ clientRef: ref('NEW'), unitCode: unit.unitCode, mortgagors: [newOwner] })]);
    expect(theirs!.status).toBe('READY_FOR_REVIEW');
  }, 60_000);

  it('a mortgage naming another bank as mortgagee is INVALID MORTGAGEE_NOT_FILER, and nothing is stored', async () => {
    const unit = free()[70]!;
    const filing = { ...mortgageCreateFiling({ clientRef: ref('OTHERBANK'), unitCode: unit.unitCode, mortgagors: unit.owners }), mortgagee: { name: '另一家银行', uscc: `911100001000000${'0'}0${usccCheckChar('91110000100000000')}` } };
    const items = await submit(bank, [filing]);
    expect(items).toEqual([expect.objectContaining({ status: 'INVALID', errors: [expect.objectContaining({ path: 'mortgagee.uscc', code: 'MORTGAGEE_NOT_FILER' })] })]);
    expect(items[0]!.filingId).toBeUndefined();
    expect((await registerRepositoryFromEnv().getUnit(unit.unitCode))!.mortgages).toEqual([]);
  }, 60_000);
});
