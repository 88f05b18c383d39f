import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatIntakeMessage, intakeMessageV1Schema, parseIntakeMessage } from '../../../schemas/messages/intake.v1';

const fixture = readFileSync(new URL('../../../events/messages/intake.v1.json', import.meta.url), 'utf8');

describe('intake message v1 (compatibility with its fixture)', () => {
  it('the fixture parses', () => {
    const message = parseIntakeMessage(fixture);
    expect(message.v).toBe(1);
    expect(message.filingId).toBe((JSON.parse(fixture) as { filingId: string }).filingId);
  });

  it('what the sender formats, the worker parses', () => {
    expect(parseIntakeMessage(formatIntakeMessage('F-1'))).toEqual({ v: 1, filingId: 'F-1' });
  });

  it('refuses extra fields, so personal data cannot ride along', () => {
    const body = JSON.stringify({ ...JSON.parse(fixture), mortgagorName: '张三' });
    expect(() => parseIntakeMessage(body)).toThrow(/does not match intake\.v1/);
    expect(() => parseIntakeMessage(body)).not.toThrow(/张三|mortgagorName/);
  });

  it.each([
    ['another version', JSON.stringify({ v: 2, filingId: 'F1' }), /v: invalid_value/],
    ['no filingId', JSON.stringify({ v: 1 }), /filingId: invalid_type/],
    ['an array', '[]', /\(root\): invalid_type/],
    ['bad JSON', '{"v":1,', /not valid JSON/],
    ['an empty body', '', /not valid JSON/],
  ])('throws a clear error on %s', (_label, body, message) => {
    expect(() => parseIntakeMessage(body)).toThrow(message);
  });

  it('does not echo a bad body in the error', () => {
    expect(() => parseIntakeMessage('110105194912310021 not json')).not.toThrow(/110105194912310021/);
  });

  it('is a strict object', () => {
    expect(intakeMessageV1Schema.safeParse({ v: 1, filingId: 'F1', x: 1 }).success).toBe(false);
  });
});
