/**
 * The audit log on the emulators (dynalite in `npm test`, DynamoDB Local in `npm run test:dynamodb-local`):
 * record = one FIFO message; the appender's commits and materialisation; the reader (entries, keys, nodes,
 * tree heads, search); the checkpoint's signatures and its refusal to sign over a rewritten log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { PurgeQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { dynamoDocumentClient, sqs } from '../../../functions/adapters/aws-clients';
import { DynamoAuditLogStore } from '../../../functions/adapters/dynamodb/audit-log';
import { auditDeduplicationId, SqsAuditLog } from '../../../functions/adapters/sqs/audit-queue';
import { LocalPlatformSigner } from '../../../functions/adapters/keys/local-platform-signer';
import { canonicalJson, entryBytes, logIdOf, treeHeadBytes, type LogEntry } from '../../../functions/core/domain/audit-log';
import { consistencyProof, inclusionProof, leafHash, rootOf, verifyConsistency, verifyInclusion } from '../../../functions/core/domain/merkle';
import type { AuditRecord } from '../../../functions/core/ports';
import { appendAudit, type AppendAuditPorts, type QueuedRecord } from '../../../functions/core/use-cases/append-audit';
import { checkpointAudit, type CheckpointPorts } from '../../../functions/core/use-cases/checkpoint-audit';
import { sm2Verify } from '../../../functions/shared/crypto/sm2';
import { sm3Hex } from '../../../functions/shared/crypto/sm3';
import { queueEnvVar, tableEnvVar } from '../../../infra/topology';
import { startTestEmulators, type TestEmulators } from '../../support/emulators';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const at = (i: number) => new Date(Date.UTC(2026, 11, 1, 8, 0, 0, i)).toISOString();
const record = (tenant: string, i: number, extra: Partial<QueuedRecord> = {}): QueuedRecord => ({
  key: `k-${tenant}-${i}`,
  at: at(i),
  tenant,
  actor: `staff:s${i % 3}`,
  action: i % 2 === 0 ? 'FILING_READ' : 'FILING_REVIEWED',
  outcome: 'SUCCESS',
  target: `F${i % 4}`,
  ...extra,
});

describe('the audit log store', () => {
  let emulators: TestEmulators;
  let store: DynamoAuditLogStore;
  let requests: { tenant: string; delay: number }[];
  let ports: AppendAuditPorts;
  let checkpoint: CheckpointPorts;
  let signer: LocalPlatformSigner;
  const now = new Date('2026-12-01T09:00:00.000Z');

  beforeAll(async () => {
    emulators = await startTestEmulators('zt-audit');
    store = new DynamoAuditLogStore({ client: dynamoDocumentClient(), tableName: emulators.env[tableEnvVar('audit')]!, now: () => now });
    requests = [];
    ports = { store, checkpoints: { request: async (tenant, delay) => void requests.push({ tenant, delay }) }, clock: { now: () => now } };
    signer = await LocalPlatformSigner.open(await mkdtemp(join(tmpdir(), 'zt-logkey-')), 'log-signing.key', 'local-sm2-log');
    checkpoint = { store, reader: store, signer, clock: { now: () => now } };
  });
  afterAll(async () => emulators.stop());

  it('record sends one FIFO message: group = tenant, deduplication id = SM3(tenant ‖ key), only declared fields', async () => {
    // Prepare
    const log = new SqsAuditLog({ client: sqs(), queueUrl: emulators.env[queueEnvVar('audit')]!, now: () => now });
    const draft: AuditRecord = { tenant: 'inst-bank', actor: 'channel:ch-1', action: 'BATCH_SUBMITTED', outcome: 'SUCCESS', target: 'b-1', id: 'batch:b-1', detail: { filings: 3 } };
    // Act: a stray property (personal data a careless caller passes) is not sent.
    await log.record({ ...draft, personalName: '张三' } as AuditRecord);
    await log.record({ tenant: 'inst-bank', actor: 'a', action: 'X', outcome: 'ERROR' });
    // Assess
    const { Messages } = await sqs().send(new ReceiveMessageCommand({ QueueUrl: emulators.env[queueEnvVar('audit')]!, MaxNumberOfMessages: 10, AttributeNames: ['All'] }));
    expect(Messages).toHaveLength(2);
    const first = Messages![0]!;
    expect(first.Attributes?.MessageGroupId).toBe('inst-bank');
    expect(first.Attributes?.MessageDeduplicationId).toBe(sm3Hex('inst-bank\nbatch:b-1'));
    expect(auditDeduplicationId('inst-bank', 'batch:b-1')).toBe(first.Attributes?.MessageDeduplicationId);
    expect(JSON.parse(first.Body!)).toStrictEqual({ v: 1, key: 'batch:b-1', at: now.toISOString(), tenant: 'inst-bank', actor: 'channel:ch-1', action: 'BATCH_SUBMITTED', outcome: 'SUCCESS', target: 'b-1', detail: { filings: 3 } });
    expect(JSON.parse(Messages![1]!.Body!).key).toMatch(/^[0-9a-f]{32}$/);
    await sqs().send(new PurgeQueueCommand({ QueueUrl: emulators.env[queueEnvVar('audit')]! }));
  });

  it('record refuses a tenant that names no log, an oversized record, and rejects when the send fails', async () => {
    const log = new SqsAuditLog({ client: sqs(), queueUrl: emulators.env[queueEnvVar('audit')]! });
    await expect(log.record({ tenant: 'bad tenant/../x', actor: 'a', action: 'X', outcome: 'ERROR' })).rejects.toThrow(/tenant/);
    await expect(log.record({ tenant: 't', actor: 'a', action: 'X', outcome: 'ERROR', detail: { big: 'x'.repeat(1_900), a: 'y'.repeat(1_900), ...Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}`, 'z'.repeat(1_900)])) } })).rejects.toThrow(/larger than/);
    const offline = new SqsAuditLog({ client: new SQSClient({ endpoint: 'http://127.0.0.1:9', maxAttempts: 1 }), queueUrl: 'http://127.0.0.1:9/000000000000/x.fifo' });
    await expect(offline.record({ tenant: 't', actor: 'a', action: 'X', outcome: 'ERROR' })).rejects.toThrow();
  });

  it('appends in order without gaps, one commit per batch, root = MTH of every leaf; entries read back canonical', async () => {
    const tenant = '370102';
    for (let batch = 0; batch < 4; batch++) {
      await appendAudit(ports, tenant, Array.from({ length: 7 }, (_, i) => record(tenant, batch * 7 + i)));
    }
    const head = (await store.head(tenant))!;
    expect(head.treeSize).toBe(28);
    const entries = await store.entries(tenant, 0, 100);
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 28 }, (_, i) => i));
    const parsed = entries.map((e) => JSON.parse(e.entry!) as LogEntry);
    expect(parsed.map((e) => e.key)).toEqual(Array.from({ length: 28 }, (_, i) => `k-${tenant}-${i}`));
    for (const [i, e] of entries.entries()) {
      expect(canonicalJson(parsed[i]!)).toBe(e.entry);
      expect(e.leafHash).toBe(leafHash(entryBytes(parsed[i]!)));
    }
    expect(parsed[0]).toMatchObject({ v: 1, logId: logIdOf(tenant), seq: 0, retention: 'OPERATIONS' });
    expect(head.rootHash).toBe(rootOf(entries.map((e) => e.leafHash)));
    // Every inclusion proof from the stored nodes verifies against the head.
    for (const seq of [0, 13, 27]) {
      const proof = await inclusionProof(store.nodes(tenant), seq, 28);
      expect(verifyInclusion(entries[seq]!.leafHash, seq, 28, proof, head.rootHash)).toBe(true);
    }
    expect(await store.seqOfKey(tenant, `k-${tenant}-20`)).toBe(20);
    expect(await store.seqOfKey(tenant, 'never')).toBeUndefined();
    // A checkpoint was requested once (the first commit), not per batch within 5 s.
    expect(requests.filter((r) => r.tenant === tenant)).toEqual([{ tenant, delay: 5 }]);
  });

  it('appends a key once however often it comes (in one batch, or redelivered five times)', async () => {
    const tenant = 'inst-redelivery';
    const one = record(tenant, 1);
    await appendAudit(ports, tenant, [one, one, record(tenant, 2)]);
    for (let i = 0; i < 5; i++) await appendAudit(ports, tenant, [one]);
    expect((await store.head(tenant))!.treeSize).toBe(2);
  });

  it('refuses nodes outside the committed tree', async () => {
    const nodes = store.nodes('370102');
    await expect(nodes(0, 28)).rejects.toThrow(RangeError);
    await expect(nodes(5, 0)).rejects.toThrow(RangeError);
    await expect(nodes(2, 6)).resolves.toMatch(/^[0-9a-f]{64}$/);
  });

  it('searches by target, actor and tenants with filters, time range [from, to) and cursors', async () => {
    const range = { from: at(0), to: at(28), limit: 100 };
    // A target is searched across logs (here also inst-redelivery's entry 0), narrowed by tenants on request.
    const everywhere = await store.search({ ...range, target: 'F1' });
    expect(everywhere.items.map((e) => `${e.tenant}:${e.seq}`)).toContain('inst-redelivery:0');
    const byTarget = await store.search({ ...range, target: 'F1', tenants: ['370102'] });
    expect(byTarget.items.map((e) => e.seq)).toEqual([1, 5, 9, 13, 17, 21, 25]);
    const byActor = await store.search({ ...range, actor: 'staff:s0', action: 'FILING_READ' });
    expect(byActor.items.map((e) => e.seq)).toEqual([0, 6, 12, 18, 24]);
    const exclusive = await store.search({ tenants: ['370102'], from: at(3), to: at(5), limit: 10 });
    expect(exclusive.items.map((e) => e.seq)).toEqual([3, 4]);
    // Pages of 4 over two tenants, every entry once.
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.search({ tenants: ['370102', 'inst-redelivery'], from: at(0), to: at(100), limit: 4, cursor });
      expect(page.items.length).toBeLessThanOrEqual(4);
      seen.push(...page.items.map((e) => `${e.tenant}:${e.seq}`));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    expect(seen).toHaveLength(30);
    expect(new Set(seen).size).toBe(30);
  });

  it('refuses any cursor it did not answer for this search with 400 CURSOR_INVALID, before reading (garbage, truncated, wrong shape, another partition or index)', async () => {
    const range = { from: at(0), to: at(100), limit: 2 };
    const own = await store.search({ ...range, tenants: ['370102'] });
    expect(own.nextCursor).toBeDefined();
    const real = JSON.parse(Buffer.from(own.nextCursor!, 'base64url').toString('utf8')) as { i: number; k: Record<string, string> };
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
    const hostile: [string, string][] = [
      ['garbage', 'not-a-cursor'],
      ['truncated', own.nextCursor!.slice(0, own.nextCursor!.length - 7)],
      ['JSON, not an object', b64([1, 2])],
      ['unknown member', b64({ ...real, x: 1 })],
      ['partition index out of range', b64({ ...real, i: 5 })],
      ['fractional index', b64({ ...real, i: 0.5 })],
      ['another tenant’s partition', b64({ i: 0, k: { ...real.k, tpk: 'inst-redelivery', pk: 'LOG#inst-redelivery' } })],
      ['this partition, another tenant’s item', b64({ i: 0, k: { ...real.k, pk: 'LOG#inst-redelivery' } })],
      ['another index’s key', b64({ i: 0, k: { pk: real.k['pk'], sk: real.k['sk'], gpk: 'F1', gsk: real.k['tsk'] } })],
      ['a non-entry item (HEAD)', b64({ i: 0, k: { ...real.k, sk: 'HEAD' } })],
      ['a number for a key', b64({ i: 0, k: { ...real.k, tsk: 7 } })],
      ['a sort key before the range', b64({ i: 0, k: { ...real.k, tsk: `0000#${real.k['tsk']}` } })],
      ['a sort key after the range', b64({ i: 0, k: { ...real.k, tsk: `9999-12-31T00:00:00.000Z#370102#1` } })],
    ];
    for (const [name, cursor] of hostile) {
      await expect(store.search({ ...range, tenants: ['370102'], cursor }), name).rejects.toMatchObject({ status: 400, code: 'CURSOR_INVALID' });
    }
    // A target search's cursor is no start for a tenant search, nor the reverse.
    const byTarget = await store.search({ ...range, target: 'F1', tenants: ['370102'] });
    expect(byTarget.nextCursor).toBeDefined();
    await expect(store.search({ ...range, tenants: ['370102'], cursor: byTarget.nextCursor })).rejects.toMatchObject({ code: 'CURSOR_INVALID' });
    await expect(store.search({ ...range, target: 'F1', cursor: own.nextCursor })).rejects.toMatchObject({ code: 'CURSOR_INVALID' });
    // The cursor answered goes on where it left off.
    const next = await store.search({ ...range, tenants: ['370102'], cursor: own.nextCursor });
    expect(next.items.map((e) => e.seq)).not.toContain(own.items[0]!.seq);
  });

  it('treats entries past their retention as absent content; the leaf stays', async () => {
    const tenant = 'inst-old';
    await appendAudit(ports, tenant, [record(tenant, 1, { at: '2024-01-01T00:00:00.000Z' }), record(tenant, 2, { retention: 'DATA_PROVIDED', at: '2024-01-01T00:00:00.000Z' })]);
    const [old, kept] = await store.entries(tenant, 0, 2);
    expect(old!.entry).toBeUndefined();
    expect(old!.leafHash).toMatch(/^[0-9a-f]{64}$/);
    expect(kept!.entry).toBeDefined();
    expect(kept!.retention).toBe('DATA_PROVIDED');
  });

  it('the checkpoint signs heads with the log key; consecutive heads are consistent; nothing new, nothing signed', async () => {
    const tenant = 'inst-sign';
    await appendAudit(ports, tenant, [record(tenant, 0), record(tenant, 1), record(tenant, 2)]);
    expect((await checkpointAudit(checkpoint, tenant)).kind).toBe('signed');
    expect((await checkpointAudit(checkpoint, tenant)).kind).toBe('current');
    await appendAudit(ports, tenant, Array.from({ length: 6 }, (_, i) => record(tenant, 3 + i)));
    expect((await checkpointAudit(checkpoint, tenant)).kind).toBe('signed');
    const heads = await store.treeHeads(tenant, { fromSize: 0, toSize: 100, limit: 10 });
    expect(heads.map((h) => h.treeHead.treeSize)).toEqual([3, 9]);
    for (const sth of heads) {
      expect(sth.keyId).toBe(signer.keyId);
      expect(sm2Verify(treeHeadBytes(sth.treeHead), Buffer.from(sth.signature, 'base64'), await signer.publicKeyHex())).toBe(true);
    }
    const proof = await consistencyProof(store.nodes(tenant), 3, 9);
    expect(verifyConsistency(3, 9, proof, heads[0]!.treeHead.rootHash, heads[1]!.treeHead.rootHash)).toBe(true);
    expect((await store.latestTreeHead(tenant))!.treeHead.treeSize).toBe(9);
    expect((await store.treeHeadOfSize(tenant, 3))!.treeHead.rootHash).toBe(heads[0]!.treeHead.rootHash);
    expect(await store.unsignedTenants()).not.toContain(tenant);
    await appendAudit(ports, tenant, [record(tenant, 100)]);
    expect(await store.unsignedTenants()).toContain(tenant);
  });

  it('refuses to sign over a rewritten log (a stored node changed after a signed head)', async () => {
    const tenant = 'inst-forged';
    await appendAudit(ports, tenant, Array.from({ length: 4 }, (_, i) => record(tenant, i)));
    expect((await checkpointAudit(checkpoint, tenant)).kind).toBe('signed');
    await appendAudit(ports, tenant, [record(tenant, 4)]);
    // Rewrite leaf 1 and the subtree above it, as an insider with table access could.
    const table = emulators.env[tableEnvVar('audit')]!;
    const { Items } = await dynamoDocumentClient().send(new ScanCommand({ TableName: table }));
    const nodes = (Items ?? []).filter((i) => i['pk'] === `LOG#${tenant}` && String(i['sk']).startsWith('N#'));
    for (const node of nodes.filter((n) => ['N#00#000000000001', 'N#01#000000000000', 'N#02#000000000000'].includes(String(n['sk'])))) {
      await dynamoDocumentClient().send(new PutCommand({ TableName: table, Item: { ...node, hash: 'ff'.repeat(32) } }));
    }
    const outcome = await checkpointAudit(checkpoint, tenant);
    expect(outcome.kind).toBe('inconsistent');
    expect((await store.latestTreeHead(tenant))!.treeHead.treeSize).toBe(4);
  });

  it('propagates a failed read or write instead of losing records', async () => {
    const offline = new DynamoAuditLogStore({ client: DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: 'http://127.0.0.1:9', maxAttempts: 1 })), tableName: 'x' });
    await expect(appendAudit({ ...ports, store: offline }, 't', [record('t', 1)])).rejects.toThrow();
  });
});
