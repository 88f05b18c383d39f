/**
 * Channel authentication over the canonical query (DESIGN.md §7), with an institution that signs with
 * its own library (`sm-crypto`) from the client README's recipe, and the one AUTH_FAILED answer.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import smCrypto from 'sm-crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { auditCodeOf, ZtError } from '../../../functions/core/domain/errors';
import type { Channel } from '../../../functions/core/ports';
import { authenticateChannel, type ChannelAuthDeps } from '../../../functions/shared/http/channel-auth';

const keys = smCrypto.sm2.generateKeyPairHex();
const channel = { channelId: 'CH-bank-001', institutionId: 'INST-1', status: 'ACTIVE', publicKey: keys.publicKey } as unknown as Channel;
const NOW = 1_700_000_000;

const deps = (): ChannelAuthDeps => {
  const used = new Set<string>();
  return {
    channels: { get: async (id) => (id === channel.channelId ? channel : undefined) },
    nonces: { claim: async (_c, nonce) => !used.has(nonce) && Boolean(used.add(nonce)) },
    clock: { now: () => new Date(NOW * 1000) },
    maxSkewSeconds: 300,
    nonceTtlSeconds: 600,
  };
};

/** The event API Gateway builds for `target`: the raw path and parsed (decoded) parameters. */
function eventFor(method: string, target: string, authorization: string): APIGatewayProxyEvent {
  const at = target.indexOf('?');
  const multi = Object.create(null) as Record<string, string[]>;
  for (const [name, value] of new URLSearchParams(at < 0 ? '' : target.slice(at + 1))) (multi[name] ??= []).push(value);
  const single = Object.fromEntries(Object.entries(multi).map(([k, v]) => [k, v.at(-1)!]));
  return {
    httpMethod: method,
    path: at < 0 ? target : target.slice(0, at),
    headers: { Authorization: authorization },
    multiValueQueryStringParameters: Object.keys(multi).length > 0 ? multi : null,
    queryStringParameters: Object.keys(single).length > 0 ? single : null,
    body: null,
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEvent;
}

/** The institution's side, as client/README.md §3 tells it, in sm-crypto. */
function smCryptoAuthorization(method: string, signedPathAndQuery: string, nonce: string, channelId = channel.channelId, privateKey = keys.privateKey): string {
  const bodyHash = createHash('sm3').update(Buffer.alloc(0)).digest('hex');
  const signed = `${method}\n${signedPathAndQuery}\n${NOW}\n${nonce}\n${bodyHash}\n`;
  const der = smCrypto.sm2.doSignature(signed, privateKey, { hash: true, der: true });
  return `ZT-SM2 channel="${channelId}",timestamp="${NOW}",nonce="${nonce}",signature="${Buffer.from(der, 'hex').toString('base64')}"`;
}

describe('authenticateChannel with the canonical query', () => {
  it.each([
    ['q=a+b', '/v1/x?q=a+b', '/v1/x?q=a%20b'],
    ['%7E', '/v1/x?t=%7E', '/v1/x?t=~'],
    ['?flag', '/v1/x?flag', '/v1/x?flag='],
    ['raw UTF-8, percent-encoded on the wire', '/v1/x?name=%E5%BC%A0%E4%B8%89', '/v1/x?name=%E5%BC%A0%E4%B8%89'],
    ['repeated parameters', '/v1/x?s=2&s=1&a=z', '/v1/x?a=z&s=1&s=2'],
    ['a prototype name', '/v1/x?constructor=1&__proto__=2', '/v1/x?__proto__=2&constructor=1'],
  ])('%s: an sm-crypto signature over the canonical form verifies', async (_label, sent, canonical) => {
    const nonce = `N${Math.random().toString(36).slice(2).padEnd(20, 'x').replace(/[^A-Za-z0-9]/g, 'y')}`;
    await expect(authenticateChannel(eventFor('GET', sent, smCryptoAuthorization('GET', canonical, nonce)), deps())).resolves.toMatchObject({ channelId: channel.channelId });
  });

  it('refuses a signature over the query as sent when that is not the canonical form, and says what was expected', async () => {
    const nonce = 'abcdefghijklmnop0123';
    const error = await authenticateChannel(eventFor('GET', '/v1/x?b=1&a=2', smCryptoAuthorization('GET', '/v1/x?b=1&a=2', nonce)), deps()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZtError);
    expect(error).toMatchObject({ status: 401, code: 'AUTH_FAILED', extras: { expectedStringToSign: expect.stringContaining('GET\n/v1/x?a=2&b=1\n1700000000\nabcdefghijklmnop0123\n') } });
    expect(auditCodeOf(error as ZtError)).toBe('AUTH_BAD_SIGNATURE');
  });

  it.each([
    ['an ID number in the query', '/v1/x?idNumber=11010519491231002X'],
    ['a phone number in the path', '/v1/filings/13800138000'],
    ['a name in the query', '/v1/x?name=%E5%BC%A0%E4%B8%89'],
    ['an ID number with a digit percent-encoded beside a stray %zz', '/v1/x?a=%zz&idNumber=11010519491231002%58'],
  ])('never echoes personal data in the 401: %s leaves expectedStringToSign out', async (_label, sent) => {
    const nonce = 'abcdefghijklmnop0123';
    const error = (await authenticateChannel(eventFor('GET', sent, smCryptoAuthorization('GET', '/v1/x?other=1', nonce)), deps()).catch((e: unknown) => e)) as ZtError;
    expect(error).toMatchObject({ status: 401, code: 'AUTH_FAILED' });
    expect(error.extras).toEqual({});
    expect(JSON.stringify(error)).not.toMatch(/11010519491231002|13800138000|%E5%BC%A0/);
  });

  it('answers an unknown channel exactly like a bad signature; only the audit code differs', async () => {
    const nonce = 'abcdefghijklmnop0123';
    const unknown = (await authenticateChannel(eventFor('GET', '/v1/x', smCryptoAuthorization('GET', '/v1/x', nonce, 'CH-nobody')), deps()).catch((e: unknown) => e)) as ZtError;
    const other = smCrypto.sm2.generateKeyPairHex();
    const forged = (await authenticateChannel(eventFor('GET', '/v1/x', smCryptoAuthorization('GET', '/v1/x', nonce, channel.channelId, other.privateKey)), deps()).catch((e: unknown) => e)) as ZtError;
    expect([unknown.status, unknown.code, unknown.title, unknown.detail, unknown.extras]).toEqual([forged.status, forged.code, forged.title, forged.detail, forged.extras]);
    expect([auditCodeOf(unknown), auditCodeOf(forged)]).toEqual(['AUTH_UNKNOWN_CHANNEL', 'AUTH_BAD_SIGNATURE']);
  });
});
