/**
 * The whole life of a filing, end to end over real HTTP through the local runtime (issue 3): every
 * business type from submission to e-certificate, with a correction, a withdrawal that frees the unit,
 * a cross-district reviewer who is refused, and progress webhooks delivered to a local receiver that
 * verifies each delivery's SM2 signature and finds no personal data in it.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZhitongClient } from '../../client/zt-client';
import { isCreditNotice, verifyWebhook, type ZhitongProgressEvent } from '../../client/zt-webhook';
import { BUSINESS_TYPES } from '../../functions/core/domain/business-types';
import { canonicalJson, type JsonValue } from '../../functions/core/domain/certificate';
import { sm2Verify } from '../../functions/shared/crypto/sm2';
import { sm3Hex } from '../../functions/shared/crypto/sm3';
import type { LocalRuntime } from '../../infra/local/runtime';
import { demoRegister } from '../../infra/local/seed/demo-data';
import { materials, mortgageCreateFiling } from '../../infra/local/seed/demo-filings';
import { demoPlans, type ChannelPlan } from '../../infra/local/seed/demo-plans';
import type { DemoCredentials } from '../../infra/local/seed/seed';
import { certificateViewSchema, verificationViewSchema } from '../../schemas/v1/certificate';
import { filingStateSchema } from '../../schemas/v1/corrections';
import { filingViewSchema } from '../../schemas/v1/filing-view';
import { reviewResultSchema } from '../../schemas/v1/review';
import { webhookViewSchema } from '../../schemas/v1/webhook';
import { startDemoRuntime, type DemoRuntime } from '../support/demo-runtime';
import { isWaitingOnPlatform } from '../support/statuses';
import { eventually } from '../support/eventually';

// ---------------------------------------------------------------------------------------------------
// The runtime, the channels and the webhook receiver

let demo: DemoRuntime;
let runtime: LocalRuntime;
let credentials: DemoCredentials;
const clients = new Map<string, ZhitongClient>();
let platformPublicKey: string;

interface Delivery {
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}
/** Every delivery as received (raw bytes), the events that verified, and the deliveries that did not. */
const deliveries: Delivery[] = [];
const verified = new Map<string, ZhitongProgressEvent>();
const rejected: { reason: string }[] = [];
let receiver: Server | undefined;
let receiverUrl: string;

beforeAll(async () => {
  demo = await startDemoRuntime('lifecycle');
  ({ runtime, credentials } = demo);
  for (const channel of credentials.channels) {
    // One channel per kind files the plans: the first of each (the bank's second branch channel is credit.test.ts's).
    if (!clients.has(channel.institutionType)) clients.set(channel.institutionType, new ZhitongClient({ baseUrl: runtime.url, channelId: channel.channelId, privateKeyHex: channel.privateKey }));
  }
}, 120_000);

afterAll(async () => {
  if (receiver) {
    receiver.closeAllConnections();
    await new Promise<void>((resolve) => receiver!.close(() => resolve()));
  }
  await demo?.stop();
});

const client = (institutionType: string): ZhitongClient => {
  const found = clients.get(institutionType);
  if (!found) throw new Error(`No demo channel of type ${institutionType}`);
  return found;
};

/** A receiver as an institution would run it: verify the raw bytes first, acknowledge, dedupe by eventId. */
async function startReceiver(publicKey: string): Promise<string> {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      deliveries.push({ headers: request.headers, body });
      const result = verifyWebhook({ headers: request.headers, body, platformPublicKeyHex: publicKey });
      if (!result.ok) {
        rejected.push({ reason: result.reason });
        response.writeHead(401).end();
        return;
      }
      // Credit notices travel the same webhook (test/e2e/credit.test.ts follows them); this file follows progress.
      if (!isCreditNotice(result.event)) verified.set(result.event.eventId, result.event);
      response.writeHead(204).end();
    });
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  return `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/zhitong/progress`;
}

// ---------------------------------------------------------------------------------------------------
// Helpers

interface Item {
  index: number;
  filingId?: string;
  status: string;
}

