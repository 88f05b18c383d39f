/**
 * Search, trace and statistics over the audit logs (002 五(二)4: 查询、追溯、统计 by district, time, business
 * type and institution; DESIGN.md §5), through the AuditLogReader port, limited to the logs the caller may
 * read (audit-access.ts). Every read is bounded: pages of at most 500, statistics over at most 31 days and
 * 200,000 entries (422 beyond: narrow the range).
 */
import type { LogEntry, RetentionClass } from '../domain/audit-log';
import { unprocessable } from '../domain/errors';
import type { StaffAccount } from '../domain/staff';
import type { AuditLogReader, AuditSearch, Clock } from '../ports';
import { assertMayReadLog, isDistrictTenant, readableLogs } from './audit-access';

const DAY_MS = 86_400_000;
export const MAX_SEARCH_DAYS = 366;
/** A trace covers the longest retention (3 years and a margin): everything the log may still hold. */
export const TRACE_DAYS = 1_200;
export const MAX_STATISTICS_DAYS = 31;
export const MAX_STATISTICS_ENTRIES = 200_000;
const STATISTICS_PAGE = 1_000;

export interface EntryView {
  readonly tenant: string;
  readonly seq: number;
  readonly leafHash: string;
  readonly retention: RetentionClass;
  /** Absent once the entry's content is past its retention. */
  readonly entry?: LogEntry;
}

export interface SearchQuery {
  readonly tenant?: string;
  readonly actor?: string;
  readonly target?: string;
  readonly action?: string;
  readonly outcome?: AuditSearch['outcome'];
  readonly institutionId?: string;
  readonly from?: string;
  readonly to?: string;
  readonly limit: number;
  readonly cursor?: string;
}

function rangeOf(clock: Clock, from: string | undefined, to: string | undefined, maxDays: number): { from: string; to: string } {
  const end = to ?? clock.now().toISOString();
  const start = from ?? new Date(Date.parse(end) - Math.min(maxDays, 31) * DAY_MS).toISOString();
  if (Date.parse(start) >= Date.parse(end)) throw unprocessable('TIME_RANGE_INVALID', '`from` must be before `to`.');
  if (Date.parse(end) - Date.parse(start) > maxDays * DAY_MS) throw unprocessable('TIME_RANGE_TOO_WIDE', `The time range may span at most ${maxDays} days.`);
  return { from: start, to: end };
}

/**
 * The logs a query reads: the tenant named (which the caller must be allowed), else — for a search by actor
 * or target across logs — none named (every log), the answer then limited to the readable ones.
 */
function tenantsOf(staff: StaffAccount, tenant: string | undefined, acrossLogs: boolean): string[] | undefined {
  if (tenant !== undefined) {
    assertMayReadLog(staff, tenant);
    return [tenant];
  }
  // Only auditors read across logs; an administrator reads their own district's.
  return acrossLogs && staff.role === 'AUDITOR' ? undefined : [staff.district];
}

const viewOf = (item: { tenant: string; seq: number; leafHash: string; retention: RetentionClass; entry?: string }): EntryView => ({
  tenant: item.tenant,
  seq: item.seq,
  leafHash: item.leafHash,
  retention: item.retention,
  ...(item.entry ? { entry: JSON.parse(item.entry) as LogEntry } : {}),
});

