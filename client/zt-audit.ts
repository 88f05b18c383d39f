/**
 * Zhitong audit-log verifier (DESIGN.md §5): checks batch receipts, consistency between two signed tree
 * heads, and whole log exports — an institution's (or an auditor's) independent check that the registry's
 * log holds what it filed and never dropped or changed it. Like `zt-client.ts`, it is one file that depends
 * only on `node:crypto` (SM3) and `sm-crypto-v2` (SM2), never on Zhitong's server code, so it is a second,
 * independent implementation of the contract (docs/audit-log.md, client/README.md §7):
 *
 *   leaf hash  = SM3(0x00 ‖ canonical JSON of the entry, UTF-8)
 *   node hash  = SM3(0x01 ‖ left ‖ right)                       (RFC 9162 §2.1 with SM3 for SHA-256)
 *   tree head signature = SM2 (SM3 over Z ‖ M, user id 1234567812345678, DER, base64) over
 *                         canonical JSON of {logId, rootHash, timestamp, treeSize}      (the log key)
 *   export manifest signature = the same SM2 over canonical JSON of the manifest line without
 *                         `platformSignature`                                          (the platform key)
 */
import { createHash } from 'node:crypto';
import { sm2 } from 'sm-crypto-v2';

export interface TreeHead {
  readonly logId: string;
  readonly treeSize: number;
  readonly rootHash: string;
  readonly timestamp: string;
}

export interface SignedTreeHead {
  readonly treeHead: TreeHead;
  readonly signature: string;
  readonly keyId: string;
}

/** What `GET /v1/batches/{batchId}/receipt` answers (200). */
export interface BatchReceipt {
  readonly batchId: string;
  readonly logId: string;
  readonly leafIndex: number;
  /** The entry's canonical JSON: exactly the bytes the leaf hash covers. */
  readonly entry: string;
  readonly leafHash: string;
  readonly treeHead: SignedTreeHead;
  readonly inclusionProof: readonly string[];
  readonly logPublicKey: string;
  readonly keyId: string;
}

export type Verdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const HEX64 = /^[0-9a-f]{64}$/;
const PUBLIC_KEY = /^04[0-9a-f]{128}$/;
const KEY_ID = /^[a-z0-9-]{1,32}:[0-9a-f]{16}$/;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const TENANT = /^[A-Za-z0-9:_-]{1,80}$/;
const RETENTION = ['OPERATIONS', 'INCIDENT', 'DATA_PROVIDED', 'CORE_INCIDENT'];

const sm3 = (...parts: Uint8Array[]): Buffer => {
  const hash = createHash('sm3');
  for (const part of parts) hash.update(part);
  return hash.digest();
};
export const sm3Hex = (data: Uint8Array | string): string => sm3(typeof data === 'string' ? Buffer.from(data, 'utf8') : data).toString('hex');

/** Canonical JSON as the log writes it: members sorted by UTF-16 code units, no whitespace, safe integers only. */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError('not a safe integer');
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const members = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${members.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new TypeError(`cannot hold a ${typeof value}`);
}

export const leafHashOf = (entryJson: string | Uint8Array): string =>
  sm3(Uint8Array.of(0), typeof entryJson === 'string' ? Buffer.from(entryJson, 'utf8') : entryJson).toString('hex');
const node = (left: string, right: string): string => sm3(Uint8Array.of(1), Buffer.from(left, 'hex'), Buffer.from(right, 'hex')).toString('hex');
const EMPTY_ROOT = sm3().toString('hex');

/** `<prefix>:<first 16 hex of SM3(public key bytes)>`: the key a keyId names. */
export const keyIdMatches = (keyId: string, publicKeyHex: string): boolean =>
  KEY_ID.test(keyId) && PUBLIC_KEY.test(publicKeyHex) && keyId.endsWith(`:${sm3Hex(Buffer.from(publicKeyHex, 'hex')).slice(0, 16)}`);

const isTreeHead = (value: unknown): value is TreeHead => {
  const head = value as TreeHead;
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && hasMembers(value as Json, 'logId,rootHash,timestamp,treeSize') &&
    typeof head.logId === 'string' && Number.isSafeInteger(head.treeSize) && head.treeSize >= 0 && HEX64.test(head.rootHash) && ISO_MS.test(head.timestamp)
  );
};

