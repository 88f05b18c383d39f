/**
 * The audit log in memory, for unit tests of code that reads the log (receipts, proofs, search, statistics)
 * or writes it: the same use cases as production (append-audit.ts, checkpoint-audit.ts) over an in-memory
 * store that implements the write side and the {@link AuditLogReader} port. `record` appends at once (the
 * queue and the appender of production collapsed into one call); `checkpoint(tenant)` signs a head.
 */
import { randomBytes } from 'node:crypto';
import { expiryOf, logIdOf, type LogEntry, type SignedTreeHead } from '../../functions/core/domain/audit-log';
import type { NodeReader } from '../../functions/core/domain/merkle';
import type { AuditLog, AuditLogReader, AuditRecord, AuditSearch, Clock, LogHead, Page, StoredLogEntry, TreeHeadSigner } from '../../functions/core/ports';
import { appendAudit, type AuditLogStore, type HeadState, type PendingCommit } from '../../functions/core/use-cases/append-audit';
import { checkpointAudit, type CheckpointOutcome, type CheckpointStore } from '../../functions/core/use-cases/checkpoint-audit';

interface Log {
  head?: HeadState;
  readonly entries: Map<number, { entry: string; leafHash: string; parsed: LogEntry }>;
  readonly nodes: Map<string, string>;
  readonly keys: Map<string, number>;
  readonly sths: Map<number, SignedTreeHead>;
}

export class MemoryAuditLogStore implements AuditLogStore, CheckpointStore, AuditLogReader {
  private readonly logs = new Map<string, Log>();
  constructor(private readonly clock: Clock = { now: () => new Date() }) {}

  private log(tenant: string): Log {
    let log = this.logs.get(tenant);
    if (log === undefined) this.logs.set(tenant, (log = { entries: new Map(), nodes: new Map(), keys: new Map(), sths: new Map() }));
    return log;
  }

  async readHead(tenant: string): Promise<HeadState | undefined> {
    return this.logs.get(tenant)?.head;
  }
  async commit(next: HeadState, expectedVersion: number): Promise<boolean> {
    const log = this.log(next.tenant);
    if ((log.head?.version ?? 0) !== expectedVersion) return false;
    log.head = { ...next, signedSize: log.head?.signedSize ?? 0 };
    return true;
  }
  async materialise(tenant: string, pending: PendingCommit): Promise<void> {
    const log = this.log(tenant);
    for (const e of pending.entries) {
      log.entries.set(e.seq, { entry: e.entry, leafHash: e.leafHash, parsed: JSON.parse(e.entry) as LogEntry });
      log.keys.set(e.key, e.seq);
    }
    for (const n of pending.nodes) log.nodes.set(`${n.level}/${n.index}`, n.hash);
  }
  async clearPending(tenant: string, version: number): Promise<void> {
    const log = this.log(tenant);
    if (log.head?.version === version) log.head = { ...log.head, pending: undefined };
  }
  async existingKeys(tenant: string, keys: readonly string[]): Promise<Map<string, number>> {
    const log = this.log(tenant);
    return new Map(keys.flatMap((k) => (log.keys.has(k) ? [[k, log.keys.get(k)!] as const] : [])));
  }
  async putTreeHead(tenant: string, sth: SignedTreeHead): Promise<void> {
    const log = this.log(tenant);
    if (!log.sths.has(sth.treeHead.treeSize)) log.sths.set(sth.treeHead.treeSize, sth);
  }
  async markSigned(tenant: string, treeSize: number): Promise<void> {
    const log = this.log(tenant);
    if (log.head && log.head.signedSize < treeSize) log.head = { ...log.head, signedSize: treeSize };
  }
  async unsignedTenants(): Promise<string[]> {
    return [...this.logs].filter(([, log]) => log.head !== undefined && log.head.signedSize < log.head.treeSize).map(([tenant]) => tenant);
  }

