import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalKeyring } from '../../../functions/adapters/keys/local-keyring';
import { sm3Hex } from '../../../functions/shared/crypto/sm3';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'zt-keyring-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

const context = { tenant: '110101', purpose: 'pii' };

describe('LocalKeyring', () => {
  it('creates a private directory and a 32-byte master key readable only by its owner', async () => {
    const dir = join(await tempDir(), 'nested', 'keyring');
    const keyring = await LocalKeyring.open(dir);
    const master = await readFile(join(dir, 'master.key'));
    expect(master).toHaveLength(32);
    expect((await stat(join(dir, 'master.key'))).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect(keyring.keyId).toBe(`local:${sm3Hex(master).slice(0, 16)}`);
  });

  it('wraps a 32-byte data key and unwraps it under the same context, in any key order', async () => {
    const keyring = await LocalKeyring.open(await tempDir());
    const { plaintext, wrapped } = await keyring.generateDataKey(context);
    expect(plaintext).toHaveLength(32);
    expect(Buffer.from(wrapped).includes(Buffer.from(plaintext))).toBe(false);
    const unwrapped = await keyring.unwrapDataKey(wrapped, { purpose: 'pii', tenant: '110101' });
    expect(Buffer.from(unwrapped).equals(Buffer.from(plaintext))).toBe(true);
  });

  it('generates a different key each time', async () => {
    const keyring = await LocalKeyring.open(await tempDir());
    const a = await keyring.generateDataKey(context);
    const b = await keyring.generateDataKey(context);
    expect(Buffer.from(a.plaintext).equals(Buffer.from(b.plaintext))).toBe(false);
  });

  it('refuses to unwrap under another context', async () => {
    const keyring = await LocalKeyring.open(await tempDir());
    const { wrapped } = await keyring.generateDataKey(context);
    await expect(keyring.unwrapDataKey(wrapped, { tenant: '110102', purpose: 'pii' })).rejects.toThrow(/encryption context differs/);
    await expect(keyring.unwrapDataKey(wrapped, { tenant: '110101' })).rejects.toThrow(/encryption context differs/);
    await expect(keyring.unwrapDataKey(wrapped, { ...context, extra: 'x' })).rejects.toThrow(/encryption context differs/);
  });

  it('refuses an altered blob, byte by byte', async () => {
    const keyring = await LocalKeyring.open(await tempDir());
    const { wrapped } = await keyring.generateDataKey(context);
    for (let i = 0; i < wrapped.length; i++) {
      const altered = Buffer.from(wrapped);
      altered[i]! ^= 0x01;
      await expect(keyring.unwrapDataKey(altered, context)).rejects.toThrow(Error);
    }
    await expect(keyring.unwrapDataKey(Buffer.from(wrapped).subarray(1), context)).rejects.toThrow(/not a local keyring blob/);
  });

  it('reuses the persisted master key after re-opening, and another keyring cannot unwrap', async () => {
    const dir = await tempDir();
    const first = await LocalKeyring.open(dir);
    const { plaintext, wrapped } = await first.generateDataKey(context);
    const reopened = await LocalKeyring.open(dir);
    expect(reopened.keyId).toBe(first.keyId);
    expect(Buffer.from(await reopened.unwrapDataKey(wrapped, context)).equals(Buffer.from(plaintext))).toBe(true);
    const stranger = await LocalKeyring.open(await tempDir());
    expect(stranger.keyId).not.toBe(first.keyId);
    await expect(stranger.unwrapDataKey(wrapped, context)).rejects.toThrow(Error);
  });

  it('ends up with one master key when opened concurrently for the first time', async () => {
    const dir = await tempDir();
    const keyrings = await Promise.all(Array.from({ length: 5 }, () => LocalKeyring.open(dir)));
    expect(new Set(keyrings.map((k) => k.keyId)).size).toBe(1);
  });

  it('refuses a master key file of the wrong size', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'master.key'), Buffer.alloc(10));
    await expect(LocalKeyring.open(dir)).rejects.toThrow(/exactly 32 bytes/);
  });
});