export async function searchEntries(
  ports: { reader: AuditLogReader; clock: Clock },
  staff: StaffAccount,
  query: SearchQuery,
  maxDays: number = MAX_SEARCH_DAYS,
): Promise<{ items: EntryView[]; nextCursor?: string }> {
  const range = rangeOf(ports.clock, query.from, query.to, maxDays);
  const tenants = tenantsOf(staff, query.tenant, query.actor !== undefined || query.target !== undefined);
  const page = await ports.reader.search({
    ...(tenants ? { tenants } : {}),
    actor: query.actor,
    target: query.target,
    action: query.action,
    outcome: query.outcome,
    institutionId: query.institutionId,
    ...range,
    limit: query.limit,
    cursor: query.cursor,
  });
  // Across logs the store answers every log: keep those the caller may read (another district's are never shown).
  const readable = new Set(readableLogs(staff, [...new Set(page.items.map((i) => i.tenant))]));
  return { items: page.items.filter((i) => readable.has(i.tenant)).map(viewOf), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
}

/** Everything about a filing (its target id) or everything a staff member did (actor `staff:<id>`), time-ordered. */
export async function trace(
  ports: { reader: AuditLogReader; clock: Clock },
  staff: StaffAccount,
  query: { filingId?: string; staffId?: string; from?: string; to?: string; limit: number; cursor?: string },
): Promise<{ items: EntryView[]; nextCursor?: string }> {
  // One reading of the clock for both ends: two readings a millisecond apart would make the default range
  // a millisecond wider than TRACE_DAYS and refuse it.
  const to = query.to ?? ports.clock.now().toISOString();
  const result = await searchEntries(ports, staff, {
    ...(query.filingId !== undefined ? { target: query.filingId } : { actor: `staff:${query.staffId}` }),
    from: query.from ?? new Date(Date.parse(to) - TRACE_DAYS * DAY_MS).toISOString(),
    to,
    limit: query.limit,
    cursor: query.cursor,
  }, TRACE_DAYS);
  const items = [...result.items].sort((a, b) => (a.entry?.at ?? '').localeCompare(b.entry?.at ?? ''));
  return { ...result, items };
}

export const STATISTICS_GROUPS = ['district', 'institution', 'businessType', 'day', 'action', 'outcome'] as const;
export type StatisticsGroup = (typeof STATISTICS_GROUPS)[number];

/** China Standard Time calendar day of an instant (the registry's working day). */
const cstDay = (at: string): string => new Date(Date.parse(at) + 8 * 3_600_000).toISOString().slice(0, 10);

const groupValue = (group: StatisticsGroup, tenant: string, entry: LogEntry | undefined): string => {
  if (!entry) return '(expired)';
  switch (group) {
    case 'district':
      return entry.subject?.district ?? (isDistrictTenant(tenant) ? tenant : '(none)');
    case 'institution':
      return entry.subject?.institutionId ?? (!isDistrictTenant(tenant) && /^[0-9A-Z]{18}$|^INST/.test(tenant) ? tenant : '(none)');
    case 'businessType':
      return entry.subject?.businessType ?? '(none)';
    case 'day':
      return cstDay(entry.at);
    case 'action':
      return entry.action;
    case 'outcome':
      return entry.outcome;
  }
};

export interface StatisticsAnswer {
  readonly from: string;
  readonly to: string;
  readonly groupBy: readonly StatisticsGroup[];
  readonly total: number;
  readonly groups: readonly { readonly key: Readonly<Record<string, string>>; readonly count: number }[];
}

/** Counts entries of the logs read, grouped; a bounded scan (31 days, 200,000 entries). */
export async function statistics(
  ports: { reader: AuditLogReader; clock: Clock },
  staff: StaffAccount,
  query: { from?: string; to?: string; groupBy: readonly StatisticsGroup[]; tenant?: string; action?: string },
): Promise<StatisticsAnswer> {
  const range = rangeOf(ports.clock, query.from, query.to, MAX_STATISTICS_DAYS);
  const tenants = tenantsOf(staff, query.tenant, false)!;
  const counts = new Map<string, { key: Record<string, string>; count: number }>();
  let total = 0;
  let cursor: string | undefined;
  do {
    const page = await ports.reader.search({ tenants, action: query.action, ...range, limit: STATISTICS_PAGE, cursor });
    for (const item of page.items) {
      total += 1;
      if (total > MAX_STATISTICS_ENTRIES) throw unprocessable('STATISTICS_TOO_MANY_ENTRIES', `More than ${MAX_STATISTICS_ENTRIES} entries in range: narrow the time range.`);
      const entry = item.entry ? (JSON.parse(item.entry) as LogEntry) : undefined;
      const key = Object.fromEntries(query.groupBy.map((group) => [group, groupValue(group, item.tenant, entry)]));
      const id = JSON.stringify(query.groupBy.map((group) => key[group]));
      const slot = counts.get(id) ?? { key, count: 0 };
      slot.count += 1;
      counts.set(id, slot);
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  const groups = [...counts.values()].sort((a, b) => b.count - a.count || JSON.stringify(a.key).localeCompare(JSON.stringify(b.key)));
  return { ...range, groupBy: query.groupBy, total, groups };
}
