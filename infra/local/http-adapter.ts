/**
 * The local runtime's API Gateway: a node:http server on loopback that turns each request into the REST
 * API (v1, Lambda proxy integration) event API Gateway would build, invokes the routed function's very
 * handler, and writes its proxy result back (DESIGN.md §6, "one topology, two runtimes").
 *
 * Faithful to API Gateway where a handler could tell the difference:
 * - `path` is the path as sent (still percent-encoded); `pathParameters` and query parameters are decoded
 *   (`+` in a query is a space); `resource` and `requestContext.resourcePath` are the topology route path.
 * - Header names keep the case the client sent them in (from Node's `rawHeaders`), as API Gateway does, so
 *   handlers must look headers up case-insensitively here as on AWS. `headers` holds the last value of a
 *   repeated header, `multiValueHeaders` all of them. (Clients such as `fetch` send lowercase names.)
 * - `body` is null when empty, UTF-8 text otherwise; bytes that are not valid UTF-8 arrive base64-encoded
 *   with `isBase64Encoded: true`.
 * - Bodies over 10 MiB are refused with 413 before the handler runs and without buffering them.
 * - A handler that throws, times out or returns a malformed result gives 502/504, as a failed Lambda
 *   integration does; the error is logged without the request body.
 * - Header, query and path parameter maps have no prototype: a header or parameter named `constructor`,
 *   `__proto__` or `toString` is only a name (API Gateway's JSON event has them as plain own keys).
 * - Requests Node's parser refuses (bad chunking, an unknown method, headers over the limit) answer
 *   problem+json 400 / 431 through the `clientError` handler, as a gateway answers them before any function;
 *   no answer echoes the request's path or other text.
 * Not emulated: authorizers, stage variables, binary media types, `{proxy+}` resources, CORS.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { errorForLog } from '../../functions/shared/error-log';
import { defaultRuntimeLogger, InvocationTimeoutError, invokeWithTimeout, type RuntimeLogger } from './lambda-context';

/** API Gateway's payload limit for REST APIs. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;
const STAGE = 'local';
/** How long a refused upload may keep streaming after its 413 before the connection is dropped. */
const LINGER_MS = 1_000;
const PROBLEM_TYPE_BASE = 'https://zhitong.example/problems/';

export type HttpHandler = (event: APIGatewayProxyEvent, context: Context) => unknown;

export interface HttpRouteBinding {
  readonly method: string;
  /** API Gateway resource path; `{name}` matches one non-empty segment. */
  readonly path: string;
  readonly functionName: string;
  readonly timeoutSeconds: number;
  readonly memoryMb?: number;
  readonly handler: HttpHandler;
}

/**
 * Something other than an API route served under a path prefix (the console: infra/local/console-site.ts), as
 * CloudFront serves it beside the API on AWS. It gets `prefix` itself and every path under `prefix/`.
 */
export interface HttpMount {
  readonly prefix: string;
  handle(req: IncomingMessage, res: ServerResponse, rawPath: string): Promise<void>;
}

export interface HttpAdapterOptions {
  readonly routes: readonly HttpRouteBinding[];
  readonly mounts?: readonly HttpMount[];
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  readonly logger?: RuntimeLogger;
  /** Defaults to API Gateway's 10 MiB. */
  readonly maxBodyBytes?: number;
}

export interface HttpAdapter {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

type Segment = { readonly literal: string } | { readonly param: string };

interface Resource {
  readonly path: string;
  readonly segments: readonly Segment[];
  readonly methods: ReadonlyMap<string, HttpRouteBinding>;
}

const splitPath = (path: string): string[] => path.split('/').slice(1);

function compileResources(routes: readonly HttpRouteBinding[]): Resource[] {
  const byPath = new Map<string, Map<string, HttpRouteBinding>>();
  for (const route of routes) {
    if (!route.path.startsWith('/')) throw new Error(`Route path must start with '/': ${route.path}`);
    const methods = byPath.get(route.path) ?? new Map<string, HttpRouteBinding>();
    const method = route.method.toUpperCase();
    if (methods.has(method)) throw new Error(`Two functions are routed to ${method} ${route.path}`);
    methods.set(method, route);
    byPath.set(route.path, methods);
  }
  return [...byPath].map(([path, methods]) => ({
    path,
    methods,
    segments: splitPath(path).map((s): Segment => (/^\{\w+\}$/.test(s) ? { param: s.slice(1, -1) } : { literal: s })),
  }));
}

class MalformedPathError extends Error {}

function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new MalformedPathError(raw);
  }
}

/** Matches a resource's segments against the request's; returns decoded path parameters, or undefined. */
/** A map without a prototype: request text used as keys is only data. */
const dictionary = <V>(): Record<string, V> => Object.create(null) as Record<string, V>;

