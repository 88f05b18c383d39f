/**
 * The local runtime's stand-in for the Cognito user pool: an RSA key pair in the keyring directory
 * (0600, created on first use) that signs RS256 access tokens shaped like Cognito's, and the JWKS that
 * verifies them. Staff handlers read the same key file, so verification needs no HTTP call.
 *
 * For development and demos only: the private key sits on disk, unprotected by any HSM.
 */
import { generateKeyPairSync, createPrivateKey, randomBytes, type JsonWebKey, type KeyObject } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { calculateJwkThumbprint, SignJWT, type JWK } from 'jose';
import type { StaffAccount } from '../../core/domain/staff';

const KEY_FILE = 'staff-issuer.jwk.json';
const RSA_BITS = 2048;

/** `iss` of local staff tokens. */
export const LOCAL_STAFF_ISSUER = 'urn:zhitong:local:staff-issuer';
/** `aud` (and `client_id`, as in Cognito access tokens) of local staff tokens. */
export const LOCAL_STAFF_AUDIENCE = 'zhitong-staff-console';
/** Access tokens live one hour, as Cognito's do by default. */
export const STAFF_TOKEN_TTL_SECONDS = 3600;

export interface IssuedToken {
  readonly accessToken: string;
  readonly expiresIn: number;
}

interface RsaPrivateJwk extends JsonWebKey {
  readonly kty: 'RSA';
  readonly n: string;
  readonly e: string;
  readonly d: string;
}

const isRsaPrivateJwk = (value: unknown): value is RsaPrivateJwk =>
  value !== null && typeof value === 'object' && ['kty', 'n', 'e', 'd'].every((k) => typeof (value as Record<string, unknown>)[k] === 'string') && (value as JsonWebKey).kty === 'RSA';

/**
 * Reads the key file, creating it first if needed. Written to a temporary file and then hard-linked
 * into place: `link` fails when the file exists, so two processes starting together never overwrite
 * each other's key, and a reader never sees a half-written file.
 */
async function readOrCreateKey(dir: string): Promise<RsaPrivateJwk> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, KEY_FILE);
  try {
    return parseKey(await readFile(path, 'utf8'), path);
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) throw error;
  }
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: RSA_BITS });
  const temporary = join(dir, `.${KEY_FILE}.${randomBytes(6).toString('hex')}`);
  await writeFile(temporary, JSON.stringify(privateKey.export({ format: 'jwk' })), { flag: 'wx', mode: 0o600 });
  try {
    await link(temporary, path);
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
  } finally {
    await unlink(temporary);
  }
  return parseKey(await readFile(path, 'utf8'), path);
}

function parseKey(text: string, path: string): RsaPrivateJwk {
  const jwk: unknown = JSON.parse(text);
  if (!isRsaPrivateJwk(jwk)) throw new Error(`The local staff issuer key at ${path} is not an RSA private JWK`);
  return jwk;
}

export class LocalStaffIssuer {
  private constructor(
    private readonly privateKey: KeyObject,
    /** The public key as a JWK with its `kid` (RFC 7638 thumbprint), `alg` and `use`. */
    readonly publicJwk: JWK,
  ) {}

  /** Opens the issuer in the keyring directory, creating its key pair (0600) on first use. */
  static async open(dir: string): Promise<LocalStaffIssuer> {
    const jwk = await readOrCreateKey(dir);
    const publicPart = { kty: jwk.kty, n: jwk.n, e: jwk.e };
    const kid = await calculateJwkThumbprint(publicPart, 'sha256');
    return new LocalStaffIssuer(createPrivateKey({ key: jwk, format: 'jwk' }), { ...publicPart, kid, alg: 'RS256', use: 'sig' });
  }

  get kid(): string {
    return this.publicJwk.kid ?? '';
  }

  /** The public keys, as `GET /v1/staff/jwks.json` serves them (never a private parameter). */
  jwks(): { keys: JWK[] } {
    return { keys: [{ ...this.publicJwk }] };
  }

  /** An RS256 access token for the account: `sub` = staffId, valid for one hour. Role and district are not in it. */
  async issue(staff: Pick<StaffAccount, 'staffId' | 'username'>, now: Date = new Date()): Promise<IssuedToken> {
    const issuedAt = Math.floor(now.getTime() / 1000);
    const accessToken = await new SignJWT({ username: staff.username, token_use: 'access', client_id: LOCAL_STAFF_AUDIENCE })
      .setProtectedHeader({ alg: 'RS256', kid: this.kid, typ: 'JWT' })
      .setSubject(staff.staffId)
      .setIssuer(LOCAL_STAFF_ISSUER)
      .setAudience(LOCAL_STAFF_AUDIENCE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + STAFF_TOKEN_TTL_SECONDS)
      .setJti(randomBytes(16).toString('hex'))
      .sign(this.privateKey);
    return { accessToken, expiresIn: STAFF_TOKEN_TTL_SECONDS };
  }
}
