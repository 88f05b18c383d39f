/**
 * The ports of the incident endpoints that take free text (open, step): the incident ports plus what it
 * takes to refuse a text naming someone the incident concerns (functions/core/use-cases/incident-names.ts):
 * the filings and the vault (party names), the staff directory (display names). Kept apart from
 * incident-deps.ts, which the incident watch and the misuse detector use and which opens no personal data.
 */
import { filingRepositoryFromEnv } from '../adapters/dynamodb/filing-repository';
import { staffDirectoryFromEnv } from '../adapters/dynamodb/staff-directory';
import { vaultFromEnv } from '../adapters/keys/personal-data-vault';
import type { StaffIncidentPorts } from '../core/use-cases/incidents';
import { incidentPorts } from './incident-deps';
import { lazy } from './lazy';

export const staffIncidentPorts = lazy(
  async (): Promise<StaffIncidentPorts> => ({
    ...(await incidentPorts()),
    filings: filingRepositoryFromEnv(),
    vault: await vaultFromEnv(),
    staff: staffDirectoryFromEnv(),
  }),
);