function matchResource(resource: Resource, rawSegments: readonly string[]): Record<string, string> | undefined {
  if (resource.segments.length !== rawSegments.length) return undefined;
  const params = dictionary<string>();
  for (const [i, segment] of resource.segments.entries()) {
    const raw = rawSegments[i]!;
    if ('literal' in segment) {
      if (raw !== segment.literal && decodeSegment(raw) !== segment.literal) return undefined;
    } else {
      if (raw === '') return undefined;
      params[segment.param] = decodeSegment(raw);
    }
  }
  return params;
}

/** API Gateway prefers the most specific resource: a literal segment beats a parameter at the first difference. */
function moreSpecific(a: Resource, b: Resource): number {
  if (a.segments.length !== b.segments.length) return a.segments.length - b.segments.length;
  for (const [i, segment] of a.segments.entries()) {
    const other = b.segments[i]!;
    const aLiteral = 'literal' in segment;
    const bLiteral = 'literal' in other;
    if (aLiteral !== bLiteral) return aLiteral ? -1 : 1;
  }
  return 0;
}

interface Problem {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
}

function writeProblem(res: ServerResponse, problem: Problem, requestId: string, extraHeaders: Record<string, string> = {}): void {
  const type = `${PROBLEM_TYPE_BASE}${problem.code.toLowerCase().replaceAll('_', '-')}`;
  const body = JSON.stringify({ type, title: problem.title, status: problem.status, detail: problem.detail, code: problem.code });
  res.writeHead(problem.status, {
    'content-type': 'application/problem+json',
    'cache-control': 'no-store',
    'x-amzn-requestid': requestId,
    ...extraHeaders,
  });
  res.end(body);
}

const INTEGRATION_ERROR: Problem = {
  status: 502,
  code: 'INTEGRATION_ERROR',
  title: 'Bad gateway',
  detail: 'The function behind this route failed; the error has been logged. Retrying later is safe.',
};

/** Names and values as sent: API Gateway keeps header names' case; `headers` keeps the last value. */
function collectHeaders(req: IncomingMessage): Pick<APIGatewayProxyEvent, 'headers' | 'multiValueHeaders'> {
  const headers = dictionary<string>();
  const multiValueHeaders = dictionary<string[]>();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    const value = req.rawHeaders[i + 1]!;
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  return { headers, multiValueHeaders };
}

function collectQuery(rawQuery: string): Pick<APIGatewayProxyEvent, 'queryStringParameters' | 'multiValueQueryStringParameters'> {
  const single = dictionary<string>();
  const multi = dictionary<string[]>();
  for (const [name, value] of new URLSearchParams(rawQuery)) {
    single[name] = value;
    (multi[name] ??= []).push(value);
  }
  return Object.keys(single).length === 0
    ? { queryStringParameters: null, multiValueQueryStringParameters: null }
    : { queryStringParameters: single, multiValueQueryStringParameters: multi };
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function encodeBody(bytes: Buffer): Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'> {
  if (bytes.length === 0) return { body: null, isBase64Encoded: false };
  try {
    return { body: utf8.decode(bytes), isBase64Encoded: false };
  } catch {
    return { body: bytes.toString('base64'), isBase64Encoded: true };
  }
}

