import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import smCrypto from 'sm-crypto';
import { sm3 as nobleSm3 } from 'sm-crypto-v2';
import { hmacSm3, sm3, sm3Hex } from '../../../functions/shared/crypto/sm3';

describe('SM3 (GB/T 32905-2016)', () => {
  it('matches the standard example 1: "abc"', () => {
    expect(sm3Hex('abc')).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  });

  it('matches the standard example 2: "abcd" repeated 16 times (512 bits)', () => {
    expect(sm3Hex('abcd'.repeat(16))).toBe('debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732');
  });

  it('hashes a string as its UTF-8 bytes and returns 32 bytes', () => {
    const text = '张三 不动产登记';
    expect(sm3(text).equals(sm3(Buffer.from(text, 'utf8')))).toBe(true);
    expect(sm3(text)).toHaveLength(32);
    expect(sm3Hex(text)).toBe(sm3(text).toString('hex'));
  });

  it('agrees with the independent sm-crypto implementation on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(sm3Hex(bytes)).toBe(smCrypto.sm3(Array.from(bytes)));
      }),
      { numRuns: 50 },
    );
  });
});

describe('HMAC-SM3', () => {
  it('agrees with the noble-based HMAC-SM3 of sm-crypto-v2', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 100 }), fc.uint8Array({ maxLength: 200 }), (key, data) => {
        expect(hmacSm3(key, data).toString('hex')).toBe(nobleSm3(data, { key, mode: 'hmac' }));
      }),
      { numRuns: 50 },
    );
  });

  it('depends on the key', () => {
    const data = 'same data';
    expect(hmacSm3(Buffer.from('key-a'), data).equals(hmacSm3(Buffer.from('key-b'), data))).toBe(false);
  });
});
