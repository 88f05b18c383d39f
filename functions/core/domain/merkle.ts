/**
 * The Merkle tree of the audit log, in the manner of RFC 9162 §2.1 (Certificate Transparency v2) with
 * SM3 as the hash (DESIGN.md §5; 004 第二十三条: 采用商用密码技术保护日志的完整性):
 *
 *   leaf hash  = SM3(0x00 ‖ entry bytes)
 *   node hash  = SM3(0x01 ‖ left ‖ right)
 *   MTH({})    = SM3()                      (the hash of the empty string)
 *   MTH(D[n])  = node(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two < n
 *
 * Everything here is pure: the proof builders read stored hashes through a {@link NodeReader}, which
 * answers the hash of a *perfect* subtree (2^level leaves starting at index·2^level) — the only hashes a
 * log ever needs to keep, since every other subtree hash is folded from them ({@link subtreeHash}). The
 * verifiers are RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency), word for word, so an institution
 * that implements the RFC (and swaps SHA-256 for SM3) verifies what we serve.
 */
import { createHash } from 'node:crypto';

/** Lowercase hex of 32 bytes. */
export type HashHex = string;

export const HASH_HEX = /^[0-9a-f]{64}$/;

const sm3 = (...parts: Uint8Array[]): Buffer => {
  const hash = createHash('sm3');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/** SM3(0x00 ‖ entry): the hash of one log entry's bytes (canonical JSON, UTF-8). */
export const leafHash = (entry: Uint8Array | string): HashHex =>
  sm3(LEAF_PREFIX, typeof entry === 'string' ? Buffer.from(entry, 'utf8') : entry).toString('hex');

/** SM3(0x01 ‖ left ‖ right). */
export const nodeHash = (left: HashHex, right: HashHex): HashHex => sm3(NODE_PREFIX, Buffer.from(left, 'hex'), Buffer.from(right, 'hex')).toString('hex');

/** The root of the empty tree: SM3 of the empty string. */
export const EMPTY_ROOT: HashHex = sm3().toString('hex');

/** The largest power of two strictly below n (n ≥ 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH over leaf hashes held in memory (small trees, tests, the verifier of an export). */
export function rootOf(leaves: readonly HashHex[]): HashHex {
  if (leaves.length === 0) return EMPTY_ROOT;
  let level = [...leaves];
  // Pairing left to right and carrying an odd last node up unchanged builds exactly the RFC's
  // left-balanced tree (its subtrees are the perfect ones of the binary decomposition of n).
  while (level.length > 1) {
    const next: HashHex[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? nodeHash(level[i]!, level[i + 1]!) : level[i]!);
    level = next;
  }
  return level[0]!;
}

/**
 * The right edge of a tree of `size` leaves: the roots of its perfect subtrees, largest (leftmost) first,
 * one per set bit of `size`. It is all an appender must keep to extend the tree and compute its root.
 */
export interface Frontier {
  readonly size: number;
  /** `levels[i]` is the level (log2 of leaf count) of `hashes[i]`; strictly decreasing. */
  readonly levels: readonly number[];
  readonly hashes: readonly HashHex[];
}

export const EMPTY_FRONTIER: Frontier = { size: 0, levels: [], hashes: [] };

/** A perfect subtree completed by an append, for the node store: `2^level` leaves from `index·2^level`. */
export interface CompletedNode {
  readonly level: number;
  readonly index: number;
  readonly hash: HashHex;
}

/**
 * Appends leaves to a frontier. Returns the new frontier and every perfect subtree the leaves complete
 * (level 0: the leaves themselves), which a log stores so that any proof can be built later.
 */
export function appendLeaves(frontier: Frontier, leaves: readonly HashHex[]): { frontier: Frontier; completed: CompletedNode[] } {
  const levels = [...frontier.levels];
  const hashes = [...frontier.hashes];
  const completed: CompletedNode[] = [];
  let size = frontier.size;
  for (const leaf of leaves) {
    let level = 0;
    let hash = leaf;
    let index = size;
    completed.push({ level, index, hash });
    // Merge while the last subtree on the edge has the same level: two perfect halves make one.
    while (levels.length > 0 && levels[levels.length - 1] === level) {
      levels.pop();
      hash = nodeHash(hashes.pop()!, hash);
      level += 1;
      index = Math.floor(index / 2);
      completed.push({ level, index, hash });
    }
    levels.push(level);
    hashes.push(hash);
    size += 1;
  }
  return { frontier: { size, levels, hashes }, completed };
}

/** The root of the tree a frontier describes. */
export function rootOfFrontier(frontier: Frontier): HashHex {
  if (frontier.size === 0) return EMPTY_ROOT;
  let hash = frontier.hashes[frontier.hashes.length - 1]!;
  for (let i = frontier.hashes.length - 2; i >= 0; i--) hash = nodeHash(frontier.hashes[i]!, hash);
  return hash;
}

/** Checks that a frontier is well formed for its size (one subtree per set bit, largest first). */
export function isFrontierOf(frontier: Frontier): boolean {
  if (frontier.levels.length !== frontier.hashes.length) return false;
  let size = 0;
  for (let i = 0; i < frontier.levels.length; i++) {
    const level = frontier.levels[i]!;
    if (!Number.isInteger(level) || level < 0 || level > 52) return false;
    if (i > 0 && level >= frontier.levels[i - 1]!) return false;
    if (!HASH_HEX.test(frontier.hashes[i]!)) return false;
    size += 2 ** level;
  }
  return size === frontier.size;
}

/** Answers the hash of the perfect subtree of `2^level` leaves starting at leaf `index·2^level`. */
export type NodeReader = (level: number, index: number) => Promise<HashHex>;

/** The perfect subtrees that make up leaves [start, end), left to right (aligned binary decomposition). */
export function perfectCover(start: number, end: number): { level: number; index: number }[] {
  const cover: { level: number; index: number }[] = [];
  let at = start;
  while (at < end) {
    let level = 0;
    // The largest aligned block starting at `at` that fits before `end`.
    while (at % 2 ** (level + 1) === 0 && at + 2 ** (level + 1) <= end) level += 1;
    cover.push({ level, index: at / 2 ** level });
    at += 2 ** level;
  }
  return cover;
}

/**
 * MTH(D[start:end]) from stored perfect subtrees. Valid for the subtrees an RFC 9162 proof asks for, whose
 * bounds are those of the recursive split (so the fold of the cover, right to left, is that subtree's MTH).
 */
export async function subtreeHash(read: NodeReader, start: number, end: number): Promise<HashHex> {
  if (end <= start) return EMPTY_ROOT;
  const cover = perfectCover(start, end);
  const hashes = await Promise.all(cover.map(({ level, index }) => read(level, index)));
  let hash = hashes[hashes.length - 1]!;
  for (let i = hashes.length - 2; i >= 0; i--) hash = nodeHash(hashes[i]!, hash);
  return hash;
}

/** The root of a tree of `size` leaves from stored perfect subtrees. */
export const treeRoot = (read: NodeReader, size: number): Promise<HashHex> => subtreeHash(read, 0, size);

/** RFC 9162 §2.1.3.1 PATH(m, D[n]): the inclusion proof of leaf `index` in the tree of `size` leaves, leaf-side first. */
export async function inclusionProof(read: NodeReader, index: number, size: number): Promise<HashHex[]> {
  if (!(Number.isInteger(index) && Number.isInteger(size) && index >= 0 && index < size)) throw new RangeError('leaf index outside the tree');
  const path: HashHex[] = [];
  const walk = async (m: number, start: number, n: number): Promise<void> => {
    if (n === 1) return;
    const k = splitPoint(n);
    if (m < k) {
      await walk(m, start, k);
      path.push(await subtreeHash(read, start + k, start + n));
    } else {
      await walk(m - k, start + k, n - k);
      path.push(await subtreeHash(read, start, start + k));
    }
  };
  await walk(index, 0, size);
  return path;
}

/** RFC 9162 §2.1.4.1 PROOF(m, D[n]): the consistency proof from the tree of `first` leaves to that of `second`. */
export async function consistencyProof(read: NodeReader, first: number, second: number): Promise<HashHex[]> {
  if (!(Number.isInteger(first) && Number.isInteger(second) && first >= 0 && first <= second)) throw new RangeError('tree sizes out of order');
  if (first === 0 || first === second) return [];
  const proof: HashHex[] = [];
  const subproof = async (m: number, start: number, n: number, complete: boolean): Promise<void> => {
    if (m === n) {
      if (!complete) proof.push(await subtreeHash(read, start, start + n));
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      await subproof(m, start, k, complete);
      proof.push(await subtreeHash(read, start + k, start + n));
    } else {
      await subproof(m - k, start + k, n - k, false);
      proof.push(await subtreeHash(read, start, start + k));
    }
  };
  await subproof(first, 0, second, true);
  return proof;
}

/** RFC 9162 §2.1.3.2: does `proof` show the leaf with hash `leaf` at `index` in the tree of `size` leaves with `root`? */
export function verifyInclusion(leaf: HashHex, index: number, size: number, proof: readonly HashHex[], root: HashHex): boolean {
  if (!(Number.isInteger(index) && Number.isInteger(size) && index >= 0 && index < size)) return false;
  if (!proof.every((hash) => HASH_HEX.test(hash))) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r === root;
}

/** RFC 9162 §2.1.4.2: does `proof` show the tree (`first`, `firstRoot`) is a prefix of (`second`, `secondRoot`)? */
export function verifyConsistency(first: number, second: number, proof: readonly HashHex[], firstRoot: HashHex, secondRoot: HashHex): boolean {
  if (!(Number.isInteger(first) && Number.isInteger(second) && first >= 0 && first <= second)) return false;
  if (!proof.every((hash) => HASH_HEX.test(hash))) return false;
  if (first === second) return proof.length === 0 && firstRoot === secondRoot;
  if (first === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  // If first is an exact power of two, the first tree's root is itself the first node of the path.
  const path = (first & (first - 1)) === 0 ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr === firstRoot && sr === secondRoot;
}
