/**
 * MORTGAGE_CREATE (抵押权首次登记): a bank registers a mortgage on a unit (002 三(一)6).
 *
 * The input is what a bank sends in a batch; the output is what the core receives: ID numbers
 * normalised, names trimmed, the amount converted to integer fen (`amountFen`). Missing required
 * materials are not a validation error: intake answers them with a correction request and a deadline
 * (DESIGN.md §3), so only material types outside the checklist are refused here.
 */
import { z } from 'zod';
import { dateSchema, moneySchema } from '../../identifiers';
import {
  filingHeader,
  issueAt,
  MAX_MATERIALS,
  MAX_PERSONS,
  materialsSchemaFor,
  materialTypesOf,
  organisationSchema,
  personListSchema,
  personSchema,
} from './parties';

export { MAX_MATERIALS };
export const MAX_MORTGAGORS = MAX_PERSONS;

/** Material types a MORTGAGE_CREATE filing may carry: the checklist's required and optional types. */
export const MORTGAGE_CREATE_MATERIAL_TYPES: readonly string[] = materialTypesOf('MORTGAGE_CREATE');

/** A mortgagor is a {@link personSchema}; the name stays for callers written before the other types. */
export const mortgagorSchema = personSchema;
/** The mortgagee is an {@link organisationSchema}. */
export const mortgageeSchema = organisationSchema;

export const mortgageTypeSchema = z
  .enum(['GENERAL', 'MAXIMUM'])
  .meta({ description: 'GENERAL (一般抵押) or MAXIMUM (最高额抵押).' });

const isDateString = (v: unknown): v is string => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v);

/**
 * Adds TERM_ORDER to a filing with `termStart` and `termEnd`: the end must be after the start. Runs
 * whenever both dates are present and well-formed, even if other fields failed.
 */
export function withTermOrder<T extends z.ZodType>(schema: T): T {
  return schema.superRefine(
    (filing, ctx) => {
      const { termStart, termEnd } = filing as { termStart?: unknown; termEnd?: unknown };
      if (isDateString(termStart) && isDateString(termEnd) && termEnd <= termStart) {
        ctx.addIssue(issueAt(['termEnd'], 'TERM_ORDER', 'The end of the term must be after its start.'));
      }
    },
    {
      when: (payload) =>
        typeof payload.value === 'object' &&
        payload.value !== null &&
        !payload.issues.some((i) => i.path?.[0] === 'termStart' || i.path?.[0] === 'termEnd'),
    },
  );
}

/** The mortgage terms a MORTGAGE_CREATE and a PRESALE_MORTGAGE_NOTICE share. */
export const mortgageTermsShape = {
  mortgagee: organisationSchema,
  mortgageType: mortgageTypeSchema,
  amount: moneySchema.meta({
    description: 'Secured amount (maximum amount for MAXIMUM): integer fen as a number, or yuan as a decimal string.',
  }),
  termStart: dateSchema,
  termEnd: dateSchema,
};

export const mortgageCreateFilingSchema = withTermOrder(
  z.strictObject({
    ...filingHeader('MORTGAGE_CREATE'),
    mortgagors: personListSchema('mortgagors'),
    ...mortgageTermsShape,
    materials: materialsSchemaFor('MORTGAGE_CREATE'),
  }),
).transform(({ amount, ...rest }) => ({ ...rest, amountFen: amount }));

export type MortgageCreateFilingInput = z.input<typeof mortgageCreateFilingSchema>;
export type MortgageCreateFiling = z.output<typeof mortgageCreateFilingSchema>;
