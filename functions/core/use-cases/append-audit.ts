/**
 * Appending to a tenant's audit log (DESIGN.md §5; 002 五(二)4; 004 第二十三条): the one appender of a tenant
 * (its SQS FIFO message group) gives records their sequence numbers, in order, without gaps, each key once.
 *
 * Primary course, for one tenant's records in queue order:
 * 1. Read the tenant's HEAD: tree size, right edge (frontier), root, version, and `pending` — the entries
 *    and tree nodes of the last commit, if they were not all materialised yet.
 * 2. Materialise `pending` (idempotent writes of entry items, node items and key markers).
 * 3. Drop records whose key is already in the log (a key marker) or repeated in the batch.
 * 4. Number the rest from the tree size, hash them (leafHash of canonicalJson), extend the frontier.
 * 5. Commit: ONE conditional write of HEAD (on the version read) with the new size, frontier, root and
 *    the new entries as `pending`. Losing the condition (another appender moved the log) starts again at 1.
 * 6. Materialise the new `pending`, then clear it (conditional on the version just written).
 * 7. Request a checkpoint when the last request is older than 5 s (delayed 5 s) or 1,000 entries ago (at once).
 * A crash anywhere heals on redelivery: before 5 nothing happened; after 5 the records are in the log (the
 * commit holds them) and step 2 finishes what 6 began, while step 3 keeps them from being appended twice.
 */
import { appendLeaves, EMPTY_FRONTIER, leafHash, rootOfFrontier, type CompletedNode, type Frontier, type HashHex } from '../domain/merkle';
import { canonicalJson, logIdOf, type AuditSubject, type LogEntry, type RetentionClass } from '../domain/audit-log';
import type { AuditDraft } from '../domain/lifecycle';
import type { Clock } from '../ports';

/** A record as the queue carries it (audit.v1): the draft's fields, its key and its time. */
export interface QueuedRecord {
  readonly key: string;
  readonly at: string;
  readonly tenant: string;
  readonly actor: string;
  readonly action: string;
  readonly outcome: AuditDraft['outcome'];
  readonly retention?: RetentionClass;
  readonly target?: string;
  readonly subject?: AuditSubject;
  readonly detail?: Readonly<Record<string, string | number | boolean>>;
}

/** One committed entry: its canonical JSON (the leaf input) and leaf hash. */
export interface CommittedEntry {
  readonly seq: number;
  readonly key: string;
  readonly entry: string;
  readonly leafHash: HashHex;
}

/** What the last commit added, kept on HEAD until every item of it is written. */
export interface PendingCommit {
  readonly entries: readonly CommittedEntry[];
  readonly nodes: readonly CompletedNode[];
}

/** A tenant's HEAD item. `version` counts commits (0: no HEAD yet). */
export interface HeadState {
  readonly tenant: string;
  readonly version: number;
  readonly treeSize: number;
  readonly frontier: Frontier;
  readonly rootHash: HashHex;
  readonly updatedAt: string;
  readonly pending?: PendingCommit;
  /** Size of the latest signed tree head (the checkpoint sets it). */
  readonly signedSize: number;
  readonly checkpointRequestedAt?: string;
  readonly checkpointRequestedSize?: number;
}

/** The write side of the log store (functions/adapters/dynamodb/audit-log.ts). */
export interface AuditLogStore {
  readHead(tenant: string): Promise<HeadState | undefined>;
  /** Writes HEAD if its version is still `expectedVersion` (0: no HEAD); false when another commit won. */
  commit(next: HeadState, expectedVersion: number): Promise<boolean>;
  /** Writes the entry items, node items and key markers of a commit (idempotent). */
  materialise(tenant: string, pending: PendingCommit): Promise<void>;
  /** Removes `pending` from HEAD if HEAD is still at `version`. */
  clearPending(tenant: string, version: number): Promise<void>;
  /** The sequence numbers of those keys already in the log. */
  existingKeys(tenant: string, keys: readonly string[]): Promise<Map<string, number>>;
}

export interface CheckpointRequests {
  request(tenant: string, delaySeconds: number): Promise<void>;
}

export interface AppendAuditPorts {
  readonly store: AuditLogStore;
  readonly checkpoints: CheckpointRequests;
  readonly clock: Clock;
  /** Waits between commits that lost a race (tests pass one that does not wait); setTimeout by default. */
  readonly pause?: (ms: number) => Promise<void>;
}

