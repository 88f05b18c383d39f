/**
 * Errors are logged with their stack, never with personal data (issue 7 §4): errorForLog keeps the
 * name, message and stack frames and masks what looks like a name or an ID or phone number.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { errorForLog } from '../../../functions/shared/error-log';
import { errorToProblem } from '../../../functions/shared/http/problem';

afterEach(() => vi.restoreAllMocks());

describe('errorForLog', () => {
  it('keeps the name, the message and where it was thrown, and masks names and long numbers', () => {
    const error = new TypeError('owner 张三 with id 110101199003071234 and phone 13800138000 not found');
    const logged = errorForLog(error);
    expect(logged.errorName).toBe('TypeError');
    expect(logged.errorMessage).toBe('owner ＊ with id # and phone # not found');
    expect(logged.stack).toMatch(/^TypeError: owner ＊ with id # and phone # not found\n\s+at /);
    expect(logged.stack).toContain('error-log.test.ts');
    expect(JSON.stringify(logged)).not.toMatch(/张三|110101199003071234|13800138000/);
  });

  it('names what is not an Error by its type only', () => {
    expect(errorForLog('110101199003071234')).toEqual({ errorName: 'string' });
  });

  it('is what an unhandled error of an endpoint is logged with: the stack, and no personal data', () => {
    const lines: string[] = [];
    const capture = (chunk: unknown): boolean => {
      lines.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    const response = errorToProblem(new Error('ConditionalCheckFailed for 李四 110101199003071234'), 'req-1');
    expect(response.statusCode).toBe(500);
    const entry = JSON.parse(lines.join('').trim().split('\n').find((l) => l.includes('Unhandled error'))!) as Record<string, unknown>;
    expect(entry).toMatchObject({ message: 'Unhandled error', errorName: 'Error', errorMessage: 'ConditionalCheckFailed for ＊ #' });
    expect(String(entry.stack)).toContain('at ');
    expect(lines.join('')).not.toMatch(/李四|110101199003071234/);
  });
});
