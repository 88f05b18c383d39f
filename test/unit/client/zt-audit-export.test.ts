/**
 * The export format and its verifier (DESIGN.md §5: "a verifier command checks an export end to end and names
 * the first bad entry"): a real export built by the export use case from a log filled through merkle.ts
 * (test/support/memory-audit-reader.ts) verifies; 1,000 random single-byte mutations, line deletions and line
 * swaps are all detected, and the line named is the mutated one, the first of the swapped pair, or — for a
 * deleted line — the line that took its place.
 */
import { describe, expect, it } from 'vitest';
import { buildExport } from '../../../functions/core/use-cases/audit-export';
import { canonicalJson, sm3Hex, verifyExport } from '../../../client/zt-audit';
import { inclusionProof } from '../../../functions/core/domain/merkle';
import { MemoryAuditReader, testPlatformKey, type EntryDraft } from '../../support/memory-audit-reader';

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

/** The platform key that signs the manifests (not the log key: only the checkpoint signs with that). */
const platform = testPlatformKey();
const ports = (reader: MemoryAuditReader) => ({ reader, logKey: reader.logKey, platformSigner: platform, clock });
const pins = (reader: MemoryAuditReader) => ({ publicKey: reader.logKey.publicKey, platformPublicKey: platform.publicKey });

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
    const verdict = verifyExport(body, pins(reader));
    const head = await reader.latestTreeHead(TENANT);
    expect(verdict).toEqual({
      ok: true,
      entries: 34,
      heads: 6,
      root: head!.treeHead.rootHash,
      keyId: reader.logKey.keyId,
      platformKeyId: platform.keyId,
      pinned: { logKey: true, platformKey: true },
    });
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
    // The first entry's action changed (the header, which records the filter, kept as it was).
    const [header, ...rest] = body.toString('utf8').split(/(?<=\n)/);
    const tampered = Buffer.from(header! + rest.join('').replace('"action":"FILING_REVIEWED"', '"action":"FILING_REVIEWEE"'));
    expect(verifyExport(tampered)).toMatchObject({ ok: false, line: 2, reason: 'leaf hash does not match the entry' });
  });
});

