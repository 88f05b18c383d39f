/**
 * What each routed function of the channel API accepts and answers (DESIGN.md §7). Routes themselves
 * are declared only in `infra/topology.ts`; `schemas/openapi.ts` joins the two into the OpenAPI document,
 * and the type below makes a routed function without an entry here a compile error.
 */
import { z } from 'zod';
import type { FunctionName, HttpRoute, functions } from '../../infra/topology';
import { batchViewSchema, MAX_FILINGS_PER_BATCH_DEFAULT, submitBatchResponseSchema } from './batch';
import { FILING_ERROR_CODES } from './filing-input';
import { filingViewSchema } from './filing-view';
import { mortgageCreateFilingSchema } from './filings/mortgage-create';
import { problemSchema } from './problem';

export interface ApiResponse {
  readonly description: string;
  /** Body schema; the problem schema is served as application/problem+json, others as application/json. */
  readonly schema?: z.ZodType;
  /** Content type of a body that has no schema of its own. */
  readonly contentType?: string;
}

export interface ApiOperation {
  readonly summary: string;
  readonly description: string;
  /** `ZT-SM2`: the request must carry the channel's SM2 signature (DESIGN.md §7). */
  readonly auth: 'ZT-SM2' | 'none';
  /** Accepts an `Idempotency-Key` header: the same key and body return the first response. */
  readonly idempotent?: boolean;
  readonly request?: z.ZodType;
  /** Description of each `{name}` in the route's path. */
  readonly pathParameters?: Readonly<Record<string, string>>;
  readonly responses: Readonly<Record<number, ApiResponse>>;
}

/** Names of the functions that the topology gives an HTTP route. */
export type RoutedFunctionName = {
  [K in FunctionName]: (typeof functions)[K] extends { readonly route: HttpRoute } ? K : never;
}[FunctionName];

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

/** Item codes the batch adds after a filing passed validation (see `functions/core/use-cases/submit-batch.ts`). */
const BATCH_ITEM_CODES: Readonly<Record<string, string>> = {
  DISTRICT_NOT_PERMITTED: 'The channel may not file in the district of the unit.',
  DUPLICATE_IN_BATCH: 'Another filing in the same batch has the same clientRef.',
  CLIENT_REF_CONFLICT: 'The clientRef was already used by this channel for a different filing.',
};

const problems = (...statuses: number[]): Record<number, ApiResponse> =>
  Object.fromEntries(statuses.map((s) => [s, { description: PROBLEM_DESCRIPTIONS[s] ?? 'Problem.', schema: problemSchema }]));

/**
 * The request as integrators should build it. The handler first checks only the list's bounds
 * (`submitBatchRequestSchema`) and then each filing on its own, so one bad filing never fails the batch.
 */
export const submitBatchRequestDocSchema = z.strictObject({
  filings: z
    .array(mortgageCreateFilingSchema)
    .min(1)
    .max(MAX_FILINGS_PER_BATCH_DEFAULT)
    .meta({ description: `1 to N filings (N is configured, ${MAX_FILINGS_PER_BATCH_DEFAULT} by default), each validated on its own.` }),
});

export const healthResponseSchema = z.object({ status: z.literal('ok'), service: z.string() });

const codeList = (codes: Readonly<Record<string, string>>): string =>
  Object.entries(codes)
    .map(([code, meaning]) => `- \`${code}\`: ${meaning}`)
    .join('\n');

export const api = {
  submitBatch: {
    summary: 'Submit a batch of filings',
    description: [
      'Submits 1 to N filings in one SM2-signed request. Each filing is validated on its own and the',
      'batch partially succeeds: every item of the answer is `SUBMITTED` (stored, queued for intake, with',
      'its `filingId`) or `INVALID` (nothing stored, with field-level `errors`). `clientRef` is unique per',
      'channel, so re-sending a filing returns the same `filingId`.',
      '',
      'Amounts are integer fen as a JSON number, or yuan as a decimal string (`"1200000.00"`); never a',
      'fractional number. Missing required materials are not a validation error: intake asks for a',
      'correction with a deadline.',
      '',
      'Per-item validation error codes (`items[].errors[].code`):',
      codeList(FILING_ERROR_CODES),
      '',
      'Codes added by the batch for filings that passed validation:',
      codeList(BATCH_ITEM_CODES),
    ].join('\n'),
    auth: 'ZT-SM2',
    idempotent: true,
    request: submitBatchRequestDocSchema,
    responses: {
      202: { description: 'Accepted for processing; one item per submitted filing, in order.', schema: submitBatchResponseSchema },
      ...problems(400, 401, 403, 409, 413, 415, 422, 500),
    },
  },
  getBatch: {
    summary: 'Get a batch',
    description: "The channel's own batch with each filing's current status.",
    auth: 'ZT-SM2',
    pathParameters: { batchId: 'The `batchId` returned when the batch was submitted.' },
    responses: {
      200: { description: 'The batch.', schema: batchViewSchema },
      ...problems(401, 403, 404, 500),
    },
  },
  getFiling: {
    summary: 'Get a filing',
    description: "The channel's own filing with its history; names, ID numbers and phones are masked.",
    auth: 'ZT-SM2',
    pathParameters: { filingId: 'The `filingId` of an item of a submitted batch.' },
    responses: {
      200: { description: 'The filing, personal data masked.', schema: filingViewSchema },
      ...problems(401, 403, 404, 500),
    },
  },
  getOpenapi: {
    summary: 'This OpenAPI document',
    description: 'The OpenAPI 3.1 document of the channel API, generated from its zod schemas.',
    auth: 'none',
    responses: { 200: { description: 'The OpenAPI document.', contentType: 'application/json' }, ...problems(500) },
  },
  health: {
    summary: 'Liveness',
    description: 'Answers while the service is up.',
    auth: 'none',
    responses: { 200: { description: 'The service is up.', schema: healthResponseSchema }, ...problems(500) },
  },
} as const satisfies Record<RoutedFunctionName, ApiOperation>;
