/**
 * The two signatures a department system deals with (DESIGN.md §7b), as a simulated department does them:
 *
 * - it verifies the platform's signature of each delivery (schemas/departments/v1.ts):
 *   `ZT-Signature: ZT-SM2 keyId="<platform key id>",signature="<base64 DER>"` over
 *   `timestamp "\n" deliveryId "\n" hex(SM3(body)) "\n"`;
 * - it signs its results with its own key by the channel scheme, `department=` in place of `channel=`:
 *   `Authorization: ZT-SM2 department="<id>",timestamp="<unix s>",nonce="<16-64 [A-Za-z0-9]>",signature="<base64 DER>"`
 *   over canonicalRequestString(method, path, timestamp, nonce, body).
 */
import { randomInt } from 'node:crypto';
import { canonicalRequestString } from '../../../functions/shared/crypto/request-signature';
import { sm2Sign, sm2Verify } from '../../../functions/shared/crypto/sm2';
import { sm3Hex } from '../../../functions/shared/crypto/sm3';

/** A delivery's timestamp must be within this many seconds of the department's clock (as the registry's own window). */
export const MAX_DELIVERY_SKEW_SECONDS = 300;

const SIGNATURE_HEADER = /^ZT-SM2 keyId="([A-Za-z0-9._:-]{1,128})",\s?signature="([A-Za-z0-9+/]{1,96}={0,2})"$/i;
const TIMESTAMP = /^(?:0|[1-9][0-9]{0,11})$/;
const DELIVERY_ID = /^[A-Za-z0-9._:#-]{1,160}$/;

export type DeliveryCheck = { readonly ok: true } | { readonly ok: false; readonly reason: 'MISSING_HEADER' | 'MALFORMED_SIGNATURE_HEADER' | 'TIMESTAMP_OUT_OF_WINDOW' | 'BAD_SIGNATURE' };

/** Checks a delivery's headers, freshness and the platform's SM2 signature over the raw body. Never throws. */
export function verifyDelivery(input: {
  readonly deliveryId: string | undefined;
  readonly timestamp: string | undefined;
  readonly signatureHeader: string | undefined;
  readonly body: Uint8Array;
  readonly platformPublicKeyHex: string;
  readonly nowSeconds: number;
}): DeliveryCheck {
  const { deliveryId, timestamp, signatureHeader } = input;
  if (deliveryId === undefined || timestamp === undefined || signatureHeader === undefined) return { ok: false, reason: 'MISSING_HEADER' };
  const match = SIGNATURE_HEADER.exec(signatureHeader.trim());
  if (!match || !DELIVERY_ID.test(deliveryId) || !TIMESTAMP.test(timestamp)) return { ok: false, reason: 'MALFORMED_SIGNATURE_HEADER' };
  const signature = Buffer.from(match[2]!, 'base64');
  if (signature.length === 0 || signature.toString('base64') !== match[2]) return { ok: false, reason: 'MALFORMED_SIGNATURE_HEADER' };
  if (Math.abs(input.nowSeconds - Number(timestamp)) > MAX_DELIVERY_SKEW_SECONDS) return { ok: false, reason: 'TIMESTAMP_OUT_OF_WINDOW' };
  const signed = `${timestamp}\n${deliveryId}\n${sm3Hex(input.body)}\n`;
  return sm2Verify(signed, signature, input.platformPublicKeyHex) ? { ok: true } : { ok: false, reason: 'BAD_SIGNATURE' };
}

/** The platform's side, for tests and tools: the `ZT-Signature` value of a delivery. */
export function signDelivery(input: { readonly deliveryId: string; readonly timestamp: number; readonly body: Uint8Array | string; readonly keyId: string; readonly privateKeyHex: string }): string {
  const body = typeof input.body === 'string' ? Buffer.from(input.body, 'utf8') : input.body;
  const signature = sm2Sign(`${input.timestamp}\n${input.deliveryId}\n${sm3Hex(body)}\n`, input.privateKeyHex);
  return `ZT-SM2 keyId="${input.keyId}",signature="${signature.toString('base64')}"`;
}

const NONCE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 32 random [A-Za-z0-9]; a fresh one for every attempt, as the registry accepts a nonce once. */
export function randomNonce(): string {
  let nonce = '';
  for (let i = 0; i < 32; i++) nonce += NONCE_ALPHABET[randomInt(NONCE_ALPHABET.length)];
  return nonce;
}

/** The `Authorization` value of a department's request (a result POSTed to the registry). */
export function signDepartmentRequest(input: {
  readonly departmentId: string;
  readonly privateKeyHex: string;
  readonly method: string;
  readonly pathAndQuery: string;
  readonly body: Uint8Array | string;
  readonly timestamp?: number;
  readonly nonce?: string;
}): string {
  const timestamp = input.timestamp ?? Math.floor(Date.now() / 1000);
  const nonce = input.nonce ?? randomNonce();
  const body = typeof input.body === 'string' ? Buffer.from(input.body, 'utf8') : input.body;
  const signed = canonicalRequestString({ method: input.method, pathAndQuery: input.pathAndQuery, timestamp, nonce, body });
  const signature = sm2Sign(signed, input.privateKeyHex).toString('base64');
  return `ZT-SM2 department="${input.departmentId}",timestamp="${timestamp}",nonce="${nonce}",signature="${signature}"`;
}
