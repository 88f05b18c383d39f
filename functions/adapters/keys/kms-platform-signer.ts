/**
 * The platform's SM2 signing key in AWS KMS (China regions: KeySpec SM2, KeyUsage SIGN_VERIFY). The
 * private key never leaves KMS; `Sign` with SigningAlgorithm SM2DSA and MessageType RAW makes KMS compute
 * e = SM3(Z_A ‖ M) itself, with Z_A derived from the default distinguishing identifier
 * `1234567812345678` (GM/T 0009, as AWS documents for offline SM2 verification) — so its signatures
 * verify exactly like the local signer's and the channels' own (DESIGN.md §7). With MessageType DIGEST
 * KMS would skip that step and the caller would have to prepend Z_A itself; RAW keeps Z_A in KMS's hands.
 *
 * The public key is read once with `GetPublicKey` (DER SubjectPublicKeyInfo) and kept as uncompressed hex;
 * every signature KMS returns is checked against it before it is used, so a misconfigured key (wrong key,
 * wrong spec, another encoding) fails loudly here rather than at every receiver.
 */
import { GetPublicKeyCommand, SignCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { PlatformSigner } from '../../core/ports';
import { isValidSm2PublicKey, sm2Verify } from '../../shared/crypto/sm2';
import { platformKeyId } from './local-platform-signer';

export interface KmsPlatformSignerOptions {
  readonly client: KMSClient;
  /** Key ARN (recommended: lets the answering key be checked), key id, alias name or alias ARN. */
  readonly keyId: string;
  /** Prefix of the published key id; default `kms-sm2` (the audit log's key: `kms-sm2-log`). */
  readonly keyIdPrefix?: string;
}

/** KMS signs at most 4096 bytes of RAW message. */
const MAX_RAW_MESSAGE_BYTES = 4096;
const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;
/** OID 1.2.156.10197.1.301 (SM2 curve), DER-encoded. */
const SM2_CURVE_OID = Buffer.from('06082a811ccf5501822d', 'hex');
/** OID 1.2.840.10045.2.1 (id-ecPublicKey), DER-encoded. */
const EC_PUBLIC_KEY_OID = Buffer.from('06072a8648ce3d0201', 'hex');

interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly end: number;
}

function readTlv(der: Uint8Array, offset: number, limit: number): Tlv {
  const tag = der[offset];
  let length = der[offset + 1];
  if (tag === undefined || length === undefined) throw new Error('truncated DER');
  let start = offset + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets < 1 || octets > 2) throw new Error('unsupported DER length');
    length = 0;
    for (let i = 0; i < octets; i++) {
      const byte = der[start + i];
      if (byte === undefined) throw new Error('truncated DER');
      length = (length << 8) | byte;
    }
    start += octets;
  }
  const end = start + length;
  if (end > limit) throw new Error('truncated DER');
  return { tag, start, end };
}

/**
 * The uncompressed hex (`04…`) of an SM2 public key given as DER SubjectPublicKeyInfo:
 * SEQUENCE { SEQUENCE { id-ecPublicKey, sm2 curve }, BIT STRING (0 unused bits) 04 ‖ x ‖ y }.
 */
export function sm2PublicKeyFromSpki(der: Uint8Array): string {
  const bytes = Buffer.from(der);
  const outer = readTlv(bytes, 0, bytes.length);
  if (outer.tag !== 0x30 || outer.end !== bytes.length) throw new Error('SubjectPublicKeyInfo is not one DER SEQUENCE');
  const algorithm = readTlv(bytes, outer.start, outer.end);
  if (algorithm.tag !== 0x30) throw new Error('SubjectPublicKeyInfo has no AlgorithmIdentifier');
  const algorithmBytes = bytes.subarray(algorithm.start, algorithm.end);
  if (!algorithmBytes.equals(Buffer.concat([EC_PUBLIC_KEY_OID, SM2_CURVE_OID]))) {
    throw new Error('The public key is not an SM2 key (id-ecPublicKey on curve 1.2.156.10197.1.301)');
  }
  const bitString = readTlv(bytes, algorithm.end, outer.end);
  if (bitString.tag !== 0x03 || bitString.end !== outer.end) throw new Error('SubjectPublicKeyInfo has no BIT STRING');
  if (bytes[bitString.start] !== 0x00) throw new Error('SubjectPublicKeyInfo BIT STRING has unused bits');
  const point = bytes.subarray(bitString.start + 1, bitString.end).toString('hex');
  if (!isValidSm2PublicKey(point)) throw new Error('The public key is not an uncompressed point on the SM2 curve');
  return point;
}