export const CHECKPOINT_INTERVAL_MS = 5_000;
export const CHECKPOINT_EVERY_ENTRIES = 1_000;
/**
 * A commit lost to another writer means the log moved on (someone else appended): retrying is safe and
 * makes progress, so the appender keeps trying, with jittered exponential backoff, rather than hand the
 * batch back to the queue, where every failure spends one of the message's receives and the last one sends
 * it to the dead-letter queue (an audit entry late, not lost, but late until someone redrives it). 12
 * attempts wait at most ~8 s in all (~4 s on average), inside the appender's timeout.
 */
const COMMIT_ATTEMPTS = 12;
const BACKOFF_BASE_MS = 10;
const BACKOFF_CAP_MS = 1_000;
const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The log entry of a record at `seq`: the domain type, with its defaults (retention OPERATIONS). */
export function logEntryOf(record: QueuedRecord, seq: number): LogEntry {
  return {
    v: 1,
    logId: logIdOf(record.tenant),
    seq,
    key: record.key,
    at: record.at,
    tenant: record.tenant,
    actor: record.actor,
    action: record.action,
    outcome: record.outcome,
    retention: record.retention ?? 'OPERATIONS',
    ...(record.target === undefined ? {} : { target: record.target }),
    ...(record.subject === undefined ? {} : { subject: record.subject }),
    ...(record.detail === undefined ? {} : { detail: record.detail }),
  };
}

export interface AppendOutcome {
  readonly appended: number;
  readonly duplicates: number;
  readonly treeSize: number;
}

/** Appends one tenant's records (all of `tenant`, in queue order). Throws if the log could not be moved. */
export async function appendAudit(ports: AppendAuditPorts, tenant: string, records: readonly QueuedRecord[]): Promise<AppendOutcome> {
  if (records.some((r) => r.tenant !== tenant)) throw new Error('appendAudit: a record of another tenant');
  // 3 (in-batch part): the first record of a key wins.
  const seen = new Set<string>();
  const unique = records.filter((r) => (seen.has(r.key) ? false : (seen.add(r.key), true)));
  for (let attempt = 1; attempt <= COMMIT_ATTEMPTS; attempt++) {
    if (attempt > 1) await (ports.pause ?? wait)(Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt));
    // 1, 2
    const head = await ports.store.readHead(tenant);
    if (head?.pending) await ports.store.materialise(tenant, head.pending);
    // 3
    const existing = await ports.store.existingKeys(tenant, unique.map((r) => r.key));
    const fresh = unique.filter((r) => !existing.has(r.key));
    if (fresh.length === 0) {
      if (head?.pending) await ports.store.clearPending(tenant, head.version);
      return { appended: 0, duplicates: records.length, treeSize: head?.treeSize ?? 0 };
    }
    // 4
    const size = head?.treeSize ?? 0;
    const entries: CommittedEntry[] = fresh.map((record, i) => {
      const entry = canonicalJson(logEntryOf(record, size + i));
      return { seq: size + i, key: record.key, entry, leafHash: leafHash(entry) };
    });
    const { frontier, completed } = appendLeaves(head?.frontier ?? EMPTY_FRONTIER, entries.map((e) => e.leafHash));
    const now = ports.clock.now();
    // 7 (decided now, recorded with the commit, sent after it)
    const lastAt = head?.checkpointRequestedAt === undefined ? undefined : Date.parse(head.checkpointRequestedAt);
    const sinceRequest = frontier.size - (head?.checkpointRequestedSize ?? 0);
    const byCount = sinceRequest >= CHECKPOINT_EVERY_ENTRIES;
    const byTime = lastAt === undefined || now.getTime() - lastAt >= CHECKPOINT_INTERVAL_MS;
    const requestCheckpoint = byCount || byTime;
    const next: HeadState = {
      tenant,
      version: (head?.version ?? 0) + 1,
      treeSize: frontier.size,
      frontier,
      rootHash: rootOfFrontier(frontier),
      updatedAt: now.toISOString(),
      pending: { entries, nodes: completed },
      signedSize: head?.signedSize ?? 0,
      checkpointRequestedAt: requestCheckpoint ? now.toISOString() : head?.checkpointRequestedAt,
      checkpointRequestedSize: requestCheckpoint ? frontier.size : head?.checkpointRequestedSize,
    };
    // 5
    if (!(await ports.store.commit(next, head?.version ?? 0))) continue;
    // 6
    await ports.store.materialise(tenant, next.pending!);
    await ports.store.clearPending(tenant, next.version);
    if (requestCheckpoint) await ports.checkpoints.request(tenant, byCount ? 0 : CHECKPOINT_INTERVAL_MS / 1000);
    return { appended: entries.length, duplicates: records.length - entries.length, treeSize: next.treeSize };
  }
  throw new Error(`The audit log of ${tenant} moved under ${COMMIT_ATTEMPTS} commits in a row`);
}
