import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import smCrypto from 'sm-crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalPlatformSigner, PLATFORM_KEY_FILE } from '../../../functions/adapters/keys/local-platform-signer';
import { isValidSm2PublicKey, sm2Verify } from '../../../functions/shared/crypto/sm2';
import { sm3Hex } from '../../../functions/shared/crypto/sm3';

let dir: string;
beforeEach(async () => {
  dir = join(await mkdtemp(join(tmpdir(), 'zt-platform-key-')), 'keyring');
});
afterEach(async () => rm(join(dir, '..'), { recursive: true, force: true }));

describe('LocalPlatformSigner', () => {
  it('creates an SM2 key pair on first use, readable by its owner only, and reuses it afterwards', async () => {
    // Act
    const first = await LocalPlatformSigner.open(dir);
    const again = await LocalPlatformSigner.open(dir);
    // Assess
    expect((await stat(join(dir, PLATFORM_KEY_FILE))).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect(isValidSm2PublicKey(await first.publicKeyHex())).toBe(true);
    expect(await again.publicKeyHex()).toBe(await first.publicKeyHex());
    expect(again.keyId).toBe(first.keyId);
  });

  it('two processes opening an empty keyring at once end up with one key', async () => {
    const signers = await Promise.all(Array.from({ length: 5 }, () => LocalPlatformSigner.open(dir)));
    expect(new Set(await Promise.all(signers.map((s) => s.publicKeyHex()))).size).toBe(1);
  });

  it('names the key local-sm2:<first 16 hex of SM3(public key bytes)>', async () => {
    const signer = await LocalPlatformSigner.open(dir);
    const publicKey = await signer.publicKeyHex();
    expect(signer.keyId).toBe(`local-sm2:${sm3Hex(Buffer.from(publicKey, 'hex')).slice(0, 16)}`);
    expect(signer.keyId).toMatch(/^local-sm2:[0-9a-f]{16}$/);
  });

  it('signs so that both our verifier and sm-crypto (an institution\'s library) verify', async () => {
    const signer = await LocalPlatformSigner.open(dir);
    const message = Buffer.from('1795424400\nF1:2\nabc\n', 'utf8');
    const der = await signer.sign(message);
    const publicKey = await signer.publicKeyHex();
    expect(sm2Verify(message, der, publicKey)).toBe(true);
    expect(smCrypto.sm2.doVerifySignature(message.toString('utf8'), der.toString('hex'), publicKey, { hash: true, der: true })).toBe(true);
    expect(sm2Verify(Buffer.from('another message'), der, publicKey)).toBe(false);
  });

  it('keeps the private key out of the object (nothing to log by accident)', async () => {
    const signer = await LocalPlatformSigner.open(dir);
    const privateKey = (await readFile(join(dir, PLATFORM_KEY_FILE), 'utf8')).trim();
    expect(JSON.stringify(signer)).not.toContain(privateKey);
    expect(Object.values(signer).join(' ')).not.toContain(privateKey);
  });

  it('refuses a key file that is not a private key', async () => {
    await LocalPlatformSigner.open(dir);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, PLATFORM_KEY_FILE), 'not a key');
    await expect(LocalPlatformSigner.open(dir)).rejects.toThrow(/not 64 hex characters/);
  });
});