/** Does `signature` (base64 DER SM2, SM3 over Z ‖ M, default user id) sign `message` with `publicKeyHex`? */
function verifySm2(message: Uint8Array, signature: unknown, publicKeyHex: string): boolean {
  if (!PUBLIC_KEY.test(publicKeyHex) || typeof signature !== 'string') return false;
  const der = Buffer.from(signature, 'base64');
  if (der.length === 0 || der.toString('base64') !== signature) return false;
  try {
    return sm2.doVerifySignature(message, der.toString('hex'), publicKeyHex, { hash: true, der: true });
  } catch {
    return false;
  }
}

/** Does `signature` (base64 DER) sign this tree head with `publicKeyHex`? */
export function verifyTreeHeadSignature(treeHead: TreeHead, signature: string, publicKeyHex: string): boolean {
  if (!isTreeHead(treeHead)) return false;
  const message = Buffer.from(canonicalJson({ logId: treeHead.logId, rootHash: treeHead.rootHash, timestamp: treeHead.timestamp, treeSize: treeHead.treeSize }), 'utf8');
  return verifySm2(message, signature, publicKeyHex);
}

/** RFC 9162 §2.1.3.2. */
export function verifyInclusionProof(leaf: string, index: number, size: number, proof: readonly string[], root: string): boolean {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size) && index >= 0 && index < size) || !Array.isArray(proof) || !proof.every((p) => typeof p === 'string' && HEX64.test(p))) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = node(p, r);
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)];
    } else {
      r = node(r, p);
    }
    [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)];
  }
  return sn === 0 && r === root;
}

/** RFC 9162 §2.1.4.2. */
export function verifyConsistencyProof(first: number, second: number, proof: readonly string[], firstRoot: string, secondRoot: string): boolean {
  if (!(Number.isSafeInteger(first) && Number.isSafeInteger(second) && first >= 0 && first <= second) || !Array.isArray(proof) || !proof.every((p) => typeof p === 'string' && HEX64.test(p))) return false;
  if (first === second) return proof.length === 0 && firstRoot === secondRoot;
  if (first === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  const path = (first & (first - 1)) === 0 ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)];
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = node(c, fr);
      sr = node(c, sr);
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)];
    } else {
      sr = node(sr, c);
    }
    [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)];
  }
  return sn === 0 && fr === firstRoot && sr === secondRoot;
}

const fail = (reason: string): Verdict => ({ ok: false, reason });

/**
 * Checks a batch receipt with the log's published public key only (`GET /v1/audit/log-key`, pinned by the
 * institution — never the key the receipt itself carries): the tree head's signature, that the entry is the
 * batch's (`key` = `batch:<batchId>`, seq = leafIndex, same log), its leaf hash, and its inclusion proof.
 */
export function verifyReceipt(receipt: BatchReceipt, publicKeyHex: string): Verdict {
  const { treeHead } = receipt.treeHead;
  if (!keyIdMatches(receipt.treeHead.keyId, publicKeyHex)) return fail('KEY_MISMATCH');
  if (!verifyTreeHeadSignature(treeHead, receipt.treeHead.signature, publicKeyHex)) return fail('BAD_TREE_HEAD_SIGNATURE');
  if (treeHead.logId !== receipt.logId) return fail('LOG_MISMATCH');
  let entry: { key?: unknown; seq?: unknown; logId?: unknown };
  try {
    entry = JSON.parse(receipt.entry) as typeof entry;
  } catch {
    return fail('ENTRY_NOT_JSON');
  }
  if (canonicalJsonOrUndefined(entry) !== receipt.entry) return fail('ENTRY_NOT_CANONICAL');
  if (entry.key !== `batch:${receipt.batchId}` || entry.seq !== receipt.leafIndex || entry.logId !== receipt.logId) return fail('ENTRY_NOT_THIS_BATCH');
  const leaf = leafHashOf(receipt.entry);
  if (leaf !== receipt.leafHash) return fail('LEAF_HASH_MISMATCH');
  if (!verifyInclusionProof(leaf, receipt.leafIndex, treeHead.treeSize, receipt.inclusionProof, treeHead.rootHash)) return fail('INCLUSION_PROOF_INVALID');
  return { ok: true };
}

/**
 * Checks that `newer` extends `older` (both signed by the log key): the log never dropped or rewrote what
 * the older head covered — e.g. an institution's stored receipt head against today's.
 */
