/**
 * The incident desk the staff endpoints' misuse detector opens data-leak incidents through (DESIGN.md §5).
 * INTEGRATOR: return room C's desk (functions/core/use-cases/incidents.ts) here; until then the interim desk
 * of misuse-store.ts keeps each detector incident, deduplicated on its alert id, with the 1-hour deadline.
 * Tests replace this module with a fake (vi.mock).
 */
import { interimIncidentDeskFromEnv } from '../adapters/dynamodb/misuse-store';
import type { IncidentDesk } from '../core/ports';

export function incidentDeskFromEnv(): IncidentDesk {
  return interimIncidentDeskFromEnv();
}
