/**
 * The dependencies every staff endpoint shares, built once per process from the environment, the
 * insider-misuse detector included. `MISUSE_DETECTION=off` leaves it out, and only in a test process
 * (`NODE_ENV=test`, as vitest sets it): for suites not about misuse, which would otherwise trip its
 * thresholds (vitest.config.ts). Anywhere else — a Lambda, `npm start` — the detector always runs.
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
    ...(detectionOffForTests() ? {} : { misuse: misuseDetectorFromEnv(incidentDeskFromEnv()) }),
  }),
);


function detectionOffForTests(): boolean {
  return process.env['NODE_ENV'] === 'test' && process.env['MISUSE_DETECTION'] === 'off';
}
