/**
 * Zhitong webhook receiver: verifies that an event POSTed to your webhook — a filing's progress event or a
 * credit notice — was sent by the registry (DESIGN.md §3 Progress, §4 Credit). Like `zt-client.ts`, institutions copy this one file into their systems: it
 * depends only on `node:crypto` and `sm-crypto-v2`, never on Zhitong's server code.
 *
 *   ZT-Event-Id:  <eventId>
 *   ZT-Timestamp: <unix seconds>
 *   ZT-Signature: ZT-SM2 keyId="<platform key id>",signature="<base64 DER>"
 *   signed string = timestamp \n eventId \n hex(SM3(raw body bytes)) \n
 *
 * SM2 with SM3 over Z ‖ M, default user id 1234567812345678 (GM/T 0003, GM/T 0009), DER-encoded. The
 * platform's public key is served by `GET /v1/channel/webhook` (`platformPublicKey`).
 *
 * Verify the raw body bytes exactly as received, before any JSON parsing or re-serialisation.
 */
import { createHash } from 'node:crypto';
import { sm2 } from 'sm-crypto-v2';

/** The progress event a delivery carries: ids, statuses and reason codes, never personal data. */
export interface ZhitongProgressEvent {
  readonly v: 1;
  readonly eventId: string;
  readonly channelId: string;
  readonly filingId: string;
  readonly clientRef: string;
  readonly businessType: string;
  readonly status: string;
  readonly at: string;
  readonly reasonCode?: string;
  /**
   * For filings that need department results (tax clearance, contract filing, completion record): each
   * result and where it stands (REQUESTED, PENDING, CONFIRMED, REJECTED, CANCELLED), with the department's
   * reason code. An event that changes only this (a PENDING answer) keeps `status` and has its own eventId.
   */
  readonly coordination?: readonly { readonly kind: string; readonly state: string; readonly reasonCode?: string }[];
}

/**
 * A change of your channel's credit (score, grade, ledger, shutoff case, rectification, appeal): ids, codes
 * and numbers, never personal data. Told apart from a progress event by `type: 'CREDIT'`; read the details
 * with `GET /v1/channel/credit`.
 */
export interface ZhitongCreditNotice {
  readonly v: 1;
  readonly type: 'CREDIT';
  readonly eventId: string;
  readonly channelId: string;
  readonly institutionId: string;
  /** LEDGER_EVENT, GRADE_CHANGED, CASE_OPENED, RECTIFICATION_RECEIVED, RECTIFICATION_REJECTED, CASE_CLOSED, APPEAL_RECEIVED, APPEAL_UPHELD, APPEAL_REVERSED. */
  readonly change: string;
  readonly at: string;
  /** The channel's score and grade (NORMAL, WATCH, SHUT_OFF, PROBATION) after the change. */
  readonly score: number;
  readonly grade: string;
  readonly caseNo?: string;
  readonly ledgerEventId?: string;
  readonly kind?: string;
  readonly points?: number;
  readonly rectificationId?: string;
}

/** What a delivery carries: one or the other. */
export type ZhitongWebhookEvent = ZhitongProgressEvent | ZhitongCreditNotice;

/** A credit notice rather than a filing's progress event (progress events carry no `type`). */
export const isCreditNotice = (event: ZhitongWebhookEvent): event is ZhitongCreditNotice => 'type' in event && event.type === 'CREDIT';

export type WebhookHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

export interface VerifyWebhookInput {
  /** The request headers (any case), as a fetch `Headers` or a node `IncomingHttpHeaders`-like record. */
  readonly headers: WebhookHeaders;
  /** The raw body bytes as received (a string is taken as UTF-8). */
  readonly body: string | Uint8Array;
  /** From `GET /v1/channel/webhook`: uncompressed SM2 public key, hex (`04…`). */
  readonly platformPublicKeyHex: string;
  /** Largest accepted distance between ZT-Timestamp and your clock; default 300 s. */
  readonly maxSkewSeconds?: number;
  /** Your clock, in unix seconds; defaults to now. */
  readonly nowSeconds?: number;
}

