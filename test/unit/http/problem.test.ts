/** The one error mapper (functions/shared/http/problem.ts): core members are its own, field errors are capped. */
import { describe, expect, it } from 'vitest';
import { conflict, unprocessable, ZtError } from '../../../functions/core/domain/errors';
import { errorToProblem, MAX_PROBLEM_FIELD_ERRORS } from '../../../functions/shared/http/problem';
import { problemSchema } from '../../../schemas/v1/problem';

const bodyOf = (error: unknown) => JSON.parse(errorToProblem(error).body) as Record<string, unknown>;

describe('errorToProblem', () => {
  it('never lets an extension override type, title, status, detail or code', () => {
    const error = new ZtError(409, 'FILING_NOT_WITHDRAWABLE', 'Conflict', 'Registered already.', {
      status: 'REGISTERED',
      type: 'https://evil.example/',
      title: 'x',
      detail: 'y',
      code: 'Z',
      filingStatus: 'REGISTERED',
    });
    const response = errorToProblem(error);
    expect(response.statusCode).toBe(409);
    expect(JSON.parse(response.body)).toEqual({
      type: 'https://zhitong.example/problems/filing-not-withdrawable',
      title: 'Conflict',
      status: 409,
      detail: 'Registered already.',
      code: 'FILING_NOT_WITHDRAWABLE',
      filingStatus: 'REGISTERED',
    });
  });

  it('caps field errors at 100 and says so with errorsTruncated', () => {
    const errors = Array.from({ length: 5000 }, (_, i) => ({ path: `k${i}`, code: 'UNKNOWN_FIELD', message: 'm' }));
    const body = bodyOf(unprocessable('INVALID_BODY', 'd', { errors }));
    expect((body.errors as unknown[]).length).toBe(MAX_PROBLEM_FIELD_ERRORS);
    expect(body.errorsTruncated).toBe(true);
    expect(bodyOf(unprocessable('INVALID_BODY', 'd', { errors: errors.slice(0, 100) })).errorsTruncated).toBeUndefined();
    // A caller cannot set the flag itself.
    expect(bodyOf(unprocessable('INVALID_BODY', 'd', { errors: [], errorsTruncated: true })).errorsTruncated).toBeUndefined();
  });

  it('answers what it produces within the published Problem schema, and 500 without internals', () => {
    for (const error of [conflict('FILING_NOT_REVIEWABLE', 'd', { filingStatus: 'SUBMITTED' }), new Error('secret table name'), 'a string']) {
      const body = bodyOf(error);
      expect(problemSchema.strict().safeParse(body).success).toBe(true);
    }
    expect(JSON.stringify(bodyOf(new Error('secret table name')))).not.toContain('secret');
  });

  it('sends Retry-After with 429 and WWW-Authenticate with a bearer 401', () => {
    expect(errorToProblem(new ZtError(429, 'RATE_LIMITED', 't', 'd', { retryAfterSeconds: 7 })).headers?.['retry-after']).toBe('7');
    expect(errorToProblem(new ZtError(401, 'STAFF_TOKEN_MISSING', 't', 'd'), undefined, { bearer: true }).headers?.['www-authenticate']).toMatch(/^Bearer /);
  });
});
