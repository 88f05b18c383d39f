/**
 * The data section of the yearly risk assessment (004 第二十五条: 处理重要数据的种类、数量，开展数据处理活动的情况，
 * 数据安全风险及其应对措施): produced on demand from what the platform already keeps —
 * 1. the year's audit entries of every tenant (districts, institutions, `security`), read through the log's
 *    read port (`AuditLogReader.search`), bounded: a year holding more than {@link MAX_SCANNED} entries is
 *    refused 422 rather than answered in part;
 * 2. from them: filings processed by district and business type (distinct filing ids: every filing holds its
 *    parties' sealed personal information, IMPORTANT data), processing activities by class and action,
 *    outcomes, data provided to other departments by department (DATA_PROVIDED entries);
 * 3. incidents by type, severity and status, and how many are overdue (the `security` table);
 * 4. the classification table (schemas/classification.ts): what is important or core, field by field.
 * Counts only: no ids of people, no names.
 */
import { RETENTION_CLASSES, type LogEntry } from '../domain/audit-log';
import { INCIDENT_SEVERITIES, INCIDENT_STATUSES, INCIDENT_TYPE_NAMES, type IncidentSeverity, type IncidentStatus, type IncidentType } from '../domain/incident';
import { unprocessable } from '../domain/errors';
import type { AuditLogReader } from '../ports';
import type { IncidentStore } from './incidents';

/** More entries than this in a year: refused (a partial count would understate the risk). */
export const MAX_SCANNED = 200_000;
const PAGE = 1_000;

/**
 * Processing activities (数据处理活动: 收集、存储、使用、加工、传输、提供、公开) by audit action. An action not
 * listed counts under its own name in class OTHER, so a new action shows up rather than disappears.
 */
export const ACTIVITY_CLASSES: Readonly<Record<string, 'COLLECTION' | 'USE' | 'PROVISION' | 'DISCLOSURE' | 'ACCESS' | 'SECURITY'>> = {
  BATCH_SUBMITTED: 'COLLECTION',
  FILING_CORRECTED: 'COLLECTION',
  INTAKE_ACCEPTED: 'USE',
  INTAKE_REFUSED: 'USE',
  INTAKE_CORRECTION_REQUIRED: 'USE',
  INTAKE_HELD_FOR_REVIEW: 'USE',
  INTAKE_ACCEPTED_BY_STAFF: 'USE',
  INTAKE_REFUSED_BY_STAFF: 'USE',
  COORDINATION_STARTED: 'USE',
  COORDINATION_COMPLETED: 'USE',
  REVIEW_APPROVED: 'USE',
  REVIEW_REFUSED: 'USE',
  CERTIFICATE_ISSUED: 'USE',
  DATA_PROVIDED_TO_DEPARTMENT: 'PROVISION',
  DATA_DELIVERY_FAILED: 'PROVISION',
  DEPARTMENT_RESULT_RECORDED: 'PROVISION',
  PERSONAL_DATA_UNMASKED: 'DISCLOSURE',
  CERTIFICATE_DOWNLOADED: 'DISCLOSURE',
  CERTIFICATE_VERIFIED: 'DISCLOSURE',
  FILING_READ: 'ACCESS',
  STAFF_FILING_READ: 'ACCESS',
  BATCH_READ: 'ACCESS',
  LIST_STAFF_FILINGS: 'ACCESS',
  GET_STAFF_FILING: 'ACCESS',
  MISUSE_DETECTED: 'SECURITY',
  INCIDENT_OPENED: 'SECURITY',
  INCIDENT_ESCALATED: 'SECURITY',
};

export interface RiskAssessmentPorts {
  readonly reader: AuditLogReader;
  /** Every tenant whose log holds the year's processing (districts, institutions, `security`). */
  readonly tenants: () => Promise<readonly string[]>;
  readonly incidents: Pick<IncidentStore, 'list'>;
  readonly clock: { now(): Date };
  /** The classification table's rows (schemas/classification.ts), passed in: the core does not import schemas. */
  readonly classification: readonly { readonly table: string; readonly item: string; readonly recordClass: string; readonly fields: number; readonly important: number; readonly core: number }[];
}

export interface RiskAssessment {
  readonly year: number;
  readonly from: string;
  readonly to: string;
  readonly generatedAt: string;
  readonly complete: boolean;
  readonly importantData: {
    readonly filingsByDistrictAndBusinessType: readonly { readonly district: string; readonly businessType: string; readonly filings: number }[];
    readonly filingsWithPersonalData: number;
    readonly auditEntries: number;
    readonly auditEntriesByRetention: Readonly<Record<string, number>>;
  };
  readonly processingActivities: readonly { readonly activityClass: string; readonly action: string; readonly success: number; readonly denied: number; readonly error: number }[];
  readonly dataProvided: readonly { readonly departmentId: string; readonly departmentKind: string; readonly deliveries: number; readonly failures: number }[];
  readonly incidents: {
    readonly total: number;
    readonly byType: Readonly<Record<IncidentType, number>>;
    readonly bySeverity: Readonly<Record<IncidentSeverity, number>>;
    readonly byStatus: Readonly<Record<IncidentStatus, number>>;
    readonly overdue: number;
  };
  readonly classification: RiskAssessmentPorts['classification'];
}

