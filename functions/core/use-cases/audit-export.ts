/**
 * Exports of a tenant's audit log (DESIGN.md §5: export with a signed manifest; 004 第二十三条) in the JSON
 * Lines format that `client/zt-audit.ts` and `npm run audit:verify` check — documented byte for byte in
 * `docs/audit-log.md` and `client/README.md`. Every line is canonical JSON (audit-log.ts `canonicalJson`)
 * followed by `\n`:
 *
 *   header    {"type":"header","v":1,"logId","tenant","fromSeq","complete","frontier","exportedAt","keyId","publicKey"}
 *                                                                            (+ "filter" when filtered)
 *   entry     {"type":"entry","seq","leafHash","entry":<LogEntry>}           (+ "inclusion" when filtered)
 *   expired   {"type":"expired","seq","leafHash","retention"}                (content past its retention)
 *   treeHead  {"type":"treeHead","treeHead","signature","keyId","previousTreeSize","consistency"}
 *   manifest  {"type":"manifest","lines","entries","exportHash","exportedAt","treeHead","signature","keyId",
 *              "platformKeyId","platformPublicKey","platformSignature"}
 *
 * A complete export holds every entry from `fromSeq` to the manifest's signed head, with a treeHead line
 * right after the entry that completes each signed head in range (`previousTreeSize`: the previous treeHead
 * line's size, or `fromSeq` for the first; `consistency`: the RFC 9162 proof between the two). A filtered
 * export (`complete: false`) holds the matching entries only, each with its inclusion proof in the manifest's head.
 *
 * The manifest's `signature`/`keyId` are the end tree head's (log key). The log key cannot vouch for what an export
 * left out, so the manifest is also signed by the platform key (`platformSignature`, SM2 over canonical JSON of the
 * manifest without that member): it binds the counts, `exportHash` (hence the header's `complete` and `filter`),
 * `exportedAt` and the end head, so that dropping entries, relabelling a complete export as filtered or changing
 * the filter cannot be hidden by recomputing `exportHash`. The platform key, not the log key: only the checkpoint
 * may sign with the log key (DESIGN.md §5).
 */
import { canonicalJson, logIdOf, longerRetention, RETENTION_CLASSES, type LogEntry, type RetentionClass, type SignedTreeHead } from '../domain/audit-log';
import { notFound, unprocessable } from '../domain/errors';
import { consistencyProof, inclusionProof, perfectCover, type Frontier } from '../domain/merkle';
import type { AuditLogReader, Clock, ExportStore, PlatformSigner, StoredLogEntry } from '../ports';
import { sm3Hex } from '../../shared/crypto/sm3';

/** At most this many entries per export (use ranges beyond: 422 EXPORT_TOO_LARGE). */
export const MAX_EXPORT_ENTRIES = 50_000;

const isSeq = (value: number | undefined): boolean => value === undefined || (Number.isSafeInteger(value) && value >= 0);

/**
 * Refuses a range on its face, before anything is read: `fromSeq` and `toSeq` integers ≥ 0 (safe), `toSeq` ≥ 1 and
 * above `fromSeq` (422 EXPORT_RANGE_INVALID); at most {@link MAX_EXPORT_ENTRIES} entries when `toSeq` is given
 * (422 EXPORT_TOO_LARGE: the requested width, whatever the log holds, so the answer does not depend on its size).
 */
export function checkExportRange(request: Pick<ExportRequest, 'fromSeq' | 'toSeq'>): void {
  const { fromSeq, toSeq } = request;
  if (!isSeq(fromSeq) || !isSeq(toSeq) || toSeq === 0) {
    throw unprocessable('EXPORT_RANGE_INVALID', '`fromSeq` and `toSeq` are integers ≥ 0 (`toSeq` ≥ 1, exclusive).');
  }
  if (toSeq !== undefined && (fromSeq ?? 0) >= toSeq) throw unprocessable('EXPORT_RANGE_INVALID', '`fromSeq` must be below `toSeq` (exclusive).');
  if (toSeq !== undefined && toSeq - (fromSeq ?? 0) > MAX_EXPORT_ENTRIES) {
    throw unprocessable('EXPORT_TOO_LARGE', `At most ${MAX_EXPORT_ENTRIES} entries per export: export in ranges (fromSeq, toSeq).`);
  }
}
const READ_CHUNK = 1_000;

export interface ExportFilter {
  readonly action?: string;
  readonly actor?: string;
  readonly target?: string;
  readonly from?: string;
  readonly to?: string;
}

