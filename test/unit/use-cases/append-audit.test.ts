import { describe, expect, it } from 'vitest';
import { canonicalJson, treeHeadBytes } from '../../../functions/core/domain/audit-log';
import { inclusionProof, rootOf, verifyInclusion } from '../../../functions/core/domain/merkle';
import { appendAudit, CHECKPOINT_EVERY_ENTRIES, logEntryOf, type QueuedRecord } from '../../../functions/core/use-cases/append-audit';
import { generateSm2KeyPair, sm2Sign, sm2Verify } from '../../../functions/shared/crypto/sm2';
import { MemoryAuditLog, MemoryAuditLogStore } from '../../support/memory-audit-log';

const rec = (i: number, tenant = '370102'): QueuedRecord => ({ key: `k${i}`, at: new Date(Date.UTC(2026, 11, 1, 0, 0, i)).toISOString(), tenant, actor: 'a', action: 'X', outcome: 'SUCCESS' });

describe('appendAudit', () => {
  it('builds the domain LogEntry (logId, retention OPERATIONS by default, subject kept) as the leaf input', () => {
    const entry = logEntryOf({ ...rec(1), subject: { institutionId: 'INST-1' } }, 7);
    expect(entry).toEqual({ v: 1, logId: 'zhitong/audit/v1/370102', seq: 7, key: 'k1', at: rec(1).at, tenant: '370102', actor: 'a', action: 'X', outcome: 'SUCCESS', retention: 'OPERATIONS', subject: { institutionId: 'INST-1' } });
    expect(canonicalJson(entry)).toMatch(/^\{"action":"X","actor":"a","at":/);
  });

  it('numbers records without gaps across batches, drops repeated keys, refuses another tenant', async () => {
    const store = new MemoryAuditLogStore();
    const ports = { store, checkpoints: { request: async () => undefined }, clock: { now: () => new Date() } };
    expect(await appendAudit(ports, '370102', [rec(0), rec(1), rec(0)])).toMatchObject({ appended: 2, duplicates: 1, treeSize: 2 });
    expect(await appendAudit(ports, '370102', [rec(1), rec(2)])).toMatchObject({ appended: 1, treeSize: 3 });
    const entries = await store.entries('370102', 0, 10);
    expect(entries.map((e) => e.seq)).toEqual([0, 1, 2]);
    expect((await store.head('370102'))!.rootHash).toBe(rootOf(entries.map((e) => e.leafHash)));
    await expect(appendAudit(ports, '370102', [rec(3, '370103')])).rejects.toThrow(/another tenant/);
  });

  it('keeps committing, backing off, while other writers move the log under it (11 lost races), then appends without gap', async () => {
    const store = new MemoryAuditLogStore();
    const other = { store, checkpoints: { request: async () => undefined }, clock: { now: () => new Date() } };
    // Another appender commits one record between each of our reads and our commit, 11 times in a row.
    let races = 0;
    let key = 100;
    const racing = new Proxy(store, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (property !== 'commit' || typeof value !== 'function') return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        return async (...args: unknown[]) => {
          if (races < 11) {
            races += 1;
            await appendAudit(other, '370102', [rec(key++)]);
          }
          return (value as (...a: unknown[]) => Promise<boolean>).apply(target, args);
        };
      },
    });
    const pauses: number[] = [];
    const ports = { ...other, store: racing, pause: async (ms: number) => void pauses.push(ms) };
    expect(await appendAudit(ports, '370102', [rec(0), rec(1)])).toMatchObject({ appended: 2, treeSize: 13 });
    expect(pauses).toHaveLength(11);
    expect(Math.max(...pauses)).toBeLessThanOrEqual(1_000);
    const entries = await store.entries('370102', 0, 20);
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 13 }, (_, i) => i));
    // One more lost race than it has attempts: it gives up (the queue redelivers), having appended nothing.
    races = -1;
    await expect(appendAudit(ports, '370102', [rec(2)])).rejects.toThrow(/moved under 12 commits/);
    expect((await store.head('370102'))!.treeSize).toBe(25);
  });

  it('requests a checkpoint 5 s after the last request, or at once after 1,000 entries', async () => {
    let now = new Date('2026-12-01T00:00:00.000Z');
    const requests: { tenant: string; delay: number }[] = [];
    const ports = { store: new MemoryAuditLogStore(), checkpoints: { request: async (tenant: string, delay: number) => void requests.push({ tenant, delay }) }, clock: { now: () => now } };
    await appendAudit(ports, 't', [rec(0, 't')]);
    now = new Date(now.getTime() + 4_000);
    await appendAudit(ports, 't', [rec(1, 't')]);
    expect(requests).toEqual([{ tenant: 't', delay: 5 }]);
    now = new Date(now.getTime() + 1_000);
    await appendAudit(ports, 't', [rec(2, 't')]);
    expect(requests).toHaveLength(2);
    await appendAudit(ports, 't', Array.from({ length: CHECKPOINT_EVERY_ENTRIES }, (_, i) => rec(10 + i, 't')));
    expect(requests.at(-1)).toEqual({ tenant: 't', delay: 0 });
  });

  it('the in-memory log serves proofs and signs heads like the real one', async () => {
    const keys = generateSm2KeyPair();
    const log = new MemoryAuditLog({ keyId: 'test:log', publicKeyHex: async () => keys.publicKey, sign: async (m) => sm2Sign(m, keys.privateKey) });
    for (let i = 0; i < 5; i++) await log.record({ tenant: 'inst', actor: 'a', action: `A${i}`, outcome: 'SUCCESS', id: `id${i}` });
    expect((await log.checkpoint('inst')).kind).toBe('signed');
    const sth = (await log.store.latestTreeHead('inst'))!;
    expect(sm2Verify(treeHeadBytes(sth.treeHead), Buffer.from(sth.signature, 'base64'), keys.publicKey)).toBe(true);
    const [entry] = await log.store.entries('inst', 3, 4);
    const proof = await inclusionProof(log.store.nodes('inst'), 3, 5);
    expect(verifyInclusion(entry!.leafHash, 3, 5, proof, sth.treeHead.rootHash)).toBe(true);
    expect(await log.store.seqOfKey('inst', 'id3')).toBe(3);
  });
});
