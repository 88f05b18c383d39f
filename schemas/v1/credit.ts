/**
 * The channel's credit API (DESIGN.md §4, §7; 002 三(一)6), v1: what an institution reads of its credit
 * (`GET /v1/channel/credit`) and what it sends (a rectification report, an appeal of one ledger event).
 * The shared views — {@link ledgerEventViewSchema}, {@link caseViewSchema}, {@link appealViewSchema} — are
 * the institution's: an officer is never named to it (`source.reason` only, no staff id), and a case shows
 * its reports' status, never their texts back.
 *
 * Free text is 1–2000 characters and refused when it carries an ID or phone number (422 `INVALID_BODY`
 * with the field's `PERSONAL_DATA_IN_TEXT`, as notes are). Attachments are named and referenced by their
 * SM3 digest (uploaded beforehand), at most 20.
 */
import { z } from 'zod';
import { INSTITUTION_TYPES } from '../../functions/core/domain/business-types';
import { CREDIT_GRADES, LEDGER_KINDS, type LedgerKind } from '../../functions/core/domain/credit';
import { carriesPersonalIdentifier, freeTextSchema, PERSONAL_DATA_IN_TEXT } from '../identifiers';

export const CREDIT_TEXT_MAX = 2000;
export const MAX_ATTACHMENTS = 20;
/** A report with 20 attachments (names of 200 characters) and two texts of 2000 characters, at up to 4 bytes a character, fits (about 34 KB). */
export const MAX_CREDIT_REQUEST_BYTES = 64 * 1024;
/** Ledger events shown, newest first. */
export const LEDGER_VIEW_MAX = 200;

/** `CS`, the CST date and 8 upper-case hex digits (functions/core/domain/credit.ts `caseNoOf`). */
export const CASE_NO_PATTERN = /^CS\d{8}[0-9A-F]{8}$/;
const SM3_HEX = /^[0-9a-f]{64}$/;

const ledgerKinds = LEDGER_KINDS as unknown as [LedgerKind, ...LedgerKind[]];
const grade = z.enum(CREDIT_GRADES);
const instant = z.iso.datetime({ offset: true });

const creditText = (what: string) =>
  freeTextSchema(CREDIT_TEXT_MAX).meta({
    description: `${what}: 1–${CREDIT_TEXT_MAX} characters. Text carrying a resident ID number or a phone number is refused (\`PERSONAL_DATA_IN_TEXT\`).`,
  });

// ---------------------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------------------

export const attachmentSchema = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .superRefine((value, ctx) => {
      if (carriesPersonalIdentifier(value)) {
        ctx.addIssue({ code: 'custom', message: 'An attachment name must not carry a resident ID number or a phone number.', params: { code: PERSONAL_DATA_IN_TEXT } });
      }
    })
    .meta({ description: 'The document’s name, 1–200 characters, no personal data.' }),
  sm3: z.string().regex(SM3_HEX).meta({ description: 'SM3 digest of the document as 64 lowercase hex digits.' }),
});

export const rectificationRequestSchema = z.strictObject({
  caseNo: z.string().regex(CASE_NO_PATTERN).meta({ description: 'The open case the report answers (`caseNo` of the 403 `CHANNEL_SHUT_OFF`, or of GET /v1/channel/credit).' }),
  whatWasWrong: creditText('What was wrong (整改报告: the irregularities found)'),
  whatChanged: creditText('What the institution changed so that it does not happen again'),
  attachments: z.array(attachmentSchema).max(MAX_ATTACHMENTS).meta({ description: `Evidence documents by digest, at most ${MAX_ATTACHMENTS} (may be empty).` }),
});
export type RectificationRequest = z.output<typeof rectificationRequestSchema>;

export const appealRequestSchema = z.strictObject({
  grounds: creditText('Why the event is wrong'),
});
export type AppealRequest = z.output<typeof appealRequestSchema>;

