/**
 * The insider-misuse detector (functions/core/use-cases/misuse-detector.ts) on in-memory ports: each rule
 * fires on every call that finds its count above its threshold and not at or below it (counting afresh after an
 * unlock); a hit, idempotent on its alert, stores the alert, locks the
 * account, audits MISUSE_DETECTED in log `security` (INCIDENT retention) and opens one data-leak incident.
 */
import { describe, expect, it } from 'vitest';
import { BUILT_IN_MISUSE_RULES, type MisuseAlert, type MisuseRules, type MisuseRulesDraft, type StaffActivity } from '../../../functions/core/domain/misuse';
import { reportDueOf } from '../../../functions/core/domain/incident';
import type { StaffLock } from '../../../functions/core/domain/staff';
import type { MisuseStore, Page, RateCounter, StaffLocks } from '../../../functions/core/ports';
import { misuseDetector } from '../../../functions/core/use-cases/misuse-detector';
import { FakeIncidentDesk } from '../../support/fake-incident-desk';
import { MemoryAudit } from '../../support/memory-ports';

class MemoryCounter implements RateCounter {
  readonly counts = new Map<string, number>();
  async increment(key: string): Promise<number> {
    const next = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, next);
    return next;
  }
}

class MemoryMisuse implements MisuseStore {
  readonly alerts = new Map<string, MisuseAlert>();
  constructor(private readonly rules: MisuseRules = BUILT_IN_MISUSE_RULES) {}
  async currentRules() {
    return this.rules;
  }
  async rulesHistory() {
    return [this.rules];
  }
  async publishRules(_draft: MisuseRulesDraft): Promise<MisuseRules> {
    throw new Error('not used');
  }
  async putAlert(alert: MisuseAlert) {
    const existing = this.alerts.get(alert.alertId);
    if (existing) return { alert: existing, created: false };
    this.alerts.set(alert.alertId, alert);
    return { alert, created: true };
  }
  async noteAlertIncident(alertId: string, incidentId: string) {
    this.alerts.set(alertId, { ...this.alerts.get(alertId)!, incidentId });
  }
  async listAlerts(): Promise<Page<MisuseAlert>> {
    return { items: [...this.alerts.values()] };
  }
}

class MemoryLocks implements StaffLocks {
  readonly locks = new Map<string, StaffLock>();
  async lock(staffId: string, lock: StaffLock) {
    if (this.locks.has(staffId)) return false;
    this.locks.set(staffId, lock);
    return true;
  }
  async noteIncident(staffId: string, alertId: string, incidentId: string) {
    const lock = this.locks.get(staffId);
    if (lock?.alertId === alertId) this.locks.set(staffId, { ...lock, incidentId });
  }
  async unlock(staffId: string) {
    return this.locks.delete(staffId);
  }
}

function world(rules?: MisuseRules) {
  const ports = { store: new MemoryMisuse(rules), counter: new MemoryCounter(), locks: new MemoryLocks(), audit: new MemoryAudit(), incidents: new FakeIncidentDesk() };
  return { ...ports, detector: misuseDetector(ports) };
}

/** Wednesday 2026-12-02 10:00 CST (02:00Z): inside working hours. */
const WORKING = new Date('2026-12-02T02:00:00.000Z');
/** Wednesday 2026-12-02 22:00 CST (14:00Z): outside. */
const EVENING = new Date('2026-12-02T14:00:00.000Z');
/** Saturday 2026-12-05 10:00 CST. */
const SATURDAY = new Date('2026-12-05T02:00:00.000Z');

const call = (over: Partial<StaffActivity> = {}): StaffActivity => ({ staffId: 'stf-1', district: '370102', endpoint: 'listStaffFilings', at: WORKING, statusCode: 200, ...over });

async function firesAfter(w: ReturnType<typeof world>, calls: number, activity: (i: number) => StaffActivity): Promise<number | undefined> {
  for (let i = 1; i <= calls; i++) {
    const alerts = await w.detector.observe(activity(i));
    if (alerts.length > 0) return i;
  }
  return undefined;
}

