import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import smCrypto from 'sm-crypto';
import {
  createSm2Verifier,
  generateSm2KeyPair,
  isValidSm2PublicKey,
  sm2Sign,
  sm2Verify,
} from '../../../functions/shared/crypto/sm2';

const N = BigInt('0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123');
const ours = generateSm2KeyPair();
const other = generateSm2KeyPair();
const message = 'POST\n/v1/batches\n1700000000\nabcdefghijklmnop\n0000\n';

/** DER INTEGER in minimal form. */
function derInteger(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (parseInt(hex.slice(0, 2), 16) & 0x80) hex = `00${hex}`;
  const bytes = Buffer.from(hex, 'hex');
  return Buffer.concat([Buffer.of(0x02, bytes.length), bytes]);
}
const derSignature = (r: bigint, s: bigint, integers = Buffer.concat([derInteger(r), derInteger(s)])) =>
  Buffer.concat([Buffer.of(0x30, integers.length), integers]);

function rsOf(der: Buffer): { r: bigint; s: bigint } {
  const rLength = der[3]!;
  const r = BigInt(`0x${der.subarray(4, 4 + rLength).toString('hex')}`);
  const sLength = der[4 + rLength + 1]!;
  const s = BigInt(`0x${der.subarray(6 + rLength, 6 + rLength + sLength).toString('hex')}`);
  return { r, s };
}

describe('SM2 key pairs', () => {
  it('generates 64-hex private keys and uncompressed 04… public keys on the curve', () => {
    expect(ours.privateKey).toMatch(/^[0-9a-f]{64}$/);
    expect(ours.publicKey).toMatch(/^04[0-9a-f]{128}$/);
    expect(isValidSm2PublicKey(ours.publicKey)).toBe(true);
    expect(ours.publicKey).not.toBe(other.publicKey);
  });

  it('rejects public keys that are off the curve, compressed, short or not hex', () => {
    expect(isValidSm2PublicKey(`04${'11'.repeat(64)}`)).toBe(false);
    expect(isValidSm2PublicKey(`02${ours.publicKey.slice(2, 66)}`)).toBe(false);
    expect(isValidSm2PublicKey(ours.publicKey.slice(0, 128))).toBe(false);
    expect(isValidSm2PublicKey(`04${'zz'.repeat(64)}`)).toBe(false);
    expect(isValidSm2PublicKey('')).toBe(false);
  });

  it('accepts upper-case hex of a valid key', () => {
    expect(isValidSm2PublicKey(ours.publicKey.toUpperCase())).toBe(true);
  });
});

describe('SM2 sign and verify (GM/T 0003, SM3 with default user id)', () => {
  it('verifies its own signature, DER-encoded', () => {
    const signature = sm2Sign(message, ours.privateKey);
    expect(signature[0]).toBe(0x30);
    expect(sm2Verify(message, signature, ours.publicKey)).toBe(true);
  });

  it('treats a string and its UTF-8 bytes as the same message, both ways', () => {
    const text = '抵押权首次登记 张三 ✓';
    const bytes = Buffer.from(text, 'utf8');
    expect(sm2Verify(bytes, sm2Sign(text, ours.privateKey), ours.publicKey)).toBe(true);
    expect(sm2Verify(text, sm2Sign(bytes, ours.privateKey), ours.publicKey)).toBe(true);
    expect(sm2Verify(new Uint8Array(bytes), sm2Sign(text, ours.privateKey), ours.publicKey)).toBe(true);
  });

  it('fails under another key, for an altered message and for an altered signature', () => {
    const signature = sm2Sign(message, ours.privateKey);
    expect(sm2Verify(message, signature, other.publicKey)).toBe(false);
    expect(sm2Verify(`${message} `, signature, ours.publicKey)).toBe(false);
    const { r, s } = rsOf(signature);
    expect(sm2Verify(message, derSignature(r, (s + 1n) % N), ours.publicKey)).toBe(false);
    expect(sm2Verify(message, derSignature((r + 1n) % N, s), ours.publicKey)).toBe(false);
  });

  it('is randomised: two signatures of one message differ and both verify', () => {
    const a = sm2Sign(message, ours.privateKey);
    const b = sm2Sign(message, ours.privateKey);
    expect(a.equals(b)).toBe(false);
    expect(sm2Verify(message, a, ours.publicKey) && sm2Verify(message, b, ours.publicKey)).toBe(true);
  });

  it('refuses private keys that are not 64 hex characters or outside [1, n-2]', () => {
    expect(() => sm2Sign(message, '00'.repeat(32))).toThrow(RangeError);
    expect(() => sm2Sign(message, (N - 1n).toString(16))).toThrow(RangeError);
    expect(() => sm2Sign(message, 'abc')).toThrow(TypeError);
  });
});

