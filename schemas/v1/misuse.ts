/** The insider-misuse rules, alerts and account unlock (DESIGN.md §5; 004 第二十五条). */
import { z } from 'zod';
import { MISUSE_RULE_NAMES } from '../../functions/core/domain/misuse';
import { freeTextSchema } from '../identifiers';

export const MAX_MISUSE_BODY_BYTES = 8 * 1024;

const count = (what: string) => z.int().min(1).max(100_000).meta({ description: `${what}; the rule fires on the call that goes above it.` });

export const misuseThresholdsSchema = z.strictObject({
  unmaskingsPerHour: count('Unmaskings per staff member per CST hour'),
  lookupsPerHour: count('Lookups (staff filing reads, worklist queries, unmaskings) per staff member per CST hour'),
  workingHours: z
    .strictObject({
      startHour: z.int().min(0).max(23),
      endHour: z.int().min(1).max(24),
      weekdays: z.array(z.int().min(1).max(7)).max(7).meta({ description: 'ISO weekdays (1 = Monday … 7 = Sunday).' }),
    })
    .meta({ description: 'Working hours, China Standard Time: [startHour, endHour) on the weekdays listed.' }),
  outOfHoursPerDay: count('Requests outside working hours per staff member per CST day'),
  crossDistrictPerDay: count("Attempts on another district (DISTRICT_FORBIDDEN, another district's filing) per staff member per CST day"),
  personFilingsPerDay: count("Distinct filings one person's blind index is seen on by one staff member per CST day"),
});

export const putMisuseRulesRequestSchema = misuseThresholdsSchema.extend({
  baseVersion: z.int().min(1).meta({ description: 'The version the change is made on: the `current.version` last read.' }),
});

export const misuseRulesSchema = misuseThresholdsSchema.extend({ version: z.int(), publishedAt: z.iso.datetime({ offset: true }), publishedBy: z.string() });
export const misuseRulesViewSchema = z.object({ current: misuseRulesSchema, history: z.array(misuseRulesSchema) });

export const misuseAlertSchema = z.object({
  alertId: z.string(),
  rule: z.enum(MISUSE_RULE_NAMES),
  staffId: z.string(),
  district: z.string(),
  at: z.iso.datetime({ offset: true }),
  count: z.int(),
  threshold: z.int(),
  rulesVersion: z.int(),
  endpoint: z.string(),
  filingId: z.string().optional(),
  incidentId: z.string().optional(),
});
export const misuseAlertListSchema = z.object({ items: z.array(misuseAlertSchema), nextCursor: z.string().optional() });

export const listAlertsQuerySchema = z.strictObject({
  district: z.string().regex(/^\d{6}$/).optional().meta({ description: "The caller's own district (the default); any other is 403 DISTRICT_FORBIDDEN." }),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(2048).optional(),
});

export { staffAccountPath } from './path-parameters';

export const unlockRequestSchema = z.strictObject({
  reason: freeTextSchema(500).pipe(z.string().min(4)).meta({ description: 'Why the account may work again (4–500 characters, no personal data: no ID or phone number, neither the holder’s nor the administrator’s name; `PERSONAL_DATA_IN_TEXT`). Audited.' }),
});
export const unlockResultSchema = z.object({ staffId: z.string(), status: z.literal('ACTIVE'), unlockedAt: z.iso.datetime({ offset: true }), alertId: z.string().optional() });
