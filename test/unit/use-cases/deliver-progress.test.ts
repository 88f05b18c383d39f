import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  creditNoticeBody,
  deliverProgress,
  progressEventBody,
  retryDelaySeconds,
  webhookSignedString,
  type DeliverProgressPorts,
} from '../../../functions/core/use-cases/deliver-progress';
import type { AuditRecord, Channel, CreditNotice, ProgressEvent, WebhookOutcome, WebhookRequest } from '../../../functions/core/ports';
import { generateSm2KeyPair, sm2Sign, sm2Verify } from '../../../functions/shared/crypto/sm2';

const event: ProgressEvent = {
  v: 1,
  eventId: 'F0123456789ABCDEF01234567:2',
  channelId: 'ch-bank-a',
  filingId: 'F0123456789ABCDEF01234567',
  clientRef: 'LOAN-1',
  businessType: 'MORTGAGE_CREATE',
  status: 'REFUSED',
  at: '2026-11-23T08:15:30.000Z',
  reasonCode: 'UNIT_SEIZED',
};

const notice: CreditNotice = {
  v: 1,
  type: 'CREDIT',
  eventId: 'CN0123456789ABCDEF01234567',
  channelId: 'ch-bank-a',
  institutionId: 'INST-BANK-A',
  change: 'CASE_OPENED',
  at: '2026-11-23T08:15:31.000Z',
  score: 58,
  grade: 'SHUT_OFF',
  caseNo: 'CS20261123A1B2C3D4',
  ledgerEventId: 'CE0123456789ABCDEF01234567',
  kind: 'OUT_OF_SCOPE',
  points: -5,
};

const channel: Channel = {
  channelId: 'ch-bank-a',
  institutionId: 'INST-BANK-A',
  institutionName: 'A 银行',
  institutionType: 'BANK',
  uscc: '91370100MA3C8AXX1X',
  status: 'ACTIVE',
  publicKey: generateSm2KeyPair().publicKey,
  allowedBusinessTypes: ['MORTGAGE_CREATE'],
  allowedDistricts: ['370102'],
  webhook: { url: 'https://bank.example.cn/hook?token=t0k', updatedAt: '2026-11-01T00:00:00.000Z' },
};

const platformKeys = generateSm2KeyPair();
const NOW = new Date('2026-11-23T08:16:00.000Z');

function world(options: { channel?: Channel | undefined; outcome?: WebhookOutcome } = {}) {
  const sent: WebhookRequest[] = [];
  const audits: AuditRecord[] = [];
  const ports: DeliverProgressPorts = {
    channels: { get: async (id) => ('channel' in options ? options.channel : id === channel.channelId ? channel : undefined) },
    sender: {
      post: async (request) => {
        sent.push(request);
        return options.outcome ?? { kind: 'answered', status: 204 };
      },
    },
    signer: { keyId: 'local-sm2:0123456789abcdef', publicKeyHex: async () => platformKeys.publicKey, sign: async (m) => sm2Sign(m, platformKeys.privateKey) },
    clock: { now: () => NOW },
    audit: { record: async (entry) => void audits.push(entry) },
    policy: { allowLocal: false },
  };
  return { ports, sent, audits };
}

describe('the retry schedule', () => {
  it('doubles from 20 s per receive and is capped at 15 minutes', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 50].map((n) => retryDelaySeconds(n))).toEqual([20, 40, 80, 160, 320, 640, 900, 900, 900, 900]);
  });

  it('treats a missing or odd receive count as the first', () => {
    expect(retryDelaySeconds(0)).toBe(20);
    expect(retryDelaySeconds(Number.NaN)).toBe(20);
  });

  it('scales with its base (tests use a small one)', () => {
    expect(retryDelaySeconds(3, 1)).toBe(8);
  });
});

