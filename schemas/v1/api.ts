/**
 * What each routed function of the channel API accepts and answers (DESIGN.md §7). Routes themselves
 * are declared only in `infra/topology.ts`; `schemas/openapi.ts` joins the two into the OpenAPI document,
 * and the type below makes a routed function without an entry here a compile error.
 */
import { z } from 'zod';
import type { FunctionName, HttpRoute, functions } from '../../infra/topology';
import { batchViewSchema, MAX_FILINGS_PER_BATCH_DEFAULT, submitBatchResponseSchema } from './batch';
import {
  BUSINESS_TYPES,
  BUSINESS_TYPES_BY_INSTITUTION,
  INSTITUTION_TYPES,
  MATERIAL_CHECKLISTS,
  type BusinessType,
} from '../../functions/core/domain/business-types';
import { FILING_ERROR_CODES, filingInputSchemas, type FilingErrorCode } from './filing-input';
import { filingViewSchema } from './filing-view';
import { jwksSchema, listStaffFilingsQuerySchema, staffFilingListSchema, staffLoginRequestSchema, staffLoginResponseSchema, staffSelfSchema } from './staff';
import { putWebhookRequestSchema, WEBHOOK_URL_CODES, webhookViewSchema } from './webhook';
import { STAFF_PERMISSIONS } from '../../functions/shared/http/staff-permissions';
import { answer, codeList, problems, staffProblems } from './api-problems';
import { lifecycleApi } from './api-lifecycle';
import { publicApi } from './api-public';
import { reviewApi } from './api-review';
import { departmentsApi } from './api-departments';
import { creditChannelApi } from './api-credit-channel';
import { creditStaffApi } from './api-credit-staff';
import { incidentsApi } from './api-incidents';
import { statisticsApi } from './api-statistics';
import { misuseApi } from './misuse-api';
import { auditApi } from './api-audit';

// Re-exported for the api-*.ts modules written before api-problems.ts; new code imports from there.
export { codeList, problems, staffProblems };

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
  /**
   * `ZT-SM2`: the request must carry the channel's SM2 signature (DESIGN.md §7); `Bearer`: a registry
   * staff member's access token (JWT).
   */
  readonly auth: 'ZT-SM2' | 'ZT-SM2-DEPARTMENT' | 'Bearer' | 'none';
  /** Accepts an `Idempotency-Key` header: the same key and body return the first response. */
  readonly idempotent?: boolean;
  readonly request?: z.ZodType;
  /** Query parameters, as a flat object schema (each property is one parameter). */
  readonly query?: z.ZodObject;
  /** Description of each `{name}` in the route's path. */
  readonly pathParameters?: Readonly<Record<string, string>>;
  readonly responses: Readonly<Record<number, ApiResponse>>;
}

/** Names of the functions that the topology gives an HTTP route. */
export type RoutedFunctionName = {
  [K in FunctionName]: (typeof functions)[K] extends { readonly route: HttpRoute } ? K : never;
}[FunctionName];

/** Item codes the batch adds after a filing passed validation (see `functions/core/use-cases/submit-batch.ts`). */
const BATCH_ITEM_CODES: Readonly<Record<string, string>> = {
  DISTRICT_NOT_PERMITTED: 'The channel may not file in the district of the unit (an out-of-scope attempt: it counts against the channel’s credit).',
  MORTGAGEE_NOT_FILER: 'The mortgagee is not the filing institution itself (an out-of-scope attempt: it counts against the channel’s credit).',
  DUPLICATE_IN_BATCH: 'Another filing in the same batch has the same clientRef.',
  CLIENT_REF_CONFLICT: 'The clientRef was already used by this channel for a different filing.',
};

/**
 * The request as integrators should build it. The handler first checks only the list's bounds
 * (`submitBatchRequestSchema`) and then each filing on its own, so one bad filing never fails the batch.
 */
export const submitBatchRequestDocSchema = z.strictObject({
  filings: z
    .array(
      z.discriminatedUnion('businessType', [
        filingInputSchemas.MORTGAGE_CREATE,
        filingInputSchemas.MORTGAGE_CHANGE,
        filingInputSchemas.MORTGAGE_DISCHARGE,
        filingInputSchemas.PRESALE_MORTGAGE_NOTICE,
        filingInputSchemas.FIRST_REGISTRATION,
        filingInputSchemas.PRESALE_NOTICE,
        filingInputSchemas.TRANSFER_NEW,
        filingInputSchemas.TRANSFER_RESALE,
      ]),
    )
    .min(1)
    .max(MAX_FILINGS_PER_BATCH_DEFAULT)
    .meta({ description: `1 to N filings (N is configured, ${MAX_FILINGS_PER_BATCH_DEFAULT} by default), each validated on its own.` }),
});

