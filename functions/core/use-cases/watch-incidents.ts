/**
 * The incident watch (DESIGN.md §5; 003 第十八条), run every minute:
 * 1. escalates every incident past a deadline it has not been escalated for — the 1-hour report, the
 *    6-hour result: the deadline joins `overdue`, `escalatedAt` is set (one conditional write on the
 *    version), the audit entry INCIDENT_ESCALATED names the deadline, and the `IncidentOverdue` metric
 *    (with its alarm) counts it. Each deadline escalates once: the store lists an incident as due only until
 *    its deadline is in `overdue`.
 * 2. opens a SYSTEM_ANOMALY incident for each dead-letter queue holding messages (a delivery failed its
 *    worker repeatedly and needs an operator), through the same idempotent desk as everyone: dedupe key
 *    `DLQ:<queue>:<UTC day>`, so one incident per queue per day however often the watch looks.
 */
import { missedDeadlines } from '../domain/incident';
import { incidentDesk, retentionOf, SECURITY_TENANT, CITY, type IncidentPorts, type IncidentRecord } from './incidents';

/** A dead-letter queue the watch looks into: its logical name and how many messages it holds now. */
export interface DeadLetterQueueProbe {
  readonly queue: string;
  depth(): Promise<number>;
}

export interface WatchPorts extends IncidentPorts {
  readonly deadLetters: readonly DeadLetterQueueProbe[];
  /** Counts one escalated deadline (functions/shared/metrics.ts `IncidentOverdue`). */
  readonly onOverdue: (deadline: 'REPORT' | 'RESULT', incident: IncidentRecord) => void;
}

export interface WatchResult {
  readonly escalated: number;
  readonly deadLetterIncidents: readonly string[];
}

/** At most this many due incidents a run; the rest wait a minute (the next run). */
const DUE_PER_RUN = 200;
const ATTEMPTS = 3;

/** Escalates one incident for the deadlines it missed and was not escalated for; answers how many. */
async function escalate(ports: WatchPorts, first: IncidentRecord, now: Date): Promise<number> {
  let incident: IncidentRecord | undefined = first;
  for (let attempt = 0; attempt < ATTEMPTS && incident !== undefined; attempt++) {
    const already = new Set(incident.overdue ?? []);
    const fresh = missedDeadlines(incident, now).filter((deadline) => !already.has(deadline));
    if (fresh.length === 0) return 0;
    const at = now.toISOString();
    const next: IncidentRecord = { ...incident, overdue: [...already, ...fresh], escalatedAt: at };
    if (await ports.incidents.put(next, incident.version)) {
      for (const deadline of fresh) {
        await ports.audit.record({
          id: `incident:${incident.incidentId}:INCIDENT_ESCALATED:${deadline}`,
          at,
          tenant: SECURITY_TENANT,
          actor: 'system:incident-watch',
          action: 'INCIDENT_ESCALATED',
          outcome: 'SUCCESS',
          retention: retentionOf(incident.severity),
          target: `incident:${incident.incidentId}`,
          subject: incident.district === CITY ? {} : { district: incident.district },
          detail: { deadline, dueAt: deadline === 'REPORT' ? incident.reportDueAt : (incident.resultDueAt ?? ''), type: incident.type, severity: incident.severity, district: incident.district },
        });
        ports.onOverdue(deadline, incident);
      }
      return fresh.length;
    }
    // Lost a race (a staff step, another watch run): look again at what is stored.
    incident = await ports.incidents.get(incident.incidentId);
  }
  return 0;
}

export async function watchIncidents(ports: WatchPorts): Promise<WatchResult> {
  const now = ports.clock.now();
  let escalated = 0;
  for (const incident of await ports.incidents.listDue(now.toISOString(), DUE_PER_RUN)) escalated += await escalate(ports, incident, now);

  const day = now.toISOString().slice(0, 10);
  const desk = incidentDesk(ports);
  const deadLetterIncidents: string[] = [];
  for (const probe of ports.deadLetters) {
    const depth = await probe.depth();
    if (depth === 0) continue;
    const incident = await desk.open({
      type: 'SYSTEM_ANOMALY',
      severity: 'HIGH',
      district: CITY,
      summary: `Dead-letter queue of ${probe.queue} holds messages: deliveries failed their worker repeatedly and need an operator.`,
      source: { kind: 'ALARM', alarm: `DLQ:${probe.queue}` },
      detectedAt: now.toISOString(),
      evidence: [`queue:${probe.queue}`],
      dedupeKey: `DLQ:${probe.queue}:${day}`,
    });
    deadLetterIncidents.push(incident.incidentId);
  }
  return { escalated, deadLetterIncidents };
}
