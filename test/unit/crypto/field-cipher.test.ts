import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { IntegrityError } from '../../../functions/core/domain/errors';
import {
  blindIndex,
  deriveTenantKeys,
  openField,
  sealField,
  sealedKeyVersion,
  type TenantKeys,
} from '../../../functions/shared/crypto/field-cipher';

const root = randomBytes(32);
const keys = deriveTenantKeys('110101', 1, root);
const filing = 'F0123456789ABCDEF01234567';
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Flips one bit of the decoded part `index` (1 = iv, 2 = ciphertext, 3 = tag) of a sealed value. */
function flipBit(sealed: string, index: number, byte = 0, bit = 0): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[index]!, 'base64url');
  bytes[byte]! ^= 1 << bit;
  parts[index] = bytes.toString('base64url');
  return parts.join('.');
}

function expectIntegrityError(act: () => unknown, secret?: string): void {
  let caught: unknown;
  try {
    act();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(IntegrityError);
  if (secret !== undefined) expect((caught as Error).message).not.toContain(secret);
}

describe('tenant key derivation', () => {
  it('derives a 16-byte SM4 key and distinct MAC and index keys', () => {
    expect(keys.encKey).toHaveLength(16);
    expect(keys.macKey).toHaveLength(32);
    expect(keys.indexKey).toHaveLength(32);
    expect(keys.macKey.equals(keys.indexKey)).toBe(false);
    expect(keys.macKey.subarray(0, 16).equals(keys.encKey)).toBe(false);
  });

  it('is deterministic and bound to tenant and version', () => {
    expect(deriveTenantKeys('110101', 1, root).macKey.equals(keys.macKey)).toBe(true);
    const otherTenant = deriveTenantKeys('110102', 1, root);
    const otherVersion = deriveTenantKeys('110101', 2, root);
    for (const derived of [otherTenant, otherVersion]) {
      expect(derived.encKey.equals(keys.encKey)).toBe(false);
      expect(derived.macKey.equals(keys.macKey)).toBe(false);
      expect(derived.indexKey.equals(keys.indexKey)).toBe(false);
    }
  });

  it('refuses short roots, empty tenants and invalid versions', () => {
    expect(() => deriveTenantKeys('110101', 1, randomBytes(8))).toThrow(RangeError);
    expect(() => deriveTenantKeys('', 1, root)).toThrow(RangeError);
    expect(() => deriveTenantKeys('110101', 0, root)).toThrow(RangeError);
    expect(() => deriveTenantKeys('110101', 1.5, root)).toThrow(RangeError);
  });
});

describe('sealing and opening fields', () => {
  it('round-trips Chinese names, ID numbers and phone numbers', () => {
    for (const [field, value] of [
      ['name', '张三'],
      ['name', '欧阳·娜娜𠀀'],
      ['idNumber', '11010119900307123X'],
      ['phone', '13800138000'],
      ['name', ''],
    ] as const) {
      const sealed = sealField(keys, field, value, filing);
      expect(openField(keys, field, sealed, filing)).toBe(value);
    }
  });

  it('round-trips any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (value) => {
        expect(openField(keys, 'name', sealField(keys, 'name', value, filing), filing)).toBe(value);
      }),
      { numRuns: 100 },
    );
  });

  it('has the documented format and never contains the plaintext', () => {
    const sealed = sealField(keys, 'idNumber', '110101199003071234', filing);
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(sealed).not.toContain('110101199003071234');
    expect(sealedKeyVersion(sealed)).toBe(1);
  });

  it('uses a fresh IV: sealing the same value twice gives different outputs', () => {
    expect(sealField(keys, 'name', '张三', filing)).not.toBe(sealField(keys, 'name', '张三', filing));
  });

  it('detects a flipped bit in the IV, the ciphertext or the tag', () => {
    const sealed = sealField(keys, 'name', '张三', filing);
    for (const part of [1, 2, 3]) {
      for (const [byte, bit] of [
        [0, 0],
        [5, 7],
        [15, 3],
      ] as const) {
        expectIntegrityError(() => openField(keys, 'name', flipBit(sealed, part, byte, bit), filing), '张三');
      }
    }
  });

  it('refuses a value moved to another tenant, field or record, or opened under another key version', () => {
    const sealed = sealField(keys, 'name', '张三', filing);
    expectIntegrityError(() => openField(deriveTenantKeys('110102', 1, root), 'name', sealed, filing));
    expectIntegrityError(() => openField(deriveTenantKeys('110102', 1, randomBytes(32)), 'name', sealed, filing));
    expectIntegrityError(() => openField(keys, 'idNumber', sealed, filing));
    expectIntegrityError(() => openField(keys, 'name', sealed, 'F-another-filing'));
    expectIntegrityError(() => openField(deriveTenantKeys('110101', 2, root), 'name', sealed, filing));
    // Relabelling the version prefix does not help: the version is inside the tag.
    const v2: TenantKeys = deriveTenantKeys('110101', 2, root);
    expectIntegrityError(() => openField(v2, 'name', sealed.replace(/^v1\./, 'v2.'), filing));
  });

  it('does not confuse field and record boundaries (length-prefixed tag input)', () => {
    const sealed = sealField(keys, 'name', '张三', 'ab');
    expectIntegrityError(() => openField(keys, 'namea', sealed, 'b'));
  });

  it('refuses malformed sealed values with IntegrityError', () => {
    const sealed = sealField(keys, 'name', '张三', filing);
    const [version, iv, ciphertext, tag] = sealed.split('.') as [string, string, string, string];
    for (const bad of [
      '',
      'garbage',
      `${version}.${iv}.${ciphertext}`,
      `${sealed}.extra`,
      `v0.${iv}.${ciphertext}.${tag}`,
      `v01.${iv}.${ciphertext}.${tag}`,
      `x1.${iv}.${ciphertext}.${tag}`,
      `${version}.${iv.slice(0, -2)}.${ciphertext}.${tag}`,
      `${version}.${iv}.${ciphertext.slice(0, -1)}.${tag}`,
      `${version}.${iv}.${ciphertext}.${tag.slice(0, -4)}`,
      `${version}.${iv}.${ciphertext}.${tag}=`,
      `${version}.${iv}..${tag}`,
      // Same bytes, non-canonical spelling: the last character's unused low bits changed.
      `${version}.${iv.slice(0, -1)}${B64URL[B64URL.indexOf(iv.slice(-1)) ^ 1]}.${ciphertext}.${tag}`,
    ]) {
      expectIntegrityError(() => openField(keys, 'name', bad, filing));
      expectIntegrityError(() => sealedKeyVersion(bad));
    }
  });
});

describe('blind index', () => {
  it('is deterministic within a tenant and lowercase hex', () => {
    const index = blindIndex(keys, 'idNumber', '110101199003071234');
    expect(index).toMatch(/^[0-9a-f]{64}$/);
    expect(blindIndex(deriveTenantKeys('110101', 1, root), 'idNumber', '110101199003071234')).toBe(index);
    expect(index).not.toContain('110101199003071234');
  });

  it('differs across tenants, kinds and values', () => {
    const index = blindIndex(keys, 'idNumber', '110101199003071234');
    expect(blindIndex(deriveTenantKeys('110102', 1, root), 'idNumber', '110101199003071234')).not.toBe(index);
    expect(blindIndex(deriveTenantKeys('110101', 1, randomBytes(32)), 'idNumber', '110101199003071234')).not.toBe(index);
    expect(blindIndex(keys, 'content', '110101199003071234')).not.toBe(index);
    expect(blindIndex(keys, 'idNumber', '110101199003071235')).not.toBe(index);
  });
});
