/**
 * The credit officers' staff API (DESIGN.md §4; 002 三(一)6), v1: the credit rules as versioned data, the
 * channels by grade and score, ledgers with evidence, violations, shutoffs, cases and their rectification
 * reports, appeals. Free text (reasons) is 1–2000 characters and refused when it carries an ID or phone
 * number (`PERSONAL_DATA_IN_TEXT`). The views shown to staff name the officer (`staffId`, never a name) who
 * recorded an event or decided; the channel's own views (schemas/v1/credit.ts) do not.
 */
import { z } from 'zod';
import { INSTITUTION_TYPES } from '../../functions/core/domain/business-types';
import { CREDIT_GRADES, LEDGER_KINDS, RULE_KINDS, type LedgerKind, type RuleKind } from '../../functions/core/domain/credit';
import { freeTextSchema } from '../identifiers';
import { CHANNEL_ID, FILING_ID } from './path-parameters';

/**
 * Every body the officers' schemas allow fits: two texts of 2000 characters (up to 4 bytes each) and 100 filing
 * ids and 100 audit ids of up to 160 characters come to about 35 KB.
 */
export const MAX_CREDIT_BODY_BYTES = 64 * 1024;
export const CREDIT_TEXT_MAX = 2000;
export const CREDIT_PAGE_DEFAULT = 50;
export const CREDIT_PAGE_MAX = 100;

