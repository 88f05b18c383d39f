/**
 * The statistics end to end over real HTTP on the local runtime (issue 11; 002 五(二)4, 三(一)6): a bank
 * files, intake accepts and refuses, a reviewer approves, and the staff statistics — kept by the statistics
 * worker from the lifecycle's status changes, never counted from the filings on request — answer exactly
 * what happened, to the roles and districts allowed; CSV as well. One runtime; every wait is bounded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZhitongClient } from '../../client/zt-client';
import { demoRegister, DEMO_BANK_BRANCH, type DemoUnit } from '../../infra/local/seed/demo-data';
import { mortgageCreateFiling } from '../../infra/local/seed/demo-filings';
import type { DemoCredentials } from '../../infra/local/seed/seed';
import { cstDate } from '../../functions/core/domain/working-days';
import { startDemoRuntime, type DemoRuntime } from '../support/demo-runtime';
import { isWaitingOnPlatform } from '../support/statuses';
import { eventually } from '../support/eventually';

let demo: DemoRuntime;
let credentials: DemoCredentials;
type Channel = DemoCredentials['channels'][number];
let bank: Channel;

beforeAll(async () => {
  demo = await startDemoRuntime('statistics');
  credentials = demo.credentials;
  bank = credentials.channels.find((c) => c.institutionType === 'BANK' && c.channelId !== DEMO_BANK_BRANCH.channelId)!;
}, 120_000);
afterAll(async () => demo?.stop());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const tokens = new Map<string, string>();
async function token(username: string): Promise<string> {
  const cached = tokens.get(username);
  if (cached) return cached;
  const account = credentials.staff!.find((s) => s.username === username)!;
  const response = await fetch(`${demo.runtime.url}/v1/staff/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: account.username, password: account.password }) });
  expect(response.status).toBe(200);
  const { accessToken } = (await response.json()) as { accessToken: string };
  tokens.set(username, accessToken);
  return accessToken;
}
async function get(username: string, path: string): Promise<Response> {
  return fetch(`${demo.runtime.url}${path}`, { headers: { authorization: `Bearer ${await token(username)}` } });
}
async function post(username: string, path: string, body: unknown): Promise<Response> {
  return fetch(`${demo.runtime.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${await token(username)}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

const unitsOf = (filter: (u: DemoUnit) => boolean) => demoRegister().filter((u) => u.district === '370102' && filter(u));
const free = unitsOf((u) => !u.seized && u.mortgages.length === 0 && u.owners.length === 1).slice(300, 304);
const seized = unitsOf((u) => u.seized && u.mortgages.length === 0)[1]!;
const today = cstDate(new Date());

interface Counts {
  submitted: number;
  accepted: number;
  refused: number;
  registered: number;
  certified: number;
  certifiedSeconds: number;
  [k: string]: number;
}

describe('statistics over HTTP on the local runtime', () => {
  const filingIds: string[] = [];
  let refusedId: string;

  it('a bank files four good mortgages and one on a seized unit; a reviewer approves two of them', async () => {
    const client = new ZhitongClient({ baseUrl: demo.runtime.url, channelId: bank.channelId, privateKeyHex: bank.privateKey });
    const filings = [...free, seized].map((unit, i) => mortgageCreateFiling({ clientRef: `ST-${i}`, unitCode: unit.unitCode, mortgagors: unit.owners }));
    const submitted = await client.request('POST', '/v1/batches', { filings });
    expect(submitted.status).toBe(202);
    const batchId = (submitted.body as { batchId: string }).batchId;
    const items = await eventually('intake', async () => {
      const its = ((await client.request('GET', `/v1/batches/${batchId}`)).body as { items: { filingId: string; status: string }[] }).items;
      return its.some((i) => isWaitingOnPlatform(i.status)) ? undefined : its;
    });
    expect(items.map((i) => i.status)).toEqual(['READY_FOR_REVIEW', 'READY_FOR_REVIEW', 'READY_FOR_REVIEW', 'READY_FOR_REVIEW', 'REFUSED']);
    filingIds.push(...items.slice(0, 4).map((i) => i.filingId));
    refusedId = items[4]!.filingId;
    for (const id of filingIds.slice(0, 2)) {
      const review = await post('reviewer.370102', `/v1/staff/filings/${id}/review`, { decision: 'APPROVE' });
      expect(review.status).toBe(200);
      expect(((await review.json()) as { status: string }).status).toBe('CERTIFIED');
    }
    expect(refusedId).toBeDefined();
  });

  it("an auditor's figures for the district today are exactly what happened, counted once each", async () => {
    const stats = await eventually('the statistics worker', async () => {
      const response = await get('auditor.370102', `/v1/staff/statistics/filings?from=${today}&to=${today}&district=370102`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { totals: { counts: Counts }; rows: { businessType: string; counts: Counts }[] };
      return body.totals.counts.certified === 2 && body.totals.counts.refused === 1 ? body : undefined;
    });
    expect(stats.totals.counts).toMatchObject({ submitted: 5, accepted: 4, refused: 1, registered: 2, certified: 2, withdrawn: 0, correctionRequired: 0 });
    expect(stats.totals.counts.certifiedSeconds).toBeGreaterThanOrEqual(0);
    expect(stats.rows).toHaveLength(1);
    expect(stats.rows[0]!.businessType).toBe('MORTGAGE_CREATE');
    // Still so a moment later: nothing is counted twice by the sweeper or a redelivery.
    await sleep(1500);
    const again = (await (await get('auditor.370102', `/v1/staff/statistics/filings?from=${today}&to=${today}&district=370102`)).json()) as { totals: { counts: Counts } };
    expect(again.totals.counts).toEqual(stats.totals.counts);
  });

  it("a clerk sees their own district's figures, and another district is 403 DISTRICT_FORBIDDEN", async () => {
    const own = await get('clerk.370102', `/v1/staff/statistics/filings?from=${today}&to=${today}`);
    expect(own.status).toBe(200);
    expect(((await own.json()) as { districts: string[] }).districts).toEqual(['370102']);
    const other = await get('clerk.370103', `/v1/staff/statistics/filings?from=${today}&to=${today}&district=370102`);
    expect(other.status).toBe(403);
    expect(((await other.json()) as { code: string }).code).toBe('DISTRICT_FORBIDDEN');
  });

  it('answers CSV for spreadsheets: a BOM, a header, one row per period, district and business type', async () => {
    const response = await get('auditor.370102', `/v1/staff/statistics/filings?from=${today}&to=${today}&district=370102&format=csv`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toContain('attachment');
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes.slice(3)).trimEnd().split('\r\n');
    const header = lines[0]!.split(',');
    expect(header.slice(0, 4)).toEqual(['period', 'district', 'businessType', 'submitted']);
    expect(lines).toHaveLength(2);
    const row = Object.fromEntries(lines[1]!.split(',').map((v, i) => [header[i], v]));
    expect(row).toMatchObject({ period: today, district: '370102', businessType: 'MORTGAGE_CREATE', submitted: '5', certified: '2', refused: '1' });
  });

  it("a credit officer sees the bank channel's behaviour; a clerk is refused", async () => {
    const response = await get('credit_officer.370102', `/v1/staff/statistics/channels?from=${today}&to=${today}&channelId=${bank.channelId}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { channels: { channelId: string; counts: Counts; rates: { refusalRate: number }; score?: number; scoreHistory: unknown[] }[] };
    expect(body.channels).toHaveLength(1);
    expect(body.channels[0]).toMatchObject({ channelId: bank.channelId, counts: { submitted: 5, accepted: 4, refused: 1, certified: 2 }, rates: { refusalRate: 0.2 } });
    expect(body.channels[0]!.scoreHistory.length).toBeGreaterThan(0);
    expect((await get('clerk.370102', `/v1/staff/statistics/channels?from=${today}&to=${today}`)).status).toBe(403);
  });

  it('refuses bad queries with a problem and a code', async () => {
    const codeOf = async (query: string) => {
      const r = await get('auditor.370102', `/v1/staff/statistics/filings?${query}`);
      return `${r.status} ${((await r.json()) as { code: string }).code}`;
    };
    expect(await codeOf('from=2026-02-30&to=2026-03-01')).toMatch(/^400 /);
    expect(await codeOf(`from=${today}&to=2020-01-01`)).toBe('422 RANGE_INVALID');
    expect(await codeOf('from=2024-01-01&to=2026-01-01')).toBe('422 RANGE_TOO_LARGE');
    expect(await codeOf(`from=${today}&to=${today}&granularity=hour`)).toMatch(/^400 /);
    expect(await codeOf(`from=${today}&to=${today}&district=37010%27`)).toMatch(/^400 /);
    expect(await codeOf(`from=${today}&to=${today}&surprise=1`)).toMatch(/^400 /);
  });
});
