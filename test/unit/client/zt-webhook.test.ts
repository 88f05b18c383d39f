import smCrypto from 'sm-crypto';
import { describe, expect, it } from 'vitest';
import { isCreditNotice, verifyWebhook, webhookSignedString } from '../../../client/zt-webhook';
import { creditNoticeBody, progressEventBody, webhookSignedString as serverSignedString } from '../../../functions/core/use-cases/deliver-progress';
import type { CreditNotice, ProgressEvent } from '../../../functions/core/ports';
import { generateSm2KeyPair, sm2Sign } from '../../../functions/shared/crypto/sm2';

const platform = generateSm2KeyPair();
const event: ProgressEvent = {
  v: 1,
  eventId: 'F0123456789ABCDEF01234567:3',
  channelId: 'ch-bank-a',
  filingId: 'F0123456789ABCDEF01234567',
  clientRef: 'LOAN-1',
  businessType: 'MORTGAGE_CREATE',
  status: 'ACCEPTED',
  at: '2026-11-23T08:15:30.000Z',
};
const NOW = 1795424400;

function delivery(options: { timestamp?: number; body?: string; eventId?: string; sign?: (signed: string) => Buffer } = {}) {
  const timestamp = options.timestamp ?? NOW;
  const body = options.body ?? progressEventBody(event);
  const eventId = options.eventId ?? event.eventId;
  const signed = serverSignedString(timestamp, eventId, body);
  const signature = (options.sign ?? ((s) => sm2Sign(s, platform.privateKey)))(signed);
  return {
    headers: {
      'zt-event-id': eventId,
      'zt-timestamp': String(timestamp),
      'zt-signature': `ZT-SM2 keyId="local-sm2:0123456789abcdef",signature="${signature.toString('base64')}"`,
    } as Record<string, string>,
    body,
  };
}

const verify = (d: { headers: Record<string, string>; body: string | Uint8Array }, extra: { maxSkewSeconds?: number } = {}) =>
  verifyWebhook({ headers: d.headers, body: d.body, platformPublicKeyHex: platform.publicKey, nowSeconds: NOW, ...extra });