/** What an integrator needs to know of each business type beyond the schema: its fields and its own codes. */
interface BusinessTypeDoc {
  readonly title: string;
  readonly fields: string;
  /** Codes its own fields can get, besides those of the fields every filing has (clientRef, unitCode, materials, names, IDs). */
  readonly codes: readonly FilingErrorCode[];
}

const MORTGAGE_TERMS = '`mortgageType`, `amount`, `termStart`, `termEnd`';
const SALE_TERMS = '`contractNo` (网签备案合同号), `price`';

const BUSINESS_TYPE_DOCS: Readonly<Record<BusinessType, BusinessTypeDoc>> = {
  MORTGAGE_CREATE: {
    title: '抵押权首次登记, a bank registers a mortgage',
    fields: `\`mortgagors\` (1-10 persons), \`mortgagee\` (organisation), ${MORTGAGE_TERMS}`,
    codes: ['DUPLICATE_PERSON', 'AMOUNT_FORMAT', 'AMOUNT_NOT_POSITIVE', 'TERM_ORDER'],
  },
  MORTGAGE_CHANGE: {
    title: '抵押权变更登记, a bank changes the amount or term of its mortgage',
    fields: '`mortgageId`, `mortgagors` (1-10 persons: the consenting owners), `change: { amount?, termEnd? }`',
    codes: ['MORTGAGE_ID_FORMAT', 'DUPLICATE_PERSON', 'CHANGE_EMPTY', 'AMOUNT_FORMAT', 'AMOUNT_NOT_POSITIVE'],
  },
  MORTGAGE_DISCHARGE: {
    title: '抵押权注销登记, a bank discharges its mortgage',
    fields: '`mortgageId`, `reason` (`REPAID`, `WAIVED`, `COURT_ORDER`, `OTHER`)',
    codes: ['MORTGAGE_ID_FORMAT'],
  },
  PRESALE_MORTGAGE_NOTICE: {
    title: '预购商品房抵押预告登记, a bank gives advance notice of a mortgage on a presold home',
    fields: `\`buyers\` (1-10 persons: the presale buyers who mortgage), \`mortgagee\` (organisation), ${MORTGAGE_TERMS}`,
    codes: ['DUPLICATE_PERSON', 'AMOUNT_FORMAT', 'AMOUNT_NOT_POSITIVE', 'TERM_ORDER'],
  },
  FIRST_REGISTRATION: {
    title: '首次登记, a developer registers the units of a completed building',
    fields: '`projectId`, `completionRecordNo` (竣工验收备案编号)',
    codes: ['PROJECT_ID_FORMAT', 'RECORD_NO_FORMAT'],
  },
  PRESALE_NOTICE: {
    title: '预购商品房预告登记, advance notice protecting presale buyers',
    fields: `\`buyers\` (1-10 persons), \`seller\` (organisation: the developer), ${SALE_TERMS}`,
    codes: ['DUPLICATE_PERSON', 'CONTRACT_NO_FORMAT', 'AMOUNT_FORMAT', 'AMOUNT_NOT_POSITIVE'],
  },
  TRANSFER_NEW: {
    title: '转移登记（新建商品房）, a developer transfers a new home; the seller is the filing developer',
    fields: `\`buyers\` (1-10 persons), ${SALE_TERMS}`,
    codes: ['DUPLICATE_PERSON', 'CONTRACT_NO_FORMAT', 'AMOUNT_FORMAT', 'AMOUNT_NOT_POSITIVE'],
  },
  TRANSFER_RESALE: {
    title: '转移登记（存量房）, an agency files a resale transfer',
    fields: `\`sellers\` (1-10 persons), \`buyers\` (1-10 persons), ${SALE_TERMS}`,
    codes: ['DUPLICATE_PERSON', 'PARTY_BOTH_SIDES', 'CONTRACT_NO_FORMAT', 'AMOUNT_FORMAT', 'AMOUNT_NOT_POSITIVE'],
  },
};

