/** The dependencies every channel endpoint shares, built once per process from the environment. */
import { auditLogFromEnv } from '../../adapters/dynamodb/audit-log';
import { channelDirectoryFromEnv } from '../../adapters/dynamodb/channel-directory';
import { idempotencyStoreFromEnv } from '../../adapters/dynamodb/idempotency-store';
import { nonceStoreFromEnv } from '../../adapters/dynamodb/nonce-store';
import { rateCounterFromEnv } from '../../adapters/dynamodb/rate-counter';
import { getNumberFromEnv } from '../config';
import { lazy, systemClock } from '../lazy';
import type { EndpointDeps } from './channel-endpoint';

export const endpointDeps = lazy(
  async (): Promise<EndpointDeps> => ({
    channels: channelDirectoryFromEnv(),
    nonces: nonceStoreFromEnv(),
    idempotency: idempotencyStoreFromEnv(),
    audit: auditLogFromEnv(),
    rate: rateCounterFromEnv(),
    clock: systemClock,
    // DESIGN.md §7: timestamps within ±300 s; a nonce is single-use per channel for 600 s.
    maxSkewSeconds: getNumberFromEnv('AUTH_MAX_SKEW_SECONDS', 300),
    nonceTtlSeconds: getNumberFromEnv('AUTH_NONCE_TTL_SECONDS', 600),
  }),
);