export class KmsPlatformSigner implements PlatformSigner {
  /** `kms-sm2:<fingerprint>`: what receivers see; the key ARN (and account id) stays private. */
  readonly keyId: string;

  private constructor(
    private readonly client: KMSClient,
    /** The KMS key id as configured. */
    private readonly kmsKeyId: string,
    private readonly publicKey: string,
    prefix = 'kms-sm2',
  ) {
    this.keyId = platformKeyId(prefix, publicKey);
  }

  /** Reads the key's public half and checks that it is an SM2 signing key. */
  static async open(options: KmsPlatformSignerOptions): Promise<KmsPlatformSigner> {
    if (options.keyId.trim() === '') throw new Error('KMS platform signing key id must not be empty');
    const answer = await options.client.send(new GetPublicKeyCommand({ KeyId: options.keyId }));
    if (answer.KeySpec !== 'SM2' || answer.KeyUsage !== 'SIGN_VERIFY' || !(answer.SigningAlgorithms ?? []).includes('SM2DSA')) {
      // 002 / GB/T 39786: platform signatures are SM2. A key of another spec (e.g. the ECC_NIST_P256
      // stand-in of `-c platformKeySpec=…` outside China regions) deploys, but cannot sign deliveries.
      throw new Error(`KMS key ${options.keyId} is ${answer.KeySpec ?? 'unknown'}/${answer.KeyUsage ?? 'unknown'}, not an SM2 SIGN_VERIFY key`);
    }
    if (!answer.PublicKey) throw new Error(`KMS GetPublicKey for ${options.keyId} returned no public key`);
    return new KmsPlatformSigner(options.client, options.keyId, sm2PublicKeyFromSpki(answer.PublicKey), options.keyIdPrefix);
  }

  async publicKeyHex(): Promise<string> {
    return this.publicKey;
  }

  async sign(message: Uint8Array): Promise<Buffer> {
    if (message.length > MAX_RAW_MESSAGE_BYTES) throw new Error(`KMS signs at most ${MAX_RAW_MESSAGE_BYTES} bytes of raw message`);
    const { Signature, KeyId, SigningAlgorithm } = await this.client.send(
      new SignCommand({ KeyId: this.kmsKeyId, Message: message, MessageType: 'RAW', SigningAlgorithm: 'SM2DSA' }),
    );
    // Defence in depth, as in KmsKeyProvider: the key that answered must be ours (comparable for an ARN only).
    if (KEY_ARN.test(this.kmsKeyId) && KeyId !== this.kmsKeyId) {
      throw new Error(`KMS Sign answered with key ${KeyId ?? '(none)'} instead of ${this.kmsKeyId}`);
    }
    if (SigningAlgorithm !== undefined && SigningAlgorithm !== 'SM2DSA') throw new Error(`KMS Sign used ${SigningAlgorithm}, not SM2DSA`);
    if (!Signature) throw new Error(`KMS Sign with ${this.kmsKeyId} returned no signature`);
    const der = Buffer.from(Signature);
    if (!sm2Verify(message, der, this.publicKey)) {
      throw new Error(`KMS Sign with ${this.kmsKeyId} returned a signature that does not verify as DER SM2 with the default user id`);
    }
    return der;
  }
}
