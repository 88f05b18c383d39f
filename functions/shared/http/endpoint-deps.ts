/** The dependencies the signed endpoints share, built once per process from the environment. */
import { auditLogFromEnv } from '../../adapters/sqs/audit-queue';
import { channelDirectoryFromEnv } from '../../adapters/dynamodb/channel-directory';
import { idempotencyStoreFromEnv } from '../../adapters/dynamodb/idempotency-store';
import { nonceStoreFromEnv } from '../../adapters/dynamodb/nonce-store';
import { rateCounterFromEnv } from '../../adapters/dynamodb/rate-counter';
import { creditRulesStoreFromEnv } from '../../adapters/dynamodb/credit-store';
import { creditQueueFromEnv } from '../../adapters/sqs/credit-queue';
import { getNumberFromEnv } from '../config';
import { lazy, systemClock } from '../lazy';
import type { EndpointDeps } from './channel-endpoint';

/**
 * What every ZT-SM2 signed endpoint needs besides how its signer is found: nonces, Idempotency-Keys, the call
 * audit and its denial counter, and the signature window — built once per process.
 */
export const signedRequestDeps = lazy(
  async (): Promise<Omit<EndpointDeps, 'channels' | 'creditQueue' | 'creditRules'>> => ({
    nonces: nonceStoreFromEnv(),
    idempotency: idempotencyStoreFromEnv(),
    audit: auditLogFromEnv(),
    rate: rateCounterFromEnv(),
    clock: systemClock,
    // DESIGN.md §7: timestamps within ±300 s; a nonce is single-use per signer for 600 s.
    maxSkewSeconds: getNumberFromEnv('AUTH_MAX_SKEW_SECONDS', 300),
    nonceTtlSeconds: getNumberFromEnv('AUTH_NONCE_TTL_SECONDS', 600),
  }),
);

/**
 * The credit queue and rules for edge bursts (credit-bursts.ts): built at the first failure that counts,
 * so that a channel endpoint answering only good requests never builds them.
 */
const creditQueue = lazy(async () => creditQueueFromEnv());
const creditRules = lazy(async () => creditRulesStoreFromEnv());

/** The dependencies every channel endpoint shares. */
export const endpointDeps = lazy(async (): Promise<EndpointDeps> => ({ ...(await signedRequestDeps()), channels: channelDirectoryFromEnv(), creditQueue, creditRules }));