// ---------------------------------------------------------------------------------------------------------
// Shared views (the institution's; the officers' views add who decided)
// ---------------------------------------------------------------------------------------------------------

export const evidenceViewSchema = z
  .object({
    filingIds: z.array(z.string()).optional(),
    auditIds: z.array(z.string()).optional(),
    batchId: z.string().optional(),
    indexes: z.array(z.int()).optional().meta({ description: 'Items of the batch concerned.' }),
    count: z.int().optional().meta({ description: 'How many failures a burst counted, or filings a rate was computed over.' }),
    window: z.string().optional().meta({ description: 'The counting window, `<start ISO>/<end ISO>`.' }),
    rate: z.number().optional().meta({ description: 'REFUSAL_RATE: the rate, 0–1.' }),
    note: z.string().optional().meta({ description: 'An officer’s note.' }),
  })
  .meta({ description: 'Ids, codes and counts that show why the event exists (never personal data).' });

export const ledgerEventViewSchema = z.object({
  eventId: z.string().meta({ description: '`CE` and 24 upper-case hex digits, derived from the cause.' }),
  kind: z.enum(ledgerKinds),
  points: z.int().meta({ description: 'Negative for violations; positive for good standing, reversals and reopenings.' }),
  at: instant,
  source: z.discriminatedUnion('type', [
    z.object({ type: z.literal('AUTOMATIC'), rule: z.enum(ledgerKinds), rulesVersion: z.int().min(1) }),
    z.object({ type: z.literal('OFFICER'), reason: z.string().meta({ description: 'The credit officer’s reason (the officer is not named).' }) }),
  ]),
  evidence: evidenceViewSchema,
  reasonCode: z.string().optional(),
  severe: z.literal(true).optional().meta({ description: 'A severe violation: it shuts the channel off whatever the score.' }),
  cancels: z.string().optional().meta({ description: 'REVERSAL: the event it cancels.' }),
  resetTo: z.int().optional().meta({ description: 'REOPENED: the score the reopening restarted the channel at (`points` is the difference it made).' }),
  appeal: z.object({ status: z.enum(['PENDING', 'UPHELD', 'REVERSED']) }).optional().meta({ description: 'The appeal of this event, if any.' }),
});
export type LedgerEventView = z.output<typeof ledgerEventViewSchema>;

export const rectificationSummarySchema = z.object({
  rectificationId: z.string(),
  submittedAt: instant,
  status: z.enum(['SUBMITTED', 'ACCEPTED', 'REJECTED']),
  decidedAt: instant.optional(),
  reasons: z.string().optional().meta({ description: 'The officer’s reasons (a rejected report says what is still missing).' }),
});

export const caseViewSchema = z.object({
  caseNo: z.string(),
  scope: z.enum(['CHANNEL', 'INSTITUTION']).meta({ description: 'One branch channel, or the whole institution.' }),
  status: z.enum(['OPEN', 'RECTIFICATION_SUBMITTED', 'CLOSED']),
  reason: z.enum(['SCORE_BELOW_THRESHOLD', 'SEVERE_VIOLATION', 'OFFICER_DECISION']),
  detail: z.string(),
  openedAt: instant,
  evidence: evidenceViewSchema,
  rectifications: z.array(rectificationSummarySchema).meta({ description: 'Reports submitted for the case, oldest first.' }),
});
export type CaseView = z.output<typeof caseViewSchema>;

export const appealViewSchema = z.object({
  eventId: z.string(),
  submittedAt: instant,
  status: z.enum(['PENDING', 'UPHELD', 'REVERSED']),
  decidedAt: instant.optional(),
  reason: z.string().optional().meta({ description: 'The officer’s reason for the decision.' }),
  reversalEventId: z.string().optional().meta({ description: 'REVERSED: the REVERSAL event that cancels the appealed one.' }),
});
export type AppealView = z.output<typeof appealViewSchema>;

