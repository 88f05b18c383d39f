/**
 * The log under load and under faults (DESIGN.md §5: "entries in sequence order with no gaps"), on the
 * emulators, through the real queue and the real appender handler:
 * - 50 concurrent `record` callers × N entries (N = 200 with `npm run test:audit-load`, which CI runs; 20 in
 *   `npm test`, to keep it quick), into one tenant and into three, appended by several
 *   appender invocations running at once (as Lambda may, and as a redelivery may overlap a slow batch),
 *   with the checkpoint signing along the way: seq 0..N-1 without gap or duplicate, root = MTH of all
 *   leaves, every tree head verifies with the log key and each is consistent with the one before;
 * - the appender crashed just before and just after each of its port calls, then redelivered: no gap, no
 *   duplicate; one message redelivered five times is appended once.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDocumentClient, sqs } from '../../functions/adapters/aws-clients';
import { DynamoAuditLogStore } from '../../functions/adapters/dynamodb/audit-log';
import { LocalPlatformSigner } from '../../functions/adapters/keys/local-platform-signer';
import { SqsAuditLog } from '../../functions/adapters/sqs/audit-queue';
import { treeHeadBytes, type LogEntry } from '../../functions/core/domain/audit-log';
import { consistencyProof, rootOf, verifyConsistency } from '../../functions/core/domain/merkle';
import type { AppendAuditPorts, AuditLogStore, CheckpointRequests } from '../../functions/core/use-cases/append-audit';
import { checkpointAudit, type CheckpointPorts } from '../../functions/core/use-cases/checkpoint-audit';
import { sm2Verify } from '../../functions/shared/crypto/sm2';
import { processAuditBatch } from '../../functions/workers/audit-appender';
import { queueEnvVar, tableEnvVar } from '../../infra/topology';
import { toSqsRecord } from '../../infra/local/queue-poller';
import { startTestEmulators, type TestEmulators } from '../support/emulators';

class Crash extends Error {
  override readonly name = 'Crash';
}

let emulators: TestEmulators;
let store: DynamoAuditLogStore;
let queueUrl: string;
let signer: LocalPlatformSigner;
const requests: string[] = [];
const checkpoints: CheckpointRequests = { request: async (tenant) => void requests.push(tenant) };
const clock = { now: () => new Date() };

beforeAll(async () => {
  emulators = await startTestEmulators('zt-audit-load');
  store = new DynamoAuditLogStore({ client: dynamoDocumentClient(), tableName: emulators.env[tableEnvVar('audit')]! });
  queueUrl = emulators.env[queueEnvVar('audit')]!;
  signer = await LocalPlatformSigner.open(await mkdtemp(join(tmpdir(), 'zt-logkey-')), 'log-signing.key', 'local-sm2-log');
});
afterAll(async () => emulators.stop());

/**
 * One appender invocation as the event source mapping makes it: receive up to 10, invoke, delete what did
 * not fail, make the failed visible again. Answers false once the queue is empty.
 */
async function invokeOnce(ports: AppendAuditPorts): Promise<boolean> {
  const { Messages } = await sqs().send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, AttributeNames: ['All'], WaitTimeSeconds: 0, VisibilityTimeout: 60 }));
  const messages: Message[] = Messages ?? [];
  if (messages.length === 0) return false;
  const event: SQSEvent = { Records: messages.map((m) => toSqsRecord(m, 'arn:aws:sqs:ap-east-1:000000000000:audit.fifo', 'ap-east-1')) };
  let response: SQSBatchResponse;
  try {
    response = await processAuditBatch(event, ports);
  } catch {
    response = { batchItemFailures: messages.map((m) => ({ itemIdentifier: m.MessageId! })) };
  }
  const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  const done = messages.filter((m) => !failed.has(m.MessageId!));
  const back = messages.filter((m) => failed.has(m.MessageId!));
  if (done.length > 0) await sqs().send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }));
  if (back.length > 0) await sqs().send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: back.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 })) }));
  return true;
}