async function submit(institutionType: string, filings: readonly Record<string, unknown>[]): Promise<Item[]> {
  const submitted = await client(institutionType).request('POST', '/v1/batches', { filings });
  expect(submitted.status).toBe(202);
  const { batchId } = submitted.body as { batchId: string };
  return eventually(`intake of batch ${batchId}`, async () => {
    const view = await client(institutionType).request('GET', `/v1/batches/${batchId}`);
    expect(view.status).toBe(200);
    const items = (view.body as { items: Item[] }).items;
    return items.some((i) => isWaitingOnPlatform(i.status)) ? undefined : items;
  });
}

async function filingView(institutionType: string, filingId: string) {
  const response = await client(institutionType).request('GET', `/v1/filings/${filingId}`);
  expect(response.status).toBe(200);
  return filingViewSchema.parse(response.body);
}

const tokens = new Map<string, string>();
async function staffToken(username: string): Promise<string> {
  const cached = tokens.get(username);
  if (cached) return cached;
  const account = credentials.staff?.find((s) => s.username === username);
  if (!account) throw new Error(`No demo staff account ${username}`);
  const response = await fetch(`${runtime.url}/v1/staff/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: account.username, password: account.password }),
  });
  expect(response.status).toBe(200);
  const { accessToken } = (await response.json()) as { accessToken: string };
  tokens.set(username, accessToken);
  return accessToken;
}

async function review(username: string, filingId: string, decision: Record<string, unknown>) {
  const response = await fetch(`${runtime.url}/v1/staff/filings/${encodeURIComponent(filingId)}/review`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await staffToken(username)}` },
    body: JSON.stringify(decision),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

async function verification(certificateNo: string, digest: string) {
  const response = await fetch(`${runtime.url}/v1/certificates/${encodeURIComponent(certificateNo)}/verification?digest=${digest}`);
  expect(response.status).toBe(200);
  return verificationViewSchema.parse(await response.json());
}

/** A filing that intake accepted, with what the test needs to take it further. */
interface Tracked {
  readonly filingId: string;
  readonly institutionType: string;
  readonly businessType: string;
  readonly unitCode: string;
  readonly district: string;
  readonly clientRef: string;
}

const districtOf = (unitCode: string) => unitCode.slice(0, 6);

/** Approves as the reviewer of the filing's district, downloads the certificate and checks it every way. */
async function approveAndCheckCertificate(filing: Tracked): Promise<void> {
  const approved = await review(`reviewer.${filing.district}`, filing.filingId, { decision: 'APPROVE' });
  expect(approved.status, filing.clientRef).toBe(200);
  const result = reviewResultSchema.parse(approved.body);
  expect(result, filing.clientRef).toMatchObject({ filingId: filing.filingId, decision: 'APPROVE', status: 'CERTIFIED' });

  const download = await client(filing.institutionType).request('GET', `/v1/filings/${filing.filingId}/certificate`);
  expect(download.status, filing.clientRef).toBe(200);
  const certificate = certificateViewSchema.parse(download.body);
  expect(certificate.certificateNo).toBe(result.certificateNo);
  // The document names the unit (and the filing and business type it registers).
  expect(certificate.document, filing.clientRef).toMatchObject({ unitCode: filing.unitCode, district: filing.district, filingId: filing.filingId, businessType: filing.businessType });
  expect(certificate.document.address.length).toBeGreaterThan(0);
  // Digest and signature over the canonical document, with the platform key.
  const bytes = Buffer.from(canonicalJson(certificate.document as unknown as JsonValue), 'utf8');
  expect(sm3Hex(bytes)).toBe(certificate.digest);
  expect(sm2Verify(bytes, Buffer.from(certificate.signature, 'base64'), platformPublicKey), filing.clientRef).toBe(true);
  // Public verification: genuine and current with its digest, not genuine with any other.
  const genuine = await verification(certificate.certificateNo, certificate.digest);
  expect(genuine, filing.clientRef).toMatchObject({ certificateNo: certificate.certificateNo, genuine: true, current: true, keyId: certificate.keyId });
  expect(genuine.platformPublicKey).toBe(platformPublicKey);
  const wrongDigest = certificate.digest.slice(0, -1) + (certificate.digest.endsWith('0') ? '1' : '0');
  expect(await verification(certificate.certificateNo, wrongDigest), filing.clientRef).toMatchObject({ genuine: false, current: false });

  expect((await filingView(filing.institutionType, filing.filingId)).status, filing.clientRef).toBe('CERTIFIED');
  certified.push(filing);
}

// ---------------------------------------------------------------------------------------------------
// The plans and what the test learns as it goes

const plans: ChannelPlan[] = demoPlans('LIFE');
const accepted: Tracked[] = [];
const needsCorrection: Tracked[] = [];
const certified: Tracked[] = [];
let withdrawn: Tracked | undefined;

/** Every person named in any filing the test sends: none of them may appear in a webhook body. */
const filedPeople: { name: string; idNumber: string }[] = [];
function collectPeople(filing: Record<string, unknown>): void {
  for (const key of ['mortgagors', 'buyers', 'sellers']) {
    const list = filing[key];
    if (!Array.isArray(list)) continue;
    for (const p of list as { name?: unknown; idNumber?: unknown }[]) {
      if (typeof p.name === 'string' && typeof p.idNumber === 'string') filedPeople.push({ name: p.name, idNumber: p.idNumber });
    }
  }
}

function track(institutionType: string, filing: Record<string, unknown>, item: Item): Tracked {
  const unitCode = String(filing.unitCode);
  return { filingId: item.filingId!, institutionType, businessType: String(filing.businessType), unitCode, district: districtOf(unitCode), clientRef: String(filing.clientRef) };
}

// ---------------------------------------------------------------------------------------------------

describe('a filing from submission to certificate, over HTTP on the local runtime', () => {
  it('a credit officer publishes rules under which no channel is restricted: this file follows filings, test/e2e/credit.test.ts follows credit', async () => {
    // The demo plans file deliberate refusals; under the built-in rules they would put the bank on WATCH, and
    // every later filing of it would wait in INTAKE_REVIEW. Rules are data: an officer sets them (DESIGN.md §4).
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${await staffToken('credit_officer.370102')}` };
    const read = await fetch(`${runtime.url}/v1/staff/credit/rules`, { headers });
    expect(read.status).toBe(200);
    const { version, publishedAt: _at, publishedBy: _by, note: _note, ...body } = ((await read.json()) as { current: Record<string, unknown> & { version: number; thresholds: Record<string, number> } }).current;
    const lenient = { ...body, baseVersion: version, note: 'lifecycle e2e: never restrict', thresholds: { watchBelow: 2, shutOffBelow: 1, probationShutOffBelow: 1 } };
    const put = await fetch(`${runtime.url}/v1/staff/credit/rules`, { method: 'PUT', headers, body: JSON.stringify(lenient) });
    expect(put.status, await put.clone().text()).toBe(200);
    expect(((await put.json()) as { version: number }).version).toBe(version + 1);
  });

  it('every channel registers its webhook to a local receiver that verifies signatures', async () => {
    const view = await client('BANK').request('GET', '/v1/channel/webhook');
    expect(view.status).toBe(200);
    platformPublicKey = webhookViewSchema.parse(view.body).platformPublicKey;
    receiverUrl = await startReceiver(platformPublicKey);
    for (const channel of credentials.channels) {
      const own = new ZhitongClient({ baseUrl: runtime.url, channelId: channel.channelId, privateKeyHex: channel.privateKey });
      const put = await own.request('PUT', '/v1/channel/webhook', { url: receiverUrl });
      expect(put.status, channel.channelId).toBe(200);
      const registered = webhookViewSchema.parse((await own.request('GET', '/v1/channel/webhook')).body);
      expect(registered).toMatchObject({ url: receiverUrl, platformPublicKey });
    }
  });

  it('submits the three demo plans: each filing gets its expected intake outcome, and the accepted ones cover all eight business types', async () => {
    const results = await Promise.all(plans.map(async (plan) => ({ plan, items: await submit(plan.institutionType, plan.filings.map((f) => f.filing)) })));
    for (const { plan, items } of results) {
      expect(items).toHaveLength(plan.filings.length);
      for (const item of items) {
        const planned = plan.filings[item.index]!;
        collectPeople(planned.filing);
        expect(item.status, planned.label).toBe(planned.expect.status);
        if (item.status === 'READY_FOR_REVIEW') accepted.push(track(plan.institutionType, planned.filing, item));
        if (item.status === 'CORRECTION_REQUIRED') needsCorrection.push(track(plan.institutionType, planned.filing, item));
      }
    }
    expect([...new Set(accepted.map((f) => f.businessType))].sort()).toEqual([...BUSINESS_TYPES].sort());
    expect(needsCorrection.length).toBeGreaterThan(0);
  });

  it('a reviewer of its district approves every accepted filing; its channel downloads a certificate that verifies', async () => {
    expect(accepted.length).toBeGreaterThanOrEqual(BUSINESS_TYPES.length);
    // One at a time, as reviewers work through their worklists.
    for (const filing of accepted) await approveAndCheckCertificate(filing);
    expect(certified).toHaveLength(accepted.length);
  });

  it('corrects a filing that needs materials: intake accepts it again, and it is approved to CERTIFIED', async () => {
    const filing = needsCorrection.find((f) => f.businessType === 'MORTGAGE_CREATE') ?? needsCorrection[0]!;
    const before = await filingView(filing.institutionType, filing.filingId);
    expect(before.status).toBe('CORRECTION_REQUIRED');
    expect(before.missingMaterials?.length).toBeGreaterThan(0);

    const corrected = await client(filing.institutionType).request('POST', `/v1/filings/${filing.filingId}/corrections`, {
      materials: materials(filing.clientRef, before.missingMaterials),
    });
    expect(corrected.status).toBe(202);
    expect(filingStateSchema.parse(corrected.body)).toMatchObject({ filingId: filing.filingId, status: 'SUBMITTED' });

    const after = await eventually('intake of the corrected filing', async () => {
      const view = await filingView(filing.institutionType, filing.filingId);
      return isWaitingOnPlatform(view.status) ? undefined : view;
    });
    expect(after.status).toBe('READY_FOR_REVIEW');
    expect(after.missingMaterials ?? []).toEqual([]);
    expect(after.history.map((h) => h.status).slice(0, 4)).toEqual(['SUBMITTED', 'CORRECTION_REQUIRED', 'SUBMITTED', 'ACCEPTED']);
    expect(after.history.at(-1)!.status).toBe('READY_FOR_REVIEW');

    await approveAndCheckCertificate(filing);
  });

  it('withdraws a fresh filing (WITHDRAWN), which frees its unit for a new filing that is accepted', async () => {
    // A free single-owner unit in 370102 that no plan files on.
    const used = new Set(plans.flatMap((p) => p.filings.map((f) => String(f.filing.unitCode))));
    const unit = demoRegister().find((u) => u.district === '370102' && !u.seized && u.mortgages.length === 0 && u.owners.length === 1 && !used.has(u.unitCode))!;
    expect(unit).toBeDefined();

    const first = mortgageCreateFiling({ clientRef: 'LIFE-W-01', unitCode: unit.unitCode, mortgagors: unit.owners });
    collectPeople(first);
    const [firstItem] = await submit('BANK', [first]);
    expect(firstItem!.status).toBe('READY_FOR_REVIEW');
    withdrawn = track('BANK', first, firstItem!);

    const withdrawal = await client('BANK').request('POST', `/v1/filings/${withdrawn.filingId}/withdrawal`, { reason: '客户撤回申请' });
    expect(withdrawal.status).toBe(200);
    expect(filingStateSchema.parse(withdrawal.body)).toMatchObject({ filingId: withdrawn.filingId, status: 'WITHDRAWN' });
    expect((await filingView('BANK', withdrawn.filingId)).status).toBe('WITHDRAWN');

    const again = mortgageCreateFiling({ clientRef: 'LIFE-W-02', unitCode: unit.unitCode, mortgagors: unit.owners });
    const [againItem] = await submit('BANK', [again]);
    expect(againItem!.status).toBe('READY_FOR_REVIEW');
    accepted.push(track('BANK', again, againItem!));
  });

  it('refuses a reviewer of another district and leaves the filing unchanged; the own district then approves it', async () => {
    const filing = accepted[accepted.length - 1]!;
    expect(filing.district).toBe('370102');
    const before = await filingView(filing.institutionType, filing.filingId);
    expect(before.status).toBe('READY_FOR_REVIEW');

    const foreign = await review('reviewer.370103', filing.filingId, { decision: 'APPROVE' });
    expect([403, 404]).toContain(foreign.status);
    expect(foreign.body).toMatchObject({ code: expect.any(String) });
    expect(JSON.stringify(foreign.body)).not.toContain('certificateNo');
    expect(await filingView(filing.institutionType, filing.filingId)).toEqual(before);

    await approveAndCheckCertificate(filing);
  });

  it('delivers signed progress events for every transition to the receiver, without personal data; a tampered delivery fails verification', async () => {
    const statusesOf = (filingId: string) => new Set([...verified.values()].filter((e) => e.filingId === filingId).map((e) => e.status));
    const channelIdOf = (type: string) => credentials.channels.find((c) => c.institutionType === type)!.channelId;

    await eventually('webhook events of every certified filing', async () =>
      certified.every((f) => ['ACCEPTED', 'REGISTERED', 'CERTIFIED'].every((s) => statusesOf(f.filingId).has(s))) && statusesOf(withdrawn!.filingId).has('WITHDRAWN') ? true : undefined,
    ).catch((error: unknown) => {
      const missing = certified.filter((f) => !['ACCEPTED', 'REGISTERED', 'CERTIFIED'].every((s) => statusesOf(f.filingId).has(s))).map((f) => `${f.clientRef}: ${[...statusesOf(f.filingId)].join(',')}`);
      throw new Error(`${String(error)}; incomplete: ${missing.join(' | ')}; withdrawn: ${[...statusesOf(withdrawn!.filingId)].join(',')}`);
    });

    expect(rejected).toEqual([]);
    // Filings that waited on departments tell it too: the AWAITING_COORDINATION event and each result's state.
    const transfer = certified.find((f) => f.businessType === 'TRANSFER_RESALE')!;
    const coordinationEvents = [...verified.values()].filter((e) => e.filingId === transfer.filingId && e.coordination !== undefined);
    expect(coordinationEvents.map((e) => e.status)).toEqual(expect.arrayContaining(['AWAITING_COORDINATION', 'READY_FOR_REVIEW']));
    expect(coordinationEvents.find((e) => e.status === 'READY_FOR_REVIEW')!.coordination!.map((c) => `${c.kind} ${c.state}`).sort()).toEqual(['CONTRACT_FILING CONFIRMED', 'TAX_CLEARANCE CONFIRMED']);
    for (const filing of certified) {
      const events = [...verified.values()].filter((e) => e.filingId === filing.filingId);
      for (const event of events) expect(event, filing.clientRef).toMatchObject({ v: 1, channelId: channelIdOf(filing.institutionType), clientRef: filing.clientRef, businessType: filing.businessType });
    }
    // The corrected filing's events tell its whole story.
    const corrected = certified.find((f) => needsCorrection.includes(f))!;
    expect([...statusesOf(corrected.filingId)]).toEqual(expect.arrayContaining(['CORRECTION_REQUIRED', 'SUBMITTED', 'ACCEPTED', 'REGISTERED', 'CERTIFIED']));

    // No personal data in any body: ids, statuses and reason codes only.
    expect(filedPeople.length).toBeGreaterThan(20);
    expect(deliveries.length).toBeGreaterThanOrEqual(verified.size);
    for (const delivery of deliveries) {
      const text = delivery.body.toString('utf8');
      for (const person of filedPeople) {
        expect(text.includes(person.idNumber), 'a webhook body holds an ID number').toBe(false);
        expect(text.includes(person.name), 'a webhook body holds a name').toBe(false);
      }
    }

    // One byte changed: the signature no longer holds.
    const original = deliveries[deliveries.length - 1]!;
    expect(verifyWebhook({ headers: original.headers, body: original.body, platformPublicKeyHex: platformPublicKey }).ok).toBe(true);
    const tampered = Buffer.from(original.body);
    const at = tampered.indexOf('"status":"') + '"status":"'.length;
    expect(at).toBeGreaterThan('"status":"'.length - 1);
    tampered[at] = tampered[at]! ^ 0x01;
    expect(verifyWebhook({ headers: original.headers, body: tampered, platformPublicKeyHex: platformPublicKey })).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
  });
});