export interface ExportRequest {
  readonly tenant: string;
  /** The first seq (default 0); as received: {@link checkExportRange} refuses what is not a seq. */
  readonly fromSeq?: number;
  /** Exclusive: the export ends at the latest signed head of size ≤ toSeq (default: the latest head; beyond the log, a bound). */
  readonly toSeq?: number;
  readonly filter?: ExportFilter;
}

/** The log key's public half, as a `TreeHeadSigner` exposes it (no signing here). */
export interface LogPublicKey {
  readonly keyId: string;
  publicKeyHex(): Promise<string>;
}

export interface ExportPorts {
  readonly reader: AuditLogReader;
  readonly logKey: LogPublicKey;
  /** Signs the manifest (the platform key: KMS SM2 on AWS, the local keyring locally). */
  readonly platformSigner: PlatformSigner;
  readonly clock: Clock;
}

export interface ExportManifest {
  readonly type: 'manifest';
  readonly lines: number;
  readonly entries: number;
  readonly exportHash: string;
  readonly exportedAt: string;
  readonly treeHead: SignedTreeHead['treeHead'];
  /** The end tree head's signature and key (the log key). */
  readonly signature: string;
  readonly keyId: string;
  readonly platformKeyId: string;
  readonly platformPublicKey: string;
  /** Base64 DER SM2 (SM3 over Z ‖ M, default user id) over canonical JSON of the manifest without this member. */
  readonly platformSignature: string;
}

export interface BuiltExport {
  readonly body: Buffer;
  readonly manifest: ExportManifest;
  /** The longest-kept retention class among the entries (the export is kept as long). */
  readonly retention: RetentionClass;
}

const matches = (entry: LogEntry, filter: ExportFilter): boolean =>
  (filter.action === undefined || entry.action === filter.action) &&
  (filter.actor === undefined || entry.actor === filter.actor) &&
  (filter.target === undefined || entry.target === filter.target) &&
  (filter.from === undefined || entry.at >= filter.from) &&
  (filter.to === undefined || entry.at < filter.to);

/**
 * Builds an export.
 *
 * 1. Refuse a malformed or inverted range (422 EXPORT_RANGE_INVALID) or a requested one above
 *    {@link MAX_EXPORT_ENTRIES} (422 EXPORT_TOO_LARGE), before reading anything ({@link checkExportRange}).
 * 2. Pick the head the export ends at: the latest signed tree head, or the latest of size ≤ `toSeq`; refuse a range
 *    no signed head covers (422 EXPORT_EMPTY) or, without `toSeq`, more than the limit up to the latest head.
 * 3. Read the frontier before `fromSeq` (stored perfect subtrees), the signed heads in range, the entries in chunks.
 * 4. Write the lines, a treeHead line after each head's last entry (complete) or an inclusion proof per entry (filtered).
 * 5. Close with the manifest: line and entry counts, SM3 of every preceding byte, the end head, signed by the platform key.
 */
