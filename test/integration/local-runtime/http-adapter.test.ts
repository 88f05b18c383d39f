/**
 * The local API Gateway: requests become REST (v1) proxy events shaped as API Gateway shapes them, proxy
 * results become responses, and the gateway's own refusals (404, 405, 413, 502, 504) never reach a handler.
 * Handlers here are small fakes; the real ones are exercised end to end elsewhere.
 */
import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { startHttpAdapter, type HttpAdapter, type HttpRouteBinding } from '../../../infra/local/http-adapter';
import type { RuntimeLogger } from '../../../infra/local/lambda-context';

interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
}

/** node:http rather than fetch: it keeps header case and repeated headers, and reads a response sent mid-upload. */
function send(
  base: string,
  path: string,
  options: { method?: string; headers?: OutgoingHttpHeaders; body?: Buffer | string; streamBytes?: number; chunked?: boolean } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const url = new URL(base);
    const req = httpRequest({ host: url.hostname, port: url.port, path, method: options.method ?? 'GET', headers: options.headers });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }));
    });
    // Once the server has refused a body it may drop the connection while we are still writing.
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (!['EPIPE', 'ECONNRESET'].includes(error.code ?? '')) reject(error);
    });
    if (options.streamBytes !== undefined) {
      if (!options.chunked) req.setHeader('content-length', options.streamBytes);
      const chunk = Buffer.alloc(1024 * 1024, 0x61);
      let left = options.streamBytes;
      const pump = (): void => {
        while (left > 0) {
          const part = chunk.subarray(0, Math.min(chunk.length, left));
          left -= part.length;
          if (!req.write(part)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    } else {
      req.end(options.body);
    }
  });
}

/** Writes raw bytes on a fresh connection and reads everything the server answers until it closes. */
function sendRaw(base: string, bytes: string | Buffer): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(base);
    const socket = connect(Number(url.port), url.hostname, () => socket.end(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = text.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), headers: head.toLowerCase(), body });
    });
  });
}

const json = (reply: Reply): Record<string, unknown> => JSON.parse(reply.body.toString('utf8')) as Record<string, unknown>;