describe('misuse rules: each fires above its threshold, never at or below it', () => {
  it('UNMASKING_RATE: the 11th unmasking of an hour fires (default 10), the 10th does not', async () => {
    const w = world();
    expect(await firesAfter(w, 10, () => call({ endpoint: 'unmaskFiling', unmasked: true, filingId: 'F1' }))).toBeUndefined();
    expect(w.locks.locks.size).toBe(0);
    const alerts = await w.detector.observe(call({ endpoint: 'unmaskFiling', unmasked: true, filingId: 'F1' }));
    expect(alerts.map((a) => [a.rule, a.count, a.threshold])).toEqual([['UNMASKING_RATE', 11, 10]]);
  });

  it('UNMASKING_RATE counts per CST hour: 10 in one hour and 10 in the next do not fire', async () => {
    const w = world();
    expect(await firesAfter(w, 10, () => call({ endpoint: 'unmaskFiling', unmasked: true }))).toBeUndefined();
    expect(await firesAfter(w, 10, () => call({ endpoint: 'unmaskFiling', unmasked: true, at: new Date(WORKING.getTime() + 3600_000) }))).toBeUndefined();
  });

  it('LOOKUP_RATE: the 201st lookup of an hour fires; calls of other endpoints are not lookups', async () => {
    const w = world();
    expect(await firesAfter(w, 300, () => call({ endpoint: 'getCreditRules' }))).toBeUndefined();
    expect(await firesAfter(w, 201, (i) => call({ endpoint: i % 2 === 0 ? 'getStaffFiling' : 'listStaffFilings' }))).toBe(201);
    expect([...w.store.alerts.values()][0]!.rule).toBe('LOOKUP_RATE');
  });

  it('OUT_OF_HOURS: the 21st request of a day outside 08:00–20:00 CST Mon–Fri fires (evenings and weekends), none inside', async () => {
    const inside = world();
    expect(await firesAfter(inside, 50, () => call({ endpoint: 'getCreditRules' }))).toBeUndefined();
    const evening = world();
    expect(await firesAfter(evening, 21, () => call({ endpoint: 'getCreditRules', at: EVENING }))).toBe(21);
    const saturday = world();
    expect(await firesAfter(saturday, 20, () => call({ endpoint: 'getCreditRules', at: SATURDAY }))).toBeUndefined();
    expect((await saturday.detector.observe(call({ endpoint: 'getCreditRules', at: SATURDAY })))[0]!.rule).toBe('OUT_OF_HOURS');
  });

  it('CROSS_DISTRICT: the 4th attempt of a day on another district fires (DISTRICT_FORBIDDEN refusals and cross-district 404s alike)', async () => {
    const w = world();
    expect(await firesAfter(w, 3, (i) => (i % 2 === 0 ? call({ statusCode: 403, code: 'DISTRICT_FORBIDDEN' }) : call({ endpoint: 'getStaffFiling', statusCode: 404, code: 'FILING_NOT_FOUND', filingId: 'F9', crossDistrict: true })))).toBeUndefined();
    // A plain 404 (a missing filing of one's own district) is no attempt on another district.
    expect(await firesAfter(w, 5, () => call({ endpoint: 'getStaffFiling', statusCode: 404, code: 'FILING_NOT_FOUND' }))).toBeUndefined();
    expect((await w.detector.observe(call({ statusCode: 403, code: 'DISTRICT_FORBIDDEN' })))[0]!.rule).toBe('CROSS_DISTRICT');
  });

  it('PERSON_CENTRED: one person seen on a 6th distinct filing in a day fires; re-reading the same filings does not count', async () => {
    const w = world();
    const read = (filingId: string) => call({ endpoint: 'getStaffFiling', filingId, personIndexes: ['bi:person-a', 'bi:person-b'] });
    for (let round = 0; round < 3; round++) for (const f of ['F1', 'F2', 'F3', 'F4', 'F5']) expect(await w.detector.observe(read(f))).toEqual([]);
    // Another person on other filings is counted apart.
    for (const f of ['F6', 'F7', 'F8']) expect(await w.detector.observe(call({ endpoint: 'getStaffFiling', filingId: f, personIndexes: ['bi:person-c'] }))).toEqual([]);
    const alerts = await w.detector.observe(read('F6'));
    // Both people of F6 cross at once: two alerts, one lock.
    expect(alerts.map((a) => [a.rule, a.count])).toEqual([['PERSON_CENTRED', 6], ['PERSON_CENTRED', 6]]);
    expect(w.locks.locks.size).toBe(1);
  });

  it('thresholds are data: version 2 with 2 unmaskings an hour fires on the 3rd', async () => {
    const w = world({ ...BUILT_IN_MISUSE_RULES, version: 2, unmaskingsPerHour: 2 });
    expect(await firesAfter(w, 3, () => call({ endpoint: 'unmaskFiling', unmasked: true }))).toBe(3);
    expect([...w.store.alerts.values()][0]!.rulesVersion).toBe(2);
  });
});

