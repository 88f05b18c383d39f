/**
 * The incident watch's rules (functions/core/use-cases/watch-incidents.ts) on an in-memory store that lists as
 * due what the DynamoDB store's index would (its `nextDeadlineOf`): the report deadline and the result
 * deadline each escalate once, with one audit entry and one metric each; a reported-in-time incident never
 * does; a lost race is read again; a DLQ with messages opens one incident per queue per day.
 */
import { describe, expect, it } from 'vitest';
import { nextDeadlineOf } from '../../../functions/adapters/dynamodb/incident-store';
import { resultDueOf, reportDueOf } from '../../../functions/core/domain/incident';
import type { AuditRecord } from '../../../functions/core/ports';
import { applyStep, type IncidentRecord, type IncidentStore } from '../../../functions/core/use-cases/incidents';
import { watchIncidents, type WatchPorts } from '../../../functions/core/use-cases/watch-incidents';

function memoryStore(): IncidentStore & { items: Map<string, IncidentRecord>; loseNextPut: boolean } {
  const items = new Map<string, IncidentRecord>();
  const store = {
    items,
    loseNextPut: false,
    create: async (incident: IncidentRecord) => {
      const existing = items.get(incident.incidentId);
      if (existing) return { created: false, incident: existing };
      items.set(incident.incidentId, incident);
      return { created: true, incident };
    },
    get: async (id: string) => items.get(id),
    put: async (incident: IncidentRecord, expected: number) => {
      if (store.loseNextPut) {
        store.loseNextPut = false;
        // Someone else wrote first (a staff step that changes nothing the watch looks at).
        const current = items.get(incident.incidentId)!;
        items.set(current.incidentId, { ...current, version: current.version + 1 });
        return false;
      }
      if (items.get(incident.incidentId)?.version !== expected) return false;
      items.set(incident.incidentId, { ...incident, version: expected + 1 });
      return true;
    },
    list: async () => ({ items: [...items.values()] }),
    listDue: async (now: string) => [...items.values()].filter((i) => i.status !== 'CLOSED' && (nextDeadlineOf(i) ?? '~') < now),
  };
  return store;
}

function world(start: string) {
  let now = new Date(start);
  const audit: AuditRecord[] = [];
  const overdue: string[] = [];
  const depths = new Map<string, number>();
  const store = memoryStore();
  const ports: WatchPorts = {
    incidents: store,
    audit: { record: async (r) => void (audit.some((a) => a.id === r.id) || audit.push(r)) },
    clock: { now: () => now },
    deadLetters: ['credit', 'notifications'].map((queue) => ({ queue, depth: async () => depths.get(queue) ?? 0 })),
    onOverdue: (deadline, incident) => void overdue.push(`${incident.incidentId}:${deadline}`),
  };
  return { ports, store, audit, overdue, depths, at: (iso: string) => void (now = new Date(iso)) };
}

const incident = (detectedAt: string): IncidentRecord => ({
  incidentId: 'IN000000000000000000000001',
  type: 'OTHER',
  severity: 'MEDIUM',
  district: '370102',
  summary: 's',
  source: { kind: 'STAFF', staffId: 'x' },
  detectedAt,
  openedAt: detectedAt,
  reportDueAt: reportDueOf(detectedAt),
  status: 'OPEN',
  version: 1,
});

describe('watchIncidents', () => {
  it('escalates the report deadline once, then the result deadline once', async () => {
    const w = world('2026-06-01T10:00:00.000Z');
    await w.store.create(incident('2026-06-01T10:00:00.000Z'));
    // Before the deadline: nothing.
    w.at('2026-06-01T10:59:59.000Z');
    expect((await watchIncidents(w.ports)).escalated).toBe(0);
    // Past it: once, however often.
    w.at('2026-06-01T11:00:01.000Z');
    expect((await watchIncidents(w.ports)).escalated).toBe(1);
    expect((await watchIncidents(w.ports)).escalated).toBe(0);
    expect(w.store.items.get('IN000000000000000000000001')).toMatchObject({ overdue: ['REPORT'], escalatedAt: '2026-06-01T11:00:01.000Z' });
    // Handling ends (report still not made): the result is due 6 hours later.
    const current = w.store.items.get('IN000000000000000000000001')!;
    const handled = applyStep(current, { action: 'END_HANDLING', at: '2026-06-01T12:00:00.000Z', by: 'a', note: 'n' });
    expect(handled.resultDueAt).toBe(resultDueOf('2026-06-01T12:00:00.000Z'));
    await w.store.put(handled, current.version);
    w.at('2026-06-01T17:59:00.000Z');
    expect((await watchIncidents(w.ports)).escalated).toBe(0);
    w.at('2026-06-01T18:00:01.000Z');
    expect((await watchIncidents(w.ports)).escalated).toBe(1);
    expect((await watchIncidents(w.ports)).escalated).toBe(0);
    expect(w.store.items.get('IN000000000000000000000001')?.overdue).toEqual(['REPORT', 'RESULT']);
    expect(w.audit.map((a) => [a.action, a.detail?.deadline, a.tenant, a.retention])).toEqual([
      ['INCIDENT_ESCALATED', 'REPORT', 'security', 'INCIDENT'],
      ['INCIDENT_ESCALATED', 'RESULT', 'security', 'INCIDENT'],
    ]);
    expect(w.overdue).toEqual(['IN000000000000000000000001:REPORT', 'IN000000000000000000000001:RESULT']);
  });

  it('never escalates an incident reported within the hour', async () => {
    const w = world('2026-06-01T10:00:00.000Z');
    const open = incident('2026-06-01T10:00:00.000Z');
    await w.store.create(applyStep(open, { action: 'REPORT', at: '2026-06-01T10:30:00.000Z', by: 'a', note: 'n' }));
    w.at('2026-06-02T10:00:00.000Z');
    expect((await watchIncidents(w.ports)).escalated).toBe(0);
    expect(w.audit).toEqual([]);
  });

  it('reads the incident again after losing a race, and still escalates once', async () => {
    const w = world('2026-06-01T12:00:00.000Z');
    await w.store.create(incident('2026-06-01T10:00:00.000Z'));
    w.store.loseNextPut = true;
    expect((await watchIncidents(w.ports)).escalated).toBe(1);
    expect(w.store.items.get('IN000000000000000000000001')).toMatchObject({ overdue: ['REPORT'], version: 3 });
    expect(w.audit).toHaveLength(1);
  });

  it('opens one SYSTEM_ANOMALY incident per queue holding dead letters per day, and a new one the next day', async () => {
    const w = world('2026-06-01T08:00:00.000Z');
    w.depths.set('credit', 3);
    const first = await watchIncidents(w.ports);
    const second = await watchIncidents(w.ports);
    expect(first.deadLetterIncidents).toHaveLength(1);
    expect(second.deadLetterIncidents).toEqual(first.deadLetterIncidents);
    const opened = w.store.items.get(first.deadLetterIncidents[0]!)!;
    expect(opened).toMatchObject({ type: 'SYSTEM_ANOMALY', district: 'city', source: { kind: 'ALARM', alarm: 'DLQ:credit' }, reportDueAt: '2026-06-01T09:00:00.000Z' });
    w.at('2026-06-02T08:00:00.000Z');
    const nextDay = await watchIncidents(w.ports);
    expect(nextDay.deadLetterIncidents).toHaveLength(1);
    expect(nextDay.deadLetterIncidents[0]).not.toBe(first.deadLetterIncidents[0]);
    expect(w.audit.filter((a) => a.action === 'INCIDENT_OPENED')).toHaveLength(2);
  });
});