describe('verifyWebhook (the institution side)', () => {
  it('accepts a delivery signed by the platform and returns the event and key id', () => {
    const result = verify(delivery());
    expect(result).toEqual({ ok: true, event, keyId: 'local-sm2:0123456789abcdef' });
  });

  it('accepts a credit notice the same way, and tells it apart from a progress event', () => {
    const notice: CreditNotice = {
      v: 1,
      type: 'CREDIT',
      eventId: 'CN0123456789ABCDEF01234567',
      channelId: 'ch-bank-a',
      institutionId: 'INST-BANK-A',
      change: 'GRADE_CHANGED',
      at: '2026-11-23T08:15:31.000Z',
      score: 80,
      grade: 'WATCH',
    };
    const result = verify(delivery({ body: creditNoticeBody(notice), eventId: notice.eventId }));
    expect(result).toEqual({ ok: true, event: notice, keyId: 'local-sm2:0123456789abcdef' });
    expect(result.ok && isCreditNotice(result.event)).toBe(true);
    const progress = verify(delivery());
    expect(progress.ok && isCreditNotice(progress.event)).toBe(false);
  });

  it('builds the same signed string as the platform', () => {
    const body = progressEventBody(event);
    expect(webhookSignedString(NOW, event.eventId, body)).toBe(serverSignedString(NOW, event.eventId, body));
    expect(webhookSignedString(String(NOW), event.eventId, Buffer.from(body))).toBe(serverSignedString(NOW, event.eventId, body));
  });

  it('accepts fetch Headers, raw bytes and headers in any case', () => {
    const d = delivery();
    const headers = new Headers({ 'ZT-Event-Id': d.headers['zt-event-id']!, 'ZT-Timestamp': d.headers['zt-timestamp']!, 'ZT-Signature': d.headers['zt-signature']! });
    expect(verifyWebhook({ headers, body: Buffer.from(d.body), platformPublicKeyHex: platform.publicKey, nowSeconds: NOW }).ok).toBe(true);
    const upper = Object.fromEntries(Object.entries(d.headers).map(([k, v]) => [k.toUpperCase(), v]));
    expect(verify({ headers: upper, body: d.body }).ok).toBe(true);
  });

  it('verifies a signature made by sm-crypto, a library institutions use, the same way', () => {
    const d = delivery({ sign: (s) => Buffer.from(smCrypto.sm2.doSignature(s, platform.privateKey, { hash: true, der: true }), 'hex') });
    expect(verify(d).ok).toBe(true);
  });

  it('refuses a body changed after signing', () => {
    const d = delivery();
    expect(verify({ ...d, body: d.body.replace('ACCEPTED', 'REGISTERED') })).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('refuses a delivery signed by another key', () => {
    const other = generateSm2KeyPair();
    expect(verify(delivery({ sign: (s) => sm2Sign(s, other.privateKey) }))).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('refuses a changed timestamp or event id header (both are signed)', () => {
    const d = delivery();
    expect(verify({ ...d, headers: { ...d.headers, 'zt-timestamp': String(NOW + 1) } })).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
    expect(verify({ ...d, headers: { ...d.headers, 'zt-event-id': 'F0123456789ABCDEF01234567:4' } })).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('refuses a signed header that names another event than the body', () => {
    const d = delivery({ eventId: 'OTHER:1' });
    expect(verify(d)).toEqual({ ok: false, reason: 'EVENT_ID_MISMATCH' });
  });

  it('refuses a stale or future timestamp (replays), within a configurable window', () => {
    expect(verify(delivery({ timestamp: NOW - 301 }))).toEqual({ ok: false, reason: 'TIMESTAMP_OUT_OF_WINDOW' });
    expect(verify(delivery({ timestamp: NOW + 301 }))).toEqual({ ok: false, reason: 'TIMESTAMP_OUT_OF_WINDOW' });
    expect(verify(delivery({ timestamp: NOW - 300 })).ok).toBe(true);
    expect(verify(delivery({ timestamp: NOW - 60 }), { maxSkewSeconds: 30 })).toEqual({ ok: false, reason: 'TIMESTAMP_OUT_OF_WINDOW' });
  });

  it.each([
    ['no signature header', (h: Record<string, string>) => ({ ...h, 'zt-signature': undefined }), 'MISSING_HEADER'],
    ['no event id', (h: Record<string, string>) => ({ ...h, 'zt-event-id': undefined }), 'MISSING_HEADER'],
    ['another scheme', (h: Record<string, string>) => ({ ...h, 'zt-signature': h['zt-signature']!.replace('ZT-SM2', 'HMAC') }), 'MALFORMED_SIGNATURE_HEADER'],
    ['a hex signature', (h: Record<string, string>) => ({ ...h, 'zt-signature': 'ZT-SM2 keyId="k",signature="3045abcdef"' }), 'MALFORMED_SIGNATURE_HEADER'],
    ['milliseconds', (h: Record<string, string>) => ({ ...h, 'zt-timestamp': `${NOW}000` }), 'MALFORMED_SIGNATURE_HEADER'],
    ['a timestamp with leading zeros', (h: Record<string, string>) => ({ ...h, 'zt-timestamp': `0${NOW}` }), 'MALFORMED_SIGNATURE_HEADER'],
  ])('refuses %s', (_label, change, reason) => {
    const d = delivery();
    const headers = Object.fromEntries(Object.entries(change(d.headers)).filter(([, v]) => v !== undefined)) as Record<string, string>;
    expect(verify({ headers, body: d.body })).toEqual({ ok: false, reason });
  });

  it('refuses a signed body that is not a v1 event', () => {
    expect(verify(delivery({ body: 'not json' }))).toEqual({ ok: false, reason: 'MALFORMED_BODY' });
    expect(verify(delivery({ body: JSON.stringify({ ...event, v: 2 }) }))).toEqual({ ok: false, reason: 'MALFORMED_BODY' });
  });

  it('never throws on a malformed public key', () => {
    expect(verifyWebhook({ ...delivery(), platformPublicKeyHex: 'nope', nowSeconds: NOW })).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
    expect(verifyWebhook({ ...delivery(), platformPublicKeyHex: `04${'00'.repeat(64)}`, nowSeconds: NOW })).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
  });
});
