/**
 * SM4 (GB/T 32907-2016) in CBC mode with PKCS#7 padding, from node:crypto (OpenSSL). CBC gives no
 * integrity on its own: callers pair it with an HMAC-SM3 tag (encrypt-then-MAC, see field-cipher.ts).
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

const KEY_BYTES = 16;
const IV_BYTES = 16;

function checkSizes(key: Uint8Array, iv: Uint8Array): void {
  // Sizes only: the values are secret and never belong in a message.
  if (key.length !== KEY_BYTES) throw new RangeError(`SM4 key must be ${KEY_BYTES} bytes`);
  if (iv.length !== IV_BYTES) throw new RangeError(`SM4 IV must be ${IV_BYTES} bytes`);
}

export function sm4CbcEncrypt(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): Buffer {
  checkSizes(key, iv);
  const cipher = createCipheriv('sm4-cbc', key, iv);
  return Buffer.concat([cipher.update(plaintext), cipher.final()]);
}

/** Throws when the ciphertext is not a whole number of blocks or its padding is invalid. */
export function sm4CbcDecrypt(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Buffer {
  checkSizes(key, iv);
  const decipher = createDecipheriv('sm4-cbc', key, iv);
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
}
