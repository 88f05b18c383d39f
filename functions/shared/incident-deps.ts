/**
 * The incident ports, built once per process from the environment: what the incident endpoints, the incident
 * watch and the misuse detector (through {@link incidentDeskFromEnv}) give the
 * incident use cases (functions/core/use-cases/incidents.ts).
 */
import { auditLogFromEnv } from '../adapters/sqs/audit-queue';
import { incidentStoreFromEnv } from '../adapters/dynamodb/incident-store';
import { incidentDesk, type IncidentPorts } from '../core/use-cases/incidents';
import type { IncidentDesk } from '../core/ports';
import { lazy, systemClock } from './lazy';

export const incidentPorts = lazy(
  async (): Promise<IncidentPorts> => ({
    incidents: incidentStoreFromEnv(),
    audit: auditLogFromEnv(),
    clock: systemClock,
  }),
);

/** The idempotent desk (ports.ts IncidentDesk) over the `security` table, for the detector and alarms. */
export const incidentDeskFromEnv = lazy(async (): Promise<IncidentDesk> => incidentDesk(await incidentPorts()));
