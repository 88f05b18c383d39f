/**
 * Room A2's in-memory {@link AuditLogReader}: a log filled the way the appender fills the real one —
 * entries as canonical JSON, leaf hashes and completed nodes from merkle.ts `appendLeaves` — and tree heads
 * signed here with a test SM2 log key (functions/shared/crypto/sm2.ts). The integrator may replace it with
 * room A1's `test/support/memory-audit-log.ts` (same port).
 */
import { canonicalJson, logIdOf, type LogEntry, type RetentionClass, type SignedTreeHead, treeHeadBytes, expiryOf } from '../../functions/core/domain/audit-log';
import { appendLeaves, EMPTY_FRONTIER, leafHash, rootOfFrontier, type Frontier, type HashHex, type NodeReader } from '../../functions/core/domain/merkle';
import type { AuditLogReader, AuditSearch, LogHead, Page, StoredLogEntry, TreeHeadSigner } from '../../functions/core/ports';
import { badRequest } from '../../functions/core/domain/errors';
import { platformKeyId } from '../../functions/adapters/keys/local-platform-signer';
import { generateSm2KeyPair, sm2Sign } from '../../functions/shared/crypto/sm2';

export type EntryDraft = Omit<LogEntry, 'v' | 'logId' | 'seq' | 'tenant' | 'retention' | 'key'> & { readonly key?: string; readonly retention?: RetentionClass };

interface Log {
  frontier: Frontier;
  entries: StoredLogEntry[];
  parsed: LogEntry[];
  nodes: Map<string, HashHex>;
  keys: Map<string, number>;
  heads: SignedTreeHead[];
  updatedAt: string;
}

/** A test log key: a `TreeHeadSigner` over a fresh SM2 pair. */
export function testLogKey(prefix = 'test-sm2'): TreeHeadSigner & { readonly privateKey: string; readonly publicKey: string } {
  const pair = generateSm2KeyPair();
  return {
    keyId: platformKeyId(prefix, pair.publicKey),
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    publicKeyHex: async () => pair.publicKey,
    sign: async (message) => sm2Sign(message, pair.privateKey),
  };
}

/** A test platform key (the one that signs export manifests, webhooks and certificates): another fresh SM2 pair. */
export const testPlatformKey = (): ReturnType<typeof testLogKey> => testLogKey('test-platform');

export class MemoryAuditReader implements AuditLogReader {
  readonly #logs = new Map<string, Log>();
  #counter = 0;
  /** Epoch seconds "now" for expiry (entries whose expiresAt is past have no content). */
  nowSeconds = Math.floor(Date.now() / 1000);

  constructor(readonly logKey: ReturnType<typeof testLogKey> = testLogKey()) {}

