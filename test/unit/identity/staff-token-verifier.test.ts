/**
 * Staff bearer tokens are verified against a JWKS: only a current RS256 access token of the configured
 * issuer and audience, signed by a key of that JWKS, names a staff member. Everything else is 401
 * STAFF_TOKEN_INVALID, including the classic JWT attacks (alg none, HMAC keyed with the public key).
 */
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { createLocalJWKSet, exportJWK, SignJWT, type JWK, type JWTPayload } from 'jose';
import { describe, expect, it } from 'vitest';
import { JwtStaffTokenVerifier } from '../../../functions/adapters/identity/staff-token-verifier';
import { ZtError } from '../../../functions/core/domain/errors';

const ISSUER = 'https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_TEST';
const CLIENT = 'staff-console-client';
const NOW = new Date('2026-11-23T09:00:00Z');
const nowSeconds = Math.floor(NOW.getTime() / 1000);

const rsaKey = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const trusted = rsaKey();
const stranger = rsaKey();
const KID = 'kid-1';

async function publicJwk(): Promise<JWK> {
  return { ...(await exportJWK(trusted.publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
}

const b64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Claims of a valid Cognito access token for staff member `stf-1`. */
const claims = (overrides: JWTPayload = {}): JWTPayload => ({
  sub: 'stf-1',
  iss: ISSUER,
  client_id: CLIENT,
  token_use: 'access',
  iat: nowSeconds - 60,
  exp: nowSeconds + 3540,
  ...overrides,
});

async function sign(payload: JWTPayload, options: { key?: typeof trusted.privateKey; kid?: string } = {}): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: options.kid ?? KID, typ: 'JWT' }).sign(options.key ?? trusted.privateKey);
}

async function verifier(mode: 'client_id' | 'aud' = 'client_id') {
  return new JwtStaffTokenVerifier({
    jwks: createLocalJWKSet({ keys: [await publicJwk()] }),
    issuer: ISSUER,
    audience: CLIENT,
    audienceClaim: mode,
    now: () => NOW,
  });
}

async function refusal(token: string, mode: 'client_id' | 'aud' = 'client_id'): Promise<string> {
  try {
    await (await verifier(mode)).verify(token);
    return 'accepted';
  } catch (error) {
    if (error instanceof ZtError) return `${error.status} ${error.code}`;
    throw error;
  }
}

describe('a valid staff access token', () => {
  it('names its staff member (Cognito access token: client_id, token_use access)', async () => {
    expect(await (await verifier()).verify(await sign(claims()))).toEqual({ staffId: 'stf-1' });
  });

  it('is accepted with `aud` when the verifier is configured for aud (the local issuer)', async () => {
    expect(await (await verifier('aud')).verify(await sign(claims({ client_id: undefined, aud: CLIENT })))).toEqual({ staffId: 'stf-1' });
  });

  it('tolerates a small clock skew (30 s) and no more', async () => {
    expect(await refusal(await sign(claims({ exp: nowSeconds - 20 })))).toBe('accepted');
    expect(await refusal(await sign(claims({ exp: nowSeconds - 40 })))).toBe('401 STAFF_TOKEN_INVALID');
  });
});

describe('refused with 401 STAFF_TOKEN_INVALID', () => {
  const cases: [string, () => Promise<string>][] = [
    ['an expired token', () => sign(claims({ iat: nowSeconds - 7200, exp: nowSeconds - 3600 }))],
    ['a token issued in the future', () => sign(claims({ iat: nowSeconds + 600, exp: nowSeconds + 4200 }))],
    ['a token without exp', () => sign(claims({ exp: undefined }))],
    ['another issuer', () => sign(claims({ iss: 'https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_OTHER' }))],
    ['another app client', () => sign(claims({ client_id: 'some-other-app' }))],
    ['an ID token instead of an access token', () => sign(claims({ token_use: 'id', aud: CLIENT }))],
    ['a token without token_use', () => sign(claims({ token_use: undefined }))],
    ['a token without sub', () => sign(claims({ sub: undefined }))],
    ['a sub that is no staff id', () => sign(claims({ sub: 'stf 1; DROP' }))],
    ['a signature by another key under the trusted kid', () => sign(claims(), { key: stranger.privateKey })],
    ['an unknown kid', () => sign(claims(), { kid: 'kid-unknown' })],
    [
      'a tampered payload (sub changed after signing)',
      async () => {
        const [header, , signature] = (await sign(claims())).split('.');
        return `${header}.${b64url(claims({ sub: 'stf-admin' }))}.${signature}`;
      },
    ],
    ['alg none (unsigned)', async () => `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims())}.`],
    [
      'HS256 keyed with the public key (algorithm confusion)',
      async () => {
        const jwk = await publicJwk();
        const signingInput = `${b64url({ alg: 'HS256', kid: KID, typ: 'JWT' })}.${b64url(claims())}`;
        const mac = createHmac('sha256', trusted.publicKey.export({ type: 'spki', format: 'pem' })).update(signingInput).digest('base64url');
        return jwk.n ? `${signingInput}.${mac}` : 'unreachable';
      },
    ],
    ['garbage', async () => 'not-a-jwt'],
    ['an empty token', async () => ''],
    ['an oversized token', async () => `${'a'.repeat(9000)}.b.c`],
  ];

  it.each(cases)('%s', async (_name, token) => {
    expect(await refusal(await token())).toBe('401 STAFF_TOKEN_INVALID');
  });

  it('checks aud (not client_id) in aud mode', async () => {
    expect(await refusal(await sign(claims({ aud: 'someone-else' })), 'aud')).toBe('401 STAFF_TOKEN_INVALID');
    expect(await refusal(await sign(claims()), 'aud')).toBe('401 STAFF_TOKEN_INVALID');
  });
});

describe('faults on our side', () => {
  it('are not blamed on the token: a JWKS that cannot be fetched surfaces as an error (500), not a 401', async () => {
    const broken = new JwtStaffTokenVerifier({
      jwks: async () => {
        throw new TypeError('fetch failed');
      },
      issuer: ISSUER,
      audience: CLIENT,
      audienceClaim: 'client_id',
      now: () => NOW,
    });
    await expect(broken.verify(await sign(claims()))).rejects.toThrow(TypeError);
  });
});
