/**
 * MORTGAGE_DISCHARGE (抵押权注销登记): a bank discharges a mortgage it holds (002 三(一)6). No
 * personal data: intake checks that the mortgage exists and is held by the filing bank (DESIGN.md §3).
 */
import { z } from 'zod';
import { filingHeader, materialsSchemaFor, mortgageIdSchema } from './parties';

export const DISCHARGE_REASONS = ['REPAID', 'WAIVED', 'COURT_ORDER', 'OTHER'] as const;

export const mortgageDischargeFilingSchema = z.strictObject({
  ...filingHeader('MORTGAGE_DISCHARGE'),
  mortgageId: mortgageIdSchema,
  reason: z.enum(DISCHARGE_REASONS).meta({
    description: 'REPAID (主债权消灭), WAIVED (抵押权人放弃), COURT_ORDER (法院判决) or OTHER.',
  }),
  materials: materialsSchemaFor('MORTGAGE_DISCHARGE'),
});

export type MortgageDischargeFilingInput = z.input<typeof mortgageDischargeFilingSchema>;
export type MortgageDischargeFiling = z.output<typeof mortgageDischargeFilingSchema>;
