import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { canonicalString, signRequest, ZhitongClient } from '../../../client/zt-client';
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
