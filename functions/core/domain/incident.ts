/**
 * Incidents (DESIGN.md §5; 003 第三条, 第十八条): a record per incident with its type, severity, status and
 * two deadlines — the situation reported to the provincial registry bureau within **1 hour** of detection,
 * and the written result within **6 hours** after handling ends. Overdue incidents escalate (a flag and a
 * notification). Opened by staff, by the insider-misuse detector (information leak), and by alarms (a
 * dead-letter queue that fills: system anomaly).
 */

/**
 * 003 第三条 (business incidents) and 第四条 (site-security incidents). The platform opens SYSTEM_ANOMALY
 * (登记发证信息系统异常) and INFORMATION_LEAK (登记信息泄密/泄露) itself; staff open any type.
 */
export const INCIDENT_TYPES = {
  SITE_BLOCKADE: '登记场所遭围堵冲击',
  CONGESTION: '特殊时间段发生拥堵',
  SPECIAL_URGENT: '特殊急件',
  SYSTEM_ANOMALY: '登记发证信息系统异常',
  INFORMATION_LEAK: '登记信息(资料)泄密(泄露)',
  PUBLIC_OPINION: '发生重大社会舆情',
  THEFT: '盗窃案件',
  FIRE: '火警火灾',
  PUBLIC_EVENT: '公共社会事件',
  OTHER: '其他突发性事件',
} as const;
export type IncidentType = keyof typeof INCIDENT_TYPES;
export const INCIDENT_TYPE_NAMES = Object.keys(INCIDENT_TYPES) as IncidentType[];

export const INCIDENT_SEVERITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type IncidentSeverity = (typeof INCIDENT_SEVERITIES)[number];

/**
 * OPEN → REPORTED (the 1-hour report made) → HANDLED (handling ended: the 6-hour clock starts) → CLOSED
 * (the written result reported). A report and the end of handling may come in either order; CLOSED needs both.
 */
export const INCIDENT_STATUSES = ['OPEN', 'REPORTED', 'HANDLED', 'CLOSED'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** 003 第十八条: 1 小时内报送; 处置完后 6 小时内书面报送处置结果. */
export const REPORT_DEADLINE_MINUTES = 60;
export const RESULT_DEADLINE_MINUTES = 360;

/** Who or what opened an incident. */
export type IncidentSource =
  | { readonly kind: 'STAFF'; readonly staffId: string }
  | { readonly kind: 'MISUSE_DETECTOR'; readonly alertId: string; readonly staffId: string; readonly rule: string }
  | { readonly kind: 'ALARM'; readonly alarm: string };

/** What opening an incident needs. Free text is checked for personal data at the edge (never stored unmasked). */
export interface IncidentDraft {
  readonly type: IncidentType;
  readonly severity: IncidentSeverity;
  /** The district concerned, or `city` for what concerns the whole platform. */
  readonly district: string;
  readonly summary: string;
  readonly source: IncidentSource;
  /** When it was detected (ISO); the report deadline runs from here. */
  readonly detectedAt: string;
  /** Audit entry ids, filing ids, queue names: what it is about. */
  readonly evidence?: readonly string[];
  /**
   * Opening is idempotent on this key (an alarm that fires twice, a detector hit re-run after a crash): the
   * second open returns the first incident. Absent for staff-opened incidents (the Idempotency-Key covers those).
   */
  readonly dedupeKey?: string;
}

export interface Incident extends Omit<IncidentDraft, 'dedupeKey'> {
  readonly incidentId: string;
  readonly status: IncidentStatus;
  readonly openedAt: string;
  /** detectedAt + 1 hour. */
  readonly reportDueAt: string;
  readonly reportedAt?: string;
  readonly handledAt?: string;
  /** handledAt + 6 hours, once handling has ended. */
  readonly resultDueAt?: string;
  readonly closedAt?: string;
  /** Deadlines missed, set by the incident watch (escalation). */
  readonly overdue?: readonly ('REPORT' | 'RESULT')[];
  readonly escalatedAt?: string;
  readonly version: number;
}

export const reportDueOf = (detectedAt: string): string => new Date(Date.parse(detectedAt) + REPORT_DEADLINE_MINUTES * 60_000).toISOString();
export const resultDueOf = (handledAt: string): string => new Date(Date.parse(handledAt) + RESULT_DEADLINE_MINUTES * 60_000).toISOString();

/** The deadlines an incident has missed at `now`. */
export function missedDeadlines(incident: Incident, now: Date): ('REPORT' | 'RESULT')[] {
  const missed: ('REPORT' | 'RESULT')[] = [];
  if (incident.reportedAt === undefined && now.getTime() > Date.parse(incident.reportDueAt)) missed.push('REPORT');
  if (incident.resultDueAt !== undefined && incident.closedAt === undefined && now.getTime() > Date.parse(incident.resultDueAt)) missed.push('RESULT');
  return missed;
}
