/**
 * Error responses: RFC 9457 problem details (`application/problem+json`), with field-level errors
 * where relevant (DESIGN.md §7). One mapper turns domain errors into this shape (STYLE.md habit 3).
 */
import { z } from 'zod';
import type { FieldError } from '../../functions/core/domain/errors';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export const fieldErrorSchema = z.object({
  path: z.string().meta({ description: "Dotted path inside the filing, e.g. `mortgagors.0.idNumber`; '' for the filing itself." }),
  code: z.string().meta({ description: 'Stable machine-readable code, e.g. `ID_CHECK_DIGIT`.' }),
  message: z.string().meta({ description: 'Human-readable explanation; never echoes the submitted value.' }),
});
// Compile-time guard: the schema and the domain's FieldError must describe the same thing.
const _fieldErrorMatchesDomain: z.ZodType<FieldError> = fieldErrorSchema;

/**
 * Every member a problem of this API can carry: the five of every problem, then the extension members
 * (RFC 9457 §3.2), each present only where its description says. The mapper
 * (functions/shared/http/problem.ts) never lets an extension override a core member.
 */
export const problemSchema = z.object({
  type: z.string().meta({ description: 'URI identifying the problem type; `about:blank` when the status says it all.' }),
  title: z.string().meta({ description: 'Short summary of the problem type.' }),
  status: z.int().min(400).max(599).meta({ description: 'The HTTP status code of this answer, always (a filing’s own status is `filingStatus`).' }),
  detail: z.string().meta({ description: 'Explanation of this occurrence; never carries personal data.' }),
  code: z.string().meta({ description: 'Stable machine-readable code, e.g. `AUTH_FAILED`.' }),
  instance: z.string().optional().meta({ description: '500 only: the request id to quote when reporting the fault.' }),
  errors: z
    .array(fieldErrorSchema)
    .max(100)
    .optional()
    .meta({ description: '`INVALID_BODY`, `INVALID_QUERY` and other validation problems: what is wrong, field by field (at most 100).' }),
  errorsTruncated: z.literal(true).optional().meta({ description: 'Present when there were more than 100 field errors: only the first 100 are listed.' }),
  filingStatus: z.string().optional().meta({ description: '409 on a filing (`FILING_NOT_WITHDRAWABLE`, `FILING_NOT_REVIEWABLE`, `FILING_NOT_CORRECTABLE`, …): the filing’s current status.' }),
  reasonCode: z.string().optional().meta({ description: '`APPROVAL_REFUSED`: the intake rule that no longer holds against the register at commit time (e.g. `MORTGAGOR_NOT_OWNER`, `UNIT_SEIZED`); the filing is now `REVIEW_REFUSED` with it.' }),
  missingMaterials: z.array(z.string()).optional().meta({ description: '`MATERIALS_STILL_MISSING`: the material types the correction still lacks.' }),
  indexes: z.array(z.int().min(0)).optional().meta({ description: '`UNKNOWN_BUSINESS_TYPE` (batch): the positions of the filings naming an unknown business type.' }),
  max: z.int().optional().meta({ description: '`TOO_MANY_MATERIALS`: the limit that was exceeded.' }),
  serverTime: z.int().optional().meta({ description: '`AUTH_TIMESTAMP_OUT_OF_WINDOW`: the server clock, unix seconds.' }),
  expectedStringToSign: z
    .string()
    .optional()
    .meta({ description: '`AUTH_FAILED`: the exact string the server expected to be signed, built from the request alone (method, path, canonical query, timestamp, nonce, SM3 of the body).' }),
  retryAfterSeconds: z
    .int()
    .min(1)
    .optional()
    .meta({ description: '429 `RATE_LIMITED`, and `QUOTA_EXCEEDED` over the daily quota (until CST midnight): seconds to wait (also sent as `Retry-After`).' }),
  caseNo: z
    .string()
    .optional()
    .meta({ description: '403 `CHANNEL_SHUT_OFF` and 409 `ALREADY_SHUT_OFF`: the number of the open credit case (quote it in the rectification report).' }),
  scope: z
    .enum(['CHANNEL', 'INSTITUTION'])
    .optional()
    .meta({ description: "403 `CHANNEL_SHUT_OFF`: whether this channel itself or its whole institution is shut off." }),
  quota: z
    .object({
      dailyQuota: z.int().min(0).meta({ description: 'Filings the channel may submit per CST day while on WATCH or PROBATION.' }),
      usedToday: z.int().min(0).meta({ description: 'Filings it submitted today (CST), every item of a batch counted.' }),
      maxBatchSize: z.int().min(0).meta({ description: 'The largest batch it may submit.' }),
    })
    .optional()
    .meta({ description: '429 `QUOTA_EXCEEDED`: the restrictions of a channel on WATCH or PROBATION and what it used today.' }),
});
/** An RFC 9457 problem details body. */
export type ProblemDetails = z.output<typeof problemSchema>;
