/**
 * The path parameters of the API, each checked against its format before it becomes a DynamoDB key:
 * an id of the wrong shape (a 2 KB string, a `../`, a name) names nothing, so it answers exactly the 404
 * of an id that does not exist — never a 500 from a key over DynamoDB's limits. Each path schema
 * declares that 404 (`notFoundOf`), the same code and text its use case answers for a missing resource.
 */
import { z } from 'zod';
import { BUSINESS_TYPES } from '../../functions/core/domain/business-types';

/** `F` and 24 upper-case hex digits (functions/core/domain/identifiers.ts `filingIdFor`). */
export const FILING_ID = /^F[0-9A-F]{24}$/;
/** `B`, the CST date and 20 upper-case hex digits (`newBatchId`). */
export const BATCH_ID = /^B\d{8}[0-9A-F]{20}$/;

export interface NotFound {
  readonly code: string;
  readonly detail: string;
}

const notFoundAnswers = new WeakMap<z.ZodType, NotFound>();

/** The 404 that a path of the wrong shape answers for `schema`, if it declared one. */
export const notFoundOf = (schema: z.ZodType): NotFound | undefined => notFoundAnswers.get(schema);

function pathSchema<S extends z.ZodRawShape>(shape: S, notFound: NotFound) {
  const schema = z.strictObject(shape);
  notFoundAnswers.set(schema, notFound);
  return schema;
}

const filingId = z.string().regex(FILING_ID);
const batchId = z.string().regex(BATCH_ID);

/** The channel's own ledger event (`CE` and 24 upper-case hex digits, `ledgerEventIdOf`): POST /v1/channel/credit/events/{eventId}/appeal. */
export const channelCreditEventPath = pathSchema(
  { eventId: z.string().regex(/^CE[0-9A-F]{24}$/) },
  { code: 'CREDIT_EVENT_NOT_FOUND', detail: 'No ledger event with this id exists for this channel.' },
);

/** Channel endpoints on a filing (use cases: `FILING_NOT_FOUND` … for this channel). */
export const filingPath = pathSchema({ filingId }, { code: 'FILING_NOT_FOUND', detail: 'No filing with this id exists for this channel.' });
/** Staff endpoints on a filing (another district's filing answers the same). */
export const staffFilingPath = pathSchema({ filingId }, { code: 'FILING_NOT_FOUND', detail: 'No filing with this id exists in your district.' });
/** GET /v1/filings/{filingId}/certificate. */
export const certificateOfFilingPath = pathSchema({ filingId }, { code: 'CERTIFICATE_NOT_FOUND', detail: 'No certificate exists for this filing of this channel (yet).' });
export const batchPath = pathSchema({ batchId }, { code: 'BATCH_NOT_FOUND', detail: 'No batch with this id exists for this channel.' });
export const businessTypePath = pathSchema({ businessType: z.enum(BUSINESS_TYPES) }, { code: 'UNKNOWN_BUSINESS_TYPE', detail: 'There is no business type of this name.' });
/** Certificate numbers are judged by the verification itself (a malformed number is `genuine: false`); only bounded here. */
export const certificatePath = pathSchema({ certificateNo: z.string().min(1).max(128) }, { code: 'CERTIFICATE_NOT_FOUND', detail: 'No certificate has this number.' });

// Credit (DESIGN.md §4), staff endpoints: ids as functions/core/domain/credit.ts derives them.
/** A channel id as the ZT-SM2 Authorization header takes it (functions/shared/crypto/request-signature.ts). */
export const CHANNEL_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
/** `CS`, the CST date and 8 upper-case hex digits (`caseNoOf`). */
export const CASE_NO = /^CS\d{8}[0-9A-F]{8}$/;
/** `CE` and 24 upper-case hex digits (`ledgerEventIdOf`). */
export const CREDIT_EVENT_ID = /^CE[0-9A-F]{24}$/;
/** `RC` and 16 upper-case hex digits (derived from the case number and the report count). */
export const RECTIFICATION_ID = /^RC[0-9A-F]{16}$/;

const channelId = z.string().regex(CHANNEL_ID);
const caseNo = z.string().regex(CASE_NO);
const creditEventId = z.string().regex(CREDIT_EVENT_ID);
const rectificationId = z.string().regex(RECTIFICATION_ID);

export const creditChannelPath = pathSchema({ channelId }, { code: 'CHANNEL_NOT_FOUND', detail: 'No channel with this id exists.' });
export const creditCasePath = pathSchema({ caseNo }, { code: 'CASE_NOT_FOUND', detail: 'No case with this number exists.' });
export const rectificationPath = pathSchema({ caseNo, rectificationId }, { code: 'RECTIFICATION_NOT_FOUND', detail: 'No rectification report with this id exists in this case.' });
export const creditAppealPath = pathSchema({ channelId, eventId: creditEventId }, { code: 'APPEAL_NOT_FOUND', detail: 'No appeal of this ledger event of this channel exists.' });

/** `IN` and 24 upper-case hex digits (functions/core/use-cases/incidents.ts `incidentIdOf`). */
export const INCIDENT_ID = /^IN[0-9A-F]{24}$/;
export const incidentPath = pathSchema({ incidentId: z.string().regex(INCIDENT_ID) }, { code: 'INCIDENT_NOT_FOUND', detail: 'No incident with this id exists in your district or city-wide.' });
/** A staff account (POST /v1/staff/accounts/{staffId}/unlock; use case: `STAFF_NOT_FOUND`). */
export const staffAccountPath = pathSchema(
  { staffId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/) },
  { code: 'STAFF_NOT_FOUND', detail: 'No staff account has this id.' },
);
