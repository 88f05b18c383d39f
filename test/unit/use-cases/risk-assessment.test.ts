/**
 * The risk-assessment data section (004 第二十五条) from a fake AuditLogReader (the Merkle log store is room
 * A1's) and a fake incident store: counts by district and business type (distinct filings), activities by
 * class and outcome, data provided by department, incidents by type/severity/status and overdue, the year
 * bounded in China time, paging followed to the end, expired entries counted but not described, too large a
 * year refused.
 */
import { describe, expect, it } from 'vitest';
import { canonicalJson, expiryOf, logIdOf, type LogEntry } from '../../../functions/core/domain/audit-log';
import type { AuditLogReader, AuditSearch, Page, StoredLogEntry } from '../../../functions/core/ports';
import type { IncidentQuery, IncidentRecord } from '../../../functions/core/use-cases/incidents';
import { MAX_SCANNED, riskAssessment, type RiskAssessmentPorts } from '../../../functions/core/use-cases/risk-assessment';
import { classificationRows } from '../../../schemas/classification';
import { riskAssessmentSchema } from '../../../schemas/v1/risk-assessment';

type Row = StoredLogEntry & { readonly tenant: string };

/** A reader over fixed entries that answers `search` in pages of `pageSize`, recording the queries. */
function fakeReader(rows: readonly Row[], pageSize = 2): AuditLogReader & { queries: AuditSearch[] } {
  const queries: AuditSearch[] = [];
  const refuse = () => {
    throw new Error('not used');
  };
  return {
    queries,
    head: refuse,
    entries: refuse,
    seqOfKey: refuse,
    nodes: refuse,
    latestTreeHead: refuse,
    treeHeadOfSize: refuse,
    treeHeads: refuse,
    search: async (query): Promise<Page<Row>> => {
      queries.push(query);
      const matching = rows.filter((r) => query.tenants!.includes(r.tenant) && (r.entry === undefined || ((JSON.parse(r.entry) as LogEntry).at >= query.from && (JSON.parse(r.entry) as LogEntry).at < query.to)));
      const start = query.cursor === undefined ? 0 : Number(query.cursor);
      const items = matching.slice(start, start + Math.min(pageSize, query.limit));
      return { items, ...(start + items.length < matching.length ? { nextCursor: String(start + items.length) } : {}) };
    },
  };
}

let seq = 0;
function row(tenant: string, fields: Partial<LogEntry> & Pick<LogEntry, 'action'>): Row {
  const entry: LogEntry = { v: 1, logId: logIdOf(tenant), seq: seq++, key: `k${seq}`, at: '2026-03-01T00:00:00.000Z', tenant, actor: 'worker:intake', outcome: 'SUCCESS', retention: 'OPERATIONS', ...fields };
  return { tenant, seq: entry.seq, leafHash: 'ab'.repeat(32), entry: canonicalJson(entry), retention: entry.retention, expiresAt: expiryOf(entry.retention, entry.at) };
}

const incident = (fields: Partial<IncidentRecord>): IncidentRecord => ({
  incidentId: `IN${String(++seq).padStart(24, '0')}`,
  type: 'OTHER',
  severity: 'LOW',
  district: '370102',
  summary: 's',
  source: { kind: 'STAFF', staffId: 'x' },
  detectedAt: '2026-02-01T00:00:00.000Z',
  openedAt: '2026-02-01T00:00:00.000Z',
  reportDueAt: '2026-02-01T01:00:00.000Z',
  status: 'OPEN',
  version: 1,
  ...fields,
});

function ports(rows: readonly Row[], incidents: readonly IncidentRecord[] = [], now = '2026-12-02T00:00:00.000Z'): RiskAssessmentPorts & { reader: ReturnType<typeof fakeReader>; listed: IncidentQuery[] } {
  const listed: IncidentQuery[] = [];
  return {
    reader: fakeReader(rows),
    listed,
    tenants: async () => ['370102', '370103', 'security'],
    incidents: {
      list: async (query) => {
        listed.push(query);
        const start = query.cursor === undefined ? 0 : Number(query.cursor);
        const items = incidents.slice(start, start + 1);
        return { items, ...(start + 1 < incidents.length ? { nextCursor: String(start + 1) } : {}) };
      },
    },
    clock: { now: () => new Date(now) },
    classification: classificationRows(),
  };
}

const filing = (filingId: string, district: string, businessType: string) => ({ filingId, district, businessType });

