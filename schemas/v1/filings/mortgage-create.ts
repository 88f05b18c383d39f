/**
 * MORTGAGE_CREATE (抵押权首次登记): a bank registers a mortgage on a unit (002 三(一)6).
 *
 * The input is what a bank sends in a batch; the output is what the core receives: ID numbers
 * normalised, names trimmed, the amount converted to integer fen (`amountFen`). Missing required
 * materials are not a validation error: intake answers them with a correction request and a deadline
 * (DESIGN.md §3), so only material types outside the checklist are refused here.
 */
import { z } from 'zod';
import { MATERIAL_CHECKLISTS } from '../../../functions/core/domain/business-types';
import {
  clientRefSchema,
  dateSchema,
  materialItemSchemaFor,
  moneySchema,
  organisationNameSchema,
  personNameSchema,
  phoneSchema,
  residentIdSchema,
  unitCodeSchema,
  usccSchema,
} from '../../identifiers';

export const MAX_MORTGAGORS = 10;
export const MAX_MATERIALS = 50;

const checklist = MATERIAL_CHECKLISTS.MORTGAGE_CREATE ?? { required: [], optional: [] };
/** Material types a MORTGAGE_CREATE filing may carry: the checklist's required and optional types. */
export const MORTGAGE_CREATE_MATERIAL_TYPES: readonly string[] = [...checklist.required, ...checklist.optional];

export const mortgagorSchema = z.strictObject({
  name: personNameSchema,
  // Only resident IDs today; the field exists so that other document types can be added compatibly.
  idType: z.literal('RESIDENT_ID').default('RESIDENT_ID'),
  idNumber: residentIdSchema,
  phone: phoneSchema.optional(),
});

export const mortgageeSchema = z.strictObject({
  name: organisationNameSchema,
  uscc: usccSchema,
});

const issueAt = (path: (string | number)[], code: string, message: string) =>
  ({ code: 'custom', path, message, params: { code } }) as const;

/**
 * Runs even when some mortgagors have other problems, so the filer gets every error in one answer;
 * entries that are not (yet) well-formed are skipped. Compares normalised ID numbers (x → X).
 */
const mortgagorsSchema = z
  .array(mortgagorSchema)
  .min(1)
  .max(MAX_MORTGAGORS)
  .superRefine(
    (mortgagors: readonly unknown[], ctx) => {
      const seen = new Set<string>();
      mortgagors.forEach((m, i) => {
        const id = typeof m === 'object' && m !== null && 'idNumber' in m ? m.idNumber : undefined;
        if (typeof id !== 'string') return;
        const key = id.toUpperCase();
        if (seen.has(key)) {
          ctx.addIssue(issueAt([i, 'idNumber'], 'DUPLICATE_PERSON', 'The same person is listed more than once among the mortgagors.'));
        }
        seen.add(key);
      });
    },
    { when: (payload) => Array.isArray(payload.value) },
  );

const isDateString = (v: unknown): v is string => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v);

export const mortgageCreateFilingSchema = z
  .strictObject({
    clientRef: clientRefSchema,
    businessType: z.literal('MORTGAGE_CREATE'),
    unitCode: unitCodeSchema,
    mortgagors: mortgagorsSchema,
    mortgagee: mortgageeSchema,
    mortgageType: z.enum(['GENERAL', 'MAXIMUM']).meta({ description: 'GENERAL (一般抵押) or MAXIMUM (最高额抵押).' }),
    amount: moneySchema.meta({
      description: 'Secured amount (maximum amount for MAXIMUM): integer fen as a number, or yuan as a decimal string.',
    }),
    termStart: dateSchema,
    termEnd: dateSchema,
    materials: z.array(materialItemSchemaFor(MORTGAGE_CREATE_MATERIAL_TYPES)).max(MAX_MATERIALS),
  })
  .superRefine(
    (filing, ctx) => {
      // Runs whenever both dates are present and shaped, even if other fields failed.
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
  )
  .transform(({ amount, ...rest }) => ({ ...rest, amountFen: amount }));

export type MortgageCreateFilingInput = z.input<typeof mortgageCreateFilingSchema>;
export type MortgageCreateFiling = z.output<typeof mortgageCreateFilingSchema>;