/** The year in China time (UTC+8): 1 January 00:00 CST to the next, or to now for the current year. */
function yearRange(year: number, now: Date): { from: string; to: string } {
  const from = new Date(Date.UTC(year, 0, 1) - 8 * 3600_000);
  const end = new Date(Date.UTC(year + 1, 0, 1) - 8 * 3600_000);
  if (from.getTime() > now.getTime()) throw unprocessable('YEAR_IN_FUTURE', 'The year has not begun.');
  return { from: from.toISOString(), to: (end.getTime() > now.getTime() ? now : end).toISOString() };
}

const zeros = <K extends string>(keys: readonly K[]): Record<K, number> => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
const text = (value: unknown, fallback: string): string => (typeof value === 'string' && value.length > 0 ? value : fallback);

export async function riskAssessment(ports: RiskAssessmentPorts, year: number): Promise<RiskAssessment> {
  const now = ports.clock.now();
  const { from, to } = yearRange(year, now);

  const filings = new Map<string, Set<string>>();
  const allFilings = new Set<string>();
  const activities = new Map<string, { activityClass: string; action: string; success: number; denied: number; error: number }>();
  const provided = new Map<string, { departmentId: string; departmentKind: string; deliveries: number; failures: number }>();
  const byRetention = zeros(Object.keys(RETENTION_CLASSES));
  let scanned = 0;
  let complete = true;

  for (const tenant of await ports.tenants()) {
    let cursor: string | undefined;
    do {
      const page = await ports.reader.search({ tenants: [tenant], from, to, limit: PAGE, ...(cursor !== undefined ? { cursor } : {}) });
      for (const stored of page.items) {
        scanned += 1;
        if (scanned > MAX_SCANNED) throw unprocessable('RANGE_TOO_LARGE', `The year holds more than ${MAX_SCANNED} audit entries: too many to count in one request.`);
        byRetention[stored.retention] = (byRetention[stored.retention] ?? 0) + 1;
        // An entry whose retention has run out keeps its leaf hash only: counted, but not by what it was.
        if (stored.entry === undefined) {
          complete = false;
          continue;
        }
        const entry = JSON.parse(stored.entry) as LogEntry;
        const activity = activities.get(entry.action) ?? { activityClass: ACTIVITY_CLASSES[entry.action] ?? 'OTHER', action: entry.action, success: 0, denied: 0, error: 0 };
        activity[entry.outcome === 'SUCCESS' ? 'success' : entry.outcome === 'DENIED' ? 'denied' : 'error'] += 1;
        activities.set(entry.action, activity);
        const subject = entry.subject;
        if (subject?.filingId !== undefined && subject.district !== undefined && subject.businessType !== undefined) {
          const key = `${subject.district}|${subject.businessType}`;
          const set = filings.get(key) ?? new Set<string>();
          set.add(subject.filingId);
          filings.set(key, set);
          allFilings.add(subject.filingId);
        }
        if (entry.retention === 'DATA_PROVIDED') {
          const departmentId = text(entry.detail?.['departmentId'], 'UNKNOWN');
          const row = provided.get(departmentId) ?? { departmentId, departmentKind: text(entry.detail?.['departmentKind'], 'UNKNOWN'), deliveries: 0, failures: 0 };
          if (entry.outcome === 'SUCCESS') row.deliveries += 1;
          else row.failures += 1;
          provided.set(departmentId, row);
        }
      }
      cursor = page.nextCursor;
    } while (cursor !== undefined);
  }

  const incidents = { total: 0, byType: zeros(INCIDENT_TYPE_NAMES), bySeverity: zeros(INCIDENT_SEVERITIES), byStatus: zeros(INCIDENT_STATUSES), overdue: 0 };
  let cursor: string | undefined;
  do {
    const page = await ports.incidents.list({ statuses: INCIDENT_STATUSES, limit: 100, ...(cursor !== undefined ? { cursor } : {}) });
    for (const incident of page.items) {
      if (incident.openedAt < from || incident.openedAt >= to) continue;
      incidents.total += 1;
      incidents.byType[incident.type] += 1;
      incidents.bySeverity[incident.severity] += 1;
      incidents.byStatus[incident.status] += 1;
      if ((incident.overdue ?? []).length > 0) incidents.overdue += 1;
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);

  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    year,
    from,
    to,
    generatedAt: now.toISOString(),
    complete,
    importantData: {
      filingsByDistrictAndBusinessType: [...filings.entries()]
        .map(([key, set]) => {
          const [district, businessType] = key.split('|') as [string, string];
          return { district, businessType, filings: set.size };
        })
        .sort((a, b) => byName(a.district, b.district) || byName(a.businessType, b.businessType)),
      filingsWithPersonalData: allFilings.size,
      auditEntries: scanned,
      auditEntriesByRetention: byRetention,
    },
    processingActivities: [...activities.values()].sort((a, b) => byName(a.activityClass, b.activityClass) || byName(a.action, b.action)),
    dataProvided: [...provided.values()].sort((a, b) => byName(a.departmentId, b.departmentId)),
    incidents,
    classification: ports.classification,
  };
}
