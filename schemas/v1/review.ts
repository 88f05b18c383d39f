/**
 * Staff review (issue 3 item 4): POST /v1/staff/filings/{filingId}/review and its answer. The staff
 * view of one filing (GET /v1/staff/filings/{filingId}) is the channel's masked FilingView.
 */
import { z } from 'zod';
import { freeTextSchema } from '../identifiers';
import { FILING_STATUSES } from '../../functions/core/domain/filing';
import { REVIEW_REFUSAL_CODES, type ReviewRefusalCode } from '../../functions/core/domain/lifecycle';

/** `{ "decision": "APPROVE" }` and a refusal with its reason fit in far less. */
export const MAX_REVIEW_BODY_BYTES = 8 * 1024;
export const REVIEW_NOTE_MAX = 500;

const note = freeTextSchema(REVIEW_NOTE_MAX).meta({
  description: `Up to ${REVIEW_NOTE_MAX} characters, recorded in the history (shown to the filing institution). Text carrying a resident ID number or a phone number, or naming a party of the filing, is refused (\`PERSONAL_DATA_IN_TEXT\`).`,
});
const refusalCodes = Object.keys(REVIEW_REFUSAL_CODES) as [ReviewRefusalCode, ...ReviewRefusalCode[]];

export const reviewRequestSchema = z
  .discriminatedUnion('decision', [
    z.strictObject({ decision: z.literal('APPROVE'), note: note.optional() }),
    z.strictObject({ decision: z.literal('REFUSE'), reasonCode: z.enum(refusalCodes), note: note.optional() }),
  ])
  // OTHER says nothing by itself: the reviewer must say why.
  .refine((r) => r.decision !== 'REFUSE' || r.reasonCode !== 'OTHER' || r.note !== undefined, { path: ['note'], message: 'A refusal for OTHER needs a note.' });

export type ReviewRequestBody = z.output<typeof reviewRequestSchema>;

export const reviewResultSchema = z.object({
  filingId: z.string(),
  decision: z.enum(['APPROVE', 'REFUSE']),
  status: z.enum(FILING_STATUSES),
  reasonCode: z.string().optional(),
  certificateNo: z.string().optional().meta({ description: 'APPROVE: the number of the e-certificate issued.' }),
});
