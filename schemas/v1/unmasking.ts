/**
 * POST /v1/staff/filings/{filingId}/unmasking (DESIGN.md §5; 001 4.2.10–11): a declared purpose and a
 * reason that names no person (no ID number, no phone: it is audited). The answer is the filing's people in
 * the clear, served with `Cache-Control: no-store`.
 */
import { z } from 'zod';
import { UNMASKING_PURPOSE_CODES, UNMASKING_PURPOSES } from '../../functions/core/domain/disclosure';
import { freeTextSchema } from '../identifiers';

export const MAX_UNMASKING_BODY_BYTES = 4 * 1024;

export const unmaskingRequestSchema = z.strictObject({
  purpose: z.enum(UNMASKING_PURPOSE_CODES).meta({
    description: `Why the personal data is needed: ${Object.entries(UNMASKING_PURPOSES)
      .map(([code, label]) => `\`${code}\` (${label})`)
      .join(', ')}.`,
  }),
  reason: freeTextSchema(500)
    .pipe(z.string().min(4))
    .meta({ description: 'What the purpose is applied to, 4–500 characters; no ID number or phone, and no name of a party of the filing (refer to people by their role): `PERSONAL_DATA_IN_TEXT`. Audited.' }),
});

export type UnmaskingRequest = z.output<typeof unmaskingRequestSchema>;

const unmaskedPersonSchema = z.object({ name: z.string(), idType: z.string(), idNumber: z.string(), phone: z.string().optional() });

export const unmaskedFilingSchema = z.object({
  filingId: z.string(),
  purpose: z.enum(UNMASKING_PURPOSE_CODES),
  purposeLabel: z.string(),
  unmaskedAt: z.iso.datetime({ offset: true }),
  parties: z
    .object({ mortgagors: z.array(unmaskedPersonSchema).optional(), buyers: z.array(unmaskedPersonSchema).optional(), sellers: z.array(unmaskedPersonSchema).optional() })
    .meta({ description: "The filing's people, in the clear. Recorded on the filing (the data subject sees it) and audited before it was decrypted." }),
});
