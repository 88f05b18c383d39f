/**
 * Incidents (DESIGN.md §5; 003 第三条, 第四条, 第十八条): opening one — by staff, by the insider-misuse
 * detector, by alarms — and the staff steps that close it: the situation reported to the provincial bureau
 * within 1 hour of detection (REPORT), handling ended (END_HANDLING: the 6-hour clock of the written result
 * starts), the written result reported (REPORT_RESULT: closed; needs both earlier steps).
 *
 * Every step is one conditional write on the incident's `version` (two staff racing on one incident cannot
 * both win: the loser gets 409), then an audit entry in log `security` (retention INCIDENT; CORE_INCIDENT
 * when the severity is CRITICAL, 004 第二十三条). Audit entries carry ids, so a step's entry written again
 * after a crash is appended once.
 */
import {
  reportDueOf,
  resultDueOf,
  type Incident,
  type IncidentDraft,
  type IncidentSeverity,
  type IncidentStatus,
  type IncidentType,
} from '../domain/incident';
import type { RetentionClass } from '../domain/audit-log';
import { conflict, forbidden, notFound, unprocessable } from '../domain/errors';
import type { StaffAccount } from '../domain/staff';
import type { AuditLog, IncidentDesk, Page } from '../ports';
import { refuseNamesInIncidentText, type IncidentTextPorts } from './incident-names';
import { sm3Hex } from '../../shared/crypto/sm3';
import { randomBytes } from 'node:crypto';

/** The tenant of every incident's audit entries: city-wide security operations (audit-log.ts TENANT). */
export const SECURITY_TENANT = 'security';
/** The district of incidents that concern the whole platform (alarms): every district's ADMIN and AUDITOR sees them. */
export const CITY = 'city';

export const INCIDENT_ACTIONS = ['REPORT', 'END_HANDLING', 'REPORT_RESULT'] as const;
export type IncidentAction = (typeof INCIDENT_ACTIONS)[number];

/** One staff step as the incident keeps it: who (staff id, never a name), when, what note. */
export interface IncidentStep {
  readonly action: IncidentAction;
  readonly at: string;
  readonly by: string;
  readonly note: string;
}

/** An incident as stored: the contract's record plus the steps taken on it (bounded: three at most). */
export interface IncidentRecord extends Incident {
  readonly steps?: readonly IncidentStep[];
}

export interface IncidentQuery {
  readonly statuses: readonly IncidentStatus[];
  /** The districts whose incidents the caller may see (own + `city`); absent: all (the city-wide risk assessment). */
  readonly districts?: readonly string[];
  readonly overdue?: boolean;
  readonly limit: number;
  readonly cursor?: string;
}

/** Where incidents are kept (functions/adapters/dynamodb/incident-store.ts). */
export interface IncidentStore {
  /** Writes a new incident unless one with its id exists; answers the stored one either way. */
  create(incident: IncidentRecord): Promise<{ readonly created: boolean; readonly incident: IncidentRecord }>;
  get(incidentId: string): Promise<IncidentRecord | undefined>;
  /** Writes `incident` with version = expectedVersion + 1 if the stored version is `expectedVersion`. */
  put(incident: IncidentRecord, expectedVersion: number): Promise<boolean>;
  list(query: IncidentQuery): Promise<Page<IncidentRecord>>;
  /** Open (not CLOSED) incidents whose next un-escalated deadline is before `now`, at most `limit`. */
  listDue(now: string, limit: number): Promise<IncidentRecord[]>;
}

export interface IncidentPorts {
  readonly incidents: IncidentStore;
  readonly audit: AuditLog;
  readonly clock: { now(): Date };
}

/** What the staff endpoints add: what it takes to refuse a text naming someone the incident concerns (incident-names.ts). */
export type StaffIncidentPorts = IncidentPorts & IncidentTextPorts;

/** `IN` and 24 upper-case hex digits: from the dedupe key when there is one (so a second open finds the first), else random. */
export const INCIDENT_ID = /^IN[0-9A-F]{24}$/;
export const incidentIdOf = (dedupeKey?: string): string =>
  `IN${(dedupeKey === undefined ? randomBytes(12).toString('hex') : sm3Hex(`incident:${dedupeKey}`).slice(0, 24)).toUpperCase()}`;

/** 004 第二十三条: core-data incidents are kept 3 years, others (important-data incidents) 1 year. */
export const retentionOf = (severity: IncidentSeverity): RetentionClass => (severity === 'CRITICAL' ? 'CORE_INCIDENT' : 'INCIDENT');

const actorOf = (incident: Pick<Incident, 'source'>): string =>
  incident.source.kind === 'STAFF' ? `staff:${incident.source.staffId}` : incident.source.kind === 'MISUSE_DETECTOR' ? 'system:misuse-detector' : `alarm:${incident.source.alarm}`;

