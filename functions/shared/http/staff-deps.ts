/** The dependencies every staff endpoint shares, built once per process from the environment. */
import { auditLogFromEnv } from '../../adapters/sqs/audit-queue';
import { staffDirectoryFromEnv } from '../../adapters/dynamodb/staff-directory';
import { staffTokenVerifierFromEnv } from '../../adapters/identity/staff-token-verifier-from-env';
import { rateCounterFromEnv } from '../../adapters/dynamodb/rate-counter';
import { lazy, systemClock } from '../lazy';
import type { StaffEndpointDeps } from './staff-endpoint';

export const staffEndpointDeps = lazy(
  async (): Promise<StaffEndpointDeps> => ({
    staff: staffDirectoryFromEnv(),
    tokens: await staffTokenVerifierFromEnv(),
    audit: auditLogFromEnv(),
    denials: { rate: rateCounterFromEnv(), clock: systemClock },
  }),
);