describe('a hit', () => {
  it('stores the alert, locks the account, audits MISUSE_DETECTED in log security and opens one HIGH information-leak incident with its deadline', async () => {
    const w = world();
    await firesAfter(w, 11, () => call({ endpoint: 'unmaskFiling', unmasked: true, filingId: 'F1' }));
    const [alert] = [...w.store.alerts.values()];
    expect(alert).toMatchObject({ rule: 'UNMASKING_RATE', staffId: 'stf-1', district: '370102', count: 11, threshold: 10, rulesVersion: 1, filingId: 'F1', incidentId: 'IN-FAKE-1' });
    expect(w.locks.locks.get('stf-1')).toEqual({ at: WORKING.toISOString(), rule: 'UNMASKING_RATE', alertId: alert!.alertId, incidentId: 'IN-FAKE-1' });
    expect(w.audit.records).toEqual([
      expect.objectContaining({ tenant: 'security', action: 'MISUSE_DETECTED', retention: 'INCIDENT', target: 'staff:stf-1', detail: expect.objectContaining({ alertId: alert!.alertId, rule: 'UNMASKING_RATE', locked: true }) }),
    ]);
    expect(w.incidents.drafts).toEqual([
      expect.objectContaining({
        type: 'INFORMATION_LEAK',
        severity: 'HIGH',
        district: '370102',
        detectedAt: WORKING.toISOString(),
        dedupeKey: alert!.alertId,
        source: { kind: 'MISUSE_DETECTOR', alertId: alert!.alertId, staffId: 'stf-1', rule: 'UNMASKING_RATE' },
      }),
    ]);
    expect(w.incidents.incidents.get(alert!.alertId)!.reportDueAt).toBe(reportDueOf(WORKING.toISOString()));
    // A 12th call (one racing the lock, or after a crash) fires the same alert again: one alert, one lock,
    // one audit record and one incident all the same.
    const again = await w.detector.observe(call({ endpoint: 'unmaskFiling', unmasked: true }));
    expect(again.map((a) => a.alertId)).toEqual([alert!.alertId]);
    expect(w.store.alerts.size).toBe(1);
    expect(w.audit.records).toHaveLength(1);
    expect(w.incidents.incidents.size).toBe(1);
    expect(w.locks.locks.get('stf-1')!.alertId).toBe(alert!.alertId);
  });

  it('a crash after the count and before the lock does not leave the account open: the next call above the threshold locks it', async () => {
    const w = world();
    await firesAfter(w, 10, () => call({ endpoint: 'unmaskFiling', unmasked: true }));
    // The 11th call counts, then the process dies before acting: the lock port fails.
    const lock = w.locks.lock.bind(w.locks);
    w.locks.lock = async () => {
      throw new Error('crash');
    };
    await expect(w.detector.observe(call({ endpoint: 'unmaskFiling', unmasked: true }))).rejects.toThrow('crash');
    expect(w.locks.locks.size).toBe(0);
    w.locks.lock = lock;
    // The 12th finds the count above the threshold and fires the alert the 11th stored (count 11).
    const alerts = await w.detector.observe(call({ endpoint: 'unmaskFiling', unmasked: true }));
    expect(alerts.map((a) => [a.rule, a.count])).toEqual([['UNMASKING_RATE', 11]]);
    expect(w.locks.locks.size).toBe(1);
    expect(w.store.alerts.size).toBe(1);
  });

  it('after an unlock, counting starts afresh in the same hour and the rule fires again above its threshold, as a new alert', async () => {
    const w = world();
    await firesAfter(w, 11, () => call({ endpoint: 'unmaskFiling', unmasked: true }));
    const [first] = [...w.store.alerts.values()];
    await w.locks.unlock('stf-1');
    const since = new Date(WORKING.getTime() + 60_000).toISOString();
    const later = (over: Partial<StaffActivity> = {}) => call({ endpoint: 'unmaskFiling', unmasked: true, at: new Date(WORKING.getTime() + 120_000), countingSince: since, ...over });
    // Ten more unmaskings that hour are within the threshold again…
    expect(await firesAfter(w, 10, () => later())).toBeUndefined();
    // …the eleventh since the unlock fires: a second alert, the account locked again, a second incident.
    const alerts = await w.detector.observe(later());
    expect(alerts.map((a) => [a.rule, a.count])).toEqual([['UNMASKING_RATE', 11]]);
    expect(alerts[0]!.alertId).not.toBe(first!.alertId);
    expect(w.locks.locks.get('stf-1')!.alertId).toBe(alerts[0]!.alertId);
    expect(w.incidents.incidents.size).toBe(2);
  });

  it('locks the account even when the incident desk fails (the lock comes first)', async () => {
    const w = world();
    w.incidents.failNext = true;
    await expect(firesAfter(w, 11, () => call({ endpoint: 'unmaskFiling', unmasked: true }))).rejects.toThrow('desk unavailable');
    expect(w.locks.locks.get('stf-1')).toMatchObject({ rule: 'UNMASKING_RATE' });
    expect(w.store.alerts.size).toBe(1);
  });
});