async function drain(ports: AppendAuditPorts, invocations: number): Promise<void> {
  let idle = 0;
  await Promise.all(
    Array.from({ length: invocations }, async () => {
      for (;;) {
        if (await invokeOnce(ports)) idle = 0;
        else if (++idle > invocations * 3) return;
        else await new Promise((r) => setTimeout(r, 20));
      }
    }),
  );
}

async function assertLog(tenant: string, expectedKeys: readonly string[]): Promise<{ heads: number }> {
  const head = (await store.head(tenant))!;
  expect(head.treeSize).toBe(expectedKeys.length);
  const entries = await store.entries(tenant, 0, head.treeSize);
  expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: head.treeSize }, (_, i) => i));
  const keys = entries.map((e) => (JSON.parse(e.entry!) as LogEntry).key);
  expect(new Set(keys).size).toBe(keys.length);
  expect([...keys].sort()).toEqual([...expectedKeys].sort());
  expect(head.rootHash).toBe(rootOf(entries.map((e) => e.leafHash)));
  const sths = await store.treeHeads(tenant, { fromSize: 0, toSize: head.treeSize, limit: 10_000 });
  expect(sths.at(-1)?.treeHead.treeSize).toBe(head.treeSize);
  const publicKey = await signer.publicKeyHex();
  for (const [i, sth] of sths.entries()) {
    expect(sm2Verify(treeHeadBytes(sth.treeHead), Buffer.from(sth.signature, 'base64'), publicKey)).toBe(true);
    // Each head consistent with the one before, and the last one's root that of all the leaves: every
    // signed head is then the root of a prefix of this very log.
    const previous = sths[i - 1];
    if (previous === undefined) continue;
    const proof = await consistencyProof(store.nodes(tenant), previous.treeHead.treeSize, sth.treeHead.treeSize);
    expect(verifyConsistency(previous.treeHead.treeSize, sth.treeHead.treeSize, proof, previous.treeHead.rootHash, sth.treeHead.rootHash)).toBe(true);
  }
  return { heads: sths.length };
}

async function writeConcurrently(tenants: readonly string[], writers: number, perWriter: number): Promise<Map<string, string[]>> {
  const log = new SqsAuditLog({ client: sqs(), queueUrl });
  const keys = new Map(tenants.map((t) => [t, [] as string[]]));
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; i < perWriter; i++) {
        const tenant = tenants[(w + i) % tenants.length]!;
        const id = `w${w}-e${i}`;
        keys.get(tenant)!.push(id);
        await log.record({ id, tenant, actor: `staff:w${w}`, action: 'LOAD', outcome: 'SUCCESS', target: `T${i % 7}`, detail: { i } });
      }
    }),
  );
  return keys;
}

/** Entries per writer: the 200 in the load run (`npm run test:audit-load`), 20 in the everyday suite. */
const PER_WRITER = Number(process.env['AUDIT_LOAD_PER_WRITER'] ?? 20);

describe('the audit log under concurrency', () => {
  it.each([
    { tenants: ['load-one'], label: 'one tenant' },
    { tenants: ['load-a', 'load-b', 'load-c'], label: 'three tenants' },
  ])(`50 concurrent writers × ${PER_WRITER} entries into $label: gap-free, no duplicates, signed heads consistent`, async ({ tenants }) => {
    const ports: AppendAuditPorts = { store, checkpoints, clock };
    const checkpointPorts: CheckpointPorts = { store, reader: store, signer, clock };
    // Act: writers and appenders at once, the checkpoint signing every second meanwhile.
    let appending = true;
    const signing = (async () => {
      while (appending) {
        for (const tenant of tenants) await checkpointAudit(checkpointPorts, tenant);
        await new Promise((r) => setTimeout(r, 1_000));
      }
    })();
    const written = writeConcurrently(tenants, 50, PER_WRITER);
    const appended = drain(ports, 4);
    const keys = await written;
    await appended;
    await drain(ports, 4);
    appending = false;
    await signing;
    for (const tenant of tenants) await checkpointAudit(checkpointPorts, tenant);
    // Assess
    let heads = 0;
    for (const tenant of tenants) heads += (await assertLog(tenant, keys.get(tenant)!)).heads;
    expect(heads).toBeGreaterThan(tenants.length);
  }, 600_000);
});

