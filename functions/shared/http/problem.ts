/**
 * The one place where errors become HTTP responses (STYLE.md habit 3): RFC 9457 problem+json with a
 * stable `code`. Only our own `ZtError`s (4xx, written to be shown) reach the client; anything else is a
 * fault on our side and answers a generic 500 without internals.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { ZtError } from '../../core/domain/errors';
import { PROBLEM_CONTENT_TYPE } from '../../../schemas/v1/problem';
import { errorForLog } from '../error-log';
import { logger } from '../logger';

const TYPE_BASE = 'https://zhitong.example/problems/';

export function problemResponse(status: number, code: string, title: string, detail: string, extras: Record<string, unknown> = {}): APIGatewayProxyResult {
  const body = { type: `${TYPE_BASE}${code.toLowerCase().replaceAll('_', '-')}`, title, status, detail, code, ...extras };
  return { statusCode: status, headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store' }, body: JSON.stringify(body) };
}

export function errorToProblem(error: unknown, requestId?: string): APIGatewayProxyResult {
  if (error instanceof ZtError && error.status < 500) {
    return problemResponse(error.status, error.code, error.title, error.detail, { ...error.extras });
  }
  // Name, message and stack, with anything like personal data masked (errorForLog); the request body is never logged.
  logger.error('Unhandled error', errorForLog(error));
  return problemResponse(500, 'INTERNAL_ERROR', 'Internal error', 'An internal error occurred; it has been logged. Retrying later is safe.', requestId ? { instance: requestId } : {});
}

export function jsonResponse(statusCode: number, body: unknown): APIGatewayProxyResult {
  return { statusCode, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }, body: JSON.stringify(body) };
}
