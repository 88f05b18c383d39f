/**
 * The auditor API end to end over real HTTP on the local runtime (DESIGN.md §5; 002 五(二)4; docs/audit-log.md §4),
 * on the REAL audit log: every entry goes through the SQS FIFO queue, the appender, the DynamoDB log store and the
 * checkpoint that signs tree heads with the log key. The demo auditor of district 370102 signs in; the bank submits
 * a batch and staff read its filing; once the heads are signed the auditor
 *
 * 1. finds the entries by tenant, actor, action and target;
 * 2. traces the filing across the institution's and the district's logs, in time order;
 * 3. counts them with statistics grouped by action;
 * 4. proves one entry's inclusion, verified with `client/zt-audit.ts` and the published log key only;
 * 5. after more activity, proves the earlier head consistent with the later one;
 * 6. exports the bank's log: it verifies with `verifyExport`, and one changed byte fails at its line;
 * 7. is refused another district's log (403 DISTRICT_FORBIDDEN), as a clerk is refused the API (403 ROLE_FORBIDDEN).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ZhitongClient } from '../../client/zt-client';
import {
  canonicalJson,
  keyIdMatches,
  leafHashOf,
  verifyConsistency,
  verifyExport,
  verifyInclusionProof,
  verifyReceipt,
  verifyTreeHeadSignature,
  type SignedTreeHead,
} from '../../client/zt-audit';
import { demoRegister } from '../../infra/local/seed/demo-data';
import { mortgageCreateFiling } from '../../infra/local/seed/demo-filings';
import type { DemoCredentials } from '../../infra/local/seed/seed';
import type { consistencySchema, createdExportSchema, entryListSchema, entryViewSchema, inclusionSchema, statisticsSchema, treeHeadListSchema } from '../../schemas/v1/audit';
import { startDemoRuntime, type DemoRuntime } from '../support/demo-runtime';

type EntryList = z.infer<typeof entryListSchema>;
type EntryView = z.infer<typeof entryViewSchema>;
type Inclusion = z.infer<typeof inclusionSchema>;
type Statistics = z.infer<typeof statisticsSchema>;
type Consistency = z.infer<typeof consistencySchema>;
type CreatedExport = z.infer<typeof createdExportSchema>;
type TreeHeadList = z.infer<typeof treeHeadListSchema>;
interface Problem {
  readonly code?: string;
}

const DISTRICT = '370102';
const OTHER_DISTRICT = '370103';
const AUDITOR = `auditor.${DISTRICT}`;
const CLERK = `clerk.${DISTRICT}`;
/** Every wait is bounded: a checkpoint signs every few seconds on the local runtime. */
const WAIT_MS = 20_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it answers a value (not undefined), or fails naming `what` after `timeoutMs`. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(300);
  }
}

