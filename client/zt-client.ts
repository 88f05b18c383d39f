/**
 * Zhitong channel client: signs requests to the Zhitong channel API (DESIGN.md §7) with the channel's SM2
 * private key. Institutions copy this one file into their own systems, so it depends only on `node:crypto`
 * and `sm-crypto-v2` — never on Zhitong's server code — and is an independent implementation of the contract:
 *
 *   Authorization: ZT-SM2 channel="<id>",timestamp="<unix s>",nonce="<16-64 [A-Za-z0-9]>",signature="<base64 DER>"
 *   signed string = METHOD \n PATH_AND_QUERY \n timestamp \n nonce \n hex(SM3(body bytes)) \n
 *   PATH_AND_QUERY = PATH, or PATH ? CANONICAL_QUERY when the request has a query
 *   CANONICAL_QUERY: each parameter decoded (`+` is a space), name and value RFC 3986-encoded (A-Z a-z 0-9 - . _ ~
 *   as they are, everything else %XX upper case), pairs sorted by name then value, `name=value` joined by `&`
 *
 * SM2 with SM3 over Z ‖ M, default user id 1234567812345678 (GM/T 0003, GM/T 0009), DER-encoded.
 */
import { createHash, randomInt } from 'node:crypto';
import { sm2 } from 'sm-crypto-v2';

const NONCE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const NONCE_LENGTH = 32;

export interface CanonicalInput {
  readonly method: string;
  /** Path and query as sent, e.g. `/v1/batches` or `/v1/staff/filings?status=READY`; the query is canonicalised for signing. */
  readonly pathAndQuery: string;
  readonly timestamp: number;
  readonly nonce: string;
  readonly body: string | Uint8Array;
}

export interface SignRequestInput {
  /** The channel's id; a department system signing its results gives its department id here with `as: 'department'`. */
  readonly channelId: string;
  /** Who signs: `channel` (default, institutions) or `department` (tax and trading department systems, DESIGN.md §7b). */
  readonly as?: 'channel' | 'department';
  /** 64 hex characters. */
  readonly privateKeyHex: string;
  readonly method: string;
  readonly pathAndQuery: string;
  /** The exact bytes that will be sent (a string is sent as UTF-8); use '' for no body. */
  readonly body: string | Uint8Array;
  /** Unix seconds; defaults to now. The server accepts ±300 s. */
  readonly timestamp?: number;
  /** Defaults to 32 random [A-Za-z0-9]; never reuse one within 600 s. */
  readonly nonce?: string;
}

const utf8 = (value: string | Uint8Array): Uint8Array => (typeof value === 'string' ? Buffer.from(value, 'utf8') : value);

/** RFC 3986 percent-encoding: unreserved characters as they are, everything else `%XX` in upper case. */
const rfc3986 = (text: string): string => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * `PATH_AND_QUERY` as the server rebuilds it (DESIGN.md §7): the path unchanged, and the query as SigV4's
 * canonical query — decoded as a form (`+` is a space, `?flag` is `flag=`), each name and value re-encoded
 * per RFC 3986, sorted by name then value. A query already in this form is unchanged.
 */
export function canonicalPathAndQuery(pathAndQuery: string): string {
  const at = pathAndQuery.indexOf('?');
  if (at < 0) return pathAndQuery;
  const pairs = [...new URLSearchParams(pathAndQuery.slice(at + 1))].map(([name, value]) => [rfc3986(name), rfc3986(value)] as const);
  pairs.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  const path = pathAndQuery.slice(0, at);
  return pairs.length === 0 ? path : `${path}?${pairs.map(([name, value]) => `${name}=${value}`).join('&')}`;
}

/** The string that is signed. */
export function canonicalString(input: CanonicalInput): string {
  const bodyHash = createHash('sm3').update(utf8(input.body)).digest('hex');
  return `${input.method.toUpperCase()}\n${canonicalPathAndQuery(input.pathAndQuery)}\n${input.timestamp}\n${input.nonce}\n${bodyHash}\n`;
}

function randomNonce(): string {
  // randomInt is uniform over the alphabet (no modulo bias).
  let nonce = '';
  for (let i = 0; i < NONCE_LENGTH; i++) nonce += NONCE_ALPHABET[randomInt(NONCE_ALPHABET.length)];
  return nonce;
}

/** Signs one request and returns the Authorization header value with the timestamp and nonce it used. */
export function signRequest(input: SignRequestInput): { authorization: string; timestamp: number; nonce: string } {
  const timestamp = input.timestamp ?? Math.floor(Date.now() / 1000);
  const nonce = input.nonce ?? randomNonce();
  if (!/^[A-Za-z0-9]{16,64}$/.test(nonce)) throw new Error('nonce must be 16-64 characters [A-Za-z0-9]');
  if (!/^[0-9a-fA-F]{64}$/.test(input.privateKeyHex)) throw new Error('privateKeyHex must be 64 hex characters');
  const signed = canonicalString({ method: input.method, pathAndQuery: input.pathAndQuery, timestamp, nonce, body: input.body });
  // Sign the UTF-8 bytes ourselves so the library never has to guess the string encoding.
  const derHex = sm2.doSignature(Buffer.from(signed, 'utf8'), input.privateKeyHex, { hash: true, der: true });
  const signature = Buffer.from(derHex, 'hex').toString('base64');
  return {
    authorization: `ZT-SM2 ${input.as ?? 'channel'}="${input.channelId}",timestamp="${timestamp}",nonce="${nonce}",signature="${signature}"`,
    timestamp,
    nonce,
  };
}

export interface ZhitongClientOptions {
  /** API root without a trailing path, e.g. `http://127.0.0.1:3000`. */
  readonly baseUrl: string;
  readonly channelId: string;
  readonly privateKeyHex: string;
}

export interface ZhitongResponse {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON when the response is JSON (including application/problem+json), else the text. */
  readonly body: unknown;
}

export class ZhitongClient {
  private readonly baseUrl: string;

  constructor(private readonly options: ZhitongClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  /**
   * Sends one signed request. `body`, when given, is serialised to JSON once and exactly those bytes are
   * both signed and sent. Errors are returned as responses (status ≥ 400 with a problem+json body), not thrown.
   */
  async request(
    method: string,
    pathAndQuery: string,
    body?: unknown,
    options: { idempotencyKey?: string } = {},
  ): Promise<ZhitongResponse> {
    if (!pathAndQuery.startsWith('/')) throw new Error("pathAndQuery must start with '/'");
    // What goes on the wire: fetch percent-encodes a raw UTF-8 path or query, and the path is signed as sent.
    const url = new URL(this.baseUrl + pathAndQuery);
    const wire = `${url.pathname}${url.search}`;
    const bytes = body === undefined ? new Uint8Array(0) : Buffer.from(JSON.stringify(body), 'utf8');
    const { authorization } = signRequest({
      channelId: this.options.channelId,
      privateKeyHex: this.options.privateKeyHex,
      method,
      pathAndQuery: wire,
      body: bytes,
    });
    const headers: Record<string, string> = { authorization, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;

    const response = await fetch(url, {
      method: method.toUpperCase(),
      headers,
      body: body === undefined ? undefined : bytes,
    });
    const text = await response.text();
    const isJson = /\bjson\b/i.test(response.headers.get('content-type') ?? '');
    let parsed: unknown = text;
    if (isJson && text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: response.status, headers: response.headers, body: parsed };
  }
}
