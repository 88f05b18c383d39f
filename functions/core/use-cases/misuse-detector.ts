import { alertIdOf, misuseCountsOf, type MisuseAlert, type MisuseCount, type MisuseRules, type StaffActivity } from '../domain/misuse';
import type { AuditLog, IncidentDesk, MisuseStore, RateCounter, StaffLocks } from '../ports';

export interface MisuseDetectorPorts {
  readonly store: MisuseStore;
  /** The guards table's counters (TTL): one per staff member, rule and window. */
  readonly counter: RateCounter;
  readonly locks: StaffLocks;
  readonly audit: AuditLog;
  /** The incident desk (functions/core/ports.ts IncidentDesk): opening is idempotent on `dedupeKey`. */
  readonly incidents: IncidentDesk;
}

export interface MisuseDetector {
  /** Counts one authenticated staff call and acts on every rule it makes fire; answers the alerts raised. */
  observe(activity: StaffActivity): Promise<MisuseAlert[]>;
}

/** The detector's actor in the audit log. */
export const MISUSE_DETECTOR_ACTOR = 'system:misuse-detector';

/**
 * The insider-misuse detector (DESIGN.md §5; 000 二(三); 004 第二十五条), told of every authenticated staff
 * call by the staff endpoint chain.
 *
 * 1. Read the rules in force (versioned data in table `security`).
 * 2. Add the call to each counter the rules make it count in (guards table, expiring with the window);
 *    person-centred counting adds to a person's counter only for a filing not yet seen that day.
 * 3. Every call that finds a counter above its threshold fires (not only the one that crossed it: a crash
 *    between the count and the lock, or a call racing the lock, must not leave the account open), and
 *    every step is idempotent on the alert, so firing again is harmless:
 *    a. the alert is stored (`ALERT#<id>`, the id derived from staff, rule and window: a re-run finds it);
 *    b. the account is locked at once (ACTIVE → LOCKED, conditional);
 *    c. `MISUSE_DETECTED` is audited in log `security`, retention INCIDENT, once per alert (record id);
 *    d. a data-leak incident (INFORMATION_LEAK, HIGH) is opened through the incident desk, deduplicated on
 *       the alert id, and its id noted on the alert and the lock.
 * The lock comes before the incident so that a failing desk never leaves the account open. The staff
 * endpoint chain refuses the call that fired (403 STAFF_ACCOUNT_LOCKED): its answer is withheld.
 * Counters are those since the account's last unlock (misuse.ts `countingSince`).
 */
export function misuseDetector(ports: MisuseDetectorPorts): MisuseDetector {
  return {
    async observe(activity) {
      const rules = await ports.store.currentRules();
      const fired = await Promise.all(misuseCountsOf(rules, activity).map((count) => crossed(ports.counter, count)));
      const alerts: MisuseAlert[] = [];
      for (const hit of fired) if (hit) alerts.push(await act(ports, rules, activity, hit.count, hit.value));
      return alerts;
    },
  };
}

async function crossed(counter: RateCounter, count: MisuseCount): Promise<{ count: MisuseCount; value: number } | undefined> {
  if (count.distinctMarker !== undefined && (await counter.increment(count.distinctMarker, count.windowEndsAt)) !== 1) return undefined;
  const value = await counter.increment(count.key, count.windowEndsAt);
  return value > count.threshold ? { count, value } : undefined;
}

async function act(ports: MisuseDetectorPorts, rules: MisuseRules, activity: StaffActivity, count: MisuseCount, value: number): Promise<MisuseAlert> {
  const at = activity.at.toISOString();
  const draft: MisuseAlert = {
    alertId: alertIdOf(activity.staffId, count),
    rule: count.rule,
    staffId: activity.staffId,
    district: activity.district,
    at,
    count: value,
    threshold: count.threshold,
    rulesVersion: rules.version,
    endpoint: activity.endpoint,
    ...(activity.filingId === undefined ? {} : { filingId: activity.filingId }),
  };
  const { alert } = await ports.store.putAlert(draft);
  const locked = await ports.locks.lock(activity.staffId, { at, rule: alert.rule, alertId: alert.alertId });
  await ports.audit.record({
    id: `misuse:${alert.alertId}`,
    tenant: 'security',
    actor: MISUSE_DETECTOR_ACTOR,
    action: 'MISUSE_DETECTED',
    outcome: 'SUCCESS',
    target: `staff:${activity.staffId}`,
    retention: 'INCIDENT',
    detail: {
      alertId: alert.alertId,
      rule: alert.rule,
      count: alert.count,
      threshold: alert.threshold,
      rulesVersion: alert.rulesVersion,
      district: alert.district,
      endpoint: alert.endpoint,
      locked,
    },
  });
  const incident = await ports.incidents.open({
    type: 'INFORMATION_LEAK',
    severity: 'HIGH',
    district: alert.district,
    summary: `Insider-misuse rule ${alert.rule} fired for staff account ${alert.staffId}: ${alert.count} above the threshold of ${alert.threshold} (rules v${alert.rulesVersion}); the account is locked.`,
    source: { kind: 'MISUSE_DETECTOR', alertId: alert.alertId, staffId: alert.staffId, rule: alert.rule },
    detectedAt: at,
    evidence: [`alert:${alert.alertId}`, `staff:${alert.staffId}`, ...(alert.filingId === undefined ? [] : [`filing:${alert.filingId}`])],
    dedupeKey: alert.alertId,
  });
  await Promise.all([ports.store.noteAlertIncident(alert.alertId, incident.incidentId), ports.locks.noteIncident(activity.staffId, alert.alertId, incident.incidentId)]);
  return { ...alert, incidentId: incident.incidentId };
}
