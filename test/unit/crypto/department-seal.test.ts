/**
 * Personal data sealed for one department (DESIGN.md §7b): only the holder of its private key opens it,
 * and any alteration of the envelope is refused.
 */
import { describe, expect, it } from 'vitest';
import { openDepartmentSeal, SEAL_ALGORITHM, sealForDepartment, type SealedEnvelope } from '../../../functions/shared/crypto/department-seal';
import { generateSm2KeyPair } from '../../../functions/shared/crypto/sm2';
import { sealedEnvelopeSchema } from '../../../schemas/departments/v1';

const department = generateSm2KeyPair();
const other = generateSm2KeyPair();
const PLAINTEXT = JSON.stringify({ buyers: [{ name: '王小明', idType: 'RESIDENT_ID', idNumber: '370103199002020021' }] });

/** Flips one bit of a hex or base64 field. */
function flipped(envelope: SealedEnvelope, field: 'encryptedKey' | 'iv' | 'ciphertext' | 'mac'): SealedEnvelope {
  const encoding = field === 'ciphertext' ? 'base64' : 'hex';
  const bytes = Buffer.from(envelope[field], encoding);
  bytes[bytes.length - 1]! ^= 0x01;
  return { ...envelope, [field]: bytes.toString(encoding) };
}

describe('sealForDepartment / openDepartmentSeal', () => {
  it('round-trips UTF-8 plaintext for the holder of the private key, in the declared envelope shape', () => {
    const envelope = sealForDepartment(PLAINTEXT, department.publicKey);
    expect(sealedEnvelopeSchema.parse(envelope)).toEqual(envelope);
    expect(envelope.alg).toBe(SEAL_ALGORITHM);
    expect(JSON.stringify(envelope)).not.toContain('王小明');
    expect(JSON.stringify(envelope)).not.toContain('370103199002020021');
    expect(openDepartmentSeal(envelope, department.privateKey)).toBe(PLAINTEXT);
  });

  it('uses a fresh data key and IV every time', () => {
    const a = sealForDepartment(PLAINTEXT, department.publicKey);
    const b = sealForDepartment(PLAINTEXT, department.publicKey);
    expect(a.encryptedKey).not.toBe(b.encryptedKey);
    expect(a.iv).not.toBe(b.iv);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  });

  it('does not open with another private key', () => {
    const envelope = sealForDepartment(PLAINTEXT, department.publicKey);
    expect(() => openDepartmentSeal(envelope, other.privateKey)).toThrow();
  });

  it.each(['encryptedKey', 'iv', 'ciphertext', 'mac'] as const)('refuses an envelope whose %s was altered', (field) => {
    const envelope = sealForDepartment(PLAINTEXT, department.publicKey);
    expect(() => openDepartmentSeal(flipped(envelope, field), department.privateKey)).toThrow();
  });

  it('refuses an unknown algorithm, and names no content in its errors', () => {
    const envelope = sealForDepartment(PLAINTEXT, department.publicKey);
    expect(() => openDepartmentSeal({ ...envelope, alg: 'NONE' } as unknown as SealedEnvelope, department.privateKey)).toThrow(/algorithm/);
    try {
      openDepartmentSeal(flipped(envelope, 'ciphertext'), department.privateKey);
    } catch (error) {
      expect(String(error)).not.toContain('王小明');
    }
  });
});
