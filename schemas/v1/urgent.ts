/** POST /v1/staff/filings/{filingId}/urgent: staff put a filing on the priority lane (003 第十三条). */
import { z } from 'zod';

export const MAX_URGENT_BODY_BYTES = 4 * 1024;
export const URGENT_REASON_MAX = 200;

export const markUrgentRequestSchema = z.strictObject({
  reason: z
    .string()
    .trim()
    .min(1)
    .max(URGENT_REASON_MAX)
    .meta({ description: 'Why the filing is urgent (003 第十三条), 1–200 characters; kept with the filing, never logged.' }),
});

export type MarkUrgentRequest = z.output<typeof markUrgentRequestSchema>;
