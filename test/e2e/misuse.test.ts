/**
 * Insider misuse end to end over real HTTP through the local runtime that `npm start` runs (port 3301, a
 * scratch data directory, the demo seed), the detector ON with its built-in rules and the interim incident
 * desk: the demo bank files a mortgage; the demo reviewer unmasks it 11 times (the 11th crosses the
 * threshold of 10 and is refused 403 STAFF_ACCOUNT_LOCKED, its plaintext withheld), so is the next request and sign-in;
 * the district administrator sees the alert with its incident and unlocks the account; the reviewer signs
 * in again; the citizen's progress lookup shows the unmaskings (role and purpose, not who). No personal
 * data in the logs of the run, except in the unmasking answers themselves (which are not logged).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZhitongClient } from '../../client/zt-client';
import { startLocalRuntime, type LocalRuntime } from '../../infra/local/runtime';
import { demoRegister } from '../../infra/local/seed/demo-data';
import { mortgageCreateFiling } from '../../infra/local/seed/demo-filings';
import { credentialsPath, seedDemoData, type DemoCredentials } from '../../infra/local/seed/seed';
import { captureOutput, type OutputCapture } from '../support/demo-runtime';

let runtime: LocalRuntime;
let dataDir: string;
let credentials: DemoCredentials;
let output: OutputCapture;

beforeAll(async () => {
  process.env['MISUSE_DETECTION'] = 'on';
  output = captureOutput();
  dataDir = await mkdtemp(join(tmpdir(), 'zt-e2e-misuse-'));
  runtime = await startLocalRuntime({ dataDir, port: 3301, pollers: false, schedules: false, beforeHandlers: async () => void (await seedDemoData(dataDir)) });
  credentials = JSON.parse(await readFile(credentialsPath(dataDir), 'utf8')) as DemoCredentials;
}, 180_000);

afterAll(async () => {
  output?.restore();
  await runtime?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const staff = (username: string) => credentials.staff!.find((s) => s.username === username)!;

async function post(path: string, body: unknown, token?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${runtime.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
const signIn = (username: string, password: string) => post('/v1/staff/login', { username, password });

describe('an account that unmasks above the threshold, over HTTP', () => {
  it('is locked at once: the crossing call refused without plaintext, so the next and sign-in; an administrator unlocks it; the citizen sees the unmaskings', async () => {
    // Prepare: the demo bank files a mortgage on a 370102 unit, for one of its owners.
    const unit = demoRegister().find((u) => u.district === '370102' && !u.seized && u.owners.length > 0)!;
    const owner = unit.owners[0]!;
    const bank = credentials.channels.find((c) => c.channelId === 'ch-bank-demo')!;
    const client = new ZhitongClient({ baseUrl: runtime.url, channelId: bank.channelId, privateKeyHex: bank.privateKey });
    const submitted = await client.request('POST', '/v1/batches', { filings: [mortgageCreateFiling({ clientRef: 'MISUSE-E2E-1', unitCode: unit.unitCode, mortgagors: [owner] })] });
    expect(submitted.status).toBe(202);
    const filingId = (submitted.body as { items: { filingId: string }[] }).items[0]!.filingId;

    const reviewer = staff('reviewer.370102');
    const token = (await signIn(reviewer.username, reviewer.password)).body['accessToken'] as string;
    // Act: ten unmaskings within the threshold, the eleventh crosses it: refused, its plaintext withheld.
    for (let i = 1; i <= 10; i++) {
      const answer = await post(`/v1/staff/filings/${filingId}/unmasking`, { purpose: 'REVIEW_OF_MATERIALS', reason: '审核抵押登记材料' }, token);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ parties: { mortgagors: [{ name: owner.name, idNumber: owner.idNumber }] } });
    }
    const crossing = await post(`/v1/staff/filings/${filingId}/unmasking`, { purpose: 'REVIEW_OF_MATERIALS', reason: '审核抵押登记材料' }, token);
    expect(crossing).toMatchObject({ status: 403, body: { code: 'STAFF_ACCOUNT_LOCKED' } });
    expect(JSON.stringify(crossing.body)).not.toContain(owner.idNumber);
    // Assess: the next request of the account and its sign-in are refused.
    const refused = await fetch(`${runtime.url}/v1/staff/filings/${filingId}`, { headers: { authorization: `Bearer ${token}` } });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: 'STAFF_ACCOUNT_LOCKED' });
    expect(await signIn(reviewer.username, reviewer.password)).toMatchObject({ status: 403, body: { code: 'STAFF_ACCOUNT_LOCKED' } });

    // The district administrator sees the alert and its incident, and unlocks with a reason.
    const admin = staff('admin.370102');
    const adminToken = (await signIn(admin.username, admin.password)).body['accessToken'] as string;
    const alerts = (await (await fetch(`${runtime.url}/v1/staff/security/alerts`, { headers: { authorization: `Bearer ${adminToken}` } })).json()) as { items: Record<string, unknown>[] };
    const alert = alerts.items.find((a) => a['staffId'] === reviewer.staffId)!;
    expect(alert).toMatchObject({ rule: 'UNMASKING_RATE', count: 11, threshold: 10, district: '370102', filingId, incidentId: expect.stringMatching(/^IN/) });
    expect(await post(`/v1/staff/accounts/${reviewer.staffId}/unlock`, { reason: '经核查为集中审核材料' }, adminToken)).toMatchObject({ status: 200, body: { status: 'ACTIVE', alertId: alert['alertId'] } });
    expect(await post(`/v1/staff/accounts/${reviewer.staffId}/unlock`, { reason: '经核查为集中审核材料' }, adminToken)).toMatchObject({ status: 409, body: { code: 'STAFF_NOT_LOCKED' } });
    expect((await signIn(reviewer.username, reviewer.password)).status).toBe(200);

    // The data subject sees each unmasking: when, which role, for what — not who.
    const progress = await post('/v1/public/progress', { businessNumber: filingId, name: owner.name, idNumber: owner.idNumber });
    expect(progress.status).toBe(200);
    const disclosures = progress.body['disclosures'] as Record<string, unknown>[];
    // The eleventh too: the data was opened for it, though the answer was withheld (the subject is told more, never less).
    expect(disclosures).toHaveLength(11);
    expect(disclosures[0]).toEqual({ at: expect.any(String), role: 'REVIEWER', purpose: 'REVIEW_OF_MATERIALS', purposeLabel: '审核登记材料' });
    expect(JSON.stringify(progress.body)).not.toContain(reviewer.staffId);

    // Nothing personal in the logs of the whole run.
    const logs = output.text();
    for (const secret of [owner.idNumber, owner.name, owner.phone, reviewer.password]) expect(logs).not.toContain(secret);
  });
});