describe('SM2 verify on malformed input: false, never a throw', () => {
  const good = sm2Sign(message, ours.privateKey);
  const { r, s } = rsOf(good);

  it('rejects non-canonical DER of a valid signature (a redundant leading zero, trailing bytes)', () => {
    // Prepare: a signature whose r has its top bit clear, so a leading zero byte is redundant in DER.
    let signature = good;
    while (rsOf(signature).r >= 2n ** 255n) signature = sm2Sign(message, ours.privateKey);
    const parts = rsOf(signature);
    const paddedR = Buffer.of(0x02, 0x21, 0x00, ...Buffer.from(parts.r.toString(16).padStart(64, '0'), 'hex'));
    const redundant = derSignature(parts.r, parts.s, Buffer.concat([paddedR, derInteger(parts.s)]));
    // Act / Assess
    expect(sm2Verify(message, derSignature(parts.r, parts.s), ours.publicKey)).toBe(true);
    expect(sm2Verify(message, redundant, ours.publicKey)).toBe(false);
    expect(sm2Verify(message, Buffer.concat([signature, Buffer.of(0)]), ours.publicKey)).toBe(false);
  });

  it('rejects r or s outside [1, n-1]', () => {
    expect(sm2Verify(message, derSignature(0n, s), ours.publicKey)).toBe(false);
    expect(sm2Verify(message, derSignature(r, 0n), ours.publicKey)).toBe(false);
    expect(sm2Verify(message, derSignature(r + N, s), ours.publicKey)).toBe(false);
    expect(sm2Verify(message, derSignature(r, s + N), ours.publicKey)).toBe(false);
  });

  it('rejects invalid public keys and empty signatures', () => {
    expect(sm2Verify(message, good, `04${'11'.repeat(64)}`)).toBe(false);
    expect(sm2Verify(message, good, 'not a key')).toBe(false);
    expect(sm2Verify(message, Buffer.alloc(0), ours.publicKey)).toBe(false);
  });

  it('returns false for arbitrary bytes as a signature', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        expect(sm2Verify(message, bytes, ours.publicKey)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('returns false for arbitrary DER-shaped integers', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 264n }), fc.bigInt({ min: 0n, max: 2n ** 264n }), (a, b) => {
        expect(sm2Verify(message, derSignature(a, b), ours.publicKey)).toBe(false);
      }),
      { numRuns: 50 },
    );
  });
});

describe('interoperability with sm-crypto (what institutions use)', () => {
  it("verifies sm-crypto's doSignature(msg, priv, { hash: true, der: true })", () => {
    for (const text of [message, '预购商品房抵押预告登记', '']) {
      const derHex = smCrypto.sm2.doSignature(text, ours.privateKey, { hash: true, der: true });
      expect(sm2Verify(text, Buffer.from(derHex, 'hex'), ours.publicKey)).toBe(true);
      expect(sm2Verify(text, Buffer.from(derHex, 'hex'), other.publicKey)).toBe(false);
    }
  });

  it('produces signatures that sm-crypto doVerifySignature accepts', () => {
    for (const text of [message, '预购商品房抵押预告登记']) {
      const derHex = sm2Sign(text, ours.privateKey).toString('hex');
      expect(smCrypto.sm2.doVerifySignature(text, derHex, ours.publicKey, { hash: true, der: true })).toBe(true);
      expect(smCrypto.sm2.doVerifySignature(`${text}!`, derHex, ours.publicKey, { hash: true, der: true })).toBe(false);
    }
  });

  it('works with key pairs generated by sm-crypto, in both directions', () => {
    for (let i = 0; i < 5; i++) {
      const theirs = smCrypto.sm2.generateKeyPairHex();
      expect(isValidSm2PublicKey(theirs.publicKey)).toBe(true);
      const ourSignature = sm2Sign(message, theirs.privateKey);
      expect(sm2Verify(message, ourSignature, theirs.publicKey)).toBe(true);
      expect(smCrypto.sm2.doVerifySignature(message, ourSignature.toString('hex'), theirs.publicKey, { hash: true, der: true })).toBe(true);
      const theirSignature = smCrypto.sm2.doSignature(message, theirs.privateKey, { hash: true, der: true });
      expect(sm2Verify(message, Buffer.from(theirSignature, 'hex'), theirs.publicKey)).toBe(true);
    }
  });

  it('agrees with sm-crypto on signatures over arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        const theirs = smCrypto.sm2.doSignature(Array.from(bytes), ours.privateKey, { hash: true, der: true });
        expect(sm2Verify(bytes, Buffer.from(theirs, 'hex'), ours.publicKey)).toBe(true);
      }),
      { numRuns: 10 },
    );
  });
});

describe('the verifying-key cache', () => {
  it('gives the same answers with and without the cache, for many keys beyond its capacity', () => {
    const cached = createSm2Verifier({ cacheSize: 2 });
    const uncached = createSm2Verifier({ cacheSize: 0 });
    const pairs = Array.from({ length: 4 }, () => generateSm2KeyPair());
    for (let round = 0; round < 2; round++) {
      for (const [i, pair] of pairs.entries()) {
        const signature = sm2Sign(message, pair.privateKey);
        const wrongKey = pairs[(i + 1) % pairs.length]!.publicKey;
        expect(cached(message, signature, pair.publicKey)).toBe(true);
        expect(uncached(message, signature, pair.publicKey)).toBe(true);
        expect(cached(message, signature, wrongKey)).toBe(false);
        expect(uncached(message, signature, wrongKey)).toBe(false);
      }
    }
  });

  it('treats upper- and lower-case hex of one key alike', () => {
    const signature = sm2Sign(message, ours.privateKey);
    expect(sm2Verify(message, signature, ours.publicKey.toUpperCase())).toBe(true);
    expect(sm2Verify(message, signature, ours.publicKey)).toBe(true);
  });
});
