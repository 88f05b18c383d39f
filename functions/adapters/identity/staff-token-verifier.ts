/**
 * Staff bearer tokens (DESIGN.md §5): RS256 JWTs verified against the issuer's JWKS with jose — the
 * Cognito user pool's on AWS, the local issuer's on `npm start`. Signature, algorithm (RS256 only, so
 * neither `none` nor an HMAC keyed with the public key gets through), issuer, audience, expiry (with a
 * small clock skew) and `token_use: access` are all checked. The token names the staff member only;
 * what they may do comes from their account, read on every request.
 */
import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { unauthenticated } from '../../core/domain/errors';
import type { StaffTokenVerifier } from '../../core/ports';

/** Tokens longer than this are refused unread: Cognito's access tokens are around 1 KB. */
const MAX_TOKEN_CHARS = 8 * 1024;
/** A staffId as it may appear in `sub`: Cognito's UUIDs and our own ids. */
const STAFF_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;

export interface JwtStaffTokenVerifierOptions {
  readonly jwks: JWTVerifyGetKey;
  readonly issuer: string;
  /** The app client the token must be issued to. */
  readonly audience: string;
  /** Where that client is named: Cognito access tokens carry `client_id` and no `aud`. */
  readonly audienceClaim: 'aud' | 'client_id';
  /** Accepted clock skew on `exp`, `iat` and `nbf`; 30 s unless told. */
  readonly clockToleranceSeconds?: number;
  /** The clock (tests). */
  readonly now?: () => Date;
}

const invalid = (detail: string) => unauthenticated('STAFF_TOKEN_INVALID', detail);

/**
 * jose errors that describe the token (→ 401), as opposed to those that describe our side, such as
 * an unreachable or malformed JWKS endpoint (→ 500, logged).
 */
const TOKEN_ERRORS = [
  errors.JWTExpired,
  errors.JWTClaimValidationFailed,
  errors.JWTInvalid,
  errors.JWSInvalid,
  errors.JWSSignatureVerificationFailed,
  errors.JOSEAlgNotAllowed,
  errors.JOSENotSupported,
  errors.JWKSNoMatchingKey,
  errors.JWKSMultipleMatchingKeys,
  errors.JWKInvalid,
];

export class JwtStaffTokenVerifier implements StaffTokenVerifier {
  constructor(private readonly options: JwtStaffTokenVerifierOptions) {}

  async verify(token: string): Promise<{ readonly staffId: string }> {
    const { jwks, issuer, audience, audienceClaim } = this.options;
    const tolerance = this.options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
    const now = this.options.now?.() ?? new Date();
    if (token.length === 0 || token.length > MAX_TOKEN_CHARS) throw invalid('The bearer token is not a staff access token.');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        algorithms: ['RS256'],
        issuer,
        audience: audienceClaim === 'aud' ? audience : undefined,
        requiredClaims: ['sub', 'exp', 'iat'],
        clockTolerance: tolerance,
        currentDate: now,
      }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw invalid('The staff access token has expired; sign in again.');
      if (TOKEN_ERRORS.some((type) => error instanceof type)) throw invalid('The staff access token is not valid.');
      throw error;
    }
    // jose checks `iat` only for its type; a token from the future means a wrong clock or a forgery.
    if ((payload.iat ?? 0) > Math.floor(now.getTime() / 1000) + tolerance) throw invalid('The staff access token is not valid yet.');
    if (payload.token_use !== 'access') throw invalid('Only access tokens are accepted.');
    if (audienceClaim === 'client_id' && payload.client_id !== audience) throw invalid('The staff access token is not valid.');
    if (typeof payload.sub !== 'string' || !STAFF_ID.test(payload.sub)) throw invalid('The staff access token is not valid.');
    return { staffId: payload.sub };
  }
}