describe('riskAssessment', () => {
  it('counts filings by district and business type (distinct), activities, data provided and incidents', async () => {
    // Prepare
    const rows = [
      row('370102', { action: 'REVIEW_APPROVED', actor: 'staff:a', subject: filing('F1', '370102', 'MORTGAGE_CREATE') }),
      row('370102', { action: 'CERTIFICATE_ISSUED', subject: filing('F1', '370102', 'MORTGAGE_CREATE') }),
      row('370102', { action: 'REVIEW_REFUSED', subject: filing('F2', '370102', 'TRANSFER_NEW') }),
      row('370103', { action: 'REVIEW_APPROVED', subject: filing('F3', '370103', 'MORTGAGE_CREATE') }),
      row('370102', { action: 'DATA_PROVIDED_TO_DEPARTMENT', retention: 'DATA_PROVIDED', detail: { departmentId: 'tax-370102', departmentKind: 'TAX' }, subject: filing('F2', '370102', 'TRANSFER_NEW') }),
      row('370102', { action: 'DATA_DELIVERY_FAILED', outcome: 'ERROR', retention: 'DATA_PROVIDED', detail: { departmentId: 'tax-370102', departmentKind: 'TAX' } }),
      row('370103', { action: 'STAFF_FILING_READ', outcome: 'DENIED' }),
      row('security', { action: 'INCIDENT_OPENED', retention: 'INCIDENT' }),
      row('370102', { action: 'SOMETHING_NEW' }),
      // Outside the year (China time: 2025-12-31T16:00Z is already 2026).
      row('370102', { action: 'REVIEW_APPROVED', at: '2025-12-31T15:59:59.999Z', subject: filing('F9', '370102', 'MORTGAGE_CREATE') }),
    ];
    const incidents = [
      incident({ type: 'INFORMATION_LEAK', severity: 'HIGH', overdue: ['REPORT'] }),
      incident({ type: 'SYSTEM_ANOMALY', severity: 'HIGH', status: 'CLOSED', district: 'city' }),
      incident({ type: 'OTHER', openedAt: '2025-06-01T00:00:00.000Z' }),
    ];
    const p = ports(rows, incidents);
    // Act
    const section = riskAssessmentSchema.parse(await riskAssessment(p, 2026));
    // Assess
    expect(section).toMatchObject({ year: 2026, from: '2025-12-31T16:00:00.000Z', to: '2026-12-02T00:00:00.000Z', complete: true });
    expect(section.importantData.filingsByDistrictAndBusinessType).toEqual([
      { district: '370102', businessType: 'MORTGAGE_CREATE', filings: 1 },
      { district: '370102', businessType: 'TRANSFER_NEW', filings: 1 },
      { district: '370103', businessType: 'MORTGAGE_CREATE', filings: 1 },
    ]);
    expect(section.importantData.filingsWithPersonalData).toBe(3);
    expect(section.importantData.auditEntries).toBe(9);
    expect(section.importantData.auditEntriesByRetention).toMatchObject({ OPERATIONS: 6, DATA_PROVIDED: 2, INCIDENT: 1, CORE_INCIDENT: 0 });
    expect(section.processingActivities).toContainEqual({ activityClass: 'USE', action: 'REVIEW_APPROVED', success: 2, denied: 0, error: 0 });
    expect(section.processingActivities).toContainEqual({ activityClass: 'ACCESS', action: 'STAFF_FILING_READ', success: 0, denied: 1, error: 0 });
    expect(section.processingActivities).toContainEqual({ activityClass: 'OTHER', action: 'SOMETHING_NEW', success: 1, denied: 0, error: 0 });
    expect(section.dataProvided).toEqual([{ departmentId: 'tax-370102', departmentKind: 'TAX', deliveries: 1, failures: 1 }]);
    expect(section.incidents).toMatchObject({ total: 2, overdue: 1, byType: { INFORMATION_LEAK: 1, SYSTEM_ANOMALY: 1, OTHER: 0 }, bySeverity: { HIGH: 2 }, byStatus: { OPEN: 1, CLOSED: 1 } });
    expect(section.classification.find((r) => r.table === 'filings' && r.item === 'filing')?.recordClass).toBe('IMPORTANT');
    // Every tenant read, one tenant per query, within the year; every page followed (pages of 2).
    expect(new Set(p.reader.queries.map((q) => q.tenants!.join()))).toEqual(new Set(['370102', '370103', 'security']));
    expect(p.reader.queries.every((q) => q.from === section.from && q.to === section.to)).toBe(true);
    expect(p.reader.queries.length).toBeGreaterThan(3);
    // City-wide: the incident listing is not restricted to districts.
    expect(p.listed[0]?.districts).toBeUndefined();
    // Counts only: no filing id, actor or department's personal data in the section.
    expect(JSON.stringify(section)).not.toMatch(/"F1"|staff:a/);
  });

  it('counts expired entries by retention class only and says the section is incomplete', async () => {
    const expired: Row = { tenant: '370102', seq: 99, leafHash: 'cd'.repeat(32), retention: 'OPERATIONS', expiresAt: 0 };
    const section = await riskAssessment(ports([expired, row('370102', { action: 'REVIEW_APPROVED' })]), 2026);
    expect(section.complete).toBe(false);
    expect(section.importantData.auditEntries).toBe(2);
    expect(section.processingActivities.map((a) => a.action)).toEqual(['REVIEW_APPROVED']);
  });

  it('covers a whole past year and refuses a future one', async () => {
    const section = await riskAssessment(ports([]), 2025);
    expect([section.from, section.to]).toEqual(['2024-12-31T16:00:00.000Z', '2025-12-31T16:00:00.000Z']);
    await expect(riskAssessment(ports([]), 2027)).rejects.toMatchObject({ status: 422, code: 'YEAR_IN_FUTURE' });
  });

  it('refuses a year holding more entries than it may count, rather than answer in part', async () => {
    const many = Array.from({ length: MAX_SCANNED + 1 }, () => ({ tenant: '370102', seq: 0, leafHash: '', retention: 'OPERATIONS' as const, expiresAt: 0 }));
    const p = ports([]);
    const big: AuditLogReader = { ...p.reader, search: async () => ({ items: many }) };
    await expect(riskAssessment({ ...p, reader: big }, 2026)).rejects.toMatchObject({ status: 422, code: 'RANGE_TOO_LARGE' });
  });
});
