/**
 * A fake of the IncidentDesk (functions/core/ports.ts): idempotent on `dedupeKey`, deadlines computed
 * by the contract's domain functions (functions/core/domain/incident.ts), every draft kept for assertions.
 */
import { reportDueOf, type Incident, type IncidentDraft } from '../../functions/core/domain/incident';
import type { IncidentDesk } from '../../functions/core/ports';

export class FakeIncidentDesk implements IncidentDesk {
  readonly drafts: IncidentDraft[] = [];
  readonly incidents = new Map<string, Incident>();
  failNext = false;

  async open(draft: IncidentDraft): Promise<Incident> {
    this.drafts.push(draft);
    if (this.failNext) {
      this.failNext = false;
      throw new Error('desk unavailable');
    }
    const key = draft.dedupeKey ?? `n${this.drafts.length}`;
    const existing = this.incidents.get(key);
    if (existing) return existing;
    const { dedupeKey: _key, ...rest } = draft;
    const incident: Incident = { ...rest, incidentId: `IN-FAKE-${this.incidents.size + 1}`, status: 'OPEN', openedAt: draft.detectedAt, reportDueAt: reportDueOf(draft.detectedAt), version: 1 };
    this.incidents.set(key, incident);
    return incident;
  }
}
