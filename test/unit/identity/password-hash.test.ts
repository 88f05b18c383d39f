import { describe, expect, it } from 'vitest';
import { decoyHash, hashPassword, verifyPassword } from '../../../functions/adapters/identity/password-hash';

describe('local password hashes (scrypt)', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('Correct-horse-7');
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await verifyPassword(stored, 'Correct-horse-7')).toBe(true);
    expect(await verifyPassword(stored, 'Correct-horse-8')).toBe(false);
    expect(await verifyPassword(stored, '')).toBe(false);
  });

  it('salts per user: the same password hashes differently twice, and never contains the password', async () => {
    const [a, b] = await Promise.all([hashPassword('same-Password-1'), hashPassword('same-Password-1')]);
    expect(a).not.toBe(b);
    expect(a).not.toContain('same-Password-1');
  });

  it('treats a malformed or hostile stored hash as a mismatch, without throwing or exhausting memory', async () => {
    const good = await hashPassword('pw');
    const [, , , , salt, key] = good.split('$');
    for (const stored of ['', 'plain', `scrypt$1048576$8$1$${salt}$${key}`, `scrypt$1000$8$1$${salt}$${key}`, `scrypt$32768$64$1$${salt}$${key}`, `bcrypt$32768$8$1$${salt}$${key}`, `${good}$extra`]) {
      expect(await verifyPassword(stored, 'pw'), stored.slice(0, 20)).toBe(false);
    }
  });

  it('has a decoy hash for unknown usernames that matches no password a user could type', async () => {
    const decoy = await decoyHash();
    expect(decoy).toBe(await decoyHash());
    expect(await verifyPassword(decoy, '')).toBe(false);
    expect(await verifyPassword(decoy, 'password')).toBe(false);
  });
});
