import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetPublicKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { KmsPlatformSigner } from '../../../functions/adapters/keys/kms-platform-signer';
import { LocalPlatformSigner } from '../../../functions/adapters/keys/local-platform-signer';
import { platformSignerFromEnv } from '../../../functions/adapters/keys/platform-signer-from-env';
import { generateSm2KeyPair } from '../../../functions/shared/crypto/sm2';
import { KEY_PROVIDER_ENV, LOCAL_KEYRING_DIR_ENV, PLATFORM_SIGNING_KEY_ENV } from '../../../infra/topology';

const names = [KEY_PROVIDER_ENV, LOCAL_KEYRING_DIR_ENV, PLATFORM_SIGNING_KEY_ENV];
const saved = Object.fromEntries(names.map((n) => [n, process.env[n]]));
afterEach(() => {
  for (const name of names) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe('platformSignerFromEnv', () => {
  it('opens the local keyring key pair with KEY_PROVIDER=local', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zt-platform-env-'));
    try {
      process.env[KEY_PROVIDER_ENV] = 'local';
      process.env[LOCAL_KEYRING_DIR_ENV] = dir;
      const signer = await platformSignerFromEnv();
      expect(signer).toBeInstanceOf(LocalPlatformSigner);
      expect(signer.keyId).toBe((await LocalPlatformSigner.open(dir)).keyId);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('uses the KMS key PLATFORM_SIGNING_KEY_ID otherwise', async () => {
    const kms = mockClient(KMSClient);
    const { publicKey } = generateSm2KeyPair();
    kms.on(GetPublicKeyCommand).resolves({
      KeySpec: 'SM2',
      KeyUsage: 'SIGN_VERIFY',
      SigningAlgorithms: ['SM2DSA'],
      PublicKey: Buffer.from(`3059301306072a8648ce3d020106082a811ccf5501822d034200${publicKey}`, 'hex'),
    });
    try {
      delete process.env[KEY_PROVIDER_ENV];
      process.env[PLATFORM_SIGNING_KEY_ENV] = 'alias/zhitong/test/platform-signing';
      const signer = await platformSignerFromEnv();
      expect(signer).toBeInstanceOf(KmsPlatformSigner);
      expect(await signer.publicKeyHex()).toBe(publicKey);
      expect(kms.commandCalls(GetPublicKeyCommand)[0]!.args[0].input).toEqual({ KeyId: 'alias/zhitong/test/platform-signing' });
    } finally {
      kms.restore();
    }
  });

  it('fails fast on a missing key id, keyring directory or an unknown provider', async () => {
    process.env[KEY_PROVIDER_ENV] = 'kms';
    delete process.env[PLATFORM_SIGNING_KEY_ENV];
    await expect(platformSignerFromEnv()).rejects.toThrow(PLATFORM_SIGNING_KEY_ENV);
    process.env[KEY_PROVIDER_ENV] = 'local';
    delete process.env[LOCAL_KEYRING_DIR_ENV];
    await expect(platformSignerFromEnv()).rejects.toThrow(LOCAL_KEYRING_DIR_ENV);
    process.env[KEY_PROVIDER_ENV] = 'hsm';
    await expect(platformSignerFromEnv()).rejects.toThrow(KEY_PROVIDER_ENV);
  });
});
