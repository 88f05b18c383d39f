import { readFileSync } from 'node:fs';
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { auditDeduplicationId } from '../../../functions/adapters/sqs/audit-queue';
import { formatAuditMessage, parseAuditMessage } from '../../../schemas/messages/audit.v1';

const fixture = readFileSync(new URL('../../../events/messages/audit.v1.json', import.meta.url), 'utf8');
const sqsEvent = JSON.parse(readFileSync(new URL('../../../events/sqs/audit.json', import.meta.url), 'utf8')) as SQSEvent;

describe('audit message v1 (compatibility with its fixtures)', () => {
  it('the SQS event fixture carries the message fixture from the audit FIFO queue, grouped by tenant, deduplicated on SM3(tenant ‖ key)', () => {
    const record = sqsEvent.Records[0]!;
    const message = parseAuditMessage(record.body);
    expect(message).toEqual(parseAuditMessage(fixture));
    expect(record.eventSourceARN).toMatch(/-audit\.fifo$/);
    expect(record.attributes.MessageGroupId).toBe(message.tenant);
    expect(record.attributes.MessageDeduplicationId).toBe(auditDeduplicationId(message.tenant, message.key));
  });

  it('formats a record to the same message (only its declared fields), and refuses unknown fields and bad types', () => {
    const message = parseAuditMessage(fixture);
    const { v: _v, key, at, ...record } = message;
    expect(JSON.parse(formatAuditMessage({ ...record, ...({ stray: '张三' } as object) }, key, at))).toEqual(message);
    expect(() => parseAuditMessage(JSON.stringify({ ...message, extra: 1 }))).toThrow(/audit\.v1/);
    expect(() => parseAuditMessage(JSON.stringify({ ...message, outcome: 'MAYBE' }))).toThrow(/outcome/);
    expect(() => parseAuditMessage(JSON.stringify({ ...message, detail: { nested: { a: 1 } } }))).toThrow(/detail/);
    expect(() => parseAuditMessage('not json')).toThrow(/not valid JSON/);
  });
});
