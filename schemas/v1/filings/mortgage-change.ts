/**
 * MORTGAGE_CHANGE (抵押权变更登记): a bank changes the amount or the term of a mortgage it holds
 * (002 三(一)6). The mortgagors are the owners consenting to the change; intake checks that the
 * mortgage exists and is held by the filing bank (DESIGN.md §3).
 */
import { z } from 'zod';
import { dateSchema, moneySchema } from '../../identifiers';
import { filingHeader, issueAt, materialsSchemaFor, mortgageIdSchema, personListSchema } from './parties';

/** What changes; at least one of the two (CHANGE_EMPTY otherwise). */
const changeSchema = z
  .strictObject({
    amount: moneySchema.optional().meta({ description: 'New secured amount: integer fen as a number, or yuan as a decimal string.' }),
    termEnd: dateSchema.optional().meta({ description: 'New last day of the term.' }),
  })
  .superRefine(
    (change, ctx) => {
      const { amount, termEnd } = change as { amount?: unknown; termEnd?: unknown };
      if (amount === undefined && termEnd === undefined) {
        ctx.addIssue(issueAt([], 'CHANGE_EMPTY', 'Name at least one change: amount or termEnd.'));
      }
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null && !Array.isArray(payload.value) },
  )
  .transform(({ amount, termEnd }): { amountFen?: string; termEnd?: string } => ({
    ...(amount === undefined ? {} : { amountFen: amount }),
    ...(termEnd === undefined ? {} : { termEnd }),
  }));

export const mortgageChangeFilingSchema = z.strictObject({
  ...filingHeader('MORTGAGE_CHANGE'),
  mortgageId: mortgageIdSchema,
  mortgagors: personListSchema('mortgagors'),
  change: changeSchema,
  materials: materialsSchemaFor('MORTGAGE_CHANGE'),
});

export type MortgageChangeFilingInput = z.input<typeof mortgageChangeFilingSchema>;
export type MortgageChangeFiling = z.output<typeof mortgageChangeFilingSchema>;
