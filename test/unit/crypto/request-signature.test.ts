import { describe, expect, it } from 'vitest';
import smCrypto from 'sm-crypto';
import {
  canonicalRequestString,
  parseAuthorization,
  verifyRequestSignature,
} from '../../../functions/shared/crypto/request-signature';
import { generateSm2KeyPair } from '../../../functions/shared/crypto/sm2';

const signature = 'MEUCIQDxZ9c2A3n3b6nJ0fZ0n0kq8Jq0Vf3gkY7h4v7qYc3jQwIgM2m0u0y8Q6b2uYVq7sM4r1m0e7E1v8iK3S2f9e8W0o4=';
const header = (params: string) => `ZT-SM2 ${params}`;
const good = `channel="CH-bank-001",timestamp="1700000000",nonce="abcdefghijklmnop0123",signature="${signature}"`;

describe('parseAuthorization', () => {
  it('parses a well-formed header', () => {
    const parsed = parseAuthorization(header(good));
    expect(parsed).toEqual({
      ok: true,
      value: {
        channelId: 'CH-bank-001',
        timestamp: 1700000000,
        nonce: 'abcdefghijklmnop0123',
        signature: Buffer.from(signature, 'base64'),
      },
    });
  });

  it('tolerates spaces after commas, parameters in any order and a lower-case scheme', () => {
    const reordered = `signature="${signature}", nonce="abcdefghijklmnop0123",  timestamp="1700000000", channel="CH-bank-001"`;
    const parsed = parseAuthorization(`zt-sm2 ${reordered}`);
    expect(parsed.ok && parsed.value.channelId).toBe('CH-bank-001');
    expect(parsed.ok && parsed.value.timestamp).toBe(1700000000);
  });

  it.each([
    ['a missing header', undefined],
    ['an empty header', '   '],
    ['another scheme', `Bearer ${good}`],
    ['no parameters', 'ZT-SM2'],
    ['a missing parameter', header(`channel="CH1",timestamp="1700000000",nonce="abcdefghijklmnop"`)],
    ['a duplicate parameter', header(`${good},nonce="abcdefghijklmnop9999"`)],
    ['an unknown parameter', header(`${good},realm="x"`)],
    ['an unquoted value', header(good.replace('timestamp="1700000000"', 'timestamp=1700000000'))],
    ['a space before a comma', header(good.replace('",timestamp', '" ,timestamp'))],
    ['a trailing comma', header(`${good},`)],
    ['a timestamp with letters', header(good.replace('1700000000', '17000000x0'))],
    ['a negative timestamp', header(good.replace('1700000000', '-1700000000'))],
    ['a timestamp with a leading zero', header(good.replace('1700000000', '01700000000'))],
    ['a fractional timestamp', header(good.replace('1700000000', '1700000000.5'))],
    ['a short nonce', header(good.replace('abcdefghijklmnop0123', 'abc123'))],
    ['a long nonce', header(good.replace('abcdefghijklmnop0123', 'a'.repeat(65)))],
    ['a nonce with symbols', header(good.replace('abcdefghijklmnop0123', 'abcdefghijklmnop-123'))],
    ['a signature that is not base64', header(good.replace(signature, 'not*base64!'))],
    ['a non-canonical base64 signature', header(good.replace(signature, signature.replace(/=$/, '')))],
    ['an empty signature', header(good.replace(signature, ''))],
    ['an empty channel', header(good.replace('CH-bank-001', ''))],
    ['a channel with a quote escape', header(good.replace('CH-bank-001', 'CH\\"x'))],
  ])('rejects %s', (_label, value) => {
    const parsed = parseAuthorization(value);
    expect(parsed.ok).toBe(false);
  });

  it('does not echo what was sent in its reasons', () => {
    const parsed = parseAuthorization(header(`${good},secretname="x"`));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).not.toContain('secretname');
  });
});

describe('canonicalRequestString', () => {
  it('joins method, path, timestamp, nonce and the SM3 of the raw body, each line ending in \\n', () => {
    const body = Buffer.from('abc');
    expect(canonicalRequestString({ method: 'post', pathAndQuery: '/v1/batches?x=1', timestamp: 1700000000, nonce: 'abcdefghijklmnop', body })).toBe(
      'POST\n/v1/batches?x=1\n1700000000\nabcdefghijklmnop\n66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0\n',
    );
  });

  it('hashes an empty body as SM3 of no bytes', () => {
    const text = canonicalRequestString({ method: 'GET', pathAndQuery: '/v1/filings/F1', timestamp: 1, nonce: 'abcdefghijklmnop', body: new Uint8Array(0) });
    expect(text.split('\n')[4]).toBe('1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b');
  });
});

describe('verifyRequestSignature with an institution using sm-crypto', () => {
  const keys = smCrypto.sm2.generateKeyPairHex();
  const request = {
    method: 'POST',
    pathAndQuery: '/v1/batches',
    timestamp: 1700000000,
    nonce: 'abcdefghijklmnop0123',
    body: Buffer.from(JSON.stringify({ filings: [{ clientRef: 'R1', mortgagors: [{ name: '张三' }] }] }), 'utf8'),
  };
  const signed = canonicalRequestString(request);
  const signature = Buffer.from(smCrypto.sm2.doSignature(signed, keys.privateKey, { hash: true, der: true }), 'hex');

  it('accepts the signature over the canonical string', () => {
    expect(verifyRequestSignature({ ...request, signature, publicKeyHex: keys.publicKey })).toBe(true);
  });

  it('refuses it for another key, a changed body, path, timestamp, nonce or method', () => {
    const other = generateSm2KeyPair();
    expect(verifyRequestSignature({ ...request, signature, publicKeyHex: other.publicKey })).toBe(false);
    expect(verifyRequestSignature({ ...request, body: Buffer.from('{}'), signature, publicKeyHex: keys.publicKey })).toBe(false);
    expect(verifyRequestSignature({ ...request, pathAndQuery: '/v1/batches?x', signature, publicKeyHex: keys.publicKey })).toBe(false);
    expect(verifyRequestSignature({ ...request, timestamp: 1700000001, signature, publicKeyHex: keys.publicKey })).toBe(false);
    expect(verifyRequestSignature({ ...request, nonce: 'abcdefghijklmnop0124', signature, publicKeyHex: keys.publicKey })).toBe(false);
    expect(verifyRequestSignature({ ...request, method: 'PUT', signature, publicKeyHex: keys.publicKey })).toBe(false);
  });

  it('refuses malformed inputs without throwing', () => {
    expect(verifyRequestSignature({ ...request, method: 'POST\n', signature, publicKeyHex: keys.publicKey })).toBe(false);
    expect(verifyRequestSignature({ ...request, nonce: 'short', signature, publicKeyHex: keys.publicKey })).toBe(false);
    expect(verifyRequestSignature({ ...request, timestamp: Number.NaN, signature, publicKeyHex: keys.publicKey })).toBe(false);
    expect(verifyRequestSignature({ ...request, signature: Buffer.from('junk'), publicKeyHex: keys.publicKey })).toBe(false);
    expect(verifyRequestSignature({ ...request, signature, publicKeyHex: 'junk' })).toBe(false);
  });
});