/** The audit entry of a step: ids and codes only (summaries and notes may be long; they stay on the incident). */
function auditStep(ports: Pick<IncidentPorts, 'audit'>, incident: IncidentRecord, action: string, actor: string, at: string, extra: Record<string, string | number | boolean> = {}) {
  return ports.audit.record({
    id: `incident:${incident.incidentId}:${action}`,
    at,
    tenant: SECURITY_TENANT,
    actor,
    action,
    outcome: 'SUCCESS',
    retention: retentionOf(incident.severity),
    target: `incident:${incident.incidentId}`,
    subject: incident.district === CITY ? {} : { district: incident.district },
    detail: { type: incident.type, severity: incident.severity, status: incident.status, district: incident.district, ...extra },
  });
}

/**
 * Opens an incident:
 * 1. the id: from the dedupe key when given (the same key opens the same incident), else random;
 * 2. the record: status OPEN, reportDueAt = detectedAt + 1 hour (003 第十八条), version 1, written only if absent;
 * 3. the audit entry INCIDENT_OPENED (written again when the incident existed: a crash between 2 and 3 heals,
 *    and the entry's id makes it one).
 */
export async function openIncident(ports: IncidentPorts, draft: IncidentDraft): Promise<IncidentRecord> {
  const openedAt = ports.clock.now().toISOString();
  const { dedupeKey, ...fields } = draft;
  const incident: IncidentRecord = {
    ...fields,
    ...(fields.evidence !== undefined ? { evidence: [...fields.evidence] } : {}),
    incidentId: incidentIdOf(dedupeKey),
    status: 'OPEN',
    openedAt,
    reportDueAt: reportDueOf(draft.detectedAt),
    version: 1,
  };
  const { incident: stored } = await ports.incidents.create(incident);
  await auditStep(ports, stored, 'INCIDENT_OPENED', actorOf(stored), stored.openedAt, { source: stored.source.kind, reportDueAt: stored.reportDueAt });
  return stored;
}

/** The desk the misuse detector and the alarm path open incidents through (ports.ts IncidentDesk). */
export const incidentDesk = (ports: IncidentPorts): IncidentDesk => ({ open: (draft) => openIncident(ports, draft) });

/** What a staff member sends to open one (schemas/v1/incident.ts). */
export interface StaffIncidentRequest {
  readonly type: IncidentType;
  readonly severity: IncidentSeverity;
  readonly summary: string;
  readonly detectedAt?: string;
  readonly evidence?: readonly string[];
}

/** How long ago an incident may say it was detected: older is refused (it would open already long overdue). */
export const MAX_DETECTED_AGO_DAYS = 30;

/**
 * A staff member opens an incident of their own district, detected when they say (not in the future: then now;
 * at most {@link MAX_DETECTED_AGO_DAYS} days ago: else 422 DETECTED_AT_OUT_OF_RANGE) or now.
 * A summary naming someone it concerns (incident-names.ts) is refused first (422, `PERSONAL_DATA_IN_TEXT`).
 */
export async function openStaffIncident(ports: StaffIncidentPorts, staff: Pick<StaffAccount, 'staffId' | 'district' | 'displayName' | 'role'>, request: StaffIncidentRequest): Promise<IncidentRecord> {
  const now = ports.clock.now();
  if (request.detectedAt !== undefined && Date.parse(request.detectedAt) < now.getTime() - MAX_DETECTED_AGO_DAYS * 86_400_000) {
    throw unprocessable('DETECTED_AT_OUT_OF_RANGE', `An incident is opened within ${MAX_DETECTED_AGO_DAYS} days of its detection; record an older one with a step note on a new incident detected now.`);
  }
  // Names last, right before the write: a text that passes is stored (an audited incident), so the check is
  // no free oracle of a masked name behind another refusal.
  await refuseNamesInIncidentText(ports, staff, { summary: request.summary }, request.evidence === undefined ? {} : { evidence: request.evidence });
  const detectedAt = request.detectedAt === undefined || Date.parse(request.detectedAt) > now.getTime() ? now.toISOString() : new Date(request.detectedAt).toISOString();
  return openIncident(ports, {
    type: request.type,
    severity: request.severity,
    district: staff.district,
    summary: request.summary,
    source: { kind: 'STAFF', staffId: staff.staffId },
    detectedAt,
    ...(request.evidence !== undefined ? { evidence: request.evidence } : {}),
  });
}

const incidentNotFound = () => notFound('INCIDENT_NOT_FOUND', 'No incident with this id exists in your district or city-wide.');
/** Staff see their own district's incidents and the city-wide ones; another district's is 404, like a missing one. */
const visibleTo = (staff: Pick<StaffAccount, 'district'>, incident: Pick<Incident, 'district'>): boolean => incident.district === staff.district || incident.district === CITY;

