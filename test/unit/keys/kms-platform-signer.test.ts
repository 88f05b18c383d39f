import { generateKeyPairSync } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import smCrypto from 'sm-crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { KmsPlatformSigner, sm2PublicKeyFromSpki } from '../../../functions/adapters/keys/kms-platform-signer';
import { generateSm2KeyPair, sm2Sign, sm2Verify } from '../../../functions/shared/crypto/sm2';
import { sm3Hex } from '../../../functions/shared/crypto/sm3';

const keyArn = 'arn:aws-cn:kms:cn-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const otherArn = 'arn:aws-cn:kms:cn-north-1:123456789012:key/ffffffff-12ab-34cd-56ef-1234567890ab';
/** SubjectPublicKeyInfo of an SM2 key: id-ecPublicKey, curve 1.2.156.10197.1.301, BIT STRING 00 ‖ 04 x y. */
const SPKI_PREFIX = '3059301306072a8648ce3d020106082a811ccf5501822d034200';
/** The key pair "inside KMS": the mock signs with it, as KMS would. */
const keys = generateSm2KeyPair();
const spki = Buffer.from(SPKI_PREFIX + keys.publicKey, 'hex');

const kms = mockClient(KMSClient);
const sm2KeyAnswer = { KeyId: keyArn, KeySpec: 'SM2' as const, KeyUsage: 'SIGN_VERIFY' as const, SigningAlgorithms: ['SM2DSA' as const], PublicKey: spki };

describe('sm2PublicKeyFromSpki', () => {
  it('turns the DER SubjectPublicKeyInfo of an SM2 key into uncompressed hex', () => {
    expect(sm2PublicKeyFromSpki(spki)).toBe(keys.publicKey);
  });

  it("reads an SM2 key exported by OpenSSL (node:crypto), KMS's encoding of SM2 public keys", () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'SM2' });
    const der = publicKey.export({ type: 'spki', format: 'der' });
    expect(sm2PublicKeyFromSpki(der)).toBe(`04${der.subarray(der.length - 64).toString('hex')}`);
  });

  it('refuses a key on another curve, a truncated or padded encoding, and a point off the curve', () => {
    const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'der' });
    expect(() => sm2PublicKeyFromSpki(p256)).toThrow(/not an SM2 key/);
    expect(() => sm2PublicKeyFromSpki(spki.subarray(0, 60))).toThrow(/truncated|SEQUENCE/);
    expect(() => sm2PublicKeyFromSpki(Buffer.concat([spki, Buffer.of(0)]))).toThrow(/one DER SEQUENCE/);
    const offCurve = Buffer.from(spki);
    offCurve[offCurve.length - 1]! ^= 0x01;
    expect(() => sm2PublicKeyFromSpki(offCurve)).toThrow(/SM2 curve/);
  });
});

describe('KmsPlatformSigner', () => {
  beforeEach(() => {
    kms.reset();
    kms.on(GetPublicKeyCommand).resolves(sm2KeyAnswer);
    kms.on(SignCommand).callsFake((input: { Message: Uint8Array }) => ({ KeyId: keyArn, SigningAlgorithm: 'SM2DSA', Signature: sm2Sign(input.Message, keys.privateKey) }));
  });

  it('reads the public key once and names the key by its fingerprint, not its ARN', async () => {
    const signer = await KmsPlatformSigner.open({ client: new KMSClient({}), keyId: keyArn });
    expect(await signer.publicKeyHex()).toBe(keys.publicKey);
    expect(signer.keyId).toBe(`kms-sm2:${sm3Hex(Buffer.from(keys.publicKey, 'hex')).slice(0, 16)}`);
    expect(signer.keyId).not.toContain('123456789012');
    expect(kms.commandCalls(GetPublicKeyCommand)).toHaveLength(1);
    expect(kms.commandCalls(GetPublicKeyCommand)[0]!.args[0].input).toEqual({ KeyId: keyArn });
  });

  it('asks KMS for SM2DSA over the RAW message (KMS computes SM3(Z ‖ M) with the default user id)', async () => {
    // Prepare
    const signer = await KmsPlatformSigner.open({ client: new KMSClient({}), keyId: keyArn });
    const message = Buffer.from('1795424400\nF1:2\nabc\n', 'utf8');
    // Act
    const der = await signer.sign(message);
    // Assess
    expect(kms.commandCalls(SignCommand)[0]!.args[0].input).toEqual({ KeyId: keyArn, Message: message, MessageType: 'RAW', SigningAlgorithm: 'SM2DSA' });
    expect(sm2Verify(message, der, keys.publicKey)).toBe(true);
    expect(smCrypto.sm2.doVerifySignature(message.toString('utf8'), der.toString('hex'), keys.publicKey, { hash: true, der: true })).toBe(true);
  });

  it('refuses a key that is not an SM2 signing key (e.g. the ECC_NIST_P256 stand-in outside China regions)', async () => {
    kms.on(GetPublicKeyCommand).resolves({ ...sm2KeyAnswer, KeySpec: 'ECC_NIST_P256', SigningAlgorithms: ['ECDSA_SHA_256'] });
    await expect(KmsPlatformSigner.open({ client: new KMSClient({}), keyId: keyArn })).rejects.toThrow(/not an SM2 SIGN_VERIFY key/);
    kms.on(GetPublicKeyCommand).resolves({ ...sm2KeyAnswer, KeyUsage: 'ENCRYPT_DECRYPT' });
    await expect(KmsPlatformSigner.open({ client: new KMSClient({}), keyId: keyArn })).rejects.toThrow(/not an SM2 SIGN_VERIFY key/);
  });

  it('refuses a signature that does not verify with the key (wrong key, digest mode, raw r‖s)', async () => {
    const signer = await KmsPlatformSigner.open({ client: new KMSClient({}), keyId: keyArn });
    kms.on(SignCommand).resolves({ KeyId: keyArn, SigningAlgorithm: 'SM2DSA', Signature: sm2Sign('something else', keys.privateKey) });
    await expect(signer.sign(Buffer.from('message'))).rejects.toThrow(/does not verify/);
  });

  it('refuses an answer from another key when configured with an ARN', async () => {
    const signer = await KmsPlatformSigner.open({ client: new KMSClient({}), keyId: keyArn });
    kms.on(SignCommand).callsFake((input: { Message: Uint8Array }) => ({ KeyId: otherArn, SigningAlgorithm: 'SM2DSA', Signature: sm2Sign(input.Message, keys.privateKey) }));
    await expect(signer.sign(Buffer.from('message'))).rejects.toThrow(/instead of/);
  });

  it('works with an alias (the answering key cannot be compared then)', async () => {
    const signer = await KmsPlatformSigner.open({ client: new KMSClient({}), keyId: 'alias/zhitong/prod/platform-signing' });
    expect(sm2Verify('message', await signer.sign(Buffer.from('message')), keys.publicKey)).toBe(true);
  });

  it('refuses messages over the 4096-byte RAW limit before calling KMS', async () => {
    const signer = await KmsPlatformSigner.open({ client: new KMSClient({}), keyId: keyArn });
    await expect(signer.sign(new Uint8Array(4097))).rejects.toThrow(/4096/);
    expect(kms.commandCalls(SignCommand)).toHaveLength(0);
  });
});
