/**
 * Intake review (DESIGN.md §4): POST /v1/staff/filings/{filingId}/intake-review — staff accept or refuse a
 * filing that intake held because its channel was on WATCH or PROBATION — and its answer.
 */
import { z } from 'zod';
import { freeTextSchema } from '../identifiers';
import { FILING_STATUSES } from '../../functions/core/domain/filing';
import { INTAKE_REVIEW_REFUSAL_CODES, type IntakeReviewRefusalCode } from '../../functions/core/domain/lifecycle';
import { REVIEW_NOTE_MAX } from './review';

export const MAX_INTAKE_REVIEW_BODY_BYTES = 8 * 1024;

const note = freeTextSchema(REVIEW_NOTE_MAX).meta({
  description: `Up to ${REVIEW_NOTE_MAX} characters, recorded in the history (shown to the filing institution). Text carrying a resident ID number or a phone number, or naming a party of the filing, is refused (\`PERSONAL_DATA_IN_TEXT\`).`,
});
const refusalCodes = Object.keys(INTAKE_REVIEW_REFUSAL_CODES) as [IntakeReviewRefusalCode, ...IntakeReviewRefusalCode[]];

export const intakeReviewRequestSchema = z
  .discriminatedUnion('decision', [
    z.strictObject({ decision: z.literal('ACCEPT'), note: note.optional() }),
    z.strictObject({
      decision: z.literal('REFUSE'),
      reasonCode: z.enum(refusalCodes).meta({ description: 'Why: `FALSE_MATERIALS` is a severe credit violation of the filing channel (it shuts the channel off).' }),
      note: note.optional(),
    }),
  ])
  // OTHER says nothing by itself: staff must say why.
  .refine((r) => r.decision !== 'REFUSE' || r.reasonCode !== 'OTHER' || r.note !== undefined, { path: ['note'], message: 'A refusal for OTHER needs a note.' });

export type IntakeReviewRequestBody = z.output<typeof intakeReviewRequestSchema>;

export const intakeReviewResultSchema = z.object({
  filingId: z.string(),
  status: z.enum(FILING_STATUSES).meta({ description: 'Where the filing stands after the decision: `REFUSED`, or `ACCEPTED` and then on (`AWAITING_COORDINATION`, `READY_FOR_REVIEW`).' }),
});