const CODE = /^[A-Z][A-Z0-9_]{0,63}$/;
const AUDIT_ID = /^[A-Za-z0-9._:#-]{1,160}$/;
/** Institution ids as channels carry them (`INST-…`). */
export const INSTITUTION_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

const text = (what: string) =>
  freeTextSchema(CREDIT_TEXT_MAX).meta({
    description: `${what}: 1–${CREDIT_TEXT_MAX} characters. Text carrying a resident ID number or a phone number is refused (\`PERSONAL_DATA_IN_TEXT\`).`,
  });

// ---------------------------------------------------------------------------------------------------------
// Rules (versioned data, like the checklists)
// ---------------------------------------------------------------------------------------------------------

const int = (min: number, max: number, description: string) => z.int().min(min).max(max).meta({ description });
const score = (description: string) => int(0, 1000, description);
const ruleKinds = RULE_KINDS as unknown as [RuleKind, ...RuleKind[]];
const ledgerKinds = LEDGER_KINDS as unknown as [LedgerKind, ...LedgerKind[]];

/** The rules body: every number bounded here; relations between numbers are `rulesObjections` (422 CREDIT_RULES_INVALID). */
export const creditRulesBodySchema = z.strictObject({
  startScore: int(1, 1000, 'The score a channel starts at and never exceeds.'),
  windowDays: int(1, 3650, 'Events count towards the score for this many days.'),
  points: z
    .strictObject(Object.fromEntries(RULE_KINDS.map((kind) => [kind, z.int().min(-1000).max(1000)])) as Record<RuleKind, z.ZodInt>)
    .meta({ description: `Points of each automatic kind (${ruleKinds.join(', ')}): violations not positive, GOOD_STANDING not negative.` }),
  refusalPointsByReason: z
    .record(z.string().regex(CODE), z.int().min(-1000).max(0))
    .refine((record) => Object.keys(record).length <= 100, { message: 'At most 100 reason codes.' })
    .meta({ description: 'Points of an intake refusal by reason code, overriding `points.INTAKE_REFUSED` (0: nobody\'s fault).' }),
  severeKinds: z
    .array(z.enum(ledgerKinds))
    .max(LEDGER_KINDS.length)
    .refine((kinds) => new Set(kinds).size === kinds.length, { message: 'A kind appears twice.' })
    .meta({ description: 'Kinds that shut the channel off at once, whatever the score.' }),
  thresholds: z.strictObject({
    watchBelow: score('Below this score: WATCH.'),
    shutOffBelow: score('Below this score: SHUT_OFF (a case opens).'),
    probationShutOffBelow: score('On probation, shut off again below this (stricter) score.'),
  }),
  restricted: z.strictObject({
    dailyQuota: int(1, 100_000, 'Filings a WATCH or PROBATION channel may submit per CST day.'),
    maxBatchSize: int(1, 1000, 'Largest batch a WATCH or PROBATION channel may submit.'),
  }),
  probation: z.strictObject({
    days: int(1, 3650, 'Length of probation after a reopening.'),
    reopenScore: score('A reopening restores the score up to this.'),
  }),
  goodStanding: z.strictObject({ cleanFilings: int(1, 100_000, 'Clean filings (accepted at first intake) that earn `points.GOOD_STANDING`.') }),
  refusalRate: z.strictObject({
    windowDays: int(1, 365, 'Days over which the refusal rate is computed.'),
    threshold: z.number().gt(0).max(1).meta({ description: 'A rate above this (0–1] is one REFUSAL_RATE event per window.' }),
    minFilings: int(1, 100_000, 'Filings decided in the window before the rate counts.'),
  }),
  signatureFailures: z.strictObject({ burst: int(1, 100_000, 'Bad signatures or replays tolerated per window.'), windowMinutes: int(1, 1440, 'Counting window.') }),
  rateLimitAbuse: z.strictObject({ burst: int(1, 100_000, 'Quota refusals tolerated per window.'), windowMinutes: int(1, 1440, 'Counting window.') }),
  officerMaxPoints: int(1, 1000, 'The most an officer\'s violation may take (points between -max and -1).'),
});

export const putCreditRulesRequestSchema = creditRulesBodySchema.extend({
  baseVersion: z.int().min(1).meta({ description: 'The version the change is made on: the `current.version` last read.' }),
  note: freeTextSchema(500).optional().meta({ description: 'Why the change was made (no personal data).' }),
});

export type PutCreditRulesRequest = z.output<typeof putCreditRulesRequestSchema>;

export const creditRulesSchema = creditRulesBodySchema.extend({
  version: z.int().min(1),
  publishedAt: z.iso.datetime({ offset: true }),
  publishedBy: z.string().meta({ description: '`builtin` for version 1, else `staff:<staffId>`.' }),
  note: z.string().optional(),
});

export const creditRulesViewSchema = z.object({
  current: creditRulesSchema,
  history: z.array(creditRulesSchema).meta({ description: 'Every version, newest first (version 1, the built-in rules, included).' }),
});

// ---------------------------------------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------------------------------------

export const evidenceViewSchema = z.object({
  filingIds: z.array(z.string()).optional(),
  auditIds: z.array(z.string()).optional(),
  batchId: z.string().optional(),
  indexes: z.array(z.int()).optional(),
  count: z.int().optional(),
  window: z.string().optional(),
  rate: z.number().optional(),
  note: z.string().optional(),
});

export const staffLedgerEventViewSchema = z.object({
  eventId: z.string(),
  kind: z.enum(ledgerKinds),
  points: z.int(),
  at: z.iso.datetime({ offset: true }),
  source: z.discriminatedUnion('type', [
    z.object({ type: z.literal('AUTOMATIC'), rule: z.enum(ledgerKinds), rulesVersion: z.int() }),
    z.object({ type: z.literal('OFFICER'), staffId: z.string(), reason: z.string() }),
  ]),
  evidence: evidenceViewSchema,
  reasonCode: z.string().optional(),
  severe: z.boolean().optional(),
  cancels: z.string().optional().meta({ description: 'REVERSAL: the event it cancels.' }),
  resetTo: z.int().optional().meta({ description: 'REOPENED: the score the reopening restarted the channel at (`points` is the difference it made).' }),
  recordedAt: z.iso.datetime({ offset: true }).optional().meta({ description: 'When the platform recorded it (a signal may arrive after its `at`).' }),
  appeal: z.object({ status: z.enum(['PENDING', 'UPHELD', 'REVERSED']) }).optional(),
});

export const rectificationViewSchema = z.object({
  rectificationId: z.string(),
  channelId: z.string(),
  submittedAt: z.iso.datetime({ offset: true }),
  status: z.enum(['SUBMITTED', 'ACCEPTED', 'REJECTED']),
  whatWasWrong: z.string(),
  whatChanged: z.string(),
  attachments: z.array(z.object({ name: z.string(), sm3: z.string() })),
  decidedAt: z.iso.datetime({ offset: true }).optional(),
  decidedBy: z.string().optional(),
  reasons: z.string().optional(),
});

export const staffCaseViewSchema = z.object({
  caseNo: z.string(),
  scope: z.enum(['CHANNEL', 'INSTITUTION']),
  channelId: z.string().optional().meta({ description: 'The channel shut off (CHANNEL), or whose event triggered an institution\'s case.' }),
  institutionId: z.string(),
  status: z.enum(['OPEN', 'RECTIFICATION_SUBMITTED', 'CLOSED']),
  reason: z.enum(['SCORE_BELOW_THRESHOLD', 'SEVERE_VIOLATION', 'OFFICER_DECISION']),
  detail: z.string(),
  evidence: evidenceViewSchema,
  triggerEventId: z.string().optional(),
  openedAt: z.iso.datetime({ offset: true }),
  openedBy: z.string().meta({ description: '`registry:credit` for an automatic case, `staff:<staffId>` for an officer\'s.' }),
  rectifications: z.array(rectificationViewSchema).meta({ description: 'Reports, oldest first, with their texts.' }),
  closedAt: z.iso.datetime({ offset: true }).optional(),
  closedBy: z.string().optional(),
  closedHow: z.enum(['RECTIFICATION_ACCEPTED', 'REOPENED_BY_OFFICER', 'SUPERSEDED']).optional(),
});

export const staffAppealViewSchema = z.object({
  eventId: z.string(),
  channelId: z.string(),
  submittedAt: z.iso.datetime({ offset: true }),
  grounds: z.string(),
  status: z.enum(['PENDING', 'UPHELD', 'REVERSED']),
  decidedAt: z.iso.datetime({ offset: true }).optional(),
  decidedBy: z.string().optional(),
  reason: z.string().optional(),
  reversalEventId: z.string().optional().meta({ description: 'REVERSED: the REVERSAL event that cancels the appealed one.' }),
});

export const creditChannelItemSchema = z.object({
  channelId: z.string(),
  branchName: z.string().optional(),
  institutionId: z.string(),
  institutionType: z.enum(INSTITUTION_TYPES),
  score: z.number(),
  grade: z.enum(CREDIT_GRADES),
  openCaseNo: z.string().optional(),
  probationUntil: z.iso.datetime({ offset: true }).optional(),
  updatedAt: z.iso.datetime({ offset: true }),
});

export const creditIndicatorsSchema = z.object({
  refusalRate: z.number(),
  correctionRate: z.number(),
  hoursToCorrect: z.number().optional(),
  outOfScopeAttempts: z.int(),
  decided: z.int(),
});

const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().optional().meta({ description: 'Present when more items may follow: pass it as `cursor`.' }) });

