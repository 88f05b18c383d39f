/**
 * How staff functions learn to verify staff bearer tokens; set by the CDK app on every function that
 * reads the `staff` table (see infra/cdk/staff-identity.ts). Unset locally, where the local issuer's
 * keys are read from the keyring directory instead (KEY_PROVIDER=local, LOCAL_KEYRING_DIR).
 * Kept beside infra/topology.ts because both runtimes and the functions read these names.
 */

/** The JWKS of the token issuer, e.g. `https://cognito-idp.<region>.amazonaws.com/<poolId>/.well-known/jwks.json`. */
export const STAFF_JWKS_URL_ENV = 'STAFF_JWKS_URL';
/** The exact `iss` of staff tokens (the user pool's provider URL). */
export const STAFF_ISSUER_ENV = 'STAFF_ISSUER';
/** The app client id that staff access tokens must be issued to (`client_id` of Cognito access tokens). */
export const STAFF_AUDIENCE_ENV = 'STAFF_AUDIENCE';