export async function getIncident(ports: Pick<IncidentPorts, 'incidents'>, staff: Pick<StaffAccount, 'district'>, incidentId: string): Promise<IncidentRecord> {
  const incident = await ports.incidents.get(incidentId);
  if (!incident || !visibleTo(staff, incident)) throw incidentNotFound();
  return incident;
}

/** Incidents of the caller's district (or of `district`, which must be theirs) and city-wide ones. */
export async function listIncidents(
  ports: Pick<IncidentPorts, 'incidents'>,
  staff: Pick<StaffAccount, 'district'>,
  query: { readonly status?: IncidentStatus; readonly overdue?: boolean; readonly district?: string; readonly limit: number; readonly cursor?: string },
): Promise<Page<IncidentRecord>> {
  if (query.district !== undefined && query.district !== staff.district) {
    throw forbidden('DISTRICT_FORBIDDEN', 'You may list the incidents of your own district (and the city-wide ones) only.');
  }
  return ports.incidents.list({
    statuses: query.status === undefined ? ['OPEN', 'REPORTED', 'HANDLED', 'CLOSED'] : [query.status],
    districts: [staff.district, CITY],
    ...(query.overdue !== undefined ? { overdue: query.overdue } : {}),
    limit: query.limit,
    ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
  });
}

const AUDIT_ACTION: Readonly<Record<IncidentAction, string>> = {
  REPORT: 'INCIDENT_REPORTED',
  END_HANDLING: 'INCIDENT_HANDLING_ENDED',
  REPORT_RESULT: 'INCIDENT_RESULT_REPORTED',
};

/**
 * The next state of an incident after a staff step, or the 409 that refuses it: a step done already, a result
 * before the report and the end of handling, anything on a closed incident.
 */
export function applyStep(incident: IncidentRecord, step: IncidentStep): IncidentRecord {
  if (incident.status === 'CLOSED') throw conflict('INCIDENT_CLOSED', 'The incident is closed: its result was reported.', { status: incident.status });
  const steps = [...(incident.steps ?? []), step];
  switch (step.action) {
    case 'REPORT':
      if (incident.reportedAt !== undefined) throw conflict('INCIDENT_STEP_DONE', 'The incident was reported already.', { status: incident.status });
      return { ...incident, reportedAt: step.at, status: incident.handledAt !== undefined ? 'HANDLED' : 'REPORTED', steps };
    case 'END_HANDLING':
      if (incident.handledAt !== undefined) throw conflict('INCIDENT_STEP_DONE', 'Handling of the incident has ended already.', { status: incident.status });
      return { ...incident, handledAt: step.at, resultDueAt: resultDueOf(step.at), status: 'HANDLED', steps };
    case 'REPORT_RESULT':
      if (incident.reportedAt === undefined || incident.handledAt === undefined) {
        throw conflict('INCIDENT_NOT_READY', 'The result is reported after the situation was reported and handling has ended.', { status: incident.status });
      }
      return { ...incident, closedAt: step.at, status: 'CLOSED', steps };
  }
}

const ATTEMPTS = 5;

/**
 * A staff step on an incident (ADMIN, AUDITOR of its district or of any district for a city-wide one):
 * 1. read the incident (404 when missing or of another district);
 * 2. apply the step (409 when out of order or done); a note naming someone the incident concerns (its evidence,
 *    its source, the steps' staff, the caller: incident-names.ts) is refused (422, `PERSONAL_DATA_IN_TEXT`);
 * 3. write on the version read; on a lost race read again and retry from 1 (the racer's step may make this one 409);
 * 4. audit the step in log `security`.
 */
export async function actOnIncident(
  ports: StaffIncidentPorts,
  staff: Pick<StaffAccount, 'staffId' | 'district' | 'displayName' | 'role'>,
  incidentId: string,
  request: { readonly action: IncidentAction; readonly note: string },
): Promise<IncidentRecord> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const current = await getIncident(ports, staff, incidentId);
    const at = ports.clock.now().toISOString();
    const next = applyStep(current, { action: request.action, at, by: staff.staffId, note: request.note });
    if (attempt === 0) {
      const source = current.source.kind === 'ALARM' ? [] : [current.source.staffId];
      await refuseNamesInIncidentText(ports, staff, { note: request.note }, { evidence: current.evidence ?? [], staffIds: [...source, ...(current.steps ?? []).map((step) => step.by)] });
    }
    if (await ports.incidents.put(next, current.version)) {
      const written = { ...next, version: current.version + 1 };
      await auditStep(ports, written, AUDIT_ACTION[request.action], `staff:${staff.staffId}`, at, {
        ...(written.resultDueAt !== undefined ? { resultDueAt: written.resultDueAt } : {}),
      });
      return written;
    }
  }
  throw conflict('INCIDENT_CHANGED', 'The incident kept changing while the step was being recorded; read it and try again.');
}
