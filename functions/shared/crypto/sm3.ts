/**
 * SM3 (GB/T 32905-2016) and HMAC-SM3 (RFC 2104 over SM3) from node:crypto, which ships OpenSSL's
 * implementation: no hand-written hash code (STYLE.md habit 7). Strings are hashed as UTF-8.
 */
import { createHash, createHmac } from 'node:crypto';

export function sm3(data: Uint8Array | string): Buffer {
  return createHash('sm3').update(data).digest();
}

/** Lowercase hex SM3 digest, the form used in the signed request string (DESIGN.md §7). */
export function sm3Hex(data: Uint8Array | string): string {
  return createHash('sm3').update(data).digest('hex');
}

export function hmacSm3(key: Uint8Array, data: Uint8Array | string): Buffer {
  return createHmac('sm3', key).update(data).digest();
}
