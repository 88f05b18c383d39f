import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { sm4CbcDecrypt, sm4CbcEncrypt } from '../../../functions/shared/crypto/sm4';

const hex = (value: string) => Buffer.from(value, 'hex');

describe('SM4-CBC (GB/T 32907-2016)', () => {
  it('reproduces the standard example: key = plaintext = 0123456789abcdeffedcba9876543210', () => {
    // Prepare: with a zero IV the first CBC block is exactly the single-block (ECB) encryption.
    const key = hex('0123456789abcdeffedcba9876543210');
    // Act
    const ciphertext = sm4CbcEncrypt(key, Buffer.alloc(16), key);
    // Assess: one block of data plus one full PKCS#7 padding block.
    expect(ciphertext).toHaveLength(32);
    expect(ciphertext.subarray(0, 16).toString('hex')).toBe('681edf34d206965e86b3e94f536e4246');
    expect(sm4CbcDecrypt(key, Buffer.alloc(16), ciphertext).equals(key)).toBe(true);
  });

  it('round-trips any plaintext, padding to whole blocks with PKCS#7', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (plaintext) => {
        const key = randomBytes(16);
        const iv = randomBytes(16);
        const ciphertext = sm4CbcEncrypt(key, iv, plaintext);
        expect(ciphertext.length).toBe((Math.floor(plaintext.length / 16) + 1) * 16);
        expect(sm4CbcDecrypt(key, iv, ciphertext).equals(Buffer.from(plaintext))).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('round-trips Chinese text', () => {
    const key = randomBytes(16);
    const iv = randomBytes(16);
    const name = Buffer.from('欧阳娜娜', 'utf8');
    expect(sm4CbcDecrypt(key, iv, sm4CbcEncrypt(key, iv, name)).toString('utf8')).toBe('欧阳娜娜');
  });

  it('uses the IV: the same plaintext under another IV gives another ciphertext', () => {
    const key = randomBytes(16);
    const plaintext = Buffer.from('110101199003071234');
    expect(sm4CbcEncrypt(key, randomBytes(16), plaintext).equals(sm4CbcEncrypt(key, randomBytes(16), plaintext))).toBe(false);
  });

  it('rejects keys and IVs of the wrong size', () => {
    expect(() => sm4CbcEncrypt(randomBytes(15), randomBytes(16), Buffer.from('x'))).toThrow(RangeError);
    expect(() => sm4CbcEncrypt(randomBytes(16), randomBytes(8), Buffer.from('x'))).toThrow(RangeError);
    expect(() => sm4CbcDecrypt(randomBytes(32), randomBytes(16), randomBytes(16))).toThrow(RangeError);
  });

  it('refuses a ciphertext that is not a whole number of blocks', () => {
    const key = randomBytes(16);
    const iv = randomBytes(16);
    const ciphertext = sm4CbcEncrypt(key, iv, Buffer.from('some data'));
    expect(() => sm4CbcDecrypt(key, iv, ciphertext.subarray(0, 15))).toThrow();
  });
});
