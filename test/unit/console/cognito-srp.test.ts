/**
 * The console's Cognito SRP sign-in (console/src/auth/cognito-srp.ts) against a simulated user pool that
 * keeps the verifier v = g^x and computes its own side of SRP-6a (B = k·v + g^b, S = (A·v^u)^b): both sides
 * must derive the same password authentication key, a wrong password a different one; plus Cognito's
 * formats (padHex, the signed timestamp). The simulated pool uses the same hashing conventions as the client, so
 * this proves the algebra and the key derivation, not conformance with Cognito itself (never tried here: no network).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cognitoTimestamp, ephemeral, g, hexHash, hexToBytes, kValue, modPow, N, padHex, passwordAuthenticationKey, passwordClaimSignature, xValue } from '../../../console/src/auth/cognito-srp';

const hkdf16 = (ikm: Uint8Array, salt: Uint8Array): Buffer => {
  const prk = createHmac('sha256', salt).update(ikm).digest();
  return createHmac('sha256', prk).update(Buffer.concat([Buffer.from('Caldera Derived Key'), Buffer.of(1)])).digest().subarray(0, 16);
};

async function simulatedPool(poolName: string, userId: string, password: string) {
  const salt = BigInt(`0x${randomBytes(16).toString('hex')}`);
  const v = modPow(g, await xValue(poolName, userId, password, salt), N);
  const b = BigInt(`0x${randomBytes(32).toString('hex')}`);
  const B = (((await kValue()) * v) % N + modPow(g, b, N)) % N;
  return {
    salt,
    B,
    async keyFor(A: bigint): Promise<Buffer> {
      const u = BigInt(`0x${await hexHash(`${padHex(A)}${padHex(B)}`)}`);
      const S = modPow(A * modPow(v, u, N), b, N);
      return hkdf16(hexToBytes(padHex(S)), hexToBytes(padHex(u)));
    },
  };
}

describe('Cognito SRP in the console', () => {
  it('derives the key the pool derives, and another one for a wrong password', async () => {
    const pool = await simulatedPool('AbCdEf123', 'user-id-1', 'correct horse');
    const { a, A } = ephemeral((n) => new Uint8Array(randomBytes(n)));
    const mine = await passwordAuthenticationKey({ poolName: 'AbCdEf123', userId: 'user-id-1', password: 'correct horse', a, A, B: pool.B, salt: pool.salt });
    expect(Buffer.from(mine).toString('hex')).toBe((await pool.keyFor(A)).toString('hex'));
    const wrong = await passwordAuthenticationKey({ poolName: 'AbCdEf123', userId: 'user-id-1', password: 'wrong horse', a, A, B: pool.B, salt: pool.salt });
    expect(Buffer.from(wrong).toString('hex')).not.toBe((await pool.keyFor(A)).toString('hex'));
  });

  it('refuses B ≡ 0 (mod N), pads hex as Cognito does, and signs the timestamp Cognito expects', async () => {
    await expect(passwordAuthenticationKey({ poolName: 'p', userId: 'u', password: 'x', a: 5n, A: modPow(g, 5n, N), B: N, salt: 1n })).rejects.toThrow(/B/);
    expect(padHex(0x7fn)).toBe('7f');
    expect(padHex(0x80n)).toBe('0080');
    expect(padHex(0xabcn)).toBe('0abc');
    expect(cognitoTimestamp(new Date('2026-12-03T06:31:03Z'))).toBe('Thu Dec 3 06:31:03 UTC 2026');
    const key = new Uint8Array(16).fill(7);
    const secret = Buffer.from('secret-block').toString('base64');
    const expected = createHmac('sha256', key).update(Buffer.concat([Buffer.from('pool'), Buffer.from('user'), Buffer.from('secret-block'), Buffer.from('ts')])).digest('base64');
    expect(await passwordClaimSignature(key, 'pool', 'user', secret, 'ts')).toBe(expected);
  });
});
