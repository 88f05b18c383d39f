/**
 * The audit log's Merkle tree against RFC 9162 §2.1, with a reference written straight from the RFC's
 * recursive definitions (MTH, PATH, PROOF over the list of entries) — independent of the stored-node
 * builders under test, so a slip in either shows as a disagreement.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  appendLeaves,
  consistencyProof,
  EMPTY_FRONTIER,
  EMPTY_ROOT,
  inclusionProof,
  isFrontierOf,
  leafHash,
  nodeHash,
  rootOf,
  rootOfFrontier,
  splitPoint,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
  type CompletedNode,
  type NodeReader,
} from '../../../functions/core/domain/merkle';

const sm3 = (...parts: Buffer[]) => {
  const hash = createHash('sm3');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

// RFC 9162 §2.1.1, literally.
const mth = (d: readonly Buffer[]): Buffer => {
  if (d.length === 0) return sm3();
  if (d.length === 1) return sm3(Buffer.of(0), d[0]!);
  const k = splitPoint(d.length);
  return sm3(Buffer.of(1), mth(d.slice(0, k)), mth(d.slice(k)));
};
// §2.1.3.1
const path = (m: number, d: readonly Buffer[]): Buffer[] => {
  if (d.length === 1) return [];
  const k = splitPoint(d.length);
  return m < k ? [...path(m, d.slice(0, k)), mth(d.slice(k))] : [...path(m - k, d.slice(k)), mth(d.slice(0, k))];
};
// §2.1.4.1
const subproof = (m: number, d: readonly Buffer[], b: boolean): Buffer[] => {
  const n = d.length;
  if (m === n) return b ? [] : [mth(d)];
  const k = splitPoint(n);
  return m <= k ? [...subproof(m, d.slice(0, k), b), mth(d.slice(k))] : [...subproof(m - k, d.slice(k), false), mth(d.slice(0, k))];
};
const proof = (m: number, d: readonly Buffer[]): Buffer[] => (m === 0 || m === d.length ? [] : subproof(m, d, true));

const entries = (n: number) => Array.from({ length: n }, (_, i) => Buffer.from(`{"seq":${i},"action":"E${i}"}`));
const hex = (buffers: Buffer[]) => buffers.map((b) => b.toString('hex'));

/** A node store filled by appendLeaves, as a log keeps it. */
function storeOf(d: readonly Buffer[]): { read: NodeReader; frontiers: ReturnType<typeof appendLeaves>['frontier'][] } {
  const nodes = new Map<string, string>();
  let frontier = EMPTY_FRONTIER;
  const frontiers = [frontier];
  for (const entry of d) {
    const appended = appendLeaves(frontier, [leafHash(entry)]);
    frontier = appended.frontier;
    frontiers.push(frontier);
    for (const node of appended.completed) nodes.set(`${node.level}/${node.index}`, node.hash);
  }
  const read: NodeReader = async (level, index) => {
    const hash = nodes.get(`${level}/${index}`);
    if (!hash) throw new Error(`node ${level}/${index} not stored`);
    return hash;
  };
  return { read, frontiers };
}

