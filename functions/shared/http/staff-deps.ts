/**
 * The dependencies every staff endpoint shares, built once per process from the environment, the
 * insider-misuse detector included. `MISUSE_DETECTION=off` leaves it out: only for test suites that are
 * not about misuse and would otherwise trip its thresholds (vitest.config.ts); never set in a deployment.
 * The detector opens incidents through the one incident desk (functions/shared/incident-desk.ts).
 */
import { auditLogFromEnv } from '../../adapters/sqs/audit-queue';
import { staffDirectoryFromEnv } from '../../adapters/dynamodb/staff-directory';
import { staffTokenVerifierFromEnv } from '../../adapters/identity/staff-token-verifier-from-env';
import { rateCounterFromEnv } from '../../adapters/dynamodb/rate-counter';
import { incidentDeskFromEnv } from '../incident-desk';
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
    ...(process.env['MISUSE_DETECTION'] === 'off' ? {} : { misuse: misuseDetectorFromEnv(incidentDeskFromEnv()) }),
  }),
);

