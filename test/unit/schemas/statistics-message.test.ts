import { readFileSync } from 'node:fs';
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { formatStatisticsMessage, parseStatisticsMessage } from '../../../schemas/messages/statistics.v1';

const fixture = readFileSync(new URL('../../../events/messages/statistics.v1.json', import.meta.url), 'utf8');
const sqsEvent = JSON.parse(readFileSync(new URL('../../../events/sqs/statistics.json', import.meta.url), 'utf8')) as SQSEvent;

describe('statistics message v1 (compatibility with its fixtures)', () => {
  it('the SQS event fixture carries the message fixture as its body, from the statistics queue', () => {
    expect(sqsEvent.Records).toHaveLength(1);
    expect(parseStatisticsMessage(sqsEvent.Records[0]!.body)).toEqual(parseStatisticsMessage(fixture));
    expect(sqsEvent.Records[0]!.eventSourceARN).toMatch(/-statistics$/);
  });

  it('round-trips, and refuses an unknown field, a bad status, or free text in a code, naming the path but never the content', () => {
    const message = parseStatisticsMessage(fixture);
    expect(parseStatisticsMessage(formatStatisticsMessage(message))).toEqual(message);
    const bad = (over: Record<string, unknown>) => () => parseStatisticsMessage(JSON.stringify({ ...message, ...over }));
    expect(bad({ name: '张三' })).toThrow(/\(root\): unrecognized_keys/);
    expect(bad({ to: 'DONE' })).toThrow(/to: invalid_value/);
    expect(bad({ reasonCode: '张三 110101199003071234' })).toThrow(/reasonCode/);
    expect(bad({ reasonCode: '张三 110101199003071234' })).not.toThrow(/110101/);
    expect(() => parseStatisticsMessage('{')).toThrow('not valid JSON');
  });
});