  async head(tenant: string): Promise<LogHead | undefined> {
    const head = this.logs.get(tenant)?.head;
    return head && { tenant, logId: logIdOf(tenant), treeSize: head.treeSize, rootHash: head.rootHash, frontier: head.frontier, updatedAt: head.updatedAt };
  }
  private stored(seq: number, e: { entry: string; leafHash: string; parsed: LogEntry }): StoredLogEntry {
    const expiresAt = expiryOf(e.parsed.retention, e.parsed.at);
    return { seq, leafHash: e.leafHash, retention: e.parsed.retention, expiresAt, ...(expiresAt * 1000 < this.clock.now().getTime() ? {} : { entry: e.entry }) };
  }
  async entries(tenant: string, fromSeq: number, toSeq: number): Promise<StoredLogEntry[]> {
    const log = this.logs.get(tenant);
    const end = Math.min(toSeq, log?.head?.treeSize ?? 0);
    const out: StoredLogEntry[] = [];
    for (let seq = Math.max(0, fromSeq); seq < end; seq++) out.push(this.stored(seq, log!.entries.get(seq)!));
    return out;
  }
  async seqOfKey(tenant: string, key: string): Promise<number | undefined> {
    return this.logs.get(tenant)?.keys.get(key);
  }
  nodes(tenant: string): NodeReader {
    return async (level, index) => {
      const log = this.logs.get(tenant);
      const size = log?.head?.treeSize ?? 0;
      if (level < 0 || index < 0 || (index + 1) * 2 ** level > size) throw new RangeError(`Node ${level}/${index} lies outside the committed tree of ${size} entries`);
      const hash = log!.nodes.get(`${level}/${index}`);
      if (hash === undefined) throw new Error(`node ${level}/${index} missing`);
      return hash;
    };
  }
  async latestTreeHead(tenant: string): Promise<SignedTreeHead | undefined> {
    const sths = [...(this.logs.get(tenant)?.sths.values() ?? [])];
    return sths.sort((a, b) => b.treeHead.treeSize - a.treeHead.treeSize)[0];
  }
  async treeHeadOfSize(tenant: string, treeSize: number): Promise<SignedTreeHead | undefined> {
    return this.logs.get(tenant)?.sths.get(treeSize);
  }
  async treeHeads(tenant: string, range: { readonly fromSize: number; readonly toSize: number; readonly limit: number }): Promise<SignedTreeHead[]> {
    return [...(this.logs.get(tenant)?.sths.values() ?? [])]
      .filter((s) => s.treeHead.treeSize >= range.fromSize && s.treeHead.treeSize <= range.toSize)
      .sort((a, b) => a.treeHead.treeSize - b.treeHead.treeSize)
      .slice(0, range.limit);
  }
  /** Search with the production semantics (filters, [from, to)); the cursor is an offset. */
  async search(query: AuditSearch): Promise<Page<StoredLogEntry & { readonly tenant: string }>> {
    const all: (StoredLogEntry & { tenant: string; at: string })[] = [];
    for (const [tenant, log] of this.logs) {
      if (query.tenants !== undefined && !query.tenants.includes(tenant)) continue;
      for (const [seq, e] of log.entries) {
        const p = e.parsed;
        if (query.target !== undefined && p.target !== query.target) continue;
        if (query.actor !== undefined && p.actor !== query.actor) continue;
        if (query.action !== undefined && p.action !== query.action) continue;
        if (query.outcome !== undefined && p.outcome !== query.outcome) continue;
        if (query.institutionId !== undefined && (p.subject?.institutionId ?? p.tenant) !== query.institutionId) continue;
        if (p.at < query.from || p.at >= query.to) continue;
        all.push({ ...this.stored(seq, e), tenant, at: p.at });
      }
    }
    all.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.seq - b.seq));
    const offset = query.cursor === undefined ? 0 : Number(query.cursor);
    const items = all.slice(offset, offset + query.limit).map(({ at: _at, ...rest }) => rest);
    return { items, ...(offset + query.limit < all.length ? { nextCursor: String(offset + query.limit) } : {}) };
  }
}

/** An AuditLog whose `record` appends at once to a {@link MemoryAuditLogStore}, and can sign heads. */
export class MemoryAuditLog implements AuditLog {
  readonly store: MemoryAuditLogStore;
  readonly checkpointRequests: string[] = [];
  constructor(
    private readonly signer?: TreeHeadSigner,
    private readonly clock: Clock = { now: () => new Date() },
  ) {
    this.store = new MemoryAuditLogStore(clock);
  }
  async record(entry: AuditRecord): Promise<void> {
    const key = entry.id ?? randomBytes(16).toString('hex');
    const at = entry.at ?? this.clock.now().toISOString();
    await appendAudit({ store: this.store, checkpoints: { request: async (t) => void this.checkpointRequests.push(t) }, clock: this.clock }, entry.tenant, [
      { key, at, tenant: entry.tenant, actor: entry.actor, action: entry.action, outcome: entry.outcome, retention: entry.retention, target: entry.target, subject: entry.subject, detail: entry.detail },
    ]);
  }
  checkpoint(tenant: string): Promise<CheckpointOutcome> {
    if (this.signer === undefined) throw new Error('MemoryAuditLog: no signer given');
    return checkpointAudit({ store: this.store, reader: this.store, signer: this.signer, clock: this.clock }, tenant);
  }
}
