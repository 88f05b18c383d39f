import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { canonicalPathAndQuery, canonicalString, signRequest, ZhitongClient } from '../../../client/zt-client';
import { pathAndQuery as serverPathAndQuery } from '../../../functions/shared/http/request';
import {
  canonicalRequestString,
  parseAuthorization,
  verifyRequestSignature,
} from '../../../functions/shared/crypto/request-signature';
import { generateSm2KeyPair } from '../../../functions/shared/crypto/sm2';

const keys = generateSm2KeyPair();
const body = JSON.stringify({ filings: [{ clientRef: 'R-1', mortgagors: [{ name: '张三', idNumber: '110101199003071234' }] }] });

/** The server's view of a request signed by the client module. */
function serverVerifies(input: { method: string; pathAndQuery: string; body: Uint8Array; authorization: string }): boolean {
  const parsed = parseAuthorization(input.authorization);
  if (!parsed.ok) return false;
  const { timestamp, nonce, signature } = parsed.value;
  return verifyRequestSignature({ ...input, timestamp, nonce, signature, publicKeyHex: keys.publicKey });
}

describe('the client canonical string', () => {
  it('equals the server canonical string for the same inputs', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('GET', 'post', 'Put'),
        fc.webPath(),
        fc.integer({ min: 0, max: 4_000_000_000 }),
        fc.stringMatching(/^[A-Za-z0-9]{16,64}$/),
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        (method, path, timestamp, nonce, text) => {
          const bytes = Buffer.from(text, 'utf8');
          const server = canonicalRequestString({ method, pathAndQuery: path, timestamp, nonce, body: bytes });
          expect(canonicalString({ method, pathAndQuery: path, timestamp, nonce, body: text })).toBe(server);
          expect(canonicalString({ method, pathAndQuery: path, timestamp, nonce, body: bytes })).toBe(server);
        },
      ),
      { numRuns: 100 },
    );
  });
});

/** What the server signs for a request target, rebuilt from parsed parameters as API Gateway (and the local adapter) hands them over. */
function serverSide(target: string): string {
  const at = target.indexOf('?');
  const multi = Object.create(null) as Record<string, string[]>;
  for (const [name, value] of new URLSearchParams(at < 0 ? '' : target.slice(at + 1))) (multi[name] ??= []).push(value);
  const event = { path: at < 0 ? target : target.slice(0, at), multiValueQueryStringParameters: Object.keys(multi).length ? multi : null, queryStringParameters: null } as unknown as APIGatewayProxyEvent;
  return serverPathAndQuery(event);
}

describe('the canonical query (DESIGN.md §7), client and server alike', () => {
  it.each([
    ['no query', '/v1/batches', '/v1/batches'],
    ['an already canonical query', '/v1/staff/filings?limit=5&status=READY', '/v1/staff/filings?limit=5&status=READY'],
    ['parameters out of order', '/p?status=READY&limit=5', '/p?limit=5&status=READY'],
    ['+ as a space', '/p?q=a+b', '/p?q=a%20b'],
    ['an encoded plus', '/p?q=a%2Bb', '/p?q=a%2Bb'],
    ['an encoded tilde', '/p?t=%7E', '/p?t=~'],
    ['lower-case percent escapes', '/p?t=%2f%3a', '/p?t=%2F%3A'],
    ['a flag without a value', '/p?flag', '/p?flag='],
    ['raw UTF-8', '/p?name=张三', '/p?name=%E5%BC%A0%E4%B8%89'],
    ['repeated parameters, sorted by value', '/p?s=2&s=1&s=10', '/p?s=1&s=10&s=2'],
    ["sub-delimiters !'()*", "/p?x=!'()*", '/p?x=%21%27%28%29%2A'],
    ['an empty query', '/p?', '/p'],
  ])('%s: %s signs as %s, on both sides', (_label, target, canonical) => {
    expect(canonicalPathAndQuery(target)).toBe(canonical);
    // The server sees what went over the wire (fetch percent-encodes raw UTF-8) and rebuilds the same string.
    const url = new URL(`http://h${target}`);
    expect(serverSide(`${url.pathname}${url.search}`)).toBe(canonical);
  });

  it('agrees on any query: the client canonical form equals the server rebuild of the same request', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ unit: 'grapheme', maxLength: 8 }), fc.string({ unit: 'grapheme', maxLength: 8 })), { maxLength: 6 }), (pairs) => {
        const query = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
        const target = `/v1/x?${query}`;
        expect(serverSide(target)).toBe(canonicalPathAndQuery(target));
      }),
      { numRuns: 200 },
    );
  });
});