describe('the auditor API over HTTP, on the real audit log', () => {
  let demo: DemoRuntime;
  let bank: DemoCredentials['channels'][number];
  let client: ZhitongClient;
  let logKey: { keyId: string; publicKey: string };
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    demo = await startDemoRuntime('audit-staff');
    bank = demo.credentials.channels.find((c) => c.institutionType === 'BANK' && c.allowedDistricts.includes(DISTRICT))!;
    client = new ZhitongClient({ baseUrl: demo.runtime.url, channelId: bank.channelId, privateKeyHex: bank.privateKey });
    const key = await fetch(`${demo.runtime.url}/v1/audit/log-key`);
    expect(key.status).toBe(200);
    logKey = (await key.json()) as { keyId: string; publicKey: string };
  }, 120_000);
  afterAll(async () => demo?.stop());

  async function signIn(username: string): Promise<string> {
    const cached = tokens.get(username);
    if (cached) return cached;
    const account = demo.credentials.staff?.find((s) => s.username === username);
    if (!account) throw new Error(`No demo staff account ${username}`);
    const response = await fetch(`${demo.runtime.url}/v1/staff/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: account.username, password: account.password }) });
    expect(response.status).toBe(200);
    const { accessToken, staff } = (await response.json()) as { accessToken: string; staff: { role: string; district: string } };
    expect(staff.district).toBe(DISTRICT);
    tokens.set(username, accessToken);
    return accessToken;
  }

  async function staff<T>(username: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: T; contentType: string | null }> {
    const response = await fetch(`${demo.runtime.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${await signIn(username)}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: (text.length > 0 && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T, contentType: response.headers.get('content-type') };
  }

  const search = async (query: Record<string, string>): Promise<EntryView[]> => {
    const answer = await staff<EntryList>(AUDITOR, 'GET', `/v1/staff/audit/entries?${new URLSearchParams({ limit: '500', ...query })}`);
    expect(answer.status).toBe(200);
    return answer.body.items;
  };
  const treeHead = async (tenant: string): Promise<SignedTreeHead | undefined> => {
    const answer = await staff<SignedTreeHead>(AUDITOR, 'GET', `/v1/staff/audit/logs/${tenant}/tree-head`);
    if (answer.status === 404) return undefined;
    expect(answer.status).toBe(200);
    return answer.body;
  };
  /** The latest signed head of `tenant` once it covers `size` entries (seq < size). */
  const signedHead = (tenant: string, size: number) => until(`a signed head of ${tenant} covering ${size} entries`, async () => {
    const head = await treeHead(tenant);
    return head && head.treeHead.treeSize >= size ? head : undefined;
  });
  const coverOf = (items: readonly EntryView[]) => Math.max(...items.map((i) => i.seq)) + 1;

  const units = () => demoRegister().filter((u) => u.district === DISTRICT && !u.seized && u.mortgages.length === 0 && u.owners.length === 1);
  const submit = async (i: number): Promise<{ batchId: string; filingId: string }> => {
    const unit = units()[i]!;
    const answer = await client.request('POST', '/v1/batches', { filings: [mortgageCreateFiling({ clientRef: `AS-${i}-${Date.now()}`, unitCode: unit.unitCode, mortgagors: unit.owners })] });
    expect(answer.status).toBe(202);
    const body = answer.body as { batchId: string; items: { filingId: string; status: string }[] };
    expect(body.items[0]).toMatchObject({ status: 'SUBMITTED' });
    return { batchId: body.batchId, filingId: body.items[0]!.filingId };
  };

  // Shared by the steps below, in order.
  let first: { batchId: string; filingId: string };
  let bankHead: SignedTreeHead;
  let bankEntries: EntryView[];

  it('finds the activity by tenant, actor, action and target once the logs are signed', async () => {
    // Activity: the bank submits a batch; a clerk and the auditor read its filing.
    first = await submit(0);
    const read = await staff(CLERK, 'GET', `/v1/staff/filings/${first.filingId}`);
    expect(read.status).toBe(200);
    expect((await staff(AUDITOR, 'GET', `/v1/staff/filings/${first.filingId}`)).status).toBe(200);

    // The entries reach the logs (queue → appender), then a signed head covers them (checkpoint).
    const aboutFiling = await until('the filing’s entries in both logs', async () => {
      const items = await search({ target: first.filingId });
      const actions = items.map((i) => `${i.tenant} ${i.entry?.action} ${i.entry?.actor}`);
      const expected = [`${bank.institutionId} INTAKE_ACCEPTED worker:intake`, `${bank.institutionId} READY_FOR_REVIEW worker:lifecycle`, `${DISTRICT} STAFF_FILING_READ staff:stf-${DISTRICT}-clerk`, `${DISTRICT} STAFF_FILING_READ staff:stf-${DISTRICT}-auditor`];
      return expected.every((e) => actions.includes(e)) ? items : undefined;
    });
    // The bank's log settles once the webhook deliveries of both transitions are logged.
    bankEntries = await until('the webhook deliveries in the bank’s log', async () => {
      const items = await search({ tenant: bank.institutionId });
      return items.filter((i) => i.entry?.action === 'WEBHOOK_DELIVERY' && i.entry.target === first.filingId).length >= 2 ? items : undefined;
    });
    bankHead = await signedHead(bank.institutionId, coverOf(bankEntries));
    await signedHead(DISTRICT, coverOf(aboutFiling.filter((i) => i.tenant === DISTRICT)));
    expect(verifyTreeHeadSignature(bankHead.treeHead, bankHead.signature, logKey.publicKey)).toBe(true);
    expect(bankHead.keyId).toBe(logKey.keyId);

    // By tenant: the bank's log, seq 0.. without gaps, holding the batch's receipt entry.
    expect(bankEntries.map((i) => i.seq).sort((a, b) => a - b)).toEqual(bankEntries.map((_, n) => n));
    expect(bankEntries.every((i) => i.tenant === bank.institutionId && i.entry?.logId === `zhitong/audit/v1/${bank.institutionId}`)).toBe(true);
    expect(bankEntries.find((i) => i.entry?.key === `batch:${first.batchId}`)?.entry).toMatchObject({ action: 'BATCH_SUBMITTED', actor: `channel:${bank.channelId}`, target: first.batchId, outcome: 'SUCCESS', detail: { filings: 1, submitted: 1, invalid: 0 } });
    // Every view's leaf hash is the hash of its entry's canonical bytes.
    for (const item of bankEntries) expect(leafHashOf(canonicalJson(item.entry))).toBe(item.leafHash);

    // By actor: the bank's channel did the submission (its API call and the batch entry), nothing by workers.
    const byChannel = await search({ tenant: bank.institutionId, actor: `channel:${bank.channelId}` });
    expect(byChannel.every((i) => i.entry?.actor === `channel:${bank.channelId}`)).toBe(true);
    expect(byChannel.map((i) => i.entry?.action).sort()).toEqual(['API_SUBMIT_BATCH', 'BATCH_SUBMITTED']);

    // By action: the one batch.
    const batches = await search({ tenant: bank.institutionId, action: 'BATCH_SUBMITTED' });
    expect(batches.map((i) => i.entry?.target)).toEqual([first.batchId]);

    // By target, across logs: the filing's transitions and deliveries in the bank's log, the reads in the district's.
    expect(aboutFiling.every((i) => i.entry?.target === first.filingId)).toBe(true);
    expect(new Set(aboutFiling.map((i) => i.tenant))).toEqual(new Set([bank.institutionId, DISTRICT]));

    // By actor in the district's log: the clerk's sign-in and read of the filing, nothing of anyone else.
    const byClerk = await search({ tenant: DISTRICT, actor: `staff:stf-${DISTRICT}-clerk` });
    expect(byClerk.every((i) => i.entry?.actor === `staff:stf-${DISTRICT}-clerk`)).toBe(true);
    expect(byClerk.map((i) => i.entry?.action)).toEqual(expect.arrayContaining(['API_STAFF_LOGIN', 'STAFF_FILING_READ', 'API_GET_STAFF_FILING']));
    expect(byClerk.find((i) => i.entry?.action === 'STAFF_FILING_READ')?.entry?.target).toBe(first.filingId);
  }, 45_000);

  it('traces the filing across the institution’s and the district’s logs, in time order', async () => {
    const answer = await staff<EntryList>(AUDITOR, 'GET', `/v1/staff/audit/trace?filingId=${first.filingId}`);
    expect(answer.status).toBe(200);
    const items = answer.body.items;
    const summary = items.map((i) => `${i.tenant} ${i.entry?.action} ${i.entry?.actor}`);
    expect(summary).toEqual(
      expect.arrayContaining([
        `${bank.institutionId} INTAKE_ACCEPTED worker:intake`,
        `${bank.institutionId} READY_FOR_REVIEW worker:lifecycle`,
        `${DISTRICT} STAFF_FILING_READ staff:stf-${DISTRICT}-clerk`,
        `${DISTRICT} STAFF_FILING_READ staff:stf-${DISTRICT}-auditor`,
        // The calls themselves name the filing by the same id, so they are part of its trace.
        `${DISTRICT} API_GET_STAFF_FILING staff:stf-${DISTRICT}-clerk`,
      ]),
    );
    // Every entry is about the filing, and they come in time order (the workers before the staff reads here).
    expect(items.every((i) => i.entry?.target === first.filingId || i.entry?.subject?.filingId === first.filingId)).toBe(true);
    const times = items.map((i) => Date.parse(i.entry!.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(summary.indexOf(`${bank.institutionId} INTAKE_ACCEPTED worker:intake`)).toBeLessThan(summary.indexOf(`${bank.institutionId} READY_FOR_REVIEW worker:lifecycle`));
  });

  it('counts the entries with statistics grouped by action', async () => {
    const expected = new Map<string, number>();
    for (const item of bankEntries) expected.set(item.entry!.action, (expected.get(item.entry!.action) ?? 0) + 1);
    const answer = await staff<Statistics>(AUDITOR, 'GET', `/v1/staff/audit/statistics?groupBy=action&tenant=${bank.institutionId}`);
    expect(answer.status).toBe(200);
    expect(answer.body.groupBy).toEqual(['action']);
    expect(answer.body.total).toBe(bankEntries.length);
    expect(new Map(answer.body.groups.map((g) => [g.key.action!, g.count]))).toEqual(expected);
    expect(expected.get('BATCH_SUBMITTED')).toBe(1);

    // With an action filter, in the district's log: the two reads of the filing.
    const reads = await staff<Statistics>(AUDITOR, 'GET', `/v1/staff/audit/statistics?groupBy=action&tenant=${DISTRICT}&action=STAFF_FILING_READ`);
    expect(reads.status).toBe(200);
    expect(reads.body).toMatchObject({ total: 2, groups: [{ key: { action: 'STAFF_FILING_READ' }, count: 2 }] });
  });

  it('proves an entry’s inclusion in the signed head, verified with the published key only', async () => {
    const batchEntry = bankEntries.find((i) => i.entry?.key === `batch:${first.batchId}`)!;
    const { treeSize, rootHash } = bankHead.treeHead;
    const answer = await staff<Inclusion>(AUDITOR, 'GET', `/v1/staff/audit/logs/${bank.institutionId}/proofs/inclusion?seq=${batchEntry.seq}&treeSize=${treeSize}`);
    expect(answer.status).toBe(200);
    const proof = answer.body;
    expect(proof).toMatchObject({ leafIndex: batchEntry.seq, treeSize, leafHash: batchEntry.leafHash });
    expect(leafHashOf(canonicalJson(proof.entry))).toBe(proof.leafHash);
    expect(verifyInclusionProof(proof.leafHash, proof.leafIndex, proof.treeSize, proof.proof, rootHash)).toBe(true);
    // The head the proof leads to is the one the checkpoint signed with the published log key.
    expect(keyIdMatches(bankHead.keyId, logKey.publicKey)).toBe(true);
    expect(verifyTreeHeadSignature(bankHead.treeHead, bankHead.signature, logKey.publicKey)).toBe(true);
    // As an institution would check it: the batch's entry as a receipt.
    const receipt = { batchId: first.batchId, logId: bankHead.treeHead.logId, leafIndex: proof.leafIndex, entry: canonicalJson(proof.entry), leafHash: proof.leafHash, treeHead: bankHead, inclusionProof: proof.proof, logPublicKey: logKey.publicKey, keyId: bankHead.keyId };
    expect(verifyReceipt(receipt, logKey.publicKey)).toEqual({ ok: true });
    // One changed proof hash, or another seq, does not verify.
    const forged = [...proof.proof];
    forged[0] = `${forged[0]!.slice(0, 63)}${forged[0]!.endsWith('0') ? '1' : '0'}`;
    expect(verifyInclusionProof(proof.leafHash, proof.leafIndex, proof.treeSize, forged, rootHash)).toBe(false);
    expect(verifyReceipt({ ...receipt, inclusionProof: forged }, logKey.publicKey)).toMatchObject({ ok: false });

    // In the district's log too: the clerk's read of the filing, against the latest signed head.
    const clerkRead = (await search({ tenant: DISTRICT, action: 'STAFF_FILING_READ', actor: `staff:stf-${DISTRICT}-clerk` }))[0]!;
    const districtHead = await signedHead(DISTRICT, clerkRead.seq + 1);
    const inDistrict = await staff<Inclusion>(AUDITOR, 'GET', `/v1/staff/audit/logs/${DISTRICT}/proofs/inclusion?seq=${clerkRead.seq}&treeSize=${districtHead.treeHead.treeSize}`);
    expect(inDistrict.status).toBe(200);
    expect(inDistrict.body.leafHash).toBe(clerkRead.leafHash);
    expect(verifyInclusionProof(inDistrict.body.leafHash, clerkRead.seq, districtHead.treeHead.treeSize, inDistrict.body.proof, districtHead.treeHead.rootHash)).toBe(true);
    expect(verifyTreeHeadSignature(districtHead.treeHead, districtHead.signature, logKey.publicKey)).toBe(true);
  });

  let laterHead: SignedTreeHead;

  it('proves the earlier head consistent with a later one after more activity', async () => {
    const earlier = bankHead;
    const second = await submit(1);
    const withSecond = await until('the second batch in the bank’s log', async () => {
      const items = await search({ tenant: bank.institutionId });
      return items.some((i) => i.entry?.key === `batch:${second.batchId}`) && items.filter((i) => i.entry?.action === 'WEBHOOK_DELIVERY' && i.entry.target === second.filingId).length >= 2 ? items : undefined;
    });
    laterHead = await signedHead(bank.institutionId, coverOf(withSecond));
    expect(laterHead.treeHead.treeSize).toBeGreaterThan(earlier.treeHead.treeSize);
    bankEntries = withSecond;

    const answer = await staff<Consistency>(AUDITOR, 'GET', `/v1/staff/audit/logs/${bank.institutionId}/proofs/consistency?first=${earlier.treeHead.treeSize}&second=${laterHead.treeHead.treeSize}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ first: earlier.treeHead.treeSize, second: laterHead.treeHead.treeSize });
    expect(verifyConsistency(earlier, laterHead, answer.body.proof, logKey.publicKey)).toEqual({ ok: true });
    // The proof binds both roots: against another root it fails.
    const wrongRoot = { ...earlier, treeHead: { ...earlier.treeHead, rootHash: laterHead.treeHead.rootHash } };
    expect(verifyConsistency(wrongRoot, laterHead, answer.body.proof, logKey.publicKey)).toMatchObject({ ok: false });

    // Both heads are among the signed heads of the range, each signed with the log key.
    const heads = await staff<TreeHeadList>(AUDITOR, 'GET', `/v1/staff/audit/logs/${bank.institutionId}/tree-heads?fromSize=${earlier.treeHead.treeSize}&toSize=${laterHead.treeHead.treeSize}`);
    expect(heads.status).toBe(200);
    expect(heads.body.items.map((h) => h.treeHead.treeSize)).toEqual(expect.arrayContaining([earlier.treeHead.treeSize, laterHead.treeHead.treeSize]));
    for (const head of heads.body.items) expect(verifyTreeHeadSignature(head.treeHead, head.signature, logKey.publicKey)).toBe(true);
  }, 45_000);

  it('exports the bank’s log: it verifies with verifyExport, and one changed byte in an entry line fails at that line', async () => {
    const created = await staff<CreatedExport>(AUDITOR, 'POST', '/v1/staff/audit/exports', { tenant: bank.institutionId });
    expect(created.status).toBe(201);
    const { exportId, manifest } = created.body;
    expect(created.body.href).toBe(`/v1/staff/audit/exports/${exportId}`);
    expect(manifest.treeHead.treeSize).toBeGreaterThanOrEqual(laterHead.treeHead.treeSize);
    const fetched = await fetch(`${demo.runtime.url}/v1/staff/audit/exports/${exportId}`, { headers: { authorization: `Bearer ${await signIn(AUDITOR)}` } });
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('content-type')).toContain('application/x-ndjson');
    const bytes = new Uint8Array(await fetched.arrayBuffer());

    const verdict = verifyExport(bytes, { publicKey: logKey.publicKey });
    expect(verdict).toEqual({
      ok: true,
      entries: manifest.entries,
      heads: expect.any(Number),
      root: manifest.treeHead.rootHash,
      keyId: logKey.keyId,
      platformKeyId: manifest.platformKeyId,
      pinned: { logKey: true, platformKey: false },
    });
    // The manifest is signed by the platform key, the one GET /v1/channel/webhook publishes to the bank.
    const webhook = await client.request('GET', '/v1/channel/webhook');
    expect(verifyExport(bytes, { publicKey: logKey.publicKey, platformPublicKey: (webhook.body as { platformPublicKey: string }).platformPublicKey })).toMatchObject({ ok: true, pinned: { logKey: true, platformKey: true } });
    expect(manifest.entries).toBe(manifest.treeHead.treeSize);
    // Its entries are the ones the search answered.
    const lines = Buffer.from(bytes).toString('utf8').split('\n');
    const entryLines = lines.filter((l) => l.startsWith('{"entry":')).map((l) => JSON.parse(l) as { seq: number; leafHash: string });
    expect(entryLines.slice(0, bankEntries.length).map((l) => l.leafHash)).toEqual([...bankEntries].sort((a, b) => a.seq - b.seq).map((i) => i.leafHash));

    // One byte of the batch's entry line changed (the channel id in its actor, still canonical JSON).
    const index = lines.findIndex((l) => l.startsWith('{"entry":') && l.includes(`"key":"batch:${first.batchId}"`));
    expect(index).toBeGreaterThan(0);
    const lineStart = lines.slice(0, index).reduce((offset, l) => offset + Buffer.byteLength(l, 'utf8') + 1, 0);
    const marker = `"actor":"channel:`;
    const at = lineStart + Buffer.byteLength(lines[index]!.slice(0, lines[index]!.indexOf(marker) + marker.length), 'utf8');
    const changed = Uint8Array.from(bytes);
    expect(String.fromCharCode(changed[at]!)).toBe(bank.channelId[0]);
    changed[at] = changed[at]! ^ 0x20; // lower ↔ upper case
    const seq = (JSON.parse(lines[index]!) as { seq: number }).seq;
    expect(verifyExport(changed, { publicKey: logKey.publicKey })).toMatchObject({ ok: false, line: index + 1, seq });

    // A filtered export (the batches only): each entry with its inclusion proof, and it verifies too.
    const filtered = await staff<CreatedExport>(AUDITOR, 'POST', '/v1/staff/audit/exports', { tenant: bank.institutionId, filter: { action: 'BATCH_SUBMITTED' } });
    expect(filtered.status).toBe(201);
    const filteredBody = await fetch(`${demo.runtime.url}/v1/staff/audit/exports/${filtered.body.exportId}`, { headers: { authorization: `Bearer ${await signIn(AUDITOR)}` } });
    expect(filteredBody.status).toBe(200);
    expect(verifyExport(new Uint8Array(await filteredBody.arrayBuffer()), { publicKey: logKey.publicKey })).toMatchObject({ ok: true, entries: 2 });
  });

  it('refuses the auditor another district’s log (403 DISTRICT_FORBIDDEN) and a clerk the API (403 ROLE_FORBIDDEN), and logs the refusals', async () => {
    const other = [
      await staff<Problem>(AUDITOR, 'GET', `/v1/staff/audit/logs/${OTHER_DISTRICT}/tree-head`),
      await staff<Problem>(AUDITOR, 'GET', `/v1/staff/audit/entries?tenant=${OTHER_DISTRICT}`),
      await staff<Problem>(AUDITOR, 'GET', `/v1/staff/audit/logs/${OTHER_DISTRICT}/proofs/inclusion?seq=0`),
      await staff<Problem>(AUDITOR, 'POST', '/v1/staff/audit/exports', { tenant: OTHER_DISTRICT }),
    ];
    for (const answer of other) expect({ status: answer.status, code: answer.body.code }).toEqual({ status: 403, code: 'DISTRICT_FORBIDDEN' });

    const byClerk = [
      await staff<Problem>(CLERK, 'GET', `/v1/staff/audit/entries?tenant=${DISTRICT}`),
      await staff<Problem>(CLERK, 'GET', `/v1/staff/audit/logs/${DISTRICT}/tree-head`),
      await staff<Problem>(CLERK, 'GET', `/v1/staff/audit/trace?filingId=${first.filingId}`),
      await staff<Problem>(CLERK, 'POST', '/v1/staff/audit/exports', { tenant: DISTRICT }),
    ];
    for (const answer of byClerk) expect({ status: answer.status, code: answer.body.code }).toEqual({ status: 403, code: 'ROLE_FORBIDDEN' });

    // The refusals are in the district's log, as DENIED with their code.
    const denied = await until('the refusals in the district’s log', async () => {
      const items = await search({ tenant: DISTRICT, outcome: 'DENIED' });
      const codes = items.map((i) => `${i.entry?.actor} ${String(i.entry?.detail?.code)}`);
      return codes.filter((c) => c === `staff:stf-${DISTRICT}-auditor DISTRICT_FORBIDDEN`).length >= other.length && codes.filter((c) => c === `staff:stf-${DISTRICT}-clerk ROLE_FORBIDDEN`).length >= byClerk.length ? items : undefined;
    });
    expect(denied.every((i) => i.entry?.outcome === 'DENIED')).toBe(true);
  });
});
