/**
 * Chooses where staff tokens are verified against (DESIGN.md §6, one topology, two runtimes):
 * - `STAFF_JWKS_URL` set (the CDK app sets it): the Cognito user pool's JWKS, fetched once and cached
 *   per container, with `STAFF_ISSUER` and `STAFF_AUDIENCE` (the app client id) required;
 * - otherwise, with `KEY_PROVIDER=local`: the local issuer's key, read from the keyring directory, so
 *   no handler makes an HTTP call to the runtime it runs in.
 * Missing settings fail at the first staff request's dependency build, not later.
 */
import { createLocalJWKSet, createRemoteJWKSet } from 'jose';
import { KEY_PROVIDER_ENV, LOCAL_KEYRING_DIR_ENV } from '../../../infra/topology';
import { STAFF_AUDIENCE_ENV, STAFF_ISSUER_ENV, STAFF_JWKS_URL_ENV } from '../../../infra/topology';
import type { StaffTokenVerifier } from '../../core/ports';
import { getStringFromEnv } from '../../shared/config';
import { LOCAL_STAFF_AUDIENCE, LOCAL_STAFF_ISSUER, LocalStaffIssuer } from './local-issuer';
import { JwtStaffTokenVerifier } from './staff-token-verifier';

export async function staffTokenVerifierFromEnv(): Promise<StaffTokenVerifier> {
  const jwksUrl = process.env[STAFF_JWKS_URL_ENV]?.trim();
  if (jwksUrl) {
    return new JwtStaffTokenVerifier({
      // Cached per container; an unknown `kid` (key rotation) refetches, at most once per 30 s.
      jwks: createRemoteJWKSet(new URL(jwksUrl), { timeoutDuration: 3_000, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 }),
      issuer: getStringFromEnv(STAFF_ISSUER_ENV),
      audience: getStringFromEnv(STAFF_AUDIENCE_ENV),
      audienceClaim: 'client_id',
    });
  }
  if (process.env[KEY_PROVIDER_ENV]?.trim() === 'local') {
    const issuer = await LocalStaffIssuer.open(getStringFromEnv(LOCAL_KEYRING_DIR_ENV));
    return new JwtStaffTokenVerifier({ jwks: createLocalJWKSet(issuer.jwks()), issuer: LOCAL_STAFF_ISSUER, audience: LOCAL_STAFF_AUDIENCE, audienceClaim: 'aud' });
  }
  throw new Error(`Missing required environment variable ${STAFF_JWKS_URL_ENV} (or ${KEY_PROVIDER_ENV}=local for the local issuer)`);
}
