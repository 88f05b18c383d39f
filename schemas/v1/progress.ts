/**
 * The citizen progress lookup (DESIGN.md §1 citizen; 002 二(一)4): a citizen names the business number
 * on their receipt, their name and their ID number, and sees the filing's progress, masked.
 *
 * The business number is the filing id (`F` + 24 hex): unique, already on the institution's receipt, and
 * needing no second index. It is NOT a secret: it is SM3(channelId, clientRef) truncated to 96 bits, so
 * whoever knows a channel id and its clientRef scheme can compute it. The credential is the three fields
 * together: name and ID number of a person on the filing. Any mismatch answers the same 404 after the same
 * work, so the endpoint is no oracle for which filings exist or who is on them, and lookups are rate-limited.
 */
import { z } from 'zod';
import { BUSINESS_TYPES } from '../../functions/core/domain/business-types';
import { UNMASKING_PURPOSE_CODES } from '../../functions/core/domain/disclosure';
import { FILING_STATUSES } from '../../functions/core/domain/filing';
import { STAFF_ROLES } from '../../functions/core/domain/staff';
import { personNameSchema, residentIdSchema } from '../identifiers';

/** A business number, exactly as the receipt shows it. */
export const BUSINESS_NUMBER = /^F[0-9A-F]{24}$/;
/** Three short strings fit with room to spare. */
export const MAX_PROGRESS_BODY_BYTES = 4 * 1024;

export const progressLookupRequestSchema = z.strictObject({
  businessNumber: z
    .string()
    .regex(BUSINESS_NUMBER)
    .meta({ description: 'The business number (业务编号) on the receipt: `F` and 24 hex digits, i.e. the `filingId`.' }),
  name: personNameSchema.meta({ description: 'The name of a person on the filing (mortgagor, buyer or seller).' }),
  idNumber: residentIdSchema,
});

export type ProgressLookupRequest = z.output<typeof progressLookupRequestSchema>;

export const progressViewSchema = z.object({
  businessNumber: z.string(),
  businessType: z.enum(BUSINESS_TYPES),
  status: z.enum(FILING_STATUSES),
  updatedAt: z.iso.datetime({ offset: true }),
  unitCode: z.string().meta({ description: 'The property unit code (not personal data; the address is not shown).' }),
  applicant: z.string().meta({ description: 'The name of the person who looked up, masked (`张*丰`).' }),
  history: z
    .array(z.object({ at: z.iso.datetime({ offset: true }), status: z.enum(FILING_STATUSES) }))
    .meta({ description: 'Every transition, oldest first: time and status only (no notes, reasons or actors).' }),
  disclosures: z
    .array(
      z.object({
        at: z.iso.datetime({ offset: true }),
        role: z.enum(STAFF_ROLES),
        purpose: z.enum(UNMASKING_PURPOSE_CODES),
        purposeLabel: z.string().meta({ description: 'The purpose as staff declared it, in Chinese (e.g. `核验申请人身份`).' }),
      }),
    )
    .meta({
      description:
        "When registry staff saw this filing's personal data unmasked (DESIGN.md §5; 001 4.2.10–11), oldest first (the last 100): time, the staff member's role and the purpose they declared — never who.",
    }),
});

export type ProgressView = z.output<typeof progressViewSchema>;