describe('local HTTP adapter (API Gateway REST v1 emulation)', () => {
  let adapter: HttpAdapter;
  const seen: { event: APIGatewayProxyEvent; context: Context; remainingMs: number }[] = [];
  const calls: Record<string, number> = {};
  const logged: { message: string; details?: Record<string, unknown> }[] = [];
  const logger: RuntimeLogger = {
    info: () => undefined,
    warn: (message, details) => logged.push({ message, details }),
    error: (message, details) => logged.push({ message, details }),
  };

  const capture =
    (name: string, reply: (event: APIGatewayProxyEvent) => APIGatewayProxyResult | Promise<APIGatewayProxyResult>) =>
    async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
      calls[name] = (calls[name] ?? 0) + 1;
      seen.push({ event, context, remainingMs: context.getRemainingTimeInMillis() });
      return reply(event);
    };
  const ok = (): APIGatewayProxyResult => ({ statusCode: 200, body: '{"ok":true}' });

  const routes: HttpRouteBinding[] = [
    { method: 'GET', path: '/v1/things/{thingId}', functionName: 'getThing', timeoutSeconds: 10, memoryMb: 256, handler: capture('getThing', ok) },
    { method: 'DELETE', path: '/v1/things/{thingId}', functionName: 'deleteThing', timeoutSeconds: 10, handler: capture('deleteThing', ok) },
    { method: 'GET', path: '/v1/things/special', functionName: 'getSpecial', timeoutSeconds: 10, handler: capture('getSpecial', ok) },
    { method: 'POST', path: '/v1/things', functionName: 'postThing', timeoutSeconds: 10, handler: capture('postThing', ok) },
    {
      method: 'GET',
      path: '/v1/binary',
      functionName: 'getBinary',
      timeoutSeconds: 10,
      handler: capture('getBinary', () => ({
        statusCode: 201,
        headers: { 'Content-Type': 'application/octet-stream', 'X-Single': 'one', 'Set-Cookie': 'ignored=1' },
        multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'], 'X-Multi': ['x', 'y'] },
        body: Buffer.from([0xff, 0x00, 0xfe, 0x10]).toString('base64'),
        isBase64Encoded: true,
      })),
    },
    { method: 'GET', path: '/v1/plain', functionName: 'getPlain', timeoutSeconds: 10, handler: capture('getPlain', () => ({ statusCode: 200, body: '中文 ok' })) },
    {
      method: 'POST',
      path: '/v1/boom',
      functionName: 'boom',
      timeoutSeconds: 10,
      handler: async () => {
        calls.boom = (calls.boom ?? 0) + 1;
        throw new Error('database exploded');
      },
    },
    { method: 'GET', path: '/v1/malformed', functionName: 'malformed', timeoutSeconds: 10, handler: async () => 'not a proxy result' },
    { method: 'GET', path: '/v1/slow', functionName: 'slow', timeoutSeconds: 1, handler: () => new Promise(() => undefined) },
  ];

  beforeAll(async () => {
    adapter = await startHttpAdapter({ routes, host: '127.0.0.1', port: 0, logger });
  });
  afterAll(async () => adapter.close());
  beforeEach(() => {
    seen.length = 0;
    logged.length = 0;
    for (const key of Object.keys(calls)) delete calls[key];
  });

  it('shapes a GET as API Gateway does: resource, raw path, decoded path and query parameters, headers as sent, requestContext', async () => {
    // Prepare
    const before = Date.now();
    // Act
    const reply = await send(adapter.url, '/v1/things/a%20b%2Fc%E4%B8%AD?x=1&x=2&y=hello+world&z=%E4%B8%AD&empty', {
      headers: { 'X-Custom-Header': 'v', 'X-Multi': ['a', 'b'], 'User-Agent': 'zt-test' },
    });
    // Assess
    expect(reply.status).toBe(200);
    expect(seen).toHaveLength(1);
    const { event, context, remainingMs } = seen[0]!;
    expect(event.httpMethod).toBe('GET');
    expect(event.path).toBe('/v1/things/a%20b%2Fc%E4%B8%AD');
    expect(event.resource).toBe('/v1/things/{thingId}');
    expect(event.pathParameters).toEqual({ thingId: 'a b/c中' });
    expect(event.queryStringParameters).toEqual({ x: '2', y: 'hello world', z: '中', empty: '' });
    expect(event.multiValueQueryStringParameters).toEqual({ x: ['1', '2'], y: ['hello world'], z: ['中'], empty: [''] });
    expect(event.headers['X-Custom-Header']).toBe('v');
    expect(event.headers['x-custom-header']).toBeUndefined(); // names keep the case they were sent in
    expect(event.headers['X-Multi']).toBe('b');
    expect(event.multiValueHeaders['X-Multi']).toEqual(['a', 'b']);
    expect(event.headers.Host).toBe(new URL(adapter.url).host);
    expect(event.body).toBeNull();
    expect(event.isBase64Encoded).toBe(false);
    expect(event.stageVariables).toBeNull();
    const rc = event.requestContext;
    expect(rc.stage).toBe('local');
    expect(rc.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(reply.headers['x-amzn-requestid']).toBe(rc.requestId);
    expect(rc.identity.sourceIp).toBe('127.0.0.1');
    expect(rc.identity.userAgent).toBe('zt-test');
    expect(rc.requestTimeEpoch).toBeGreaterThanOrEqual(before);
    expect(rc.requestTimeEpoch).toBeLessThanOrEqual(Date.now());
    expect(rc.requestTime).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(rc.resourcePath).toBe('/v1/things/{thingId}');
    expect(rc.httpMethod).toBe('GET');
    expect(rc.path).toBe('/local/v1/things/a%20b%2Fc%E4%B8%AD');
    // The Lambda context names the function and counts down from its timeout.
    expect(context.functionName).toBe('getThing');
    expect(context.memoryLimitInMB).toBe('256');
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.invokedFunctionArn).toMatch(/^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:getThing$/);
    expect(remainingMs).toBeGreaterThan(9_000);
    expect(remainingMs).toBeLessThanOrEqual(10_000);
  });

  it('passes null query parameters and path parameters when there are none, and a UTF-8 body as text', async () => {
    const body = JSON.stringify({ name: '张三', note: 'ü' });
    const reply = await send(adapter.url, '/v1/things', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(reply.status).toBe(200);
    const { event } = seen[0]!;
    expect(event.queryStringParameters).toBeNull();
    expect(event.multiValueQueryStringParameters).toBeNull();
    expect(event.pathParameters).toBeNull();
    expect(event.resource).toBe('/v1/things');
    expect(event.body).toBe(body);
    expect(event.isBase64Encoded).toBe(false);
  });

  it('base64-encodes a body that is not valid UTF-8', async () => {
    const bytes = Buffer.from([0x80, 0xff, 0x00, 0xc3, 0x28]);
    await send(adapter.url, '/v1/things', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: bytes });
    const { event } = seen[0]!;
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body!, 'base64').equals(bytes)).toBe(true);
  });

  it('prefers a literal segment over a path parameter, as API Gateway picks the most specific resource', async () => {
    await send(adapter.url, '/v1/things/special');
    expect(calls).toEqual({ getSpecial: 1 });
    expect(seen[0]!.event.pathParameters).toBeNull();
  });

  it('writes status, merged single and multi-value headers and a base64 body back as bytes', async () => {
    const reply = await send(adapter.url, '/v1/binary');
    expect(reply.status).toBe(201);
    expect(reply.body.equals(Buffer.from([0xff, 0x00, 0xfe, 0x10]))).toBe(true);
    expect(reply.headers['content-type']).toBe('application/octet-stream');
    expect(reply.headers['x-single']).toBe('one');
    // For a name in both maps, multiValueHeaders wins (API Gateway's merge rule).
    expect(reply.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    const multi = reply.rawHeaders.flatMap((v, i, all) => (i % 2 === 0 && v.toLowerCase() === 'x-multi' ? [all[i + 1]] : []));
    expect(multi).toEqual(['x', 'y']);
  });

  it('writes a text body as UTF-8 and defaults the content type to application/json', async () => {
    const reply = await send(adapter.url, '/v1/plain');
    expect(reply.body.toString('utf8')).toBe('中文 ok');
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.headers['content-length']).toBe(String(Buffer.byteLength('中文 ok')));
  });

  it('answers an unknown path with 404 problem+json ROUTE_NOT_FOUND', async () => {
    for (const path of ['/v1/nothing', '/v1/things/a/b', '/v1/things/', '/']) {
      const reply = await send(adapter.url, path);
      expect(reply.status, path).toBe(404);
      expect(reply.headers['content-type']).toBe('application/problem+json');
      expect(json(reply)).toMatchObject({ status: 404, code: 'ROUTE_NOT_FOUND', title: expect.any(String), detail: expect.any(String), type: expect.any(String) });
    }
    expect(seen).toHaveLength(0);
  });

  it('never echoes the path of an unknown route', async () => {
    const reply = await send(adapter.url, '/v1/<script>alert(1)</script>/370102198001011237');
    expect(reply.status).toBe(404);
    expect(reply.body.toString('utf8')).not.toMatch(/script|370102198001011237/);
  });

  it('answers headers and query parameters named constructor, __proto__, toString like any other (no prototype in the maps)', async () => {
    const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];
    const reply = await send(adapter.url, `/v1/things/t1?${names.map((n) => `${n}=v`).join('&')}&constructor=w`, {
      headers: Object.fromEntries(names.map((n) => [`${n === '__proto__' ? 'x-proto' : n}`, 'h'])),
    });
    expect(reply.status).toBe(200);
    const { event } = seen[0]!;
    expect(event.multiValueQueryStringParameters?.constructor).toEqual(['v', 'w']);
    expect(event.queryStringParameters?.toString).toBe('v');
    expect(event.queryStringParameters?.['__proto__']).toBe('v');
    expect(event.headers.constructor).toBe('h');
    expect(event.headers.valueOf).toBe('h');
    // A path parameter of such a name is only a value, too.
    const proto = await send(adapter.url, '/v1/things/__proto__');
    expect(proto.status).toBe(200);
    expect(seen[1]!.event.pathParameters?.thingId).toBe('__proto__');
  });

  it.each([
    ['a bad chunked body', 'POST /v1/things HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nnope\r\n0\r\n\r\n', 400, 'MALFORMED_REQUEST'],
    ['an unknown method', 'BREW /v1/things HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'METHOD_UNKNOWN'],
    ['headers over the limit', `GET /v1/things/t1 HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'HEADERS_TOO_LARGE'],
    ['a request line that is no HTTP', 'hello there\r\n\r\n', 400, 'METHOD_UNKNOWN'],
    ['raw UTF-8 in the request target', Buffer.concat([Buffer.from('GET /v1/things/t1?q='), Buffer.from('张三'), Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n')]), 400, 'MALFORMED_REQUEST'],
  ])('answers %s with problem+json, never reaching a handler', async (_label, raw, status, code) => {
    const reply = await sendRaw(adapter.url, raw);
    expect(reply.status).toBe(status);
    expect(reply.headers).toContain('content-type: application/problem+json');
    expect(JSON.parse(reply.body)).toMatchObject({ status, code, title: expect.any(String), detail: expect.any(String) });
    expect(seen).toHaveLength(0);
    // And the server goes on serving.
    expect((await send(adapter.url, '/v1/things/t2')).status).toBe(200);
  });

  it('answers a known path with another method with 405, an Allow header and METHOD_NOT_ALLOWED', async () => {
    const reply = await send(adapter.url, '/v1/things/x1', { method: 'PUT', body: '{}' });
    expect(reply.status).toBe(405);
    expect(reply.headers.allow?.split(', ').sort()).toEqual(['DELETE', 'GET']);
    expect(reply.headers['content-type']).toBe('application/problem+json');
    expect(json(reply)).toMatchObject({ status: 405, code: 'METHOD_NOT_ALLOWED' });
    expect(seen).toHaveLength(0);
  });

  it('refuses an 11 MiB body with 413 PAYLOAD_TOO_LARGE without calling the handler, then keeps serving', async () => {
    const elevenMiB = 11 * 1024 * 1024;
    for (const chunked of [false, true]) {
      const reply = await send(adapter.url, '/v1/things', { method: 'POST', streamBytes: elevenMiB, chunked });
      expect(reply.status, chunked ? 'chunked' : 'content-length').toBe(413);
      expect(reply.headers['content-type']).toBe('application/problem+json');
      expect(json(reply)).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    }
    // Exactly at the limit is still accepted.
    const atLimit = await send(adapter.url, '/v1/things', { method: 'POST', streamBytes: 10 * 1024 * 1024 });
    expect(atLimit.status).toBe(200);
    expect(calls).toEqual({ postThing: 1 });
  });

  it('answers 502 INTEGRATION_ERROR when the handler throws, and logs the error without the request body', async () => {
    const reply = await send(adapter.url, '/v1/boom', { method: 'POST', body: '{"secret":"SECRET-BODY-MARKER"}' });
    expect(reply.status).toBe(502);
    expect(reply.headers['content-type']).toBe('application/problem+json');
    const problem = json(reply);
    expect(problem).toMatchObject({ status: 502, code: 'INTEGRATION_ERROR' });
    expect(JSON.stringify(problem)).not.toContain('database exploded'); // no internals leave the process
    expect(calls.boom).toBe(1);
    const text = JSON.stringify(logged);
    expect(text).toContain('database exploded');
    expect(text).toContain('boom');
    expect(text).not.toContain('SECRET-BODY-MARKER');
  });

  it('answers 502 when the handler returns something that is not a proxy result', async () => {
    const reply = await send(adapter.url, '/v1/malformed');
    expect(reply.status).toBe(502);
    expect(json(reply)).toMatchObject({ code: 'INTEGRATION_ERROR' });
    expect(logged).toHaveLength(1);
  });

  it("answers 504 INTEGRATION_TIMEOUT when the handler outlives its function's timeout", async () => {
    const started = Date.now();
    const reply = await send(adapter.url, '/v1/slow');
    expect(reply.status).toBe(504);
    expect(json(reply)).toMatchObject({ code: 'INTEGRATION_TIMEOUT' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });
});
