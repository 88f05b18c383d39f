/**
 * The dependencies every staff endpoint shares, built once per process from the environment, the
 * insider-misuse detector included. `MISUSE_DETECTION=off` leaves it out: only for test suites that are
 * not about misuse and would otherwise trip its thresholds (vitest.config.ts); never set in a deployment.
 * The incident desk: the interim one until room C's desk is wired here ({@link staffIncidentDesk}).
 */
import { auditLogFromEnv } from '../../adapters/dynamodb/audit-log';
import { staffDirectoryFromEnv } from '../../adapters/dynamodb/staff-directory';
import { staffTokenVerifierFromEnv } from '../../adapters/identity/staff-token-verifier-from-env';
import { rateCounterFromEnv } from '../../adapters/dynamodb/rate-counter';
import { interimIncidentDeskFromEnv } from '../../adapters/dynamodb/misuse-store';
import type { IncidentDesk } from '../../core/ports';
import { lazy, systemClock } from '../lazy';
import { misuseDetectorFromEnv } from '../misuse-deps';
import type { StaffEndpointDeps } from './staff-endpoint';

export const staffEndpointDeps = lazy(
  async (): Promise<StaffEndpointDeps> => ({
    staff: staffDirectoryFromEnv(),
    tokens: await staffTokenVerifierFromEnv(),
    audit: auditLogFromEnv(),
    denials: { rate: rateCounterFromEnv(), clock: systemClock },
    clock: systemClock,
    ...(process.env['MISUSE_DETECTION'] === 'off' ? {} : { misuse: misuseDetectorFromEnv(staffIncidentDesk()) }),
  }),
);

/** The incident desk the misuse detector opens data-leak incidents through. INTEGRATOR: return room C's desk here. */
export function staffIncidentDesk(): IncidentDesk {
  return interimIncidentDeskFromEnv();
}