/** Wraps the store: the k-th call crashes, just before or just after it runs. */
function crashing(inner: AuditLogStore, plan: { at: number; when: 'before' | 'after'; calls: number }): AuditLogStore {
  return new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        plan.calls += 1;
        const mine = plan.calls === plan.at;
        if (mine && plan.when === 'before') throw new Crash(`before call ${plan.at} (${String(property)})`);
        const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        if (mine) throw new Crash(`after call ${plan.at} (${String(property)})`);
        return result;
      };
    },
  });
}

describe('the appender under faults', () => {
  it('crashed before and after each port call, then redelivered: no gap, no duplicate', async () => {
    const log = new SqsAuditLog({ client: sqs(), queueUrl });
    // A clean run counts the store calls of two batches (the first commits, the second finds pending healed).
    let tried = 0;
    for (let at = 1; ; at++) {
      let exhausted = false;
      for (const when of ['before', 'after'] as const) {
        const tenant = `fault-${at}-${when}`;
        for (let i = 0; i < 12; i++) await log.record({ id: `k${i}`, tenant, actor: 'worker:x', action: 'FAULT', outcome: 'SUCCESS' });
        const plan = { at, when, calls: 0 };
        await invokeOnce({ store: crashing(store, plan), checkpoints, clock });
        if (plan.calls < at) exhausted = true;
        // Redelivery, twice over (a crash after the delete-less batch redelivers everything), then the rest.
        await drain({ store, checkpoints, clock }, 1);
        const keys = Array.from({ length: 12 }, (_, i) => `k${i}`);
        const head = (await store.head(tenant))!;
        expect(head.treeSize, `${tenant}`).toBe(12);
        const entries = await store.entries(tenant, 0, 12);
        expect(entries.map((e) => (JSON.parse(e.entry!) as LogEntry).key), tenant).toEqual(keys);
        expect(head.rootHash).toBe(rootOf(entries.map((e) => e.leafHash)));
        tried += 1;
      }
      if (exhausted) break;
    }
    expect(tried).toBeGreaterThan(10);
  }, 300_000);

  it('one message redelivered five times is appended once', async () => {
    const tenant = 'redelivered';
    const record = { key: 'once', at: new Date().toISOString(), tenant, actor: 'a', action: 'X', outcome: 'SUCCESS' };
    const event: SQSEvent = {
      Records: [toSqsRecord({ MessageId: 'm-1', ReceiptHandle: 'r', Body: JSON.stringify({ v: 1, ...record }), Attributes: { MessageGroupId: tenant } }, 'arn:aws:sqs:ap-east-1:000000000000:audit.fifo', 'ap-east-1')],
    };
    for (let i = 0; i < 5; i++) expect((await processAuditBatch(event, { store, checkpoints, clock })).batchItemFailures).toEqual([]);
    expect((await store.head(tenant))!.treeSize).toBe(1);
  });

  it('fails a bad message and every later message of its group, not the other groups', async () => {
    const mk = (id: string, tenant: string, body: string) =>
      toSqsRecord({ MessageId: id, ReceiptHandle: 'r', Body: body, Attributes: { MessageGroupId: tenant } }, 'arn:aws:sqs:ap-east-1:000000000000:audit.fifo', 'ap-east-1');
    const good = (tenant: string, key: string) => JSON.stringify({ v: 1, key, at: new Date().toISOString(), tenant, actor: 'a', action: 'X', outcome: 'SUCCESS' });
    const event: SQSEvent = {
      Records: [mk('1', 'grp-a', good('grp-a', 'a1')), mk('2', 'grp-b', good('grp-b', 'b1')), mk('3', 'grp-a', '{"v":1,"nope":true}'), mk('4', 'grp-a', good('grp-a', 'a2')), mk('5', 'grp-b', good('grp-b', 'b2')), mk('6', 'grp-a', good('grp-b', 'forged'))],
    };
    const response = await processAuditBatch(event, { store, checkpoints, clock });
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['3', '4', '6']);
    expect((await store.head('grp-a'))!.treeSize).toBe(1);
    expect((await store.head('grp-b'))!.treeSize).toBe(2);
  });
});