type Line = Record<string, unknown>;
const parseLines = (body: Buffer): Line[] => body.toString('utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as Line);

/**
 * What a forger can do without the platform's private key: rewrite the lines, then make the manifest agree with
 * them again — counts and `exportHash` recomputed — keeping its platform signature, or re-signing with a key of
 * their own (declaring it in the manifest).
 */
async function reseal(lines: readonly Line[], resign?: ReturnType<typeof testPlatformKey>): Promise<Buffer> {
  const manifest = lines.at(-1)!;
  const preceding = lines.slice(0, -1).map((line) => `${canonicalJson(line)}\n`).join('');
  const counted = lines.slice(1, -1).filter((l) => l.type === 'entry' || l.type === 'expired').length;
  let sealed: Line = { ...manifest, lines: lines.length - 1, entries: counted, exportHash: sm3Hex(preceding) };
  if (resign) {
    const unsigned = { ...sealed, platformKeyId: resign.keyId, platformPublicKey: resign.publicKey, platformSignature: undefined };
    sealed = { ...unsigned, platformSignature: (await resign.sign(Buffer.from(canonicalJson(unsigned), 'utf8'))).toString('base64') };
  }
  return Buffer.from(`${preceding}${canonicalJson(sealed)}\n`, 'utf8');
}

describe('the manifest, signed by the platform key over its own content (F2)', () => {
  it('a filtered export records its filter in the header and verifies with both keys pinned', async () => {
    const reader = await filledLog();
    const { body, manifest } = await buildExport(ports(reader), { tenant: TENANT, filter: { action: 'FILING_REVIEWED' } });
    const lines = parseLines(body);
    expect(lines[0]).toMatchObject({ type: 'header', complete: false, filter: { action: 'FILING_REVIEWED' } });
    expect(manifest).toMatchObject({ platformKeyId: platform.keyId, platformPublicKey: platform.publicKey });
    expect(manifest.platformKeyId).not.toBe(manifest.keyId);
    expect(verifyExport(body, pins(reader))).toMatchObject({ ok: true, entries: 9, pinned: { logKey: true, platformKey: true } });
  });

  it('dropping one matching entry and recomputing the counts and exportHash fails at the manifest line', async () => {
    // Prepare
    const reader = await filledLog();
    const { body } = await buildExport(ports(reader), { tenant: TENANT, filter: { action: 'FILING_REVIEWED' } });
    const lines = parseLines(body);
    // Act
    const forged = await reseal(lines.filter((_, i) => i !== 3));
    // Assess
    expect(verifyExport(forged, pins(reader))).toEqual({ ok: false, line: lines.length - 1, reason: 'manifest: the platform signature does not verify' });
    expect(verifyExport(forged)).toMatchObject({ ok: false, line: lines.length - 1, reason: 'manifest: the platform signature does not verify' });
  });

  it('relabelling a complete export as filtered (a subset with inclusion proofs) fails at the manifest line', async () => {
    const reader = await filledLog();
    const { body, manifest } = await buildExport(ports(reader), { tenant: TENANT });
    const lines = parseLines(body);
    const size = manifest.treeHead.treeSize;
    const kept = lines.filter((l) => l.type === 'entry' && (l.entry as { action: string }).action === 'FILING_REVIEWED' && (l.seq as number) !== 4);
    const relabelled = [
      { ...lines[0]!, complete: false, filter: { action: 'FILING_REVIEWED' } },
      ...(await Promise.all(kept.map(async (l) => ({ ...l, inclusion: await inclusionProof(reader.nodes(TENANT), l.seq as number, size) })))),
      lines.at(-1)!,
    ];
    const forged = await reseal(relabelled);
    expect(verifyExport(forged, pins(reader))).toEqual({ ok: false, line: relabelled.length, reason: 'manifest: the platform signature does not verify' });
  });

  it('changing the recorded filter (every entry still matches it) fails at the manifest line', async () => {
    const reader = await filledLog();
    const { body } = await buildExport(ports(reader), { tenant: TENANT, filter: { action: 'FILING_REVIEWED' } });
    const lines = parseLines(body);
    const forged = await reseal([{ ...lines[0]!, filter: { action: 'FILING_REVIEWED', from: '2026-01-01T00:00:00.000Z' } }, ...lines.slice(1)]);
    expect(verifyExport(forged, pins(reader))).toEqual({ ok: false, line: lines.length, reason: 'manifest: the platform signature does not verify' });
  });

  it('an entry that does not match the recorded filter is named at its line', async () => {
    const reader = await filledLog();
    const { body } = await buildExport(ports(reader), { tenant: TENANT, filter: { action: 'FILING_REVIEWED' } });
    const lines = parseLines(body);
    const forged = await reseal([{ ...lines[0]!, filter: { action: 'FILING_READ' } }, ...lines.slice(1)], testPlatformKey());
    expect(verifyExport(forged)).toMatchObject({ ok: false, line: 2, reason: "entry does not match the export's filter" });
  });

  it('a manifest re-signed with another key: FAIL with the platform key pinned; OK but unpinned with the key as declared', async () => {
    const reader = await filledLog();
    const { body } = await buildExport(ports(reader), { tenant: TENANT, filter: { action: 'FILING_REVIEWED' } });
    const lines = parseLines(body);
    const forger = testPlatformKey();
    const forged = await reseal(lines.filter((_, i) => i !== 3), forger);
    expect(verifyExport(forged, pins(reader))).toEqual({ ok: false, line: lines.length - 1, reason: 'manifest: not the pinned platform key' });
    expect(verifyExport(forged, { publicKey: reader.logKey.publicKey })).toMatchObject({
      ok: true,
      entries: 8,
      platformKeyId: forger.keyId,
      pinned: { logKey: true, platformKey: false },
    });
  });

  it('a complete export needs the platform signature too: missing or by another key, it fails at the manifest line', async () => {
    const reader = await filledLog();
    const { body } = await buildExport(ports(reader), { tenant: TENANT });
    const lines = parseLines(body);
    const manifest = lines.at(-1)!;
    const unsigned = await reseal([...lines.slice(0, -1), { ...manifest, platformKeyId: undefined, platformPublicKey: undefined, platformSignature: undefined }]);
    expect(verifyExport(unsigned, pins(reader))).toEqual({
      ok: false,
      line: lines.length,
      reason: 'manifest: no platform signature (platformKeyId, platformPublicKey, platformSignature)',
    });
    // A filtered export in the format before manifests were signed (no filter recorded either): named at its manifest too.
    const filtered = parseLines((await buildExport(ports(reader), { tenant: TENANT, filter: { action: 'FILING_REVIEWED' } })).body);
    const { filter: _filter, ...oldHeader } = filtered[0]!;
    const oldFiltered = await reseal([oldHeader, ...filtered.slice(1, -1), { ...filtered.at(-1)!, platformKeyId: undefined, platformPublicKey: undefined, platformSignature: undefined }]);
    expect(verifyExport(oldFiltered, pins(reader))).toEqual({
      ok: false,
      line: filtered.length,
      reason: 'manifest: no platform signature (platformKeyId, platformPublicKey, platformSignature)',
    });
    const other = testPlatformKey();
    const wrongSignature = Buffer.from(
      body.toString('utf8').replace(`"platformSignature":"${manifest.platformSignature as string}"`, `"platformSignature":"${(await other.sign(Buffer.from('x'))).toString('base64')}"`),
    );
    expect(verifyExport(wrongSignature, pins(reader))).toEqual({ ok: false, line: lines.length, reason: 'manifest: the platform signature does not verify' });
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
      const verdict = verifyExport(mutated, pins(reader));
      if (verdict.ok || verdict.line !== expected) misses.push(`${what}: ${JSON.stringify(verdict)} (expected line ${expected})`);
    }
    // Assess
    expect(misses).toEqual([]);
    expect(kinds.byte).toBeGreaterThan(700);
    expect(kinds.deletion).toBeGreaterThan(50);
    expect(kinds.swap).toBeGreaterThan(50);
  }, 120_000);
});