describe('signRequest', () => {
  it('produces an Authorization header the server parses and verifies', () => {
    const signed = signRequest({ channelId: 'CH-bank-001', privateKeyHex: keys.privateKey, method: 'POST', pathAndQuery: '/v1/batches', body });
    const parsed = parseAuthorization(signed.authorization);
    expect(parsed.ok && parsed.value.channelId).toBe('CH-bank-001');
    expect(parsed.ok && parsed.value.nonce).toBe(signed.nonce);
    expect(signed.nonce).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(Math.abs(signed.timestamp - Date.now() / 1000)).toBeLessThan(5);
    expect(serverVerifies({ method: 'POST', pathAndQuery: '/v1/batches', body: Buffer.from(body), authorization: signed.authorization })).toBe(true);
  });

  it('is refused by the server when the body, path, timestamp or nonce differ from what was signed', () => {
    const signed = signRequest({
      channelId: 'CH-bank-001',
      privateKeyHex: keys.privateKey,
      method: 'POST',
      pathAndQuery: '/v1/batches',
      body,
      timestamp: 1700000000,
      nonce: 'abcdefghijklmnopqrstuvwxyz012345',
    });
    const parsed = parseAuthorization(signed.authorization);
    if (!parsed.ok) throw new Error(parsed.reason);
    const base = { method: 'POST', pathAndQuery: '/v1/batches', body: Buffer.from(body), signature: parsed.value.signature, publicKeyHex: keys.publicKey };
    expect(verifyRequestSignature({ ...base, timestamp: 1700000000, nonce: signed.nonce })).toBe(true);
    expect(verifyRequestSignature({ ...base, body: Buffer.from(body.replace('张三', '李四')), timestamp: 1700000000, nonce: signed.nonce })).toBe(false);
    expect(verifyRequestSignature({ ...base, pathAndQuery: '/v1/batches/', timestamp: 1700000000, nonce: signed.nonce })).toBe(false);
    expect(verifyRequestSignature({ ...base, timestamp: 1700000300, nonce: signed.nonce })).toBe(false);
    expect(verifyRequestSignature({ ...base, timestamp: 1700000000, nonce: 'abcdefghijklmnopqrstuvwxyz012346' })).toBe(false);
  });

  it('uses a fresh nonce each time', () => {
    const make = () => signRequest({ channelId: 'C1', privateKeyHex: keys.privateKey, method: 'GET', pathAndQuery: '/v1/batches/B1', body: '' }).nonce;
    expect(new Set([make(), make(), make()]).size).toBe(3);
  });

  it('refuses a nonce outside the contract', () => {
    expect(() => signRequest({ channelId: 'C1', privateKeyHex: keys.privateKey, method: 'GET', pathAndQuery: '/', body: '', nonce: 'short' })).toThrow();
  });
});

describe('ZhitongClient over HTTP', () => {
  interface Seen {
    method: string;
    url: string;
    headers: IncomingMessage['headers'];
    body: Buffer;
  }
  const seen: Seen[] = [];
  let server: Server;
  let baseUrl: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks) });
        if (request.url === '/v1/problem') {
          response.writeHead(401, { 'content-type': 'application/problem+json' });
          response.end(JSON.stringify({ status: 401, code: 'SIGNATURE_INVALID' }));
          return;
        }
        response.writeHead(202, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ batchId: 'B1' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sends exactly the bytes it signed, as JSON, with the idempotency key', async () => {
    // Prepare
    const client = new ZhitongClient({ baseUrl, channelId: 'CH-bank-001', privateKeyHex: keys.privateKey });
    const payload = JSON.parse(body) as unknown;
    // Act
    const response = await client.request('post', '/v1/batches?dryRun=false', payload, { idempotencyKey: 'idem-1' });
    // Assess
    expect(response).toMatchObject({ status: 202, body: { batchId: 'B1' } });
    const request = seen.at(-1)!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/v1/batches?dryRun=false');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['idempotency-key']).toBe('idem-1');
    expect(request.body.toString('utf8')).toBe(JSON.stringify(payload));
    expect(
      serverVerifies({ method: request.method, pathAndQuery: request.url, body: request.body, authorization: String(request.headers.authorization) }),
    ).toBe(true);
  });

  it.each(['/v1/staff/filings?q=a+b&status=READY', '/v1/x?t=%7E&flag', '/v1/x?name=张三&s=2&s=1'])('signs %s so that the server rebuild of what it received verifies', async (target) => {
    const client = new ZhitongClient({ baseUrl, channelId: 'CH-bank-001', privateKeyHex: keys.privateKey });
    await client.request('GET', target);
    const request = seen.at(-1)!;
    expect(serverVerifies({ method: 'GET', pathAndQuery: serverSide(request.url), body: request.body, authorization: String(request.headers.authorization) })).toBe(true);
  });

  it('signs an empty body for a GET and sends none', async () => {
    const client = new ZhitongClient({ baseUrl, channelId: 'CH-bank-001', privateKeyHex: keys.privateKey });
    await client.request('GET', '/v1/filings/F1');
    const request = seen.at(-1)!;
    expect(request.body).toHaveLength(0);
    expect(request.headers['content-type']).toBeUndefined();
    expect(serverVerifies({ method: 'GET', pathAndQuery: '/v1/filings/F1', body: request.body, authorization: String(request.headers.authorization) })).toBe(true);
  });

  it('returns problem+json errors as parsed responses instead of throwing', async () => {
    const client = new ZhitongClient({ baseUrl, channelId: 'CH-bank-001', privateKeyHex: keys.privateKey });
    const response = await client.request('GET', '/v1/problem');
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ status: 401, code: 'SIGNATURE_INVALID' });
  });
});
