/**
 * Sealing personal data field by field (DESIGN.md §5): SM4-CBC (GB/T 32907) under the tenant's key with a
 * fresh random IV, then an HMAC-SM3 tag (GB/T 32905) over everything that gives the ciphertext its meaning
 * — tenant, field, the record it belongs to, key version, IV and ciphertext (encrypt-then-MAC). A sealed
 * value copied to another tenant, field or record therefore fails to open, and so does any altered byte.
 *
 * Sealed format: `v<version>.<base64url iv>.<base64url ciphertext>.<base64url tag>`.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { IntegrityError } from '../../core/domain/errors';
import { hmacSm3 } from './sm3';
import { sm4CbcDecrypt, sm4CbcEncrypt } from './sm4';

export interface TenantKeys {
  readonly tenant: string;
  readonly version: number;
  /** 16-byte SM4 key. */
  readonly encKey: Buffer;
  /** HMAC-SM3 key of the integrity tag. */
  readonly macKey: Buffer;
  /** HMAC-SM3 key of the blind index. */
  readonly indexKey: Buffer;
}

/** Domain-separation prefix for every KDF input and tag, so no other use of the root key collides. */
const DOMAIN = 'zhitong/pii/v1';
const IV_BYTES = 16;
const TAG_BYTES = 32;
const BLOCK_BYTES = 16;
const MAX_VERSION = 999_999_999;

/** Length-prefixed concatenation (4-byte big-endian length before each part): unambiguous for any input. */
function canonical(parts: readonly (string | Uint8Array)[]): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    chunks.push(length, bytes);
  }
  return Buffer.concat(chunks);
}

function checkVersion(version: number): void {
  if (!Number.isInteger(version) || version < 1 || version > MAX_VERSION) {
    throw new RangeError('key version must be a positive integer');
  }
}

/**
 * Derives the three working keys of one tenant's data key: HMAC-SM3(root, label ‖ tenant ‖ version) with a
 * distinct label per key, so the keys are independent and a root used under another tenant or version
 * yields unrelated keys.
 */
export function deriveTenantKeys(tenant: string, version: number, root: Uint8Array): TenantKeys {
  checkVersion(version);
  if (tenant.length === 0) throw new RangeError('tenant must not be empty');
  // A data key shorter than the SM4 key itself would weaken every derived key.
  if (root.length < 16) throw new RangeError('root key must be at least 16 bytes');
  const derive = (label: string): Buffer => hmacSm3(root, canonical([DOMAIN, label, tenant, String(version)]));
  return {
    tenant,
    version,
    encKey: derive('enc').subarray(0, 16),
    macKey: derive('mac'),
    indexKey: derive('index'),
  };
}

function tag(keys: TenantKeys, field: string, bindTo: string, version: number, iv: Uint8Array, ciphertext: Uint8Array): Buffer {
  return hmacSm3(keys.macKey, canonical([DOMAIN, keys.tenant, field, bindTo, String(version), iv, ciphertext]));
}

export function sealField(keys: TenantKeys, field: string, plaintext: string, bindTo: string): string {
  const iv = randomBytes(IV_BYTES);
  const ciphertext = sm4CbcEncrypt(keys.encKey, iv, Buffer.from(plaintext, 'utf8'));
  const mac = tag(keys, field, bindTo, keys.version, iv, ciphertext);
  return `v${keys.version}.${iv.toString('base64url')}.${ciphertext.toString('base64url')}.${mac.toString('base64url')}`;
}

interface ParsedSealed {
  readonly version: number;
  readonly iv: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

/** Canonical base64url only: a value that does not re-encode to itself is rejected, so no byte is ignored. */
function decodeBase64Url(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

function parseSealed(sealed: string): ParsedSealed {
  // Messages name the failure, never the value (personal data must not reach logs).
  const malformed = (): IntegrityError => new IntegrityError('sealed value is malformed');
  if (typeof sealed !== 'string') throw malformed();
  const parts = sealed.split('.');
  if (parts.length !== 4) throw malformed();
  const [versionPart, ivPart, ciphertextPart, tagPart] = parts as [string, string, string, string];
  const versionMatch = /^v([1-9][0-9]{0,8})$/.exec(versionPart);
  if (!versionMatch) throw malformed();
  const iv = decodeBase64Url(ivPart);
  const ciphertext = decodeBase64Url(ciphertextPart);
  const mac = decodeBase64Url(tagPart);
  if (!iv || iv.length !== IV_BYTES) throw malformed();
  if (!ciphertext || ciphertext.length === 0 || ciphertext.length % BLOCK_BYTES !== 0) throw malformed();
  if (!mac || mac.length !== TAG_BYTES) throw malformed();
  return { version: Number(versionMatch[1]), iv, ciphertext, tag: mac };
}

/** The key version a sealed value was made with; throws IntegrityError when the value is malformed. */
export function sealedKeyVersion(sealed: string): number {
  return parseSealed(sealed).version;
}

/** Throws IntegrityError on any alteration, on malformed input, or under another tenant/field/record/version. */
export function openField(keys: TenantKeys, field: string, sealed: string, bindTo: string): string {
  const parsed = parseSealed(sealed);
  if (parsed.version !== keys.version) throw new IntegrityError('sealed value was made with another key version');
  const expected = tag(keys, field, bindTo, parsed.version, parsed.iv, parsed.ciphertext);
  // Constant-time: a byte-by-byte early exit would let a caller learn the tag one byte at a time.
  if (!timingSafeEqual(expected, parsed.tag)) throw new IntegrityError('sealed value failed its integrity check');
  try {
    const plaintext = sm4CbcDecrypt(keys.encKey, parsed.iv, parsed.ciphertext);
    return new TextDecoder('utf-8', { fatal: true }).decode(plaintext);
  } catch {
    // Unreachable unless the key itself is wrong: the tag already vouched for these bytes.
    throw new IntegrityError('sealed value failed to decrypt');
  }
}

/**
 * Keyed blind index for equality search (e.g. matching an owner by ID number) without storing the value:
 * lowercase hex HMAC-SM3(indexKey, kind ‖ 0x00 ‖ value). Deterministic within a tenant, unrelated across
 * tenants. Callers normalise the value first (e.g. upper-case the ID check digit `X`).
 */
export function blindIndex(keys: TenantKeys, kind: string, value: string): string {
  return hmacSm3(keys.indexKey, `${kind}\u0000${value}`).toString('hex');
}
