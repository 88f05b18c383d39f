/** The local token issuer: its key pair persists in the keyring directory; its tokens look like Cognito's. */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_STAFF_AUDIENCE, LOCAL_STAFF_ISSUER, LocalStaffIssuer, STAFF_TOKEN_TTL_SECONDS } from '../../../functions/adapters/identity/local-issuer';
import { JwtStaffTokenVerifier } from '../../../functions/adapters/identity/staff-token-verifier';
import { ZtError } from '../../../functions/core/domain/errors';

let dir: string;
beforeEach(async () => {
  dir = join(await mkdtemp(join(tmpdir(), 'zt-issuer-')), 'keyring');
});
afterEach(async () => rm(join(dir, '..'), { recursive: true, force: true }));

const staff = { staffId: 'stf-370102-clerk', username: 'clerk.370102' };

describe('LocalStaffIssuer', () => {
  it('creates its key pair once, readable by its owner only, and reopens the same key', async () => {
    const first = await LocalStaffIssuer.open(dir);
    const again = await LocalStaffIssuer.open(dir);
    expect(again.kid).toBe(first.kid);
    expect(first.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await stat(join(dir, 'staff-issuer.jwk.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });

  it('agrees on one key when several processes open it at once, leaving no temporary files', async () => {
    const issuers = await Promise.all(Array.from({ length: 4 }, () => LocalStaffIssuer.open(dir)));
    expect(new Set(issuers.map((i) => i.kid)).size).toBe(1);
    expect(await readdir(dir)).toEqual(['staff-issuer.jwk.json']);
  });

  it('publishes only the public key in its JWKS', async () => {
    const { keys } = (await LocalStaffIssuer.open(dir)).jwks();
    expect(keys).toHaveLength(1);
    expect(Object.keys(keys[0]!).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
  });

  it('issues a one-hour RS256 access token naming the staff member, and nothing about role or district', async () => {
    const issuer = await LocalStaffIssuer.open(dir);
    const now = new Date('2026-11-23T09:00:00Z');
    const { accessToken, expiresIn } = await issuer.issue(staff, now);
    expect(expiresIn).toBe(STAFF_TOKEN_TTL_SECONDS);
    expect(decodeProtectedHeader(accessToken)).toEqual({ alg: 'RS256', kid: issuer.kid, typ: 'JWT' });
    const payload = decodeJwt(accessToken);
    expect(payload).toMatchObject({ sub: staff.staffId, username: staff.username, iss: LOCAL_STAFF_ISSUER, aud: LOCAL_STAFF_AUDIENCE, token_use: 'access' });
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(payload).not.toHaveProperty('role');
    expect(payload).not.toHaveProperty('district');
  });

  it("issues tokens that its own JWKS verifies, and that another keyring's JWKS refuses", async () => {
    const issuer = await LocalStaffIssuer.open(dir);
    const other = await LocalStaffIssuer.open(join(dir, '..', 'other-keyring'));
    const verify = (jwks: ReturnType<LocalStaffIssuer['jwks']>) =>
      new JwtStaffTokenVerifier({ jwks: createLocalJWKSet(jwks), issuer: LOCAL_STAFF_ISSUER, audience: LOCAL_STAFF_AUDIENCE, audienceClaim: 'aud' });
    const { accessToken } = await issuer.issue(staff);
    expect(await verify(issuer.jwks()).verify(accessToken)).toEqual({ staffId: staff.staffId });
    await expect(verify(other.jwks()).verify(accessToken)).rejects.toSatisfy((e: unknown) => e instanceof ZtError && e.code === 'STAFF_TOKEN_INVALID');
  });
});