describe('the signed string and the body', () => {
  it('is timestamp, event id and lowercase hex SM3 of the body, each line ending in \\n', () => {
    const body = '{"v":1}';
    const hash = createHash('sm3').update(body).digest('hex');
    expect(webhookSignedString(1795424400, 'E:1', body)).toBe(`1795424400\nE:1\n${hash}\n`);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is exactly the ProgressEvent, whatever else the object carries', () => {
    const withExtras = { ...event, mortgagorName: '张三丰', idNumber: '370102198001011237' } as ProgressEvent;
    const body = JSON.parse(progressEventBody(withExtras)) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['v', 'eventId', 'channelId', 'filingId', 'clientRef', 'businessType', 'status', 'at', 'reasonCode']);
    expect(JSON.stringify(body)).not.toMatch(/张三丰|370102198001011237/);
    const { reasonCode: _none, ...withoutReason } = event;
    expect(Object.keys(JSON.parse(progressEventBody(withoutReason)) as object)).not.toContain('reasonCode');
  });
});

describe('the body of a credit notice', () => {
  it('is exactly the CreditNotice, in a fixed order, whatever else the object carries', () => {
    const withExtras = { ...notice, reasons: '张三丰 370102198001011237', staffId: 'officer-1' } as CreditNotice;
    const body = JSON.parse(creditNoticeBody(withExtras)) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['v', 'type', 'eventId', 'channelId', 'institutionId', 'change', 'at', 'score', 'grade', 'caseNo', 'ledgerEventId', 'kind', 'points']);
    expect(JSON.stringify(body)).not.toMatch(/张三丰|370102198001011237|officer-1/);
    const received: CreditNotice = { v: 1, type: 'CREDIT', eventId: 'CN1', channelId: 'ch-bank-a', institutionId: 'INST-BANK-A', change: 'RECTIFICATION_RECEIVED', at: notice.at, score: 58, grade: 'SHUT_OFF', caseNo: 'CS1', rectificationId: 'RC0123456789ABCDEF' };
    expect(Object.keys(JSON.parse(creditNoticeBody(received)) as object)).toEqual(['v', 'type', 'eventId', 'channelId', 'institutionId', 'change', 'at', 'score', 'grade', 'caseNo', 'rectificationId']);
  });
});