describe('Merkle tree (RFC 9162 §2.1, SM3)', () => {
  it('hashes leaves and nodes with the 0x00 and 0x01 prefixes, and the empty tree as SM3 of nothing', () => {
    expect(leafHash('abc')).toBe(sm3(Buffer.of(0), Buffer.from('abc')).toString('hex'));
    const [a, b] = [leafHash('a'), leafHash('b')];
    expect(nodeHash(a, b)).toBe(sm3(Buffer.of(1), Buffer.from(a, 'hex'), Buffer.from(b, 'hex')).toString('hex'));
    expect(EMPTY_ROOT).toBe(sm3().toString('hex'));
    expect(rootOf([])).toBe(EMPTY_ROOT);
  });

  it('computes the root of every tree size up to 130 as MTH does, from the leaves, the frontier and stored nodes', async () => {
    const d = entries(130);
    const { read, frontiers } = storeOf(d);
    for (let n = 0; n <= d.length; n++) {
      const expected = mth(d.slice(0, n)).toString('hex');
      expect(rootOf(d.slice(0, n).map((e) => leafHash(e)))).toBe(expected);
      expect(rootOfFrontier(frontiers[n]!)).toBe(expected);
      expect(isFrontierOf(frontiers[n]!)).toBe(true);
      expect(await treeRoot(read, n)).toBe(expected);
    }
  });

  it('reports each perfect subtree exactly once as it is completed', () => {
    const completed: CompletedNode[] = [];
    let frontier = EMPTY_FRONTIER;
    for (const chunk of [entries(3), entries(5), entries(8)]) {
      const appended = appendLeaves(frontier, chunk.map((e) => leafHash(e)));
      frontier = appended.frontier;
      completed.push(...appended.completed);
    }
    // 16 leaves: 16 + 8 + 4 + 2 + 1 perfect subtrees.
    expect(completed).toHaveLength(31);
    expect(new Set(completed.map((c) => `${c.level}/${c.index}`)).size).toBe(31);
  });

  it('builds the inclusion proof PATH(m, D[n]) for every leaf of every tree up to 70, and it verifies', async () => {
    const d = entries(70);
    const { read } = storeOf(d);
    for (let n = 1; n <= d.length; n++) {
      const root = mth(d.slice(0, n)).toString('hex');
      for (let m = 0; m < n; m++) {
        const built = await inclusionProof(read, m, n);
        expect(built).toEqual(hex(path(m, d.slice(0, n))));
        expect(verifyInclusion(leafHash(d[m]!), m, n, built, root)).toBe(true);
      }
    }
  });

  it('builds the consistency proof PROOF(m, D[n]) for every pair of sizes up to 45, and it verifies', async () => {
    const d = entries(45);
    const { read } = storeOf(d);
    for (let n = 1; n <= d.length; n++) {
      for (let m = 1; m <= n; m++) {
        const built = await consistencyProof(read, m, n);
        expect(built).toEqual(hex(proof(m, d.slice(0, n))));
        expect(verifyConsistency(m, n, built, mth(d.slice(0, m)).toString('hex'), mth(d.slice(0, n)).toString('hex'))).toBe(true);
      }
    }
  });

  it('rejects an inclusion proof for another leaf, another index, a size of another shape, or with any hash changed', async () => {
    const d = entries(23);
    const { read } = storeOf(d);
    const root = mth(d).toString('hex');
    const good = await inclusionProof(read, 9, 23);
    expect(verifyInclusion(leafHash(d[10]!), 9, 23, good, root)).toBe(false);
    expect(verifyInclusion(leafHash(d[9]!), 8, 23, good, root)).toBe(false);
    // A size whose tree has another shape (the size itself is bound by the signed tree head, not the proof).
    expect(verifyInclusion(leafHash(d[9]!), 9, 12, good, root)).toBe(false);
    expect(verifyInclusion(leafHash(d[9]!), 9, 23, good.slice(1), root)).toBe(false);
    expect(verifyInclusion(leafHash(d[9]!), 9, 23, [...good, good[0]!], root)).toBe(false);
    for (let i = 0; i < good.length; i++) {
      const bad = [...good];
      bad[i] = leafHash(`tampered ${i}`);
      expect(verifyInclusion(leafHash(d[9]!), 9, 23, bad, root)).toBe(false);
    }
    expect(verifyInclusion(leafHash(d[9]!), 23, 23, good, root)).toBe(false);
    expect(verifyInclusion(leafHash(d[9]!), -1, 23, good, root)).toBe(false);
  });

  it('rejects a consistency proof for a rewritten history, sizes of another shape or a changed hash', async () => {
    const d = entries(37);
    const { read } = storeOf(d);
    const [m, n] = [13, 37];
    const first = mth(d.slice(0, m)).toString('hex');
    const second = mth(d).toString('hex');
    const good = await consistencyProof(read, m, n);
    expect(verifyConsistency(m, n, good, first, second)).toBe(true);
    // A fork: the same size, one entry rewritten.
    const forked = [...d];
    forked[5] = Buffer.from('rewritten');
    expect(verifyConsistency(m, n, good, mth(forked.slice(0, m)).toString('hex'), second)).toBe(false);
    expect(verifyConsistency(m, n, good, first, mth(forked).toString('hex'))).toBe(false);
    expect(verifyConsistency(m + 1, n, good, first, second)).toBe(false);
    expect(verifyConsistency(m, 16, good, first, second)).toBe(false);
    for (let i = 0; i < good.length; i++) {
      const bad = [...good];
      bad[i] = leafHash(`tampered ${i}`);
      expect(verifyConsistency(m, n, bad, first, second)).toBe(false);
    }
    expect(verifyConsistency(n, m, good, second, first)).toBe(false);
    expect(verifyConsistency(m, m, [], first, first)).toBe(true);
    expect(verifyConsistency(m, m, [], first, second)).toBe(false);
  });
});
