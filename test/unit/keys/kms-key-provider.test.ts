import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { KmsKeyProvider } from '../../../functions/adapters/keys/kms-key-provider';

const keyArn = 'arn:aws:kms:ap-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const otherArn = 'arn:aws:kms:ap-east-1:123456789012:key/ffffffff-12ab-34cd-56ef-1234567890ab';
const context = { tenant: '110101', purpose: 'pii' };
const dataKey = new Uint8Array(32).fill(7);
const blob = new Uint8Array([1, 2, 3, 4]);

const kms = mockClient(KMSClient);

describe('KmsKeyProvider', () => {
  beforeEach(() => {
    kms.reset();
  });

  it('asks KMS for a 32-byte data key under the configured key with the encryption context', async () => {
    // Prepare
    kms.on(GenerateDataKeyCommand).resolves({ Plaintext: dataKey, CiphertextBlob: blob, KeyId: keyArn });
    const provider = new KmsKeyProvider({ client: new KMSClient({}), keyId: keyArn });
    // Act
    const result = await provider.generateDataKey(context);
    // Assess
    expect(result).toEqual({ plaintext: dataKey, wrapped: blob });
    const calls = kms.commandCalls(GenerateDataKeyCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({ KeyId: keyArn, NumberOfBytes: 32, EncryptionContext: context });
  });

  it('decrypts naming the key and the encryption context', async () => {
    kms.on(DecryptCommand).resolves({ Plaintext: dataKey, KeyId: keyArn });
    const provider = new KmsKeyProvider({ client: new KMSClient({}), keyId: keyArn });
    expect(await provider.unwrapDataKey(blob, context)).toEqual(dataKey);
    expect(kms.commandCalls(DecryptCommand)[0]!.args[0].input).toEqual({ CiphertextBlob: blob, KeyId: keyArn, EncryptionContext: context });
  });

  it('rejects a Decrypt answered by another key', async () => {
    kms.on(DecryptCommand).resolves({ Plaintext: dataKey, KeyId: otherArn });
    const provider = new KmsKeyProvider({ client: new KMSClient({}), keyId: keyArn });
    await expect(provider.unwrapDataKey(blob, context)).rejects.toThrow(/instead of/);
    // The same holds in the China partition, where the registry's keys live.
    const cnArn = 'arn:aws-cn:kms:cn-north-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab';
    const cnProvider = new KmsKeyProvider({ client: new KMSClient({}), keyId: cnArn });
    await expect(cnProvider.unwrapDataKey(blob, context)).rejects.toThrow(/instead of/);
    kms.on(DecryptCommand).resolves({ Plaintext: dataKey, KeyId: cnArn });
    expect(await cnProvider.unwrapDataKey(blob, context)).toEqual(dataKey);
  });

  it('cannot compare the answering key when configured with an alias, and says nothing against it', async () => {
    kms.on(DecryptCommand).resolves({ Plaintext: dataKey, KeyId: otherArn });
    const provider = new KmsKeyProvider({ client: new KMSClient({}), keyId: 'alias/zhitong-pii' });
    expect(await provider.unwrapDataKey(blob, context)).toEqual(dataKey);
  });

  it('passes KMS refusals through (e.g. a wrong encryption context)', async () => {
    kms.on(DecryptCommand).rejects(Object.assign(new Error('InvalidCiphertextException'), { name: 'InvalidCiphertextException' }));
    const provider = new KmsKeyProvider({ client: new KMSClient({}), keyId: keyArn });
    await expect(provider.unwrapDataKey(blob, { tenant: '110102', purpose: 'pii' })).rejects.toThrow('InvalidCiphertextException');
  });

  it('refuses answers without a usable key', async () => {
    kms.on(GenerateDataKeyCommand).resolves({ CiphertextBlob: blob });
    kms.on(DecryptCommand).resolves({ Plaintext: new Uint8Array(16), KeyId: keyArn });
    const provider = new KmsKeyProvider({ client: new KMSClient({}), keyId: keyArn });
    await expect(provider.generateDataKey(context)).rejects.toThrow(/no usable data key/);
    await expect(provider.unwrapDataKey(blob, context)).rejects.toThrow(/no usable data key/);
  });
});