export function verifyConsistency(older: SignedTreeHead, newer: SignedTreeHead, proof: readonly string[], publicKeyHex: string): Verdict {
  for (const head of [older, newer]) {
    if (!keyIdMatches(head.keyId, publicKeyHex)) return fail('KEY_MISMATCH');
    if (!verifyTreeHeadSignature(head.treeHead, head.signature, publicKeyHex)) return fail('BAD_TREE_HEAD_SIGNATURE');
  }
  if (older.treeHead.logId !== newer.treeHead.logId) return fail('LOG_MISMATCH');
  if (older.treeHead.treeSize > newer.treeHead.treeSize) return fail('HEADS_OUT_OF_ORDER');
  if (!verifyConsistencyProof(older.treeHead.treeSize, newer.treeHead.treeSize, proof, older.treeHead.rootHash, newer.treeHead.rootHash)) return fail('CONSISTENCY_PROOF_INVALID');
  return { ok: true };
}

function canonicalJsonOrUndefined(value: unknown): string | undefined {
  try {
    return canonicalJson(value);
  } catch {
    return undefined;
  }
}

export type ExportVerdict =
  | {
      readonly ok: true;
      readonly entries: number;
      readonly heads: number;
      readonly root: string;
      /** The log key (tree heads) and the platform key (the manifest) the export was checked with. */
      readonly keyId: string;
      readonly platformKeyId: string;
      /** Which of them were pinned by the caller; an unpinned key is only the one the export declares. */
      readonly pinned: { readonly logKey: boolean; readonly platformKey: boolean };
    }
  | { readonly ok: false; readonly line: number; readonly seq?: number; readonly reason: string };

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const hasMembers = (value: Json, names: string): boolean => Object.keys(value).sort().join(',') === names.split(',').sort().join(',');

/** The incremental tree of a verifier: the right edge of perfect subtrees (largest first). */
class Edge {
  levels: number[];
  hashes: string[];
  size: number;
  constructor(size: number, levels: readonly number[], hashes: readonly string[]) {
    this.size = size;
    this.levels = [...levels];
    this.hashes = [...hashes];
  }
  push(leaf: string): void {
    let level = 0;
    let hash = leaf;
    while (this.levels.length > 0 && this.levels[this.levels.length - 1] === level) {
      this.levels.pop();
      hash = node(this.hashes.pop()!, hash);
      level += 1;
    }
    this.levels.push(level);
    this.hashes.push(hash);
    this.size += 1;
  }
  root(): string {
    if (this.size === 0) return EMPTY_ROOT;
    let hash = this.hashes[this.hashes.length - 1]!;
    for (let i = this.hashes.length - 2; i >= 0; i--) hash = node(this.hashes[i]!, hash);
    return hash;
  }
}

function isFrontier(value: unknown, size: number): value is { size: number; levels: number[]; hashes: string[] } {
  if (!isObject(value) || !hasMembers(value, 'hashes,levels,size') || value.size !== size) return false;
  const { levels, hashes } = value as { levels: unknown; hashes: unknown };
  if (!Array.isArray(levels) || !Array.isArray(hashes) || levels.length !== hashes.length) return false;
  let total = 0;
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i] as unknown;
    if (!Number.isSafeInteger(level) || (level as number) < 0 || (level as number) > 52 || (i > 0 && (level as number) >= (levels[i - 1] as number))) return false;
    if (typeof hashes[i] !== 'string' || !HEX64.test(hashes[i] as string)) return false;
    total += 2 ** (level as number);
  }
  return total === size;
}

const FILTER_MEMBERS = ['action', 'actor', 'from', 'target', 'to'];
type ExportFilter = { readonly action?: string; readonly actor?: string; readonly target?: string; readonly from?: string; readonly to?: string };
const isFilter = (value: unknown): value is ExportFilter =>
  isObject(value) && Object.entries(value).every(([k, v]) => FILTER_MEMBERS.includes(k) && typeof v === 'string');
/** As the export use case filters: equal action, actor and target; `from` ≤ at < `to` (ISO strings compared as such). */
const matchesFilter = (entry: Json, filter: ExportFilter): boolean =>
  (filter.action === undefined || entry.action === filter.action) &&
  (filter.actor === undefined || entry.actor === filter.actor) &&
  (filter.target === undefined || entry.target === filter.target) &&
  (filter.from === undefined || (typeof entry.at === 'string' && entry.at >= filter.from)) &&
  (filter.to === undefined || (typeof entry.at === 'string' && entry.at < filter.to));

