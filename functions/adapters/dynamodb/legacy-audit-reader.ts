/**
 * A bridge, until the Merkle log's read store (room A1, `auditLogReaderFromEnv`) lands: `AuditLogReader.search`
 * over today's audit table (records per tenant and UTC day), for the risk-assessment data section only. It
 * answers the port's shape (one page per tenant and day, the cursor being the next day), with `seq` the
 * position within the day and no leaf hash. The other methods refuse: nothing may build proofs on it.
 *
 * Integrator: replace `legacyAuditReaderFromEnv()` by A1's reader in functions/handlers/get-risk-assessment.ts
 * and delete this file.
 */
import { canonicalJson, expiryOf, logIdOf, type LogEntry } from '../../core/domain/audit-log';
import { badRequest } from '../../core/domain/errors';
import type { AuditLogReader, AuditSearch, Page, StoredLogEntry } from '../../core/ports';
import { auditLogFromEnv, type DynamoAuditLog } from './audit-log';

const DAY_MS = 86_400_000;
const notHere = (): never => {
  throw new Error('The legacy audit reader serves search only (the Merkle log store replaces it)');
};

export class LegacyAuditReader implements AuditLogReader {
  constructor(private readonly log: Pick<DynamoAuditLog, 'listAudit'>) {}

  head = notHere;
  entries = notHere;
  seqOfKey = notHere;
  nodes = notHere;
  latestTreeHead = notHere;
  treeHeadOfSize = notHere;
  treeHeads = notHere;

  async search(query: AuditSearch): Promise<Page<StoredLogEntry & { readonly tenant: string }>> {
    const tenants = query.tenants ?? [];
    if (tenants.length !== 1 || query.actor !== undefined || query.target !== undefined) throw new Error('The legacy audit reader searches one tenant by time only');
    const tenant = tenants[0]!;
    const first = Date.UTC(...ymd(query.from));
    let day = first;
    if (query.cursor !== undefined) {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(query.cursor)) throw badRequest('CURSOR_INVALID', 'The cursor is not one this listing returned; start again without it.');
      day = Date.parse(`${query.cursor}T00:00:00Z`);
    }
    const items: (StoredLogEntry & { tenant: string })[] = [];
    // Days with nothing are skipped in one page (up to 31 at a time), so a sparse year takes few round trips.
    for (let looked = 0; looked < 31 && day < Date.parse(query.to); looked++, day += DAY_MS) {
      const records = await this.log.listAudit(tenant, new Date(day).toISOString().slice(0, 10));
      records
        .filter((r) => r.at >= query.from && r.at < query.to && (query.action === undefined || r.action === query.action) && (query.outcome === undefined || r.outcome === query.outcome))
        .forEach((record, seq) => {
          const retention = record.retention ?? 'OPERATIONS';
          const entry: LogEntry = {
            v: 1,
            logId: logIdOf(tenant),
            seq,
            key: record.id ?? `${record.at}:${seq}`,
            at: record.at,
            tenant,
            actor: record.actor,
            action: record.action,
            outcome: record.outcome,
            retention,
            ...(record.target !== undefined ? { target: record.target } : {}),
            ...(record.subject !== undefined ? { subject: record.subject } : {}),
            ...(record.detail !== undefined ? { detail: record.detail } : {}),
          };
          items.push({ tenant, seq, leafHash: '', entry: canonicalJson(entry), retention, expiresAt: expiryOf(retention, record.at) });
        });
      if (items.length > 0) {
        day += DAY_MS;
        break;
      }
    }
    return { items, ...(day < Date.parse(query.to) ? { nextCursor: new Date(day).toISOString().slice(0, 10) } : {}) };
  }
}

function ymd(iso: string): [number, number, number] {
  const d = new Date(iso);
  return [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()];
}

export const legacyAuditReaderFromEnv = (): LegacyAuditReader => new LegacyAuditReader(auditLogFromEnv());
