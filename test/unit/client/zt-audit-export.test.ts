/**
 * The export format and its verifier (DESIGN.md §5: "a verifier command checks an export end to end and names
 * the first bad entry"): a real export built by the export use case from a log filled through merkle.ts
 * (test/support/memory-audit-reader.ts) verifies; 1,000 random single-byte mutations, line deletions and line
 * swaps are all detected, and the line named is the mutated one, the first of the swapped pair, or — for a
 * deleted line — the line that took its place.
 */
import { describe, expect, it } from 'vitest';
import { buildExport } from '../../../functions/core/use-cases/audit-export';
import { verifyExport } from '../../../client/zt-audit';
import { MemoryAuditReader, type EntryDraft } from '../../support/memory-audit-reader';

const TENANT = '370102';
const clock = { now: () => new Date('2026-12-02T06:00:00.000Z') };

/** A log of 34 entries (one expired, one kept 3 years) with signed heads at 5, 8, 13, 21, 30 and 34. */
async function filledLog(): Promise<MemoryAuditReader> {
  const reader = new MemoryAuditReader();
  const draft = (i: number): EntryDraft => ({
    at: new Date(Date.UTC(2026, 11, 1, 8, 0, i)).toISOString(),
    actor: i % 3 === 0 ? 'staff:S-REVIEWER-1' : 'worker:intake',
    action: i % 4 === 0 ? 'FILING_REVIEWED' : 'FILING_READ',
    outcome: i % 7 === 0 ? 'DENIED' : 'SUCCESS',
    target: `F${String(i).padStart(24, '0')}`,
    subject: { district: TENANT, businessType: 'TRANSFER_RESALE', filingId: `F${String(i).padStart(24, '0')}` },
    detail: { step: i, note: `第${i}步 review` },
    ...(i === 9 ? { retention: 'DATA_PROVIDED' as const } : {}),
  });
  let next = 0;
  for (const size of [5, 8, 13, 21, 30, 34]) {
    const drafts: EntryDraft[] = [];
    while (next < size) drafts.push(draft(next++));
    reader.append(TENANT, drafts);
    await reader.checkpoint(TENANT, new Date(Date.UTC(2026, 11, 1, 9, 0, size)).toISOString());
  }
  reader.expire(TENANT, 3);
  return reader;
}

const ports = (reader: MemoryAuditReader) => ({ reader, logKey: reader.logKey, clock });

