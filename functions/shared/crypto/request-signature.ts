/**
 * Server side of channel authentication (DESIGN.md §7): parsing the `ZT-SM2` Authorization header,
 * rebuilding the signed string and checking the SM2 signature against the channel's registered key.
 * Freshness (timestamp within ±300 s) and single use of the nonce are the caller's to enforce, with its
 * clock and nonce store; this module is pure.
 *
 * ```
 * Authorization: ZT-SM2 channel="<channelId>",timestamp="<unix seconds>",nonce="<16-64 [A-Za-z0-9]>",signature="<base64 DER>"
 * signed string = METHOD "\n" PATH_AND_QUERY "\n" timestamp "\n" nonce "\n" lowercase-hex(SM3(raw body)) "\n"
 * ```
 */
import { sm2Verify } from './sm2';
import { sm3Hex } from './sm3';

export const AUTH_SCHEME = 'ZT-SM2';

export interface ChannelCredentials {
  /** The signer's id: the channel's, or the department's when parsed for a department. */
  readonly channelId: string;
  readonly timestamp: number;
  readonly nonce: string;
  readonly signature: Buffer;
}

export type ParsedAuthorization = { ok: true; value: ChannelCredentials } | { ok: false; reason: string };

export interface CanonicalRequest {
  readonly method: string;
  /** The path and query exactly as the client sent them (no re-encoding, no reordering). */
  readonly pathAndQuery: string;
  readonly timestamp: number;
  readonly nonce: string;
  /** The raw body bytes as received; an absent body is the empty byte string. */
  readonly body: Uint8Array;
}

/** Who signs: a channel (`channel="<id>"`) or a department system (`department="<id>"`, DESIGN.md §7b). */
export type Signer = 'channel' | 'department';
const paramsOf = (signer: Signer) => [signer, 'timestamp', 'nonce', 'signature'] as const;
type ParamName = Signer | 'timestamp' | 'nonce' | 'signature';

const CHANNEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
/** Unix seconds without leading zeros: the value is re-serialised into the signed string, so it must round-trip. */
const TIMESTAMP_PATTERN = /^(?:0|[1-9][0-9]{0,11})$/;
const NONCE_PATTERN = /^[A-Za-z0-9]{16,64}$/;
/** A DER SM2 signature is at most 72 bytes, i.e. 96 base64 characters. */
const SIGNATURE_PATTERN = /^[A-Za-z0-9+/]{1,96}={0,2}$/;
/** One `name="value"` pair; values never need quoting escapes because no accepted value contains `"` or `\`. */
const PARAM_PATTERN = /([A-Za-z]+)="([^"\\]*)"/y;

const fail = (reason: string): ParsedAuthorization => ({ ok: false, reason });

/**
 * Parses the header strictly: the `ZT-SM2` scheme (case-insensitive, RFC 9110 §11.1), then exactly the four
 * parameters, comma-separated with optional spaces after each comma. Reasons name what was wrong, never
 * echo what was sent.
 */
export function parseAuthorization(header: string | undefined, signer: Signer = 'channel'): ParsedAuthorization {
  const PARAMS: readonly ParamName[] = paramsOf(signer);
  if (header === undefined || header.trim() === '') return fail('missing Authorization header');
  const text = header.trim();
  if (text.toUpperCase() === AUTH_SCHEME) return fail('missing authorization parameters');
  const space = text.indexOf(' ');
  if (space < 0 || text.slice(0, space).toUpperCase() !== AUTH_SCHEME) return fail(`authorization scheme must be ${AUTH_SCHEME}`);

  const values = new Map<ParamName, string>();
  let offset = space;
  while (text[offset] === ' ') offset++;
  for (;;) {
    PARAM_PATTERN.lastIndex = offset;
    const match = PARAM_PATTERN.exec(text);
    if (!match) return fail('malformed authorization parameters');
    const name = match[1]!.toLowerCase();
    if (!(PARAMS as readonly string[]).includes(name)) return fail('unknown authorization parameter');
    if (values.has(name as ParamName)) return fail('duplicate authorization parameter');
    values.set(name as ParamName, match[2]!);
    offset = PARAM_PATTERN.lastIndex;
    if (offset === text.length) break;
    if (text[offset] !== ',') return fail('malformed authorization parameters');
    offset++;
    while (text[offset] === ' ') offset++;
  }

  for (const name of PARAMS) {
    if (!values.has(name)) return fail(`missing authorization parameter ${name}`);
  }
  const channelId = values.get(signer)!;
  const timestamp = values.get('timestamp')!;
  const nonce = values.get('nonce')!;
  const signature = values.get('signature')!;
  if (!CHANNEL_PATTERN.test(channelId)) return fail(`invalid ${signer}`);
  if (!TIMESTAMP_PATTERN.test(timestamp)) return fail('timestamp must be unix seconds');
  if (!NONCE_PATTERN.test(nonce)) return fail('nonce must be 16-64 characters [A-Za-z0-9]');
  if (!SIGNATURE_PATTERN.test(signature)) return fail('signature must be base64');
  const signatureBytes = Buffer.from(signature, 'base64');
  // Canonical base64 only, so one signature has one spelling.
  if (signatureBytes.length === 0 || signatureBytes.toString('base64') !== signature) return fail('signature must be base64');
  return { ok: true, value: { channelId, timestamp: Number(timestamp), nonce, signature: signatureBytes } };
}

export function canonicalRequestString(request: CanonicalRequest): string {
  const { method, pathAndQuery, timestamp, nonce, body } = request;
  return `${method.toUpperCase()}\n${pathAndQuery}\n${timestamp}\n${nonce}\n${sm3Hex(body)}\n`;
}

/**
 * True when `signature` is the channel's SM2 signature (SM3, default user id, DER) over the signed string.
 * Never throws: any malformed input is simply not a valid signature.
 */
export function verifyRequestSignature(request: CanonicalRequest & { readonly signature: Buffer; readonly publicKeyHex: string }): boolean {
  // The method is the only field before the free-form path: keeping newlines out of it keeps the signed
  // string unambiguous (every later field has a fixed shape).
  if (typeof request.method !== 'string' || !/^[A-Za-z]+$/.test(request.method)) return false;
  if (typeof request.pathAndQuery !== 'string' || !(request.body instanceof Uint8Array)) return false;
  if (!Number.isSafeInteger(request.timestamp) || request.timestamp < 0) return false;
  if (typeof request.nonce !== 'string' || !NONCE_PATTERN.test(request.nonce)) return false;
  return sm2Verify(canonicalRequestString(request), request.signature, request.publicKeyHex);
}