const institutionsFiling = (type: BusinessType): string =>
  INSTITUTION_TYPES.filter((kind) => BUSINESS_TYPES_BY_INSTITUTION[kind].includes(type)).join(', ');

const quoted = (values: readonly string[]): string => (values.length > 0 ? values.map((v) => `\`${v}\``).join(', ') : 'none');

/** One paragraph per business type: what it is, who files it, its fields, its materials, its own codes. */
const businessTypeSections = (): string =>
  BUSINESS_TYPES.map((type) => {
    const doc = BUSINESS_TYPE_DOCS[type];
    const checklist = MATERIAL_CHECKLISTS[type];
    return [
      `- \`${type}\` (${doc.title}; filed by ${institutionsFiling(type)}): ${doc.fields}.`,
      `  Materials: required ${quoted(checklist?.required ?? [])}; optional ${quoted(checklist?.optional ?? [])}.`,
      `  Codes of its own fields: ${quoted(doc.codes)}.`,
    ].join('\n');
  }).join('\n');

export const healthResponseSchema = z.object({ status: z.literal('ok'), service: z.string() });

export const api = {
  submitBatch: {
    summary: 'Submit a batch of filings',
    description: [
      'Submits 1 to N filings in one SM2-signed request. Each filing is validated on its own and the',
      'batch partially succeeds: every item of the answer is `SUBMITTED` (stored, queued for intake, with',
      'its `filingId`) or `INVALID` (nothing stored, with field-level `errors`). `clientRef` is unique per',
      'channel, so re-sending a filing returns the same `filingId`.',
      '',
      'Every filing has `clientRef`, `businessType`, `unitCode` and `materials`, and the fields of its',
      'business type. A person is `{ name, idType?: "RESIDENT_ID", idNumber, phone? }` and appears at most',
      'once in a list (`DUPLICATE_PERSON`); an organisation is `{ name, uscc }`. Objects are strict.',
      '',
      businessTypeSections(),
      '',
      'Amounts and prices are integer fen as a JSON number, or yuan as a decimal string (`"1200000.00"`);',
      'never a fractional number. Missing required materials are not a validation error: intake asks for a',
      'correction with a deadline; a material type outside the checklist is `MATERIAL_TYPE_UNKNOWN`.',
      '',
      'Credit (DESIGN.md §4, GET /v1/channel/credit): a channel on WATCH or PROBATION may send smaller batches and a',
      'daily quota of filings (429 `QUOTA_EXCEEDED`), and its filings are never accepted by the machine: intake holds',
      'them in `INTAKE_REVIEW` for registry staff. A shut-off channel gets 403 `CHANNEL_SHUT_OFF` with `caseNo`.',
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
      ...problems(400, 401, 409, 413, 415, 500),
      403: answer(
        'The channel may not submit: it is disabled (`CHANNEL_DISABLED`); a filing names a business type it may not file (`BUSINESS_TYPE_NOT_PERMITTED`, with `indexes`; an out-of-scope attempt that counts against its credit); or it is shut off (`CHANNEL_SHUT_OFF`, with `caseNo` and `scope` — `CHANNEL`, or `INSTITUTION` when the whole institution is; submit a rectification report with POST /v1/channel/rectifications; reads, GET /v1/channel/credit and rectification stay open, and filings already accepted continue).',
      ),
      429: answer(
        'The channel is on WATCH or PROBATION (DESIGN.md §4) and the batch is over its limits (`QUOTA_EXCEEDED`, with `quota: { dailyQuota, usedToday, maxBatchSize }`): larger than `maxBatchSize` (split it and send it at once), or more filings than are left of `dailyQuota` today, a CST day in which every item counts (`retryAfterSeconds` and `Retry-After` until CST midnight). A refused batch consumes nothing of the quota.',
      ),
      422: answer('The body is not `{ "filings": [ 1..N ] }` (`INVALID_BODY`, with field `errors`; too many filings: `filings` `TOO_MANY`), a filing names an unknown business type (`UNKNOWN_BUSINESS_TYPE`, with `indexes`), or `IDEMPOTENCY_KEY_REUSED`. Invalid filings themselves are not a 422: they are `INVALID` items of the 202.'),
    },
  },
  getBatch: {
    summary: 'Get a batch',
    description: "The channel's own batch with each filing's current status.",
    auth: 'ZT-SM2',
    pathParameters: { batchId: 'The `batchId` returned when the batch was submitted.' },
    responses: {
      200: { description: 'The batch.', schema: batchViewSchema },
      ...problems(401, 403, 500),
      404: answer('No batch with this id for this channel (`BATCH_NOT_FOUND`); another channel’s batch, and an id of the wrong format, answer the same.'),
    },
  },
  getFiling: {
    summary: 'Get a filing',
    description: "The channel's own filing with its history; names, ID numbers and phones are masked.",
    auth: 'ZT-SM2',
    pathParameters: { filingId: 'The `filingId` of an item of a submitted batch.' },
    responses: {
      200: { description: 'The filing, personal data masked.', schema: filingViewSchema },
      ...problems(401, 403, 500),
      404: answer('No filing with this id for this channel (`FILING_NOT_FOUND`); another channel’s filing, and an id of the wrong format, answer the same.'),
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
  getWebhook: {
    summary: "Get the channel's webhook",
    description:
      "The URL receiving the channel's progress events, if any, and the platform SM2 public key and scheme to verify deliveries. Polling stays available.",
    auth: 'ZT-SM2',
    responses: { 200: { description: 'The webhook settings and the platform key.', schema: webhookViewSchema }, ...problems(401, 403, 500) },
  },
  putWebhook: {
    summary: "Set or remove the channel's webhook",
    description: [
      'Registers or changes the https URL receiving SM2-signed progress events; `{ "url": null }` removes it.',
      'Refused URLs answer 422 with one of these codes, and nothing is stored:',
      codeList(WEBHOOK_URL_CODES),
      'A body other than `{ "url": "…" }` or `{ "url": null }` (a URL over 2048 characters included) is `INVALID_BODY`, with field `errors`.',
    ].join('\n'),
    auth: 'ZT-SM2',
    idempotent: true,
    request: putWebhookRequestSchema,
    responses: {
      200: { description: 'The settings as stored (URL normalised) and the platform key.', schema: webhookViewSchema },
      ...problems(400, 401, 403, 409, 413, 415, 500),
      422: answer('The URL is refused (a `WEBHOOK_URL_*` code: not https, credentials, a private or loopback host, …), the body is not `{ "url": … }` (`INVALID_BODY`, with field `errors`), or `IDEMPOTENCY_KEY_REUSED`.'),
    },
  },
  staffLogin: {
    summary: 'Staff sign-in (local runtime only)',
    description:
      'The local token issuer; on AWS staff sign in with the Cognito user pool. Wrong username and wrong password get the same 401 INVALID_CREDENTIALS; a deactivated account gets 403 STAFF_DEACTIVATED only with the right password.',
    auth: 'none',
    request: staffLoginRequestSchema,
    responses: {
      200: { description: 'A 1-hour RS256 access token, the role and the district.', schema: staffLoginResponseSchema },
      ...staffProblems(400, 401, 403, 413, 415, 422, 429, 500),
    },
  },
  staffJwks: {
    summary: "The local issuer's JWKS (local runtime only)",
    description: 'Public keys that verify local staff tokens; Cognito publishes its own on AWS.',
    auth: 'none',
    responses: { 200: { description: 'JSON Web Key Set.', schema: jwksSchema }, ...staffProblems(500) },
  },
  getStaffSelf: {
    summary: 'Your own staff account',
    description: `The caller's id, username, display name, role and district, read from the staff table on this very request (a role change shows at once); the console asks it after signing in to show only what the role may use. Roles: ${STAFF_PERMISSIONS.getStaffSelf.roles.join(', ')}.`,
    auth: 'Bearer',
    responses: { 200: { description: 'The account.', schema: staffSelfSchema }, ...staffProblems(401, 403, 500) },
  },
  listStaffFilings: {
    summary: "A district's worklist",
    description: `Own-district filings in one status, oldest change first; no personal data. Roles: ${STAFF_PERMISSIONS.listStaffFilings.roles.join(', ')}.`,
    auth: 'Bearer',
    query: listStaffFilingsQuerySchema,
    responses: { 200: { description: 'One page; pass nextCursor as cursor.', schema: staffFilingListSchema }, ...staffProblems(400, 401, 403, 500) },
  },
  ...reviewApi,
  ...lifecycleApi,
  ...publicApi,
  ...departmentsApi,
  ...creditChannelApi,
  ...creditStaffApi,
  ...incidentsApi,
  ...misuseApi,
  ...auditApi,
  ...statisticsApi,
} as const satisfies Record<RoutedFunctionName, ApiOperation>;