/** Deterministic PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const splitLines = (body: Buffer): Buffer[] => {
  const text = body.subarray(0, body.length - 1);
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i === text.length || text[i] === 0x0a) {
      lines.push(text.subarray(start, i));
      start = i + 1;
    }
  }
  return lines;
};
const joinLines = (lines: readonly Buffer[]): Buffer => Buffer.concat(lines.flatMap((line) => [line, Buffer.from('\n')]));

describe('a complete export', () => {
  it('verifies: every entry, every tree head, the manifest; with the pinned key too', async () => {
    // Prepare
    const reader = await filledLog();
    // Act
    const { body, manifest, retention } = await buildExport(ports(reader), { tenant: TENANT });
    // Assess
    const verdict = verifyExport(body, { publicKey: reader.logKey.publicKey });
    const head = await reader.latestTreeHead(TENANT);
    expect(verdict).toEqual({ ok: true, entries: 34, heads: 6, root: head!.treeHead.rootHash });
    expect(manifest.lines).toBe(1 + 34 + 6);
    expect(retention).toBe('DATA_PROVIDED');
    const lines = body.toString('utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as { type: string });
    expect(lines.map((l) => l.type).filter((t) => t === 'expired')).toHaveLength(1);
  });

  it('refuses another key when one is pinned', async () => {
    const reader = await filledLog();
    const { body } = await buildExport(ports(reader), { tenant: TENANT });
    const other = new MemoryAuditReader();
    expect(verifyExport(body, { publicKey: other.logKey.publicKey })).toMatchObject({ ok: false, line: 1 });
  });

  it('from a later seq and up to a smaller head: the frontier before fromSeq and the heads in range', async () => {
    const reader = await filledLog();
    const { body, manifest } = await buildExport(ports(reader), { tenant: TENANT, fromSeq: 6, toSeq: 29 });
    expect(manifest.treeHead.treeSize).toBe(21);
    expect(verifyExport(body)).toMatchObject({ ok: true, entries: 15, heads: 3 });
  });

  it('a truncated tail (the manifest and the last lines cut) is named', async () => {
    const reader = await filledLog();
    const { body } = await buildExport(ports(reader), { tenant: TENANT });
    const lines = splitLines(body);
    expect(verifyExport(joinLines(lines.slice(0, 20)))).toEqual({ ok: false, line: 21, reason: 'no manifest: the export is truncated' });
  });
});

describe('a filtered export', () => {
  it('carries each matching entry with its inclusion proof in the manifest head, and verifies', async () => {
    const reader = await filledLog();
    const { body, manifest } = await buildExport(ports(reader), { tenant: TENANT, filter: { action: 'FILING_REVIEWED' } });
    expect(manifest.entries).toBe(9);
    expect(verifyExport(body)).toMatchObject({ ok: true, entries: 9, heads: 0 });
    const tampered = Buffer.from(body.toString('utf8').replace('"action":"FILING_REVIEWED"', '"action":"FILING_REVIEWEE"'));
    expect(verifyExport(tampered)).toMatchObject({ ok: false, line: 2, reason: 'leaf hash does not match the entry' });
  });
});

describe('1,000 random mutations of a real export', () => {
  it('are all detected, and the first bad line named is the one changed', async () => {
    // Prepare
    const reader = await filledLog();
    const { body } = await buildExport(ports(reader), { tenant: TENANT });
    const lines = splitLines(body);
    const lineOfByte: number[] = [];
    lines.forEach((line, i) => {
      for (let b = 0; b <= line.length; b++) lineOfByte.push(i + 1);
    });
    const random = prng(20261202);
    const pick = (n: number) => Math.floor(random() * n);
    const misses: string[] = [];
    const kinds = { byte: 0, deletion: 0, swap: 0 };
    // Act
    for (let round = 0; round < 1_000; round++) {
      const roll = random();
      let mutated: Buffer;
      let expected: number;
      let what: string;
      if (roll < 0.8) {
        const at = pick(body.length);
        const copy = Buffer.from(body);
        copy[at] = (copy[at]! + 1 + pick(255)) % 256;
        mutated = copy;
        expected = lineOfByte[at]!;
        what = `byte ${at} → ${copy[at]}`;
        kinds.byte += 1;
      } else if (roll < 0.9) {
        const i = pick(lines.length);
        mutated = joinLines(lines.filter((_, k) => k !== i));
        expected = i + 1;
        what = `deleted line ${i + 1}`;
        kinds.deletion += 1;
      } else {
        const i = pick(lines.length - 1);
        const j = i + 1 + pick(lines.length - 1 - i);
        const swapped = [...lines];
        [swapped[i], swapped[j]] = [swapped[j]!, swapped[i]!];
        mutated = joinLines(swapped);
        expected = i + 1;
        what = `swapped lines ${i + 1} and ${j + 1}`;
        kinds.swap += 1;
      }
      const verdict = verifyExport(mutated, { publicKey: reader.logKey.publicKey });
      if (verdict.ok || verdict.line !== expected) misses.push(`${what}: ${JSON.stringify(verdict)} (expected line ${expected})`);
    }
    // Assess
    expect(misses).toEqual([]);
    expect(kinds.byte).toBeGreaterThan(700);
    expect(kinds.deletion).toBeGreaterThan(50);
    expect(kinds.swap).toBeGreaterThan(50);
  }, 120_000);
});
