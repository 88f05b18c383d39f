/**
 * The one place where errors become HTTP responses (STYLE.md habit 3): RFC 9457 problem+json with a
 * stable `code`. Only our own `ZtError`s (4xx, written to be shown) reach the client; anything else is a
 * fault on our side and answers a generic 500 without internals.
 *
 * The five core members are the mapper's alone: an extension can never override them (`status` is the
 * HTTP status, always a number; a filing's own status travels as `filingStatus`, DESIGN.md §7). A list
 * of field errors is capped at {@link MAX_PROBLEM_FIELD_ERRORS}, then `errorsTruncated: true`, so that
 * no input, however large, makes an error answer large (Lambda's response limit is 6 MB).
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { ZtError } from '../../core/domain/errors';
import { PROBLEM_CONTENT_TYPE } from '../../../schemas/v1/problem';
import { errorForLog } from '../error-log';
import { logger } from '../logger';

const TYPE_BASE = 'https://zhitong.example/problems/';
export const MAX_PROBLEM_FIELD_ERRORS = 100;
const CORE_MEMBERS = new Set(['type', 'title', 'status', 'detail', 'code']);

/** The extension members of a problem: never a core member, and a capped list of field errors. */
function extensionMembers(extras: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(extras)) {
    if (CORE_MEMBERS.has(name) || name === '__proto__' || value === undefined) continue;
    out[name] = value;
  }
  const errors = out['errors'];
  if (Array.isArray(errors) && errors.length > MAX_PROBLEM_FIELD_ERRORS) {
    out['errors'] = errors.slice(0, MAX_PROBLEM_FIELD_ERRORS);
    out['errorsTruncated'] = true;
  } else {
    delete out['errorsTruncated'];
  }
  return out;
}

export function problemResponse(status: number, code: string, title: string, detail: string, extras: Readonly<Record<string, unknown>> = {}): APIGatewayProxyResult {
  const body = { type: `${TYPE_BASE}${code.toLowerCase().replaceAll('_', '-')}`, title, status, detail, code, ...extensionMembers(extras) };
  return { statusCode: status, headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store' }, body: JSON.stringify(body) };
}

/**
 * The problem answer of any error. 401 answers carry `WWW-Authenticate` when `bearer` (RFC 6750); 429
 * answers carry `Retry-After` from `retryAfterSeconds`.
 */
export function errorToProblem(error: unknown, requestId?: string, options: { readonly bearer?: boolean } = {}): APIGatewayProxyResult {
  if (error instanceof ZtError && error.status < 500) {
    const response = problemResponse(error.status, error.code, error.title, error.detail, error.extras);
    const retryAfter = error.extras['retryAfterSeconds'];
    if (error.status === 429 && typeof retryAfter === 'number') response.headers = { ...response.headers, 'retry-after': String(retryAfter) };
    if (error.status === 401 && options.bearer) {
      response.headers = { ...response.headers, 'www-authenticate': 'Bearer realm="zhitong-staff", error="invalid_token"' };
    }
    return response;
  }
  // Name, message and stack, with anything like personal data masked (errorForLog); the request body is never logged.
  logger.error('Unhandled error', errorForLog(error));
  return problemResponse(500, 'INTERNAL_ERROR', 'Internal error', 'An internal error occurred; it has been logged. Retrying later is safe.', requestId ? { instance: requestId } : {});
}

export function jsonResponse(statusCode: number, body: unknown): APIGatewayProxyResult {
  return { statusCode, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }, body: JSON.stringify(body) };
}
