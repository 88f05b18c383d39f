/**
 * Personal data sealed for one department (DESIGN.md §7b): a fresh 32-byte data key per request — 16 bytes
 * of SM4 key and 16 of HMAC-SM3 key — encrypted to the department's SM2 public key (SM2 encryption,
 * GM/T 0003.4, C1C3C2, hex as sm-crypto writes it); the plaintext (UTF-8 JSON) SM4-CBC-encrypted under it
 * with a random IV, then tagged with HMAC-SM3 over `alg ‖ iv ‖ ciphertext` (encrypt-then-MAC). Only the
 * holder of the department's private key opens it; the tag refuses any altered envelope.
 *
 * ```
 * { "alg": "SM2-SM4CBC-HMACSM3", "encryptedKey": "<hex>", "iv": "<32 hex>", "ciphertext": "<base64>", "mac": "<64 hex>" }
 * ```
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { sm2 } from 'sm-crypto-v2';
import { hmacSm3 } from './sm3';
import { sm4CbcDecrypt, sm4CbcEncrypt } from './sm4';

export const SEAL_ALGORITHM = 'SM2-SM4CBC-HMACSM3';
/** C1C3C2, the order of GM/T 0003.4 (sm-crypto's cipherMode 1). */
const CIPHER_MODE = 1;

export interface SealedEnvelope {
  readonly alg: typeof SEAL_ALGORITHM;
  readonly encryptedKey: string;
  readonly iv: string;
  readonly ciphertext: string;
  readonly mac: string;
}

const macOf = (macKey: Uint8Array, iv: Buffer, ciphertext: Buffer): Buffer => hmacSm3(macKey, Buffer.concat([Buffer.from(SEAL_ALGORITHM, 'utf8'), iv, ciphertext]));

/** Seals `plaintext` (UTF-8) for the holder of the private key of `publicKeyHex`. */
export function sealForDepartment(plaintext: string, publicKeyHex: string): SealedEnvelope {
  const dataKey = randomBytes(32);
  const iv = randomBytes(16);
  const ciphertext = sm4CbcEncrypt(dataKey.subarray(0, 16), iv, Buffer.from(plaintext, 'utf8'));
  const encryptedKey = sm2.doEncrypt(dataKey, publicKeyHex, CIPHER_MODE);
  const mac = macOf(dataKey.subarray(16), iv, ciphertext);
  dataKey.fill(0);
  return { alg: SEAL_ALGORITHM, encryptedKey, iv: iv.toString('hex'), ciphertext: ciphertext.toString('base64'), mac: mac.toString('hex') };
}

/** Opens an envelope with the department's private key; throws on a wrong key or any alteration (the reason names no content). */
export function openDepartmentSeal(envelope: SealedEnvelope, privateKeyHex: string): string {
  if (envelope.alg !== SEAL_ALGORITHM) throw new Error(`Unknown sealing algorithm`);
  let dataKey: Uint8Array;
  try {
    dataKey = sm2.doDecrypt(envelope.encryptedKey, privateKeyHex, CIPHER_MODE, { output: 'array' });
  } catch {
    throw new Error('The data key does not open with this private key');
  }
  if (dataKey.length !== 32) throw new Error('The data key does not open with this private key');
  const iv = Buffer.from(envelope.iv, 'hex');
  const ciphertext = Buffer.from(envelope.ciphertext, 'base64');
  const expected = macOf(dataKey.subarray(16), iv, ciphertext);
  const mac = Buffer.from(envelope.mac, 'hex');
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) throw new Error('The sealed data was altered');
  return sm4CbcDecrypt(dataKey.subarray(0, 16), iv, ciphertext).toString('utf8');
}
