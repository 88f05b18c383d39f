/** POST /v1/staff/filings/{filingId}/urgent: staff put a filing on the priority lane (003 第十三条). */
import { z } from 'zod';
import { freeTextSchema } from '../identifiers';

export const MAX_URGENT_BODY_BYTES = 4 * 1024;
export const URGENT_REASON_MAX = 200;

export const markUrgentRequestSchema = z.strictObject({
  reason: freeTextSchema(URGENT_REASON_MAX).meta({
    description:
      'Why the filing is urgent (003 第十三条), 1–200 characters; kept with the filing, never logged. Text carrying a resident ID number or a phone number, or naming a party of the filing, is refused (`PERSONAL_DATA_IN_TEXT`).',
  }),
});

export type MarkUrgentRequest = z.output<typeof markUrgentRequestSchema>;