/** `09/Apr/2015:12:34:56 +0000`, API Gateway's `requestTime`. */
function clfTime(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`;
}

type BodyResult = { readonly ok: true; readonly bytes: Buffer } | { readonly ok: false };

/**
 * Reads the body up to the limit. Past it, stops keeping bytes: the rest is drained and discarded (so the
 * client can read the 413 instead of a connection reset) and the socket is dropped if it keeps streaming.
 */
function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.off('end', onEnd);
        chunks.length = 0;
        req.resume();
        resolve({ ok: false });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => resolve({ ok: true, bytes: Buffer.concat(chunks, size) });
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', reject);
  });
}

const PAYLOAD_TOO_LARGE = (limit: number): Problem => ({
  status: 413,
  code: 'PAYLOAD_TOO_LARGE',
  title: 'Payload too large',
  detail: `The request body exceeds ${limit} bytes.`,
});

/** Merges `headers` and `multiValueHeaders` as API Gateway does: for a name in both, the multi-value list wins. */
function responseHeaders(result: APIGatewayProxyResult): Map<string, { name: string; values: string[] }> {
  const merged = new Map<string, { name: string; values: string[] }>();
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    merged.set(name.toLowerCase(), { name, values: values.map(String) });
  }
  for (const [name, value] of Object.entries(result.headers ?? {})) {
    if (!merged.has(name.toLowerCase())) merged.set(name.toLowerCase(), { name, values: [String(value)] });
  }
  return merged;
}

function isProxyResult(value: unknown): value is APIGatewayProxyResult {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    Number.isInteger(candidate.statusCode) &&
    (candidate.body === undefined || candidate.body === null || typeof candidate.body === 'string') &&
    (candidate.headers === undefined || candidate.headers === null || typeof candidate.headers === 'object') &&
    (candidate.multiValueHeaders === undefined || candidate.multiValueHeaders === null || typeof candidate.multiValueHeaders === 'object')
  );
}

function writeResult(res: ServerResponse, result: APIGatewayProxyResult, requestId: string): void {
  const headers = responseHeaders(result);
  // API Gateway answers application/json when the integration sets no content type.
  if (!headers.has('content-type')) headers.set('content-type', { name: 'Content-Type', values: ['application/json'] });
  headers.set('x-amzn-requestid', { name: 'x-amzn-RequestId', values: [requestId] });
  const body = result.body ? Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
  headers.set('content-length', { name: 'Content-Length', values: [String(body.length)] });
  const raw: string[] = [];
  for (const { name, values } of headers.values()) for (const value of values) raw.push(name, value);
  res.writeHead(result.statusCode, raw);
  res.end(body);
}

/** What a request Node's HTTP parser refused answers, by parser error code. */
function clientErrorProblem(code: string | undefined): Problem {
  if (code === 'HPE_HEADER_OVERFLOW') {
    return { status: 431, code: 'HEADERS_TOO_LARGE', title: 'Request header fields too large', detail: 'The request headers exceed the size limit.' };
  }
  if (code === 'HPE_INVALID_METHOD') return { status: 400, code: 'METHOD_UNKNOWN', title: 'Bad request', detail: 'The request method is not an HTTP method.' };
  return { status: 400, code: 'MALFORMED_REQUEST', title: 'Bad request', detail: 'The request is not well-formed HTTP/1.1 (request line, headers or chunked body).' };
}

/**
 * Node's `clientError`: the request could not be parsed, so no handler runs. Answers problem+json on the raw
 * socket when it can still be written (and nothing was sent yet), then closes the connection.
 */
function answerClientError(error: Error & { code?: string }, socket: Socket, logger: RuntimeLogger): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const problem = clientErrorProblem(error.code);
  logger.warn('Malformed HTTP request refused', { errorCode: error.code ?? 'unknown', status: problem.status });
  const type = `${PROBLEM_TYPE_BASE}${problem.code.toLowerCase().replaceAll('_', '-')}`;
  const body = JSON.stringify({ type, title: problem.title, status: problem.status, detail: problem.detail, code: problem.code });
  const head = [
    `HTTP/1.1 ${problem.status} ${problem.title}`,
    'content-type: application/problem+json',
    'cache-control: no-store',
    `x-amzn-requestid: ${randomUUID()}`,
    `content-length: ${Buffer.byteLength(body)}`,
    'connection: close',
  ].join('\r\n');
  socket.end(`${head}\r\n\r\n${body}`);
}

export async function startHttpAdapter(options: HttpAdapterOptions): Promise<HttpAdapter> {
  // Sorted once, most specific first, so the first match is the one API Gateway would pick.
  const resources = compileResources(options.routes).sort(moreSpecific);
  const logger = options.logger ?? defaultRuntimeLogger();
  const limit = options.maxBodyBytes ?? MAX_BODY_BYTES;

  /** Sockets still sending a refused body; close() drops them rather than wait for a client that may stall. */
  const draining = new Set<Socket>();

  /**
   * 413 without buffering: what is still coming is read and discarded, so that a client still uploading
   * can read the answer instead of a connection reset, and the socket is dropped if the upload has not
   * ended a moment after the answer (Node's own client, for one, stops sending once it has a response).
   */
  function refuseOversized(req: IncomingMessage, res: ServerResponse, requestId: string): void {
    const socket = req.socket;
    if (!req.complete) {
      draining.add(socket);
      req.resume();
      const drop = setTimeout(() => socket.destroy(), LINGER_MS);
      drop.unref();
      const settled = () => {
        clearTimeout(drop);
        draining.delete(socket);
      };
      req.once('end', settled);
      socket.once('close', settled);
    }
    writeProblem(res, PAYLOAD_TOO_LARGE(limit), requestId);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const receivedAt = new Date();
    const target = req.url ?? '/';
    const queryAt = target.indexOf('?');
    const rawPath = queryAt === -1 ? target : target.slice(0, queryAt);
    const rawQuery = queryAt === -1 ? '' : target.slice(queryAt + 1);
    const method = (req.method ?? 'GET').toUpperCase();

    const mount = options.mounts?.find((m) => rawPath === m.prefix || rawPath.startsWith(`${m.prefix}/`));
    if (mount) return mount.handle(req, res, rawPath);

    const rawSegments = splitPath(rawPath);
    let matched: { resource: Resource; params: Record<string, string> } | undefined;
    try {
      for (const resource of resources) {
        const params = matchResource(resource, rawSegments);
        if (params) {
          matched = { resource, params };
          break;
        }
      }
    } catch (error) {
      if (!(error instanceof MalformedPathError)) throw error;
      req.resume();
      writeProblem(res, { status: 400, code: 'MALFORMED_PATH', title: 'Bad request', detail: 'The request path has an invalid percent-encoding.' }, requestId);
      return;
    }
    if (!matched) {
      req.resume();
      // The path is not echoed: it is the client's text, and may be anything.
      writeProblem(res, { status: 404, code: 'ROUTE_NOT_FOUND', title: 'Not found', detail: 'No route matches the request path; see /openapi.json.' }, requestId);
      return;
    }
    const route = matched.resource.methods.get(method);
    if (!route) {
      req.resume();
      const allow = [...matched.resource.methods.keys()].join(', ');
      writeProblem(
        res,
        { status: 405, code: 'METHOD_NOT_ALLOWED', title: 'Method not allowed', detail: `${method} is not allowed on ${matched.resource.path}; use ${allow}.` },
        requestId,
        { allow },
      );
      return;
    }

    const declaredLength = Number(req.headers['content-length'] ?? 0);
    const body = declaredLength > limit ? ({ ok: false } as const) : await readBody(req, limit);
    if (!body.ok) {
      refuseOversized(req, res, requestId);
      return;
    }

    const event: APIGatewayProxyEvent = {
      resource: matched.resource.path,
      path: rawPath,
      httpMethod: method,
      ...collectHeaders(req),
      ...collectQuery(rawQuery),
      pathParameters: Object.keys(matched.params).length > 0 ? matched.params : null,
      stageVariables: null,
      requestContext: {
        accountId: '123456789012',
        apiId: 'local',
        authorizer: undefined,
        domainName: req.headers.host ?? 'localhost',
        httpMethod: method,
        identity: {
          accessKey: null,
          accountId: null,
          apiKey: null,
          apiKeyId: null,
          caller: null,
          clientCert: null,
          cognitoAuthenticationProvider: null,
          cognitoAuthenticationType: null,
          cognitoIdentityId: null,
          cognitoIdentityPoolId: null,
          principalOrgId: null,
          sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
          user: null,
          userAgent: req.headers['user-agent'] ?? null,
          userArn: null,
        },
        path: `/${STAGE}${rawPath}`,
        protocol: `HTTP/${req.httpVersion}`,
        requestId,
        requestTime: clfTime(receivedAt),
        requestTimeEpoch: receivedAt.getTime(),
        resourceId: 'local',
        resourcePath: matched.resource.path,
        stage: STAGE,
      },
      ...encodeBody(body.bytes),
    };

    const logDetails = { functionName: route.functionName, method, resource: route.path, requestId };
    let result: unknown;
    try {
      result = await invokeWithTimeout(
        { functionName: route.functionName, timeoutSeconds: route.timeoutSeconds, memoryMb: route.memoryMb },
        (context) => route.handler(event, context),
      );
    } catch (error) {
      const timedOut = error instanceof InvocationTimeoutError;
      logger.error(timedOut ? 'Function timed out' : 'Function failed', {
        ...logDetails,
        ...errorForLog(error),
      });
      writeProblem(
        res,
        timedOut
          ? { status: 504, code: 'INTEGRATION_TIMEOUT', title: 'Gateway timeout', detail: 'The function behind this route did not answer in time.' }
          : INTEGRATION_ERROR,
        requestId,
      );
      return;
    }
    if (!isProxyResult(result)) {
      logger.error('Function returned a malformed proxy result', { ...logDetails, resultType: typeof result });
      writeProblem(res, INTEGRATION_ERROR, requestId);
      return;
    }
    writeResult(res, result, requestId);
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      logger.error('Local HTTP adapter failed', { errorMessage: error instanceof Error ? error.message : String(error) });
      if (!res.headersSent) writeProblem(res, INTEGRATION_ERROR, 'unknown');
      else res.destroy();
    });
  };

  const server: Server = createServer(onRequest);
  server.on('clientError', (error: Error & { code?: string }, socket: Socket) => answerClientError(error, socket, logger));
  // `Expect: 100-continue` (curl sends it for large bodies): refuse an oversized body before it is sent.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      writeProblem(res, PAYLOAD_TOO_LARGE(limit), randomUUID(), { connection: 'close' });
      return;
    }
    res.writeContinue();
    onRequest(req, res);
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        for (const socket of draining) socket.destroy();
      }),
  };
}
