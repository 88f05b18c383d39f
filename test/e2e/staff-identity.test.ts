/**
 * Staff identity end to end over real HTTP through the local runtime that `npm start` runs: the seeded
 * demo staff (credentials file), sign-in at the local issuer, its JWKS, and a district worklist that
 * answers the own district and refuses the other. Tokens and passwords never reach the logs.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDocumentClient } from '../../functions/adapters/aws-clients';
import { STAFF_ROLES } from '../../functions/core/domain/staff';
import type { LocalRuntime } from '../../infra/local/runtime';
import { ZhitongClient } from '../../client/zt-client';
import { DEMO_BANK_BRANCH, demoStaff } from '../../infra/local/seed/demo-data';
import { credentialsPath, seedDemoData, type DemoCredentials } from '../../infra/local/seed/seed';
import { tableEnvVar } from '../../infra/topology';
import { captureOutput, startDemoRuntime, type DemoRuntime, type OutputCapture } from '../support/demo-runtime';

let demo: DemoRuntime;
let dataDir: string;
let runtime: LocalRuntime;
let credentials: DemoCredentials;
let output: OutputCapture;

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  output = captureOutput();
  demo = await startDemoRuntime('e2e-staff', { pollers: false });
  ({ runtime, dataDir, credentials } = demo);
}, 180_000);

afterAll(async () => {
  output?.restore();
  await demo?.stop();
});

const staffCredential = (username: string) => credentials.staff?.find((s) => s.username === username);

async function signIn(username: string, password: string) {
  const response = await fetch(`${runtime.url}/v1/staff/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  return { status: response.status, body: (await response.json()) as { accessToken?: string; code?: string; staff?: { district: string; role: string } } };
}

describe('staff sign-in and district tenancy over HTTP', () => {
  it('seeds one account per role in each demo district and writes their passwords to the credentials file', () => {
    expect(credentials.staff).toHaveLength(demoStaff().length);
    expect(demoStaff()).toHaveLength(2 * STAFF_ROLES.length);
    expect(staffCredential('clerk.370102')).toMatchObject({ role: 'CLERK', district: '370102' });
    expect(staffCredential('credit_officer.370103')).toMatchObject({ role: 'CREDIT_OFFICER', district: '370103' });
  });

  it('signs a reviewer in, serves the worklist of their district, and refuses the other district', async () => {
    const reviewer = staffCredential('reviewer.370102')!;
    const { status, body } = await signIn(reviewer.username, reviewer.password);
    expect(status).toBe(200);
    expect(body.staff).toMatchObject({ role: 'REVIEWER', district: '370102' });
    const headers = { authorization: `Bearer ${body.accessToken}` };
    const own = await fetch(`${runtime.url}/v1/staff/filings?status=SUBMITTED`, { headers });
    expect(own.status).toBe(200);
    expect(await own.json()).toMatchObject({ district: '370102', status: 'SUBMITTED', items: expect.any(Array) });
    const other = await fetch(`${runtime.url}/v1/staff/filings?status=SUBMITTED&district=370103`, { headers });
    expect(other.status).toBe(403);
    expect(await other.json()).toMatchObject({ code: 'DISTRICT_FORBIDDEN' });
  });

  it('answers a wrong password and an unknown user alike', async () => {
    const wrong = await signIn('clerk.370103', 'not-the-password');
    const unknown = await signIn('nobody.370103', 'not-the-password');
    expect(wrong).toEqual(unknown);
    expect(wrong).toMatchObject({ status: 401, body: { code: 'INVALID_CREDENTIALS' } });
  });

  it('publishes the JWKS of the local issuer', async () => {
    const response = await fetch(`${runtime.url}/v1/staff/jwks.json`);
    expect(response.status).toBe(200);
    const { keys } = (await response.json()) as { keys: Record<string, string>[] };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(keys[0]).not.toHaveProperty('d');
  });

  it('never logs a password or a token', async () => {
    const auditor = staffCredential('auditor.370103')!;
    const { body } = await signIn(auditor.username, auditor.password);
    await fetch(`${runtime.url}/v1/staff/filings?status=ACCEPTED`, { headers: { authorization: `Bearer ${body.accessToken}` } });
    const everything = output.text();
    for (const secret of [auditor.password, body.accessToken!, body.accessToken!.split('.')[2]!]) expect(everything).not.toContain(secret);
  });

  it('gives a data directory seeded before staff existed its staff on the next start, keeping its channels', async () => {
    // Prepare: forget that staff were seeded, as in a data directory from before issue 3.
    await dynamoDocumentClient().send(new DeleteCommand({ TableName: process.env[tableEnvVar('staff')]!, Key: { pk: 'SEED#demo-staff', sk: 'META' } }));
    // Act
    expect(await seedDemoData(dataDir)).toBe(false);
    // Assess: new passwords in the file, the channels untouched, and the new passwords work.
    const again = JSON.parse(await readFile(credentialsPath(dataDir), 'utf8')) as DemoCredentials;
    expect(again.channels).toEqual(credentials.channels);
    const clerk = again.staff!.find((s) => s.username === 'clerk.370102')!;
    expect(clerk.password).not.toBe(staffCredential('clerk.370102')!.password);
    expect((await signIn(clerk.username, clerk.password)).status).toBe(200);
  });

  it('gives a data directory seeded before branches existed the bank’s second branch on the next start, keeping every other channel', async () => {
    // Prepare: a data directory from before the branch: no branch channel, none in the credentials file.
    const before = JSON.parse(await readFile(credentialsPath(dataDir), 'utf8')) as DemoCredentials;
    const others = before.channels.filter((c) => c.channelId !== DEMO_BANK_BRANCH.channelId);
    expect(others).toHaveLength(before.channels.length - 1);
    await writeFile(credentialsPath(dataDir), `${JSON.stringify({ ...before, channels: others }, null, 2)}\n`, { mode: 0o600 });
    await dynamoDocumentClient().send(new DeleteCommand({ TableName: process.env[tableEnvVar('channels')]!, Key: { pk: `CHANNEL#${DEMO_BANK_BRANCH.channelId}`, sk: 'META' } }));
    // Act
    expect(await seedDemoData(dataDir)).toBe(false);
    // Assess: the branch is back with a key of its own, every other channel and key as it was, and it signs in.
    const after = JSON.parse(await readFile(credentialsPath(dataDir), 'utf8')) as DemoCredentials;
    expect(after.channels.slice(0, others.length)).toEqual(others);
    const branch = after.channels.find((c) => c.channelId === DEMO_BANK_BRANCH.channelId)!;
    expect(branch).toMatchObject({ branchName: DEMO_BANK_BRANCH.branchName, allowedDistricts: [...DEMO_BANK_BRANCH.allowedDistricts] });
    expect(branch.privateKey).not.toBe(before.channels.find((c) => c.channelId === DEMO_BANK_BRANCH.channelId)!.privateKey);
    const signed = await new ZhitongClient({ baseUrl: runtime.url, channelId: branch.channelId, privateKeyHex: branch.privateKey }).request('GET', '/v1/channel/webhook');
    expect(signed.status).toBe(200);
    // A second start changes nothing more.
    expect(await seedDemoData(dataDir)).toBe(false);
    expect(JSON.parse(await readFile(credentialsPath(dataDir), 'utf8'))).toEqual(after);
  });
});
