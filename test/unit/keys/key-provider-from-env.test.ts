import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KEY_PROVIDER_ENV, LOCAL_KEYRING_DIR_ENV, PII_KEY_ENV } from '../../../infra/topology';
import { keyProviderFromEnv } from '../../../functions/adapters/keys/key-provider-from-env';
import { KmsKeyProvider } from '../../../functions/adapters/keys/kms-key-provider';
import { LocalKeyring } from '../../../functions/adapters/keys/local-keyring';

const saved = { ...process.env };
afterEach(() => {
  for (const name of [KEY_PROVIDER_ENV, LOCAL_KEYRING_DIR_ENV, PII_KEY_ENV]) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe('keyProviderFromEnv', () => {
  it('defaults to KMS with the configured key', async () => {
    delete process.env[KEY_PROVIDER_ENV];
    process.env[PII_KEY_ENV] = 'alias/zhitong-pii';
    const provider = await keyProviderFromEnv();
    expect(provider).toBeInstanceOf(KmsKeyProvider);
    expect(provider.keyId).toBe('alias/zhitong-pii');
  });

  it('fails fast when the KMS key id is missing', async () => {
    process.env[KEY_PROVIDER_ENV] = 'kms';
    delete process.env[PII_KEY_ENV];
    await expect(keyProviderFromEnv()).rejects.toThrow(PII_KEY_ENV);
  });

  it('opens the local keyring in the configured directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zt-keyring-env-'));
    try {
      process.env[KEY_PROVIDER_ENV] = 'local';
      process.env[LOCAL_KEYRING_DIR_ENV] = dir;
      const provider = await keyProviderFromEnv();
      expect(provider).toBeInstanceOf(LocalKeyring);
      expect(provider.keyId).toBe((await LocalKeyring.open(dir)).keyId);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails fast on a missing keyring directory or an unknown provider', async () => {
    process.env[KEY_PROVIDER_ENV] = 'local';
    delete process.env[LOCAL_KEYRING_DIR_ENV];
    await expect(keyProviderFromEnv()).rejects.toThrow(LOCAL_KEYRING_DIR_ENV);
    process.env[KEY_PROVIDER_ENV] = 'vault';
    await expect(keyProviderFromEnv()).rejects.toThrow(KEY_PROVIDER_ENV);
  });
});
