/** POST /v1/filings/{filingId}/withdrawal (DESIGN.md §3: any state before REGISTERED → WITHDRAWN). */
import { z } from 'zod';
import { freeTextSchema } from '../identifiers';

export const MAX_WITHDRAWAL_BODY_BYTES = 4 * 1024;
export const WITHDRAWAL_REASON_MAX = 200;

export const withdrawalRequestSchema = z.strictObject({
  reason: freeTextSchema(WITHDRAWAL_REASON_MAX)
    .optional()
    .meta({
      description:
        'Why the filer withdraws, 1–200 characters; kept with the filing, never logged. Text carrying a resident ID number or a phone number, or naming a party of the filing, is refused (`PERSONAL_DATA_IN_TEXT`).',
    }),
});

export type WithdrawalRequest = z.output<typeof withdrawalRequestSchema>;