export type VerifyWebhookFailure =
  | 'MISSING_HEADER'
  | 'MALFORMED_SIGNATURE_HEADER'
  | 'TIMESTAMP_OUT_OF_WINDOW'
  | 'BAD_SIGNATURE'
  | 'MALFORMED_BODY'
  | 'EVENT_ID_MISMATCH';

export type VerifyWebhookResult =
  | { readonly ok: true; readonly event: ZhitongWebhookEvent; readonly keyId: string }
  | { readonly ok: false; readonly reason: VerifyWebhookFailure };

const SIGNATURE_HEADER = /^ZT-SM2 keyId="([A-Za-z0-9._:-]{1,128})",\s?signature="([A-Za-z0-9+/]{1,96}={0,2})"$/i;
const TIMESTAMP = /^(?:0|[1-9][0-9]{0,11})$/;
const EVENT_ID = /^[A-Za-z0-9._:#-]{1,160}$/;
const PUBLIC_KEY = /^04[0-9a-fA-F]{128}$/;

function headerOf(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof Headers !== 'undefined' && headers instanceof Headers) return headers.get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers as Record<string, string | readonly string[] | undefined>)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    // A repeated header is ambiguous: refuse rather than pick one.
    if (typeof value !== 'string') return value.length === 1 ? value[0] : undefined;
    return value;
  }
  return undefined;
}

/** The string the platform signs. */
export function webhookSignedString(timestamp: string | number, eventId: string, body: string | Uint8Array): string {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return `${timestamp}\n${eventId}\n${createHash('sm3').update(bytes).digest('hex')}\n`;
}

const fail = (reason: VerifyWebhookFailure): VerifyWebhookResult => ({ ok: false, reason });

/**
 * Checks headers, freshness and the SM2 signature, then parses the body. Never throws. On success, also
 * drop the event if you have already processed its `eventId` (deliveries are at least once).
 */
export function verifyWebhook(input: VerifyWebhookInput): VerifyWebhookResult {
  const eventId = headerOf(input.headers, 'zt-event-id');
  const timestamp = headerOf(input.headers, 'zt-timestamp');
  const signatureHeader = headerOf(input.headers, 'zt-signature');
  if (eventId === undefined || timestamp === undefined || signatureHeader === undefined) return fail('MISSING_HEADER');
  const match = SIGNATURE_HEADER.exec(signatureHeader.trim());
  if (!match || !EVENT_ID.test(eventId) || !TIMESTAMP.test(timestamp)) return fail('MALFORMED_SIGNATURE_HEADER');
  const keyId = match[1]!;
  const signatureBase64 = match[2]!;
  const signature = Buffer.from(signatureBase64, 'base64');
  if (signature.length === 0 || signature.toString('base64') !== signatureBase64) return fail('MALFORMED_SIGNATURE_HEADER');

  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > (input.maxSkewSeconds ?? 300)) return fail('TIMESTAMP_OUT_OF_WINDOW');

  const body = typeof input.body === 'string' ? Buffer.from(input.body, 'utf8') : input.body;
  if (!PUBLIC_KEY.test(input.platformPublicKeyHex)) return fail('BAD_SIGNATURE');
  let valid = false;
  try {
    valid = sm2.doVerifySignature(Buffer.from(webhookSignedString(timestamp, eventId, body), 'utf8'), signature.toString('hex'), input.platformPublicKeyHex, {
      hash: true,
      der: true,
    });
  } catch {
    valid = false;
  }
  if (!valid) return fail('BAD_SIGNATURE');

  let event: unknown;
  try {
    event = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    return fail('MALFORMED_BODY');
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event) || (event as { v?: unknown }).v !== 1) return fail('MALFORMED_BODY');
  // The header is signed; the body's own id must agree, so a signed header cannot vouch for another event.
  if ((event as { eventId?: unknown }).eventId !== eventId) return fail('EVENT_ID_MISMATCH');
  return { ok: true, event: event as ZhitongWebhookEvent, keyId };
}
