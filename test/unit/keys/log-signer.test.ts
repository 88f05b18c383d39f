import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOG_KEY_FILE, logSignerFromEnv } from '../../../functions/adapters/keys/log-signer';
import { PLATFORM_KEY_FILE } from '../../../functions/adapters/keys/local-platform-signer';
import { platformSignerFromEnv } from '../../../functions/adapters/keys/platform-signer-from-env';
import { treeHeadBytes, type TreeHead } from '../../../functions/core/domain/audit-log';
import { generateSm2KeyPair, sm2Sign, sm2Verify } from '../../../functions/shared/crypto/sm2';
import { KEY_PROVIDER_ENV, LOCAL_KEYRING_DIR_ENV, LOG_SIGNING_KEY_ENV } from '../../../infra/topology';

const logKeyArn = 'arn:aws-cn:kms:cn-north-1:123456789012:key/0000aaaa-12ab-34cd-56ef-1234567890ab';
const SPKI_PREFIX = '3059301306072a8648ce3d020106082a811ccf5501822d034200';
const keys = generateSm2KeyPair();
const kms = mockClient(KMSClient);
const head: TreeHead = { logId: 'zhitong/audit/v1/370102', treeSize: 3, rootHash: 'ab'.repeat(32), timestamp: '2026-12-01T08:00:00.000Z' };

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('logSignerFromEnv with KMS (the log signing key of LOG_SIGNING_KEY_ID)', () => {
  beforeEach(() => {
    kms.reset();
    kms.on(GetPublicKeyCommand).resolves({ KeyId: logKeyArn, KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY', SigningAlgorithms: ['SM2DSA'], PublicKey: Buffer.from(SPKI_PREFIX + keys.publicKey, 'hex') });
    kms.on(SignCommand).callsFake((input: { Message: Uint8Array }) => ({ KeyId: logKeyArn, SigningAlgorithm: 'SM2DSA', Signature: sm2Sign(input.Message, keys.privateKey) }));
  });

  it('signs the tree head bytes with SM2DSA over RAW on the log key, and names it as a log key', async () => {
    process.env[KEY_PROVIDER_ENV] = 'kms';
    process.env[LOG_SIGNING_KEY_ENV] = logKeyArn;
    const signer = await logSignerFromEnv();
    const signature = await signer.sign(treeHeadBytes(head));
    expect(sm2Verify(treeHeadBytes(head), signature, keys.publicKey)).toBe(true);
    expect(signer.keyId).toMatch(/^kms-sm2-log:[0-9a-f]{16}$/);
    const call = kms.commandCalls(SignCommand)[0]!.args[0].input;
    expect(call).toMatchObject({ KeyId: logKeyArn, MessageType: 'RAW', SigningAlgorithm: 'SM2DSA' });
    expect(Buffer.from(call.Message!).toString('utf8')).toBe(treeHeadBytes(head).toString('utf8'));
  });

  it('refuses to sign when KMS answers with a signature of another key', async () => {
    process.env[KEY_PROVIDER_ENV] = 'kms';
    process.env[LOG_SIGNING_KEY_ENV] = logKeyArn;
    const other = generateSm2KeyPair();
    kms.on(SignCommand).callsFake((input: { Message: Uint8Array }) => ({ KeyId: logKeyArn, SigningAlgorithm: 'SM2DSA', Signature: sm2Sign(input.Message, other.privateKey) }));
    const signer = await logSignerFromEnv();
    await expect(signer.sign(treeHeadBytes(head))).rejects.toThrow(/does not verify/);
  });

  it('has no key without LOG_SIGNING_KEY_ID (a function not declared logKey)', async () => {
    process.env[KEY_PROVIDER_ENV] = 'kms';
    delete process.env[LOG_SIGNING_KEY_ENV];
    await expect(logSignerFromEnv()).rejects.toThrow(/LOG_SIGNING_KEY_ID/);
    expect(kms.commandCalls(GetPublicKeyCommand)).toHaveLength(0);
  });
});

describe('logSignerFromEnv locally (log-signing.key in the keyring)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zt-log-key-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('keeps its own key file, apart from the platform key, and signs with it', async () => {
    Object.assign(process.env, { [KEY_PROVIDER_ENV]: 'local', [LOCAL_KEYRING_DIR_ENV]: dir, [LOG_SIGNING_KEY_ENV]: 'local' });
    const logSigner = await logSignerFromEnv();
    const platform = await platformSignerFromEnv();
    expect((await readdir(dir)).sort()).toEqual([LOG_KEY_FILE, PLATFORM_KEY_FILE].sort());
    expect(await logSigner.publicKeyHex()).not.toBe(await platform.publicKeyHex());
    expect(logSigner.keyId).toMatch(/^local-sm2-log:/);
    const signature = await logSigner.sign(treeHeadBytes(head));
    expect(sm2Verify(treeHeadBytes(head), signature, await logSigner.publicKeyHex())).toBe(true);
    expect(sm2Verify(treeHeadBytes(head), signature, await platform.publicKeyHex())).toBe(false);
    // The same key on the next start.
    expect(await (await logSignerFromEnv()).publicKeyHex()).toBe(await logSigner.publicKeyHex());
    expect((await readFile(join(dir, LOG_KEY_FILE), 'utf8')).trim()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('opens nothing without the variable', async () => {
    Object.assign(process.env, { [KEY_PROVIDER_ENV]: 'local', [LOCAL_KEYRING_DIR_ENV]: dir });
    delete process.env[LOG_SIGNING_KEY_ENV];
    await expect(logSignerFromEnv()).rejects.toThrow(/LOG_SIGNING_KEY_ID/);
    expect(await readdir(dir)).toEqual([]);
  });
});
