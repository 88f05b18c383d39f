/**
 * The problem responses and code lists shared by every API docs module. A module of its own, importing
 * nothing from `api.ts`: the `api-*.ts` modules are imported BY `api.ts`, so a value they took from
 * `api.ts` would not be initialised yet when they run (an import cycle).
 */
import type { ApiResponse } from './api';
import { problemSchema } from './problem';

// What each status means on this API, with the problem codes the channel endpoint chain answers.
const PROBLEM_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'Malformed request: the body is not JSON (`MALFORMED_JSON`) or the Idempotency-Key is malformed (`IDEMPOTENCY_KEY_INVALID`).',
  401: 'Not authenticated: `AUTH_MISSING`, `AUTH_MALFORMED`, `AUTH_TIMESTAMP_OUT_OF_WINDOW`, `AUTH_UNKNOWN_CHANNEL`, `AUTH_BAD_SIGNATURE`, `AUTH_NONCE_REUSED`.',
  403: 'The channel may not do this, e.g. it is disabled or shut off (`CHANNEL_DISABLED`).',
  404: 'No such resource for this channel (`BATCH_NOT_FOUND`, `FILING_NOT_FOUND`).',
  409: 'A request with this Idempotency-Key is still being processed (`IDEMPOTENCY_IN_PROGRESS`); retry shortly.',
  413: 'The body exceeds the size limit (`PAYLOAD_TOO_LARGE`).',
  415: 'The body is not application/json (`UNSUPPORTED_MEDIA_TYPE`).',
  422: 'The JSON is not a batch (`INVALID_BATCH`), carries more filings than allowed (`TOO_MANY_FILINGS`), or reuses an Idempotency-Key with a different request (`IDEMPOTENCY_KEY_REUSED`).',
  500: 'A fault on the registry’s side (`INTERNAL_ERROR`); nothing about the request was wrong, and retrying later is safe.',
};

export const problems = (...statuses: number[]): Record<number, ApiResponse> =>
  Object.fromEntries(statuses.map((s) => [s, { description: PROBLEM_DESCRIPTIONS[s] ?? 'Problem.', schema: problemSchema }]));

// The same, for the staff endpoints (functions/shared/http/staff-endpoint.ts).
const STAFF_PROBLEM_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: '`MALFORMED_JSON`, `INVALID_QUERY`, `CURSOR_INVALID`.',
  401: '`STAFF_TOKEN_MISSING`, `STAFF_TOKEN_INVALID`; sign-in: `INVALID_CREDENTIALS`.',
  403: '`STAFF_DEACTIVATED`, `ROLE_FORBIDDEN`, `DISTRICT_FORBIDDEN`.',
  413: '`PAYLOAD_TOO_LARGE`.',
  415: '`UNSUPPORTED_MEDIA_TYPE`.',
  422: '`INVALID_REQUEST`.',
  500: '`INTERNAL_ERROR`.',
};
export const staffProblems = (...statuses: number[]): Record<number, ApiResponse> =>
  Object.fromEntries(statuses.map((s) => [s, { description: STAFF_PROBLEM_DESCRIPTIONS[s] ?? 'Problem.', schema: problemSchema }]));

export const codeList = (codes: Readonly<Record<string, string>>): string =>
  Object.entries(codes)
    .map(([code, meaning]) => `- \`${code}\`: ${meaning}`)
    .join('\n');
