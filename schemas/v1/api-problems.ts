/**
 * The problem responses and code lists shared by every API docs module. A module of its own, importing
 * nothing from `api.ts`: the `api-*.ts` modules are imported BY `api.ts`, so a value they took from
 * `api.ts` would not be initialised yet when they run (an import cycle).
 *
 * Each status has a description of what it means on the chain it comes from (channel, staff, public);
 * an endpoint whose 404/409/422 mean something of their own says so with `answer(...)` after the spread.
 */
import type { ApiResponse } from './api';
import { problemSchema } from './problem';

const FIELD_ERRORS = 'field `errors` (paths and codes, never the values sent; at most 100, then `errorsTruncated: true`)';

// What each status means on this API, with the problem codes the channel endpoint chain answers.
const PROBLEM_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'Malformed request: the body is not JSON (`MALFORMED_JSON`), the Idempotency-Key is malformed (`IDEMPOTENCY_KEY_INVALID`), or the query is not valid (`INVALID_QUERY`, with ' + FIELD_ERRORS + ').',
  401: 'Not authenticated: `AUTH_MISSING`, `AUTH_MALFORMED`, `AUTH_TIMESTAMP_OUT_OF_WINDOW` (with `serverTime`), `AUTH_NONCE_REUSED`, or `AUTH_FAILED` — the channel is not registered or the signature does not verify; the two answer alike, with `expectedStringToSign`, the exact string the server expected to be signed.',
  403: 'The channel may not do this: it is disabled (`CHANNEL_DISABLED`), or may not file this business type (`BUSINESS_TYPE_NOT_PERMITTED`).',
  404: 'No such resource for this channel; an id of the wrong format answers the same (`BATCH_NOT_FOUND`, `FILING_NOT_FOUND`, `CERTIFICATE_NOT_FOUND`).',
  409: 'A request with this Idempotency-Key is still being processed (`IDEMPOTENCY_IN_PROGRESS`); retry shortly.',
  413: 'The body exceeds the size limit (`PAYLOAD_TOO_LARGE`).',
  415: 'The body is not application/json (`UNSUPPORTED_MEDIA_TYPE`).',
  422: `The JSON is not what this endpoint takes (\`INVALID_BODY\`, with ${FIELD_ERRORS}), or an Idempotency-Key is reused with a different request (\`IDEMPOTENCY_KEY_REUSED\`).`,
  500: 'A fault on the registry’s side (`INTERNAL_ERROR`, with `instance`); nothing about the request was wrong, and retrying later is safe.',
};

/** A problem answer with a description of its own. */
export const answer = (description: string): ApiResponse => ({ description, schema: problemSchema });

const from =
  (descriptions: Readonly<Record<number, string>>) =>
  (...statuses: number[]): Record<number, ApiResponse> =>
    Object.fromEntries(
      statuses.map((s) => {
        const description = descriptions[s];
        if (!description) throw new Error(`OpenAPI: no description of a ${s} problem`);
        return [s, answer(description)];
      }),
    );

export const problems = from(PROBLEM_DESCRIPTIONS);

// The same, for the staff endpoints (functions/shared/http/staff-endpoint.ts).
const STAFF_PROBLEM_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: `The body is not JSON (\`MALFORMED_JSON\`), the query is not valid (\`INVALID_QUERY\`, with ${FIELD_ERRORS}), or the cursor is not one this worklist gave (\`CURSOR_INVALID\`).`,
  401: 'No valid staff token: `STAFF_TOKEN_MISSING`, `STAFF_TOKEN_INVALID` (with `WWW-Authenticate: Bearer`).',
  403: 'The account is deactivated (`STAFF_DEACTIVATED`) or locked by the insider-misuse detector (`STAFF_ACCOUNT_LOCKED`), its role may not call this endpoint (`ROLE_FORBIDDEN`), or the district named is not its own (`DISTRICT_FORBIDDEN`).',
  404: 'No such filing in your district (`FILING_NOT_FOUND`): another district’s filing, and an id of the wrong format, answer the same.',
  413: 'The body exceeds the size limit (`PAYLOAD_TOO_LARGE`).',
  415: 'The body is not application/json (`UNSUPPORTED_MEDIA_TYPE`).',
  422: `The JSON is not what this endpoint takes (\`INVALID_BODY\`, with ${FIELD_ERRORS}; free text carrying an ID or phone number, or naming a person it concerns, is \`PERSONAL_DATA_IN_TEXT\`).`,
  429: 'Too many failed sign-ins for this username or from this address (`RATE_LIMITED`, with `retryAfterSeconds` and `Retry-After`).',
  500: 'A fault on the registry’s side (`INTERNAL_ERROR`); retrying later is safe.',
};
export const staffProblems = from(STAFF_PROBLEM_DESCRIPTIONS);

// The same, for the public endpoints (functions/shared/http/public-endpoint.ts).
const PUBLIC_PROBLEM_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: `The body is not JSON (\`MALFORMED_JSON\`), or the query is not valid (\`INVALID_QUERY\`, with ${FIELD_ERRORS}).`,
  404: '`NOT_FOUND`: no filing matches all three of business number, name and ID number. The same body for every mismatch.',
  413: '`PAYLOAD_TOO_LARGE` (the body is limited to 4 KiB).',
  415: '`UNSUPPORTED_MEDIA_TYPE`.',
  422: `The JSON is not a lookup (\`INVALID_BODY\`, with ${FIELD_ERRORS}).`,
  429: '`RATE_LIMITED`: too many requests from this address in the current window (or, for a lookup, too many failed lookups of this business number); `retryAfterSeconds` and the `Retry-After` header say when to retry.',
  500: 'A fault on the registry’s side (`INTERNAL_ERROR`); retrying later is safe.',
};
export const publicProblems = from(PUBLIC_PROBLEM_DESCRIPTIONS);

export const codeList = (codes: Readonly<Record<string, string>>): string =>
  Object.entries(codes)
    .map(([code, meaning]) => `- \`${code}\`: ${meaning}`)
    .join('\n');
