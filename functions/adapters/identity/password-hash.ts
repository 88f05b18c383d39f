/**
 * Password hashes for the local token issuer only (on AWS, Cognito holds staff passwords and this
 * code never runs): scrypt with a per-user random salt, parameters stored with the hash so they can
 * be raised later. Format: `scrypt$<N>$<r>$<p>$<salt base64url>$<hash base64url>`.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** N = 2^15, r = 8, p = 1: 32 MiB and some tens of milliseconds per hash. */
const DEFAULTS = { N: 2 ** 15, r: 8, p: 1 } as const;
/** Upper bounds accepted from a stored hash, so a corrupt or hostile value cannot exhaust memory. */
const MAX_N = 2 ** 17;
const MAX_R = 16;
const MAX_P = 4;

function scryptAsync(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem above the 128·N·r bytes scrypt needs (the default 32 MiB is just too small for N = 2^15).
    const maxmem = 256 * (options.N ?? DEFAULTS.N) * (options.r ?? DEFAULTS.r);
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, { ...options, maxmem }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptAsync(password, salt, DEFAULTS);
  return ['scrypt', DEFAULTS.N, DEFAULTS.r, DEFAULTS.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

interface Parsed {
  readonly options: { N: number; r: number; p: number };
  readonly salt: Buffer;
  readonly key: Buffer;
}

function parse(stored: string): Parsed | undefined {
  const [scheme, n, r, p, salt, key, ...rest] = stored.split('$');
  if (scheme !== 'scrypt' || rest.length > 0 || salt === undefined || key === undefined) return undefined;
  const options = { N: Number(n), r: Number(r), p: Number(p) };
  const power = Math.log2(options.N);
  if (!Number.isInteger(power) || power < 10 || options.N > MAX_N) return undefined;
  if (!Number.isInteger(options.r) || options.r < 1 || options.r > MAX_R || !Number.isInteger(options.p) || options.p < 1 || options.p > MAX_P) return undefined;
  const saltBytes = Buffer.from(salt, 'base64url');
  const keyBytes = Buffer.from(key, 'base64url');
  if (saltBytes.length < SALT_BYTES || keyBytes.length !== KEY_BYTES) return undefined;
  return { options, salt: saltBytes, key: keyBytes };
}

/** Whether `password` matches the stored hash; false (never a throw) for a malformed hash. Constant-time compare. */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const key = await scryptAsync(password, parsed.salt, parsed.options);
  return timingSafeEqual(key, parsed.key);
}

let decoy: Promise<string> | undefined;

/**
 * A hash of a random password with the default parameters: checked against when the username is
 * unknown, so that a wrong username costs the same work as a wrong password and timing tells nothing.
 */
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(32).toString('base64url'));
  return decoy;
}
