import { readFileSync } from 'node:fs';
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { CreditNotice, ProgressEvent } from '../../../functions/core/ports';
import { creditNoticeBody, progressEventBody, webhookEventBody } from '../../../functions/core/use-cases/deliver-progress';
import {
  creditNoticeMessageV1Schema,
  formatNotificationMessage,
  notificationMessageV1Schema,
  parseNotificationMessage,
  webhookMessageV1Schema,
} from '../../../schemas/messages/notification.v1';

const fixture = readFileSync(new URL('../../../events/messages/notification.v1.json', import.meta.url), 'utf8');
const sqsEvent = JSON.parse(readFileSync(new URL('../../../events/sqs/notification.json', import.meta.url), 'utf8')) as SQSEvent;
const event = JSON.parse(fixture) as ProgressEvent;

describe('notification message v1 (compatibility with its fixtures)', () => {
  it('the message fixture parses to exactly its fields', () => {
    expect(parseNotificationMessage(fixture)).toEqual(event);
  });

  it('the SQS event fixture carries the message fixture as its body', () => {
    expect(sqsEvent.Records).toHaveLength(1);
    expect(parseNotificationMessage(sqsEvent.Records[0]!.body)).toEqual(event);
    expect(sqsEvent.Records[0]!.eventSourceARN).toMatch(/-notifications$/);
  });

  it('what the publisher formats, the notifier parses; and it is byte for byte the webhook body', () => {
    const body = formatNotificationMessage(event);
    expect(parseNotificationMessage(body)).toEqual(event);
    expect(body).toBe(progressEventBody(event));
    const { reasonCode: _none, ...accepted } = { ...event, status: 'ACCEPTED' as const };
    expect(formatNotificationMessage(accepted)).toBe(progressEventBody(accepted));
  });

  it('refuses extra fields, so personal data cannot ride along, without echoing them', () => {
    const body = JSON.stringify({ ...event, mortgagorName: '张三丰' });
    expect(() => parseNotificationMessage(body)).toThrow(/does not match notification\.v1/);
    expect(() => parseNotificationMessage(body)).not.toThrow(/张三丰|mortgagorName/);
    expect(() => formatNotificationMessage({ ...event, idNumber: '370102198001011237' } as ProgressEvent)).toThrow();
  });

  it.each([
    ['another version', { ...event, v: 2 }, /v: invalid_value/],
    ['an unknown status', { ...event, status: 'LOST' }, /status: invalid_value/],
    ['an unknown business type', { ...event, businessType: 'LOAN' }, /businessType: invalid_value/],
    ['free text as a reason', { ...event, reasonCode: 'owner 张三丰 refused' }, /reasonCode: invalid_format/],
    ['a date that is not ISO 8601', { ...event, at: '23/11/2026' }, /at: invalid_format/],
    ['no eventId', { ...event, eventId: undefined }, /eventId: invalid_type/],
  ])('throws a clear error on %s', (_label, body, message) => {
    expect(() => parseNotificationMessage(JSON.stringify(body))).toThrow(message);
  });

  it('throws on bad JSON without echoing it', () => {
    expect(() => parseNotificationMessage('370102198001011237 {')).toThrow(/not valid JSON/);
    expect(() => parseNotificationMessage('370102198001011237 {')).not.toThrow(/370102198001011237/);
  });

  it('is a strict object', () => {
    expect(notificationMessageV1Schema.safeParse({ ...event, x: 1 }).success).toBe(false);
  });
});

const noticeFixture = readFileSync(new URL('../../../events/messages/credit-notice.v1.json', import.meta.url), 'utf8');
const notice = JSON.parse(noticeFixture) as CreditNotice;

describe('notification message v1: credit notices (type CREDIT) beside progress events', () => {
  it('the credit notice fixture parses to exactly its fields', () => {
    expect(parseNotificationMessage(noticeFixture)).toEqual(notice);
    expect(creditNoticeMessageV1Schema.parse(notice)).toEqual(notice);
  });

  it('what the publisher formats, the notifier parses; and it is byte for byte the webhook body', () => {
    const body = formatNotificationMessage(notice);
    expect(parseNotificationMessage(body)).toEqual(notice);
    expect(body).toBe(creditNoticeBody(notice));
    expect(body).toBe(webhookEventBody(notice));
    const { caseNo: _c, ledgerEventId: _l, kind: _k, points: _p, ...bare } = notice;
    const grade: CreditNotice = { ...bare, change: 'GRADE_CHANGED', grade: 'WATCH', score: 80 };
    expect(formatNotificationMessage(grade)).toBe(creditNoticeBody(grade));
    const received: CreditNotice = { ...bare, change: 'RECTIFICATION_RECEIVED', caseNo: 'CS20261123A1B2C3D4', rectificationId: 'RC0123456789ABCDEF' };
    expect(formatNotificationMessage(received)).toBe(creditNoticeBody(received));
  });

  it('leaves progress messages as they were, byte for byte (no type member)', () => {
    expect(formatNotificationMessage(event)).toBe(JSON.stringify(JSON.parse(fixture)));
    expect(webhookEventBody(event)).toBe(progressEventBody(event));
    expect(Object.keys(JSON.parse(formatNotificationMessage(event)) as object)).not.toContain('type');
  });

  it('is exactly one of the two shapes: a notice with progress fields, or progress with a type, is refused', () => {
    expect(() => parseNotificationMessage(JSON.stringify({ ...notice, filingId: 'F0123456789ABCDEF01234567' }))).toThrow(/filingId|unrecognized_keys/);
    expect(() => parseNotificationMessage(JSON.stringify({ ...event, type: 'PROGRESS' }))).toThrow(/does not match notification\.v1/);
    expect(webhookMessageV1Schema.safeParse({ ...notice, idNumber: '370102198001011237' }).success).toBe(false);
    expect(() => formatNotificationMessage({ ...notice, reasons: '张三丰 370102198001011237' } as CreditNotice)).toThrow();
  });

  it.each([
    ['an unknown change', { ...notice, change: 'SCORE_PEEKED' }, /change: invalid_value/],
    ['an unknown grade', { ...notice, grade: 'GOLD' }, /grade: invalid_value/],
    ['a fractional score', { ...notice, score: 58.5 }, /score: invalid_type/],
    ['an unknown ledger kind', { ...notice, kind: 'BRIBE' }, /kind: invalid_value/],
    ['free text as a case number', { ...notice, caseNo: '张三丰 的案件' }, /caseNo: invalid_format/],
    ['no institutionId', { ...notice, institutionId: undefined }, /institutionId: invalid_type/],
  ])('throws a clear error on a credit notice with %s, naming the field, never its content', (_label, body, message) => {
    expect(() => parseNotificationMessage(JSON.stringify(body))).toThrow(message);
    expect(() => parseNotificationMessage(JSON.stringify(body))).not.toThrow(/张三丰/);
  });
});
