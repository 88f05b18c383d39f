/**
 * The incident desk the staff endpoints' misuse detector opens data-leak incidents through (DESIGN.md §5):
 * the one desk of functions/core/use-cases/incidents.ts, idempotent on the alert id, so a detector hit re-run
 * after a crash opens one incident. Tests replace this module with a fake (vi.mock).
 */
import type { IncidentDesk } from '../core/ports';
import { incidentDeskFromEnv as sharedDesk } from './incident-deps';

export function incidentDeskFromEnv(): IncidentDesk {
  return { open: async (draft) => (await sharedDesk()).open(draft) };
}