export async function buildExport(ports: ExportPorts, request: ExportRequest): Promise<BuiltExport> {
  checkExportRange(request);
  const { reader } = ports;
  const { tenant } = request;
  const fromSeq = request.fromSeq ?? 0;
  const latest = await reader.latestTreeHead(tenant);
  if (!latest) throw notFound('AUDIT_LOG_NOT_FOUND', 'This log has no signed tree head yet.');
  const limitSize = Math.min(request.toSeq ?? latest.treeHead.treeSize, latest.treeHead.treeSize);
  if (limitSize <= fromSeq) throw unprocessable('EXPORT_EMPTY', 'No signed tree head covers an entry of this range (yet).');
  if (limitSize - fromSeq > MAX_EXPORT_ENTRIES) {
    throw unprocessable('EXPORT_TOO_LARGE', `At most ${MAX_EXPORT_ENTRIES} entries per export: export in ranges (fromSeq, toSeq).`);
  }
  const heads = await reader.treeHeads(tenant, { fromSize: fromSeq + 1, toSize: limitSize, limit: MAX_EXPORT_ENTRIES });
  const end = heads.at(-1);
  if (!end) throw unprocessable('EXPORT_EMPTY', 'No signed tree head covers an entry of this range (yet): none ends inside it.');
  const endSize = end.treeHead.treeSize;
  const nodes = reader.nodes(tenant);
  const cover = perfectCover(0, fromSeq);
  const frontier: Frontier = { size: fromSeq, levels: cover.map((c) => c.level), hashes: await Promise.all(cover.map((c) => nodes(c.level, c.index))) };
  const exportedAt = ports.clock.now().toISOString();
  const publicKey = await ports.logKey.publicKeyHex();
  const filter = request.filter;
  const complete = filter === undefined;

  const lines: string[] = [];
  lines.push(canonicalJson({ type: 'header', v: 1, logId: logIdOf(tenant), tenant, fromSeq, complete, ...(filter ? { filter } : {}), frontier, exportedAt, keyId: ports.logKey.keyId, publicKey }));
  const headsBySize = new Map(heads.map((h) => [h.treeHead.treeSize, h]));
  let previousTreeSize = fromSeq;
  let entryLines = 0;
  let retention: RetentionClass = 'OPERATIONS';
  for (let at = fromSeq; at < endSize; at += READ_CHUNK) {
    const stored = await reader.entries(tenant, at, Math.min(at + READ_CHUNK, endSize));
    if (stored.length !== Math.min(READ_CHUNK, endSize - at) || stored.some((s, i) => s.seq !== at + i)) throw new Error(`audit log ${tenant} has a gap at ${at}`);
    for (const item of stored) {
      retention = longerRetention(retention, item.retention);
      const line = await entryLine(item, complete ? undefined : filter, async () => inclusionProof(nodes, item.seq, endSize));
      if (line !== undefined) {
        lines.push(line);
        entryLines += 1;
      }
      const head = complete ? headsBySize.get(item.seq + 1) : undefined;
      if (head) {
        const consistency = await consistencyProof(nodes, previousTreeSize, head.treeHead.treeSize);
        lines.push(canonicalJson({ type: 'treeHead', treeHead: head.treeHead, signature: head.signature, keyId: head.keyId, previousTreeSize, consistency }));
        previousTreeSize = head.treeHead.treeSize;
      }
    }
  }
  const preceding = lines.map((line) => `${line}\n`).join('');
  const unsigned: Omit<ExportManifest, 'platformSignature'> = {
    type: 'manifest',
    lines: lines.length,
    entries: entryLines,
    exportHash: sm3Hex(Buffer.from(preceding, 'utf8')),
    exportedAt,
    treeHead: end.treeHead,
    signature: end.signature,
    keyId: end.keyId,
    platformKeyId: ports.platformSigner.keyId,
    platformPublicKey: await ports.platformSigner.publicKeyHex(),
  };
  const platformSignature = (await ports.platformSigner.sign(Buffer.from(canonicalJson(unsigned), 'utf8'))).toString('base64');
  const manifest: ExportManifest = { ...unsigned, platformSignature };
  return { body: Buffer.from(`${preceding}${canonicalJson(manifest)}\n`, 'utf8'), manifest, retention };
}

async function entryLine(item: StoredLogEntry, filter: ExportFilter | undefined, inclusion: () => Promise<string[]>): Promise<string | undefined> {
  if (item.entry === undefined) {
    // Expired content cannot match a filter; in a complete export its leaf hash keeps the tree whole.
    return filter ? undefined : canonicalJson({ type: 'expired', seq: item.seq, leafHash: item.leafHash, retention: item.retention });
  }
  const entry = JSON.parse(item.entry) as LogEntry;
  if (filter && !matches(entry, filter)) return undefined;
  return canonicalJson({ type: 'entry', seq: item.seq, leafHash: item.leafHash, entry, ...(filter ? { inclusion: await inclusion() } : {}) });
}

/** What creating an export answers: its id and manifest. Where the store keeps it stays inside (no bucket, key or path). */
export interface CreatedExport {
  readonly exportId: string;
  readonly manifest: ExportManifest;
}

/** The key of an export in the store. */
export const exportKeyOf = (exportId: string): string => `exports/${exportId}.jsonl`;

/**
 * Builds an export and keeps it, locked for the retention of its longest-kept entry class (S3 Object Lock
 * in compliance mode: not even the account root can delete it before then).
 */
export async function createExport(ports: ExportPorts & { readonly exports: ExportStore; readonly newId: () => string }, request: ExportRequest): Promise<CreatedExport> {
  const built = await buildExport(ports, request);
  const exportId = ports.newId();
  const retainUntil = new Date(ports.clock.now().getTime() + RETENTION_CLASSES[built.retention].days * 86_400_000);
  await ports.exports.put(exportKeyOf(exportId), built.body, { retainUntil, contentType: 'application/x-ndjson' });
  return { exportId, manifest: built.manifest };
}

/** Reads a kept export and the tenant its header names (the caller checks it may read that log). */
export async function readExport(exports: ExportStore, exportId: string): Promise<{ readonly tenant: string; readonly body: Buffer }> {
  const body = await exports.get(exportKeyOf(exportId));
  if (!body) throw notFound('EXPORT_NOT_FOUND', 'No export with this id exists.');
  const firstLine = body.subarray(0, body.indexOf(0x0a)).toString('utf8');
  const header = JSON.parse(firstLine) as { tenant: string };
  return { tenant: header.tenant, body };
}