describe('deliverProgress', () => {
  it('POSTs a credit notice the same way: same headers, ZT-Event-Id = its eventId, a verifiable signature; audited by change', async () => {
    // Prepare
    const { ports, sent, audits } = world();
    // Act
    const result = await deliverProgress(ports, notice, 1);
    // Assess
    expect(result).toEqual({ kind: 'delivered', httpStatus: 204 });
    const request = sent[0]!;
    expect(request.body).toBe(creditNoticeBody(notice));
    const timestamp = Math.floor(NOW.getTime() / 1000);
    expect(request.headers).toMatchObject({ 'ZT-Event-Id': notice.eventId, 'ZT-Timestamp': String(timestamp), 'content-type': 'application/json; charset=utf-8' });
    const signature = /signature="([A-Za-z0-9+/=]+)"$/.exec(request.headers['ZT-Signature']!)![1]!;
    expect(sm2Verify(webhookSignedString(timestamp, notice.eventId, request.body), Buffer.from(signature, 'base64'), platformKeys.publicKey)).toBe(true);
    expect(audits).toEqual([
      {
        tenant: 'INST-BANK-A',
        actor: 'worker:notifier',
        action: 'WEBHOOK_DELIVERY',
        outcome: 'SUCCESS',
        target: 'ch-bank-a',
        detail: { eventId: notice.eventId, eventType: 'CREDIT', creditChange: 'CASE_OPENED', attempt: 1, result: 'DELIVERED', httpStatus: 204, host: 'bank.example.cn' },
      },
    ]);
  });


  it('POSTs the event to the webhook with a verifiable SM2 signature and audits the delivery', async () => {
    // Prepare
    const { ports, sent, audits } = world();
    // Act
    const result = await deliverProgress(ports, event, 1);
    // Assess
    expect(result).toEqual({ kind: 'delivered', httpStatus: 204 });
    expect(sent).toHaveLength(1);
    const request = sent[0]!;
    expect(request.url).toBe('https://bank.example.cn/hook?token=t0k');
    expect(request.body).toBe(progressEventBody(event));
    const timestamp = Math.floor(NOW.getTime() / 1000);
    expect(request.headers).toMatchObject({ 'ZT-Event-Id': event.eventId, 'ZT-Timestamp': String(timestamp), 'content-type': 'application/json; charset=utf-8' });
    const match = /^ZT-SM2 keyId="local-sm2:0123456789abcdef",signature="([A-Za-z0-9+/=]+)"$/.exec(request.headers['ZT-Signature']!);
    expect(match).not.toBeNull();
    expect(sm2Verify(webhookSignedString(timestamp, event.eventId, request.body), Buffer.from(match![1]!, 'base64'), platformKeys.publicKey)).toBe(true);
    expect(audits).toEqual([
      {
        tenant: 'INST-BANK-A',
        actor: 'worker:notifier',
        action: 'WEBHOOK_DELIVERY',
        outcome: 'SUCCESS',
        target: event.filingId,
        detail: { eventId: event.eventId, eventStatus: 'REFUSED', attempt: 1, result: 'DELIVERED', httpStatus: 204, host: 'bank.example.cn' },
      },
    ]);
    // The audit names the host only: the URL's query may hold the institution's own token.
    expect(JSON.stringify(audits)).not.toContain('t0k');
  });

  it('does nothing but audit NO_WEBHOOK for a channel without a webhook (polling stays available)', async () => {
    const { webhook: _none, ...withoutWebhook } = channel;
    const { ports, sent, audits } = world({ channel: withoutWebhook });
    expect(await deliverProgress(ports, event, 1)).toEqual({ kind: 'skipped', reason: 'NO_WEBHOOK' });
    expect(sent).toEqual([]);
    expect(audits).toMatchObject([{ tenant: 'INST-BANK-A', outcome: 'SUCCESS', detail: { result: 'NO_WEBHOOK' } }]);
  });

  it('drops an event whose channel no longer exists', async () => {
    const { ports, sent, audits } = world({ channel: undefined });
    expect(await deliverProgress(ports, event, 1)).toEqual({ kind: 'skipped', reason: 'CHANNEL_NOT_FOUND' });
    expect(sent).toEqual([]);
    expect(audits).toMatchObject([{ outcome: 'ERROR', detail: { result: 'CHANNEL_NOT_FOUND' } }]);
  });

  it.each([500, 503, 429, 408, 400, 401, 404, 410, 301])('treats HTTP %i as a failure to retry (a 4xx receiver may be misconfigured for a while)', async (status) => {
    const { ports, audits } = world({ outcome: { kind: 'answered', status } });
    expect(await deliverProgress(ports, event, 3)).toEqual({ kind: 'failed', httpStatus: status, reason: `HTTP_${status}` });
    expect(audits).toMatchObject([{ outcome: 'ERROR', detail: { result: 'FAILED', httpStatus: status, attempt: 3 } }]);
  });

  it('treats no answer as a failure to retry', async () => {
    const { ports, audits } = world({ outcome: { kind: 'unanswered', reason: 'TIMEOUT' } });
    expect(await deliverProgress(ports, event, 2)).toEqual({ kind: 'failed', reason: 'TIMEOUT' });
    expect(audits).toMatchObject([{ outcome: 'ERROR', detail: { result: 'FAILED', reason: 'TIMEOUT' } }]);
  });

  it('never calls a stored URL that the policy refuses (stored before the policy, or under another one)', async () => {
    const { ports, sent } = world({ channel: { ...channel, webhook: { url: 'https://169.254.169.254/latest', updatedAt: NOW.toISOString() } } });
    expect(await deliverProgress(ports, event, 1)).toEqual({ kind: 'failed', reason: 'WEBHOOK_URL_FORBIDDEN_HOST' });
    expect(sent).toEqual([]);
  });
});