const MANIFEST_MEMBERS = 'entries,exportHash,exportedAt,keyId,lines,platformKeyId,platformPublicKey,platformSignature,signature,treeHead,type';
/** The manifest of exports made before the platform signed manifests: refused, with a reason that says so. */
const UNSIGNED_MANIFEST_MEMBERS = 'entries,exportHash,exportedAt,keyId,lines,signature,treeHead,type';

export interface ExportPins {
  /** The log key (tree heads), as `GET /v1/audit/log-key` publishes it. */
  readonly publicKey?: string;
  /** The platform key (the manifest), as `GET /v1/channel/webhook` or a certificate verification publishes it. */
  readonly platformPublicKey?: string;
}

/**
 * Checks an export (the JSON Lines format of docs/audit-log.md) line by line and stops at the first problem,
 * naming its line (1-based) and, where known, the entry's seq. With `publicKey`, the log key is pinned; without,
 * the key the header declares is used (and must match its keyId). Likewise `platformPublicKey` pins the key that
 * must have signed the manifest; without, the key the manifest declares is used. Every export, complete or
 * filtered, needs a valid platform signature on its manifest; the verdict says which keys were pinned.
 */
export function verifyExport(bytes: Uint8Array, options: ExportPins = {}): ExportVerdict {
  const data = Buffer.from(bytes);
  // Line boundaries: every line ends with \n; a last line without one is a truncated line.
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] === 0x0a) {
      lines.push(data.subarray(start, i));
      start = i + 1;
    }
  }
  const unterminated = start < data.length ? data.subarray(start) : undefined;
  const parsed: (Json | undefined)[] = lines.map((line) => {
    try {
      const value = JSON.parse(line.toString('utf8')) as unknown;
      return isObject(value) && canonicalJsonOrUndefined(value) !== undefined && Buffer.from(canonicalJson(value), 'utf8').equals(line) ? value : undefined;
    } catch {
      return undefined;
    }
  });
  const offsets: number[] = [];
  let offset = 0;
  for (const line of lines) {
    offsets.push(offset);
    offset += line.length + 1;
  }
  const header = parsed[0];
  const key = options.publicKey ?? (typeof header?.publicKey === 'string' ? header.publicKey : '');
  const signatures = new Map<string, boolean>();
  const signed = (head: unknown, signature: unknown): boolean => {
    if (!isTreeHead(head) || typeof signature !== 'string') return false;
    const id = `${canonicalJson(head)}|${signature}`;
    let valid = signatures.get(id);
    if (valid === undefined) signatures.set(id, (valid = verifyTreeHeadSignature(head, signature, key)));
    return valid;
  };
  // Look-ahead, so that a misplaced or missing line is named where it should have been: the sizes of the
  // authentic (validly signed) tree heads in the file, and the manifest's head if it is authentic.
  const authenticSizes = new Set<number>();
  for (const value of parsed) {
    if (value?.type === 'treeHead' && signed(value.treeHead, value.signature)) authenticSizes.add((value.treeHead as TreeHead).treeSize);
  }
  const lastIndex = lines.length - 1;
  const last = parsed[lastIndex];
  const manifestHead = last?.type === 'manifest' && signed(last.treeHead, last.signature) ? (last.treeHead as TreeHead) : undefined;

  const failAt = (line: number, reason: string, seq?: number): ExportVerdict => ({ ok: false, line, ...(seq === undefined ? {} : { seq }), reason });

  if (!header) return failAt(1, lines.length === 0 ? 'empty export' : 'line is not canonical JSON');
  if (header.type !== 'header') return failAt(1, 'the first line is not the header');
  // An export made before manifests were signed (no platform signature, no filter recorded): named at its manifest.
  if (last?.type === 'manifest' && hasMembers(last, UNSIGNED_MANIFEST_MEMBERS) && !('filter' in header)) {
    return failAt(lastIndex + 1, 'manifest: no platform signature (platformKeyId, platformPublicKey, platformSignature)');
  }
  const headerMembers = `complete,exportedAt,${header.complete === false ? 'filter,' : ''}frontier,fromSeq,keyId,logId,publicKey,tenant,type,v`;
  if (!hasMembers(header, headerMembers) || header.v !== 1) return failAt(1, 'header members');
  if (header.complete === false && !isFilter(header.filter)) return failAt(1, 'filter');
  const filter = header.filter as ExportFilter | undefined;
  const { tenant, logId, fromSeq, complete, exportedAt, keyId, publicKey } = header as { tenant: unknown; logId: unknown; fromSeq: number; complete: unknown; exportedAt: unknown; keyId: string; publicKey: string };
  if (typeof tenant !== 'string' || !TENANT.test(tenant) || logId !== `zhitong/audit/v1/${tenant}`) return failAt(1, 'logId does not name the tenant');
  if (!Number.isSafeInteger(fromSeq) || fromSeq < 0 || typeof complete !== 'boolean') return failAt(1, 'fromSeq or complete');
  if (typeof exportedAt !== 'string' || !ISO_MS.test(exportedAt) || Number.isNaN(Date.parse(exportedAt))) return failAt(1, 'exportedAt');
  if (!isFrontier(header.frontier, fromSeq)) return failAt(1, 'frontier is not the tree before fromSeq');
  if (typeof publicKey !== 'string' || typeof keyId !== 'string' || !keyIdMatches(keyId, publicKey)) return failAt(1, 'keyId does not name publicKey');
  if (options.publicKey !== undefined && publicKey !== options.publicKey) return failAt(1, 'not the pinned log key');
  // exportedAt is bound only by the export hash and the manifest's copy: when they disagree and the hash
  // fails, the header is what changed (the manifest holds both the hash and its copy).
  if (last?.type === 'manifest' && last.exportedAt !== exportedAt && sm3Hex(data.subarray(0, offsets[lastIndex])) !== last.exportHash) return failAt(1, 'exportedAt differs from the manifest');

  const frontier = header.frontier as { levels: number[]; hashes: string[] };
  const edge = new Edge(fromSeq, frontier.levels, frontier.hashes);
  const roots = new Map<number, string>([[fromSeq, edge.root()]]);
  /** The line that followed the entry completing each size (where a tree head of that size belongs). */
  const lineAfterSize = new Map<number, number>([[fromSeq, 2]]);
  let lastHead = fromSeq;
  let lastHeadLine: Json | undefined;
  let heads = 0;
  let entries = 0;
  let previousSeq = fromSeq - 1;

  for (let index = 1; index < lines.length; index++) {
    const n = index + 1;
    const value = parsed[index];
    if (!value) return failAt(n, 'line is not canonical JSON');
    const type = value.type;
    if (complete && type !== 'treeHead' && authenticSizes.has(edge.size) && edge.size > lastHead) return failAt(n, `expected the signed tree head of size ${edge.size} here`);
    if (type === 'entry' || type === 'expired') {
      const seq = value.seq;
      if (!Number.isSafeInteger(seq)) return failAt(n, 'seq');
      const s = seq as number;
      if (complete ? s !== edge.size : s <= previousSeq) return failAt(n, complete ? `expected entry seq ${edge.size}` : 'seq out of order', s);
      const leaf = value.leafHash;
      if (typeof leaf !== 'string' || !HEX64.test(leaf)) return failAt(n, 'leafHash', s);
      if (type === 'entry') {
        if (!hasMembers(value, complete ? 'entry,leafHash,seq,type' : 'entry,inclusion,leafHash,seq,type')) return failAt(n, 'entry line members', s);
        const entry = value.entry;
        if (!isObject(entry) || entry.v !== 1 || entry.seq !== s || entry.logId !== logId || entry.tenant !== tenant) return failAt(n, 'entry does not belong here', s);
        if (leafHashOf(canonicalJson(entry)) !== leaf) return failAt(n, 'leaf hash does not match the entry', s);
        if (filter && !matchesFilter(entry, filter)) return failAt(n, "entry does not match the export's filter", s);
        if (!complete && manifestHead && !verifyInclusionProof(leaf, s, manifestHead.treeSize, value.inclusion as string[], manifestHead.rootHash)) {
          return failAt(n, 'inclusion proof does not lead to the manifest head', s);
        }
      } else {
        if (!complete) return failAt(n, 'a filtered export holds no expired lines', s);
        if (!hasMembers(value, 'leafHash,retention,seq,type') || !RETENTION.includes(value.retention as string)) return failAt(n, 'expired line members', s);
      }
      entries += 1;
      previousSeq = s;
      if (complete) {
        edge.push(leaf);
        roots.set(edge.size, edge.root());
        lineAfterSize.set(edge.size, n + 1);
      }
      continue;
    }
    if (type === 'treeHead') {
      if (!complete) return failAt(n, 'a filtered export holds no tree head lines');
      if (!hasMembers(value, 'consistency,keyId,previousTreeSize,signature,treeHead,type') || value.keyId !== keyId) return failAt(n, 'tree head line members');
      if (!signed(value.treeHead, value.signature)) return failAt(n, 'tree head signature does not verify');
      const head = value.treeHead as TreeHead;
      if (head.logId !== logId) return failAt(n, 'tree head of another log');
      if (head.treeSize !== edge.size || head.treeSize <= lastHead) return failAt(n, `tree head of size ${head.treeSize} out of place (entries read: ${edge.size})`);
      if (roots.get(head.treeSize) !== head.rootHash) return failAt(n, 'recomputed root differs from the signed root');
      const previous = value.previousTreeSize;
      if (!Number.isSafeInteger(previous) || (previous as number) < fromSeq || (previous as number) >= head.treeSize) return failAt(n, 'previousTreeSize');
      if (!verifyConsistencyProof(previous as number, head.treeSize, value.consistency as string[], roots.get(previous as number)!, head.rootHash)) return failAt(n, 'consistency proof does not verify');
      if ((previous as number) > lastHead) return failAt(lineAfterSize.get(previous as number)!, `the tree head of size ${String(previous)} is missing`);
      if ((previous as number) < lastHead) return failAt(n, 'previousTreeSize is not the previous tree head');
      lastHead = head.treeSize;
      lastHeadLine = value;
      heads += 1;
      continue;
    }
    if (type === 'manifest') {
      if (index !== lastIndex || unterminated) return failAt(n, 'the manifest is not the last line');
      if (hasMembers(value, UNSIGNED_MANIFEST_MEMBERS)) return failAt(n, 'manifest: no platform signature (platformKeyId, platformPublicKey, platformSignature)');
      if (!hasMembers(value, MANIFEST_MEMBERS)) return failAt(n, 'manifest members');
      if (value.lines !== index || value.entries !== entries) return failAt(n, 'line or entry count differs');
      if (value.exportedAt !== exportedAt || value.keyId !== keyId) return failAt(n, 'exportedAt or keyId differs from the header');
      if (value.exportHash !== sm3Hex(data.subarray(0, offsets[index]))) return failAt(n, 'export hash differs');
      const { platformKeyId, platformPublicKey } = value as { platformKeyId: unknown; platformPublicKey: unknown };
      if (typeof platformKeyId !== 'string' || typeof platformPublicKey !== 'string' || !keyIdMatches(platformKeyId, platformPublicKey)) {
        return failAt(n, 'manifest: platformKeyId does not name platformPublicKey');
      }
      if (options.platformPublicKey !== undefined && platformPublicKey !== options.platformPublicKey) return failAt(n, 'manifest: not the pinned platform key');
      if (platformPublicKey === publicKey) return failAt(n, 'manifest: signed with the log key, not the platform key');
      const signedPart = Buffer.from(canonicalJson({ ...value, platformSignature: undefined }), 'utf8');
      if (!verifySm2(signedPart, value.platformSignature, platformPublicKey)) return failAt(n, 'manifest: the platform signature does not verify');
      if (!manifestHead) return failAt(n, 'manifest tree head signature does not verify');
      if (manifestHead.logId !== logId) return failAt(n, 'manifest head of another log');
      if (complete) {
        if (manifestHead.treeSize !== edge.size) return failAt(n, `the manifest's head covers ${manifestHead.treeSize} entries, the export holds up to ${edge.size}: truncated`);
        if (roots.get(edge.size) !== manifestHead.rootHash) return failAt(n, 'recomputed root differs from the manifest head');
        if (lastHead !== edge.size || canonicalJson(lastHeadLine?.treeHead) !== canonicalJson(manifestHead)) return failAt(n, 'the tree head line of the manifest head is missing');
      } else if (manifestHead.treeSize <= previousSeq) return failAt(n, 'manifest head does not cover the entries');
      return {
        ok: true,
        entries,
        heads,
        root: manifestHead.rootHash,
        keyId,
        platformKeyId,
        pinned: { logKey: options.publicKey !== undefined, platformKey: options.platformPublicKey !== undefined },
      };
    }
    return failAt(n, 'unknown line type');
  }
  return failAt(lines.length + 1, 'no manifest: the export is truncated');
}