export const creditChannelListSchema = page(creditChannelItemSchema);
export const creditCaseListSchema = page(staffCaseViewSchema);
export const creditAppealListSchema = page(staffAppealViewSchema);

export const creditChannelViewSchema = z.object({
  state: creditChannelItemSchema.extend({ rulesVersion: z.int(), indicators: creditIndicatorsSchema }),
  ledger: z.array(staffLedgerEventViewSchema).meta({ description: 'The events of the rolling window, newest first (at most 200).' }),
  ledgerTruncated: z.literal(true).optional(),
  cases: z.array(staffCaseViewSchema).meta({ description: "The channel's cases and its institution's, newest first." }),
  appeals: z.array(staffAppealViewSchema),
  institution: z.object({ institutionId: z.string(), openCaseNo: z.string().optional(), probationUntil: z.iso.datetime({ offset: true }).optional() }),
});

export const violationResultSchema = z.object({ event: staffLedgerEventViewSchema, state: creditChannelItemSchema });

// ---------------------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------------------

export const officerEvidenceSchema = z
  .strictObject({
    filingIds: z.array(z.string().regex(FILING_ID)).max(100).optional(),
    auditIds: z.array(z.string().regex(AUDIT_ID)).max(100).optional(),
    note: text('A note on the evidence').optional(),
  })
  .meta({ description: 'Ids of the filings and audit records that show the violation, and a note.' });

export const postViolationRequestSchema = z.strictObject({
  points: z.int().min(-1000).max(-1).meta({ description: 'Negative, at least `-rules.officerMaxPoints` (422 `POINTS_OUT_OF_RANGE` otherwise).' }),
  reason: text('Why'),
  evidence: officerEvidenceSchema,
});

export const postShutoffRequestSchema = z.discriminatedUnion('scope', [
  z.strictObject({ scope: z.literal('CHANNEL'), channelId: z.string().regex(CHANNEL_ID), reason: text('Why'), evidence: officerEvidenceSchema }),
  z.strictObject({ scope: z.literal('INSTITUTION'), institutionId: z.string().regex(INSTITUTION_ID), reason: text('Why'), evidence: officerEvidenceSchema }),
]);

export const rectificationDecisionRequestSchema = z.strictObject({
  decision: z.enum(['ACCEPT', 'REJECT']).meta({ description: 'ACCEPT reopens the channel (or institution) on probation; REJECT sends the case back to OPEN.' }),
  reasons: text('The reasons, told to the institution'),
});

export const reopenRequestSchema = z.strictObject({ reason: text('Why the case is closed and the channel reopened on probation') });

export const appealDecisionRequestSchema = z.strictObject({
  decision: z.enum(['UPHOLD', 'REVERSE']).meta({ description: 'REVERSE records a REVERSAL event that cancels the appealed one (its points restored).' }),
  reason: text('The reason, told to the institution'),
});

const pageQuery = {
  limit: z.coerce.number().int().min(1).max(CREDIT_PAGE_MAX).default(CREDIT_PAGE_DEFAULT),
  cursor: z.string().min(1).max(2048).optional().meta({ description: 'The `nextCursor` of the previous page, unchanged.' }),
};

export const listCreditChannelsQuerySchema = z.strictObject({ grade: z.enum(CREDIT_GRADES).optional(), ...pageQuery });
export const listCreditCasesQuerySchema = z.strictObject({ status: z.enum(['OPEN', 'RECTIFICATION_SUBMITTED', 'CLOSED']).optional(), ...pageQuery });
export const listCreditAppealsQuerySchema = z.strictObject({ status: z.enum(['PENDING', 'UPHELD', 'REVERSED']).optional(), ...pageQuery });

export type PostViolationRequest = z.output<typeof postViolationRequestSchema>;
export type PostShutoffRequest = z.output<typeof postShutoffRequestSchema>;
export type RectificationDecisionRequest = z.output<typeof rectificationDecisionRequestSchema>;
export type AppealDecisionRequest = z.output<typeof appealDecisionRequestSchema>;
