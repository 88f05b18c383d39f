/**
 * The verifiable audit log (DESIGN.md §5; 002 五(二)4; 004 第二十三条): one append-only Merkle log per
 * tenant (functions/core/domain/merkle.ts), entries in sequence without gaps, tree heads signed with a key
 * the writers cannot use. This module says what an entry is, its exact bytes, its retention class, and
 * what a tree head signs — the contract that `client/` verifiers and independent auditors implement.
 *
 * Exact bytes: an entry's leaf input is {@link canonicalJson} of the {@link LogEntry}, UTF-8. A tree
 * head's signed message is canonicalJson of {@link TreeHead}, UTF-8, SM2-signed (SM3, default user id
 * `1234567812345678`, DER, base64) — the same signature scheme as channel requests (DESIGN.md §7).
 */
import type { AuditDraft } from './lifecycle';

/**
 * Retention classes (DESIGN.md §5; 004 第二十三条; 002 五(二)4): operations and interface calls ≥ 1 year;
 * logs of important-data incident handling and tracing ≥ 1 year; data provided to other departments ≥ 3
 * years; core-data incidents ≥ 3 years. Days are the minimum plus a margin, never less than the rule.
 */
export const RETENTION_CLASSES = {
  OPERATIONS: { days: 400, minimumYears: 1, what: 'operations, interface calls and errors' },
  INCIDENT: { days: 400, minimumYears: 1, what: 'handling and tracing of important-data incidents' },
  DATA_PROVIDED: { days: 1_125, minimumYears: 3, what: 'data provided to other departments' },
  CORE_INCIDENT: { days: 1_125, minimumYears: 3, what: 'core-data incidents' },
} as const;

export type RetentionClass = keyof typeof RETENTION_CLASSES;
export const RETENTION_CLASS_NAMES = Object.keys(RETENTION_CLASSES) as RetentionClass[];

/** When an entry of `retention` written at `at` may expire (epoch seconds). */
export const expiryOf = (retention: RetentionClass, at: string): number => Math.floor(Date.parse(at) / 1000) + RETENTION_CLASSES[retention].days * 86_400;

/** The longer-kept of two classes (an export holding both is kept as long as its longest-kept entry). */
export const longerRetention = (a: RetentionClass, b: RetentionClass): RetentionClass => (RETENTION_CLASSES[b].days > RETENTION_CLASSES[a].days ? b : a);

/**
 * Data classes (004 第九、十条): general / important / core. A record mixing classes takes the stricter.
 * Declared per stored field next to the schemas (schemas/classification.ts).
 */
export const DATA_CLASSES = ['GENERAL', 'IMPORTANT', 'CORE'] as const;
export type DataClass = (typeof DATA_CLASSES)[number];
export const stricterClass = (a: DataClass, b: DataClass): DataClass => (DATA_CLASSES.indexOf(b) > DATA_CLASSES.indexOf(a) ? b : a);

/** The id of a tenant's log, part of every entry and tree head (so a head of one log never passes for another's). */
export const logIdOf = (tenant: string): string => `zhitong/audit/v1/${tenant}`;

/**
 * Whose log: a district code (registry operations of that district's staff and workers), an institution id
 * (its channels' calls and its filings' lifecycle), `department:<id>`, `public` (citizen lookups,
 * certificate verifications), `unauthenticated` (denied calls nobody authenticated), `security` (the
 * misuse detector and incidents, city-wide).
 */
export const TENANT = /^[A-Za-z0-9:_-]{1,80}$/;

/**
 * One log entry, as its bytes are hashed. `seq` is its leaf index (0-based, no gaps); `key` is its
 * deduplication key (a lifecycle effect's id, `batch:<batchId>` for a batch's receipt entry, otherwise a
 * random id chosen when the record was made), so an entry is appended at most once however often it is sent.
 */
export interface LogEntry {
  readonly v: 1;
  readonly logId: string;
  readonly seq: number;
  readonly key: string;
  readonly at: string;
  readonly tenant: string;
  readonly actor: string;
  readonly action: string;
  readonly outcome: AuditDraft['outcome'];
  readonly retention: RetentionClass;
  readonly target?: string;
  readonly subject?: AuditSubject;
  readonly detail?: Readonly<Record<string, string | number | boolean>>;
}

/** What an entry is about, for statistics by district, business type and institution (002 五(二)4). Ids and codes only. */
export interface AuditSubject {
  readonly institutionId?: string;
  readonly channelId?: string;
  readonly district?: string;
  readonly businessType?: string;
  readonly filingId?: string;
}

/** The tree head a checkpoint signs (RFC 9162 §4.10 in spirit): what the log held at `timestamp`. */
export interface TreeHead {
  readonly logId: string;
  readonly treeSize: number;
  /** Lowercase hex MTH of the first `treeSize` entries. */
  readonly rootHash: string;
  /** ISO 8601 UTC, milliseconds. */
  readonly timestamp: string;
}

export interface SignedTreeHead {
  readonly treeHead: TreeHead;
  /** base64 DER SM2 signature over canonicalJson(treeHead). */
  readonly signature: string;
  /** Names the log-signing key (`<prefix>:<16 hex of SM3(public key)>`). */
  readonly keyId: string;
}

/**
 * Canonical JSON (RFC 8785 for the values we log): object members sorted by UTF-16 code units, no
 * whitespace, strings as JSON.stringify writes them, integers only (a fraction or a non-finite number is
 * refused: no float formatting differences between implementations), `undefined` members left out.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isSafeInteger(value)) throw new TypeError('canonical JSON holds safe integers only');
      return String(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
      const members = Object.entries(value as Record<string, unknown>)
        .filter(([, member]) => member !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${members.map(([name, member]) => `${JSON.stringify(name)}:${canonicalJson(member)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
  }
}

/** The bytes a log hashes for an entry (its leaf input). */
export const entryBytes = (entry: LogEntry): Buffer => Buffer.from(canonicalJson(entry), 'utf8');

/** The bytes a tree-head signature covers. */
export const treeHeadBytes = (head: TreeHead): Buffer =>
  Buffer.from(canonicalJson({ logId: head.logId, rootHash: head.rootHash, timestamp: head.timestamp, treeSize: head.treeSize }), 'utf8');
