import { readFileSync } from 'node:fs';
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../../functions/core/ports';
import { progressEventBody } from '../../../functions/core/use-cases/deliver-progress';
import { formatNotificationMessage, notificationMessageV1Schema, parseNotificationMessage } from '../../../schemas/messages/notification.v1';

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
