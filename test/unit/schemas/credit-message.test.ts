import { readFileSync } from 'node:fs';
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { parseCreditMessage } from '../../../schemas/messages/credit.v1';

const fixture = readFileSync(new URL('../../../events/messages/credit.v1.json', import.meta.url), 'utf8');
const sqsEvent = JSON.parse(readFileSync(new URL('../../../events/sqs/credit.json', import.meta.url), 'utf8')) as SQSEvent;

describe('credit message v1 (compatibility with its fixtures)', () => {
  it('the SQS event fixture carries the message fixture as its body, from the credit queue', () => {
    expect(sqsEvent.Records).toHaveLength(1);
    expect(parseCreditMessage(sqsEvent.Records[0]!.body)).toEqual(parseCreditMessage(fixture));
    expect(sqsEvent.Records[0]!.eventSourceARN).toMatch(/-credit$/);
  });
});