// ---------------------------------------------------------------------------------------------------------
// GET /v1/channel/credit
// ---------------------------------------------------------------------------------------------------------

const distributionSchema = z
  .object({ min: z.number(), p25: z.number(), median: z.number(), p75: z.number(), max: z.number() })
  .meta({ description: 'The indicator over institutions of the type (none named).' });

export const indicatorsSchema = z.object({
  refusalRate: z.number().min(0).max(1).meta({ description: 'Refused / decided at intake.' }),
  correctionRate: z.number().min(0).max(1).meta({ description: 'Correction requests / (decided + correction requests).' }),
  hoursToCorrect: z.number().min(0).optional().meta({ description: 'Mean hours from a correction request to the correction (none corrected: absent).' }),
  outOfScopeAttempts: z.int().min(0),
  decided: z.int().min(0).meta({ description: 'Filings decided at intake in the window.' }),
});

const quotaSchema = z.object({ dailyQuota: z.int(), usedToday: z.int(), maxBatchSize: z.int() });

export const channelCreditViewSchema = z.object({
  channel: z.object({
    channelId: z.string(),
    branchName: z.string().optional(),
    score: z.number(),
    grade: grade.meta({ description: 'The grade the gate applies (an institution-wide case shuts every channel off).' }),
    probationUntil: instant.optional(),
    openCase: caseViewSchema.optional().meta({ description: 'The open case of this channel, if any.' }),
  }),
  institution: z.object({
    institutionId: z.string(),
    institutionType: z.enum(INSTITUTION_TYPES),
    score: z.number().meta({ description: 'The lowest score of its channels.' }),
    grade: grade.meta({ description: 'The worst grade of its channels.' }),
    openCase: caseViewSchema.optional().meta({ description: 'The open institution-wide case, if any.' }),
    channels: z.array(z.object({ channelId: z.string(), branchName: z.string().optional(), score: z.number(), grade })),
  }),
  rules: z.object({
    version: z.int().min(1),
    watchBelow: z.number(),
    shutOffBelow: z.number(),
    probationShutOffBelow: z.number(),
    restricted: z.object({ dailyQuota: z.int(), maxBatchSize: z.int() }),
  }),
  quota: quotaSchema.optional().meta({ description: 'On WATCH or PROBATION: the limits and what was used today (CST).' }),
  ledger: z.array(ledgerEventViewSchema).max(LEDGER_VIEW_MAX).meta({ description: `The events within the rules’ window, newest first (at most ${LEDGER_VIEW_MAX}).` }),
  ledgerTruncated: z.literal(true).optional().meta({ description: 'There were more events in the window than are shown.' }),
  appeals: z.array(appealViewSchema).meta({ description: 'The channel’s appeals, newest first.' }),
  indicators: indicatorsSchema.meta({ description: 'The institution’s indicators over the refusal-rate window (every channel of it).' }),
  peers: z.object({
    institutionType: z.enum(INSTITUTION_TYPES),
    institutions: z.int().min(0).meta({ description: 'Institutions of the type with credit records (this one included).' }),
    distribution: z
      .object({
        refusalRate: distributionSchema,
        correctionRate: distributionSchema,
        hoursToCorrect: distributionSchema.optional(),
        outOfScopeAttempts: distributionSchema,
      })
      .optional(),
    withheld: z.literal('TOO_FEW_PEERS').optional().meta({ description: 'Too few institutions of the type to show a distribution without revealing one of them.' }),
  }),
});
export type ChannelCreditView = z.output<typeof channelCreditViewSchema>;

export const rectificationReceiptSchema = z.object({
  caseNo: z.string(),
  rectificationId: z.string().meta({ description: '`RC` and 16 upper-case hex digits.' }),
  status: z.literal('SUBMITTED'),
  submittedAt: instant,
});
export type RectificationReceipt = z.output<typeof rectificationReceiptSchema>;
