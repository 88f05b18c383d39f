/**
 * Envelope encryption with AWS KMS (DESIGN.md §5): KMS generates each tenant's data key and returns it
 * wrapped; the encryption context (which names the tenant) is bound into the wrapped key, so KMS refuses
 * to unwrap it under any other context.
 */
import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { KeyProvider } from '../../core/ports';

export interface KmsKeyProviderOptions {
  readonly client: KMSClient;
  /** Key ARN (recommended: enables the response check below), key id, alias name or alias ARN. */
  readonly keyId: string;
}

const DATA_KEY_BYTES = 32;
const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

export class KmsKeyProvider implements KeyProvider {
  readonly keyId: string;
  private readonly client: KMSClient;

  constructor(options: KmsKeyProviderOptions) {
    if (options.keyId.trim() === '') throw new Error('KMS key id must not be empty');
    this.client = options.client;
    this.keyId = options.keyId;
  }

  async generateDataKey(context: Readonly<Record<string, string>>): Promise<{ plaintext: Uint8Array; wrapped: Uint8Array }> {
    const { Plaintext, CiphertextBlob } = await this.client.send(
      new GenerateDataKeyCommand({ KeyId: this.keyId, NumberOfBytes: DATA_KEY_BYTES, EncryptionContext: { ...context } }),
    );
    if (!Plaintext || Plaintext.length !== DATA_KEY_BYTES || !CiphertextBlob) {
      throw new Error(`KMS GenerateDataKey with ${this.keyId} returned no usable data key`);
    }
    return { plaintext: Plaintext, wrapped: CiphertextBlob };
  }

  async unwrapDataKey(wrapped: Uint8Array, context: Readonly<Record<string, string>>): Promise<Uint8Array> {
    // Naming the key makes KMS refuse a blob wrapped under any other key (IncorrectKeyException).
    const { Plaintext, KeyId } = await this.client.send(
      new DecryptCommand({ CiphertextBlob: wrapped, KeyId: this.keyId, EncryptionContext: { ...context } }),
    );
    // Defence in depth, as the AWS Encryption SDK's KMS keyring and Powertools' KMS provider do: the key
    // that answered must be ours. KMS always answers with the key ARN, so this is only comparable when we
    // were configured with an ARN; an alias may point at different keys over time and cannot be checked.
    if (KEY_ARN.test(this.keyId) && KeyId !== this.keyId) {
      throw new Error(`KMS Decrypt answered with key ${KeyId ?? '(none)'} instead of ${this.keyId}`);
    }
    if (!Plaintext || Plaintext.length !== DATA_KEY_BYTES) {
      throw new Error(`KMS Decrypt with ${this.keyId} returned no usable data key`);
    }
    return Plaintext;
  }
}