  #log(tenant: string): Log {
    let log = this.#logs.get(tenant);
    if (!log) {
      log = { frontier: EMPTY_FRONTIER, entries: [], parsed: [], nodes: new Map(), keys: new Map(), heads: [], updatedAt: new Date(0).toISOString() };
      this.#logs.set(tenant, log);
    }
    return log;
  }

  /** Appends entries as the appender would (no duplicate keys); answers their seqs. */
  append(tenant: string, drafts: readonly EntryDraft[]): number[] {
    const log = this.#log(tenant);
    const seqs: number[] = [];
    const leaves: HashHex[] = [];
    for (const draft of drafts) {
      const key = draft.key ?? `k${(this.#counter++).toString(16).padStart(8, '0')}`;
      if (log.keys.has(key)) continue;
      const seq = log.entries.length;
      const entry: LogEntry = { ...draft, v: 1, logId: logIdOf(tenant), seq, key, tenant, retention: draft.retention ?? 'OPERATIONS' };
      const json = canonicalJson(entry);
      const leaf = leafHash(json);
      log.entries.push({ seq, leafHash: leaf, entry: json, retention: entry.retention, expiresAt: expiryOf(entry.retention, entry.at) });
      log.parsed.push(entry);
      log.keys.set(key, seq);
      leaves.push(leaf);
      seqs.push(seq);
      log.updatedAt = entry.at;
    }
    const { frontier, completed } = appendLeaves(log.frontier, leaves);
    log.frontier = frontier;
    for (const node of completed) log.nodes.set(`${node.level}/${node.index}`, node.hash);
    return seqs;
  }

  /** Signs the current head with the log key (what the checkpoint does), at `timestamp`. */
  async checkpoint(tenant: string, timestamp = new Date().toISOString()): Promise<SignedTreeHead> {
    const log = this.#log(tenant);
    const treeHead = { logId: logIdOf(tenant), treeSize: log.frontier.size, rootHash: rootOfFrontier(log.frontier), timestamp };
    const sth: SignedTreeHead = { treeHead, signature: (await this.logKey.sign(treeHeadBytes(treeHead))).toString('base64'), keyId: this.logKey.keyId };
    if (log.heads.at(-1)?.treeHead.treeSize !== treeHead.treeSize) log.heads.push(sth);
    return sth;
  }

  /** Makes an entry's content expire (its retention passed): the leaf hash stays. */
  expire(tenant: string, seq: number): void {
    const log = this.#log(tenant);
    const stored = log.entries[seq]!;
    log.entries[seq] = { ...stored, expiresAt: this.nowSeconds - 1 };
  }

  /** Counts port calls, so tests can assert bounded reads. */
  calls = { entries: 0, search: 0 };

  async head(tenant: string): Promise<LogHead | undefined> {
    const log = this.#logs.get(tenant);
    if (!log) return undefined;
    return { tenant, logId: logIdOf(tenant), treeSize: log.frontier.size, rootHash: rootOfFrontier(log.frontier), frontier: log.frontier, updatedAt: log.updatedAt };
  }

  #visible(stored: StoredLogEntry): StoredLogEntry {
    if (stored.expiresAt >= this.nowSeconds) return stored;
    const { entry: _gone, ...rest } = stored;
    return rest;
  }

  async entries(tenant: string, fromSeq: number, toSeq: number): Promise<StoredLogEntry[]> {
    this.calls.entries += 1;
    return (this.#logs.get(tenant)?.entries.slice(fromSeq, toSeq) ?? []).map((e) => this.#visible(e));
  }

  async seqOfKey(tenant: string, key: string): Promise<number | undefined> {
    return this.#logs.get(tenant)?.keys.get(key);
  }

  nodes(tenant: string): NodeReader {
    return async (level, index) => {
      const log = this.#logs.get(tenant);
      const hash = log?.nodes.get(`${level}/${index}`);
      if (!log || hash === undefined || (index + 1) * 2 ** level > log.frontier.size) throw new RangeError(`no node ${level}/${index} in ${tenant}`);
      return hash;
    };
  }

  async latestTreeHead(tenant: string): Promise<SignedTreeHead | undefined> {
    return this.#logs.get(tenant)?.heads.at(-1);
  }

  async treeHeadOfSize(tenant: string, treeSize: number): Promise<SignedTreeHead | undefined> {
    return this.#logs.get(tenant)?.heads.find((h) => h.treeHead.treeSize === treeSize);
  }

  async treeHeads(tenant: string, range: { readonly fromSize: number; readonly toSize: number; readonly limit: number }): Promise<SignedTreeHead[]> {
    return (this.#logs.get(tenant)?.heads ?? []).filter((h) => h.treeHead.treeSize >= range.fromSize && h.treeHead.treeSize <= range.toSize).slice(0, range.limit);
  }

  async search(query: AuditSearch): Promise<Page<StoredLogEntry & { readonly tenant: string }>> {
    this.calls.search += 1;
    const tenants = query.tenants ?? [...this.#logs.keys()];
    const matches: (StoredLogEntry & { tenant: string; at: string })[] = [];
    for (const tenant of tenants) {
      const log = this.#logs.get(tenant);
      if (!log) continue;
      log.parsed.forEach((entry, seq) => {
        const institutionId = entry.subject?.institutionId;
        if (query.actor !== undefined && entry.actor !== query.actor) return;
        if (query.target !== undefined && entry.target !== query.target) return;
        if (query.action !== undefined && entry.action !== query.action) return;
        if (query.outcome !== undefined && entry.outcome !== query.outcome) return;
        if (query.institutionId !== undefined && institutionId !== query.institutionId) return;
        if (entry.at < query.from || entry.at >= query.to) return;
        matches.push({ ...this.#visible(log.entries[seq]!), tenant, at: entry.at });
      });
    }
    matches.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : a.seq - b.seq));
    // Like the DynamoDB store: a cursor it did not answer is 400 CURSOR_INVALID.
    const decoded = query.cursor === undefined ? '0' : Buffer.from(query.cursor, 'base64url').toString('utf8');
    if (!/^(0|[1-9][0-9]{0,8})$/.test(decoded)) throw badRequest('CURSOR_INVALID', 'The cursor is not one this search returned; start again without it.');
    const start = Number(decoded);
    const page = matches.slice(start, start + query.limit).map(({ at: _at, ...rest }) => rest);
    const next = start + query.limit < matches.length ? Buffer.from(String(start + query.limit), 'utf8').toString('base64url') : undefined;
    return { items: page, nextCursor: next };
  }
}
