/**
 * GET /v1/filings/{filingId}: one filing with its history. Personal data is masked before it reaches
 * this schema (002 五(一): masked on every display); the schema only says masked strings come back.
 *
 * Every business type answers the same envelope: its people and organisations under `parties`, its
 * business terms (amounts, dates, ids, contract numbers) under `terms`. Which parties and which terms a
 * filing has depends on its `businessType` ({@link FILING_VIEW_SHAPES}); the refinement below holds a
 * view to the shapes of its type.
 */
import { z } from 'zod';
import { BUSINESS_TYPES, type BusinessType } from '../../functions/core/domain/business-types';
import { DEPARTMENT_KINDS, RESULT_KINDS, RESULT_OUTCOMES } from '../../functions/core/domain/coordination';
import { FILING_STATUSES } from '../../functions/core/domain/filing';
import { DISCHARGE_REASONS } from './filings/mortgage-discharge';

const timestamp = z.iso.datetime({ offset: true });
const date = z.iso.date();
const fen = (description: string) => z.string().regex(/^[1-9]\d*$/).meta({ description: `${description} in integer fen, as a decimal string.` });

export const historyEntrySchema = z.object({
  at: timestamp,
  status: z.enum(FILING_STATUSES),
  by: z.string().meta({ description: 'Who made the transition, e.g. `channel:<id>` or `worker:intake`.' }),
  reasonCode: z.string().optional(),
  note: z.string().optional(),
});

// ---------------------------------------------------------------------------------------------------
// Parties

export const maskedPersonSchema = z.object({
  name: z.string().meta({ description: 'Masked, e.g. `张*丰`.' }),
  idType: z.literal('RESIDENT_ID'),
  idNumber: z.string().meta({ description: 'Masked, e.g. `3701**********1234`.' }),
  phone: z.string().optional().meta({ description: 'Masked, e.g. `138****5678`.' }),
});

/** Organisations are not personal data and are shown as filed. */
export const organisationViewSchema = z.object({ name: z.string(), uscc: z.string() });

const persons = z.array(maskedPersonSchema);

/** The parties of a filing; which are present depends on the business type. */
export const filingPartiesSchema = z.object({
  mortgagors: persons.optional().meta({ description: 'MORTGAGE_CREATE, MORTGAGE_CHANGE: the owners who mortgage (or consent to the change).' }),
  buyers: persons.optional().meta({ description: 'PRESALE_MORTGAGE_NOTICE, PRESALE_NOTICE, TRANSFER_NEW, TRANSFER_RESALE.' }),
  sellers: persons.optional().meta({ description: 'TRANSFER_RESALE: the owners who sell.' }),
  mortgagee: organisationViewSchema.optional().meta({ description: 'MORTGAGE_CREATE, PRESALE_MORTGAGE_NOTICE: the bank.' }),
  seller: organisationViewSchema.optional().meta({ description: 'PRESALE_NOTICE: the developer.' }),
});

// ---------------------------------------------------------------------------------------------------
// Terms

/** MORTGAGE_CREATE and PRESALE_MORTGAGE_NOTICE. */
export const mortgageTermsSchema = z.object({
  mortgageType: z.enum(['GENERAL', 'MAXIMUM']),
  amountFen: fen('Secured amount'),
  termStart: date,
  termEnd: date,
});

/** MORTGAGE_CHANGE: the mortgage and what changes (at least one of the two). */
export const mortgageChangeTermsSchema = z.object({
  mortgageId: z.string(),
  change: z.object({ amountFen: fen('New secured amount').optional(), termEnd: date.optional() }),
});

/** MORTGAGE_DISCHARGE. */
export const mortgageDischargeTermsSchema = z.object({ mortgageId: z.string(), reason: z.enum(DISCHARGE_REASONS) });

/** FIRST_REGISTRATION. */
export const firstRegistrationTermsSchema = z.object({ projectId: z.string(), completionRecordNo: z.string() });

/** PRESALE_NOTICE, TRANSFER_NEW and TRANSFER_RESALE: the filed sale contract. */
export const saleTermsSchema = z.object({ contractNo: z.string(), priceFen: fen('Contract price') });

/** The parties each business type has (all required for it) and its terms. */
export const FILING_VIEW_SHAPES = {
  MORTGAGE_CREATE: { parties: filingPartiesSchema.pick({ mortgagors: true, mortgagee: true }).required(), terms: mortgageTermsSchema },
  MORTGAGE_CHANGE: { parties: filingPartiesSchema.pick({ mortgagors: true }).required(), terms: mortgageChangeTermsSchema },
  MORTGAGE_DISCHARGE: { parties: filingPartiesSchema.pick({}), terms: mortgageDischargeTermsSchema },
  PRESALE_MORTGAGE_NOTICE: { parties: filingPartiesSchema.pick({ buyers: true, mortgagee: true }).required(), terms: mortgageTermsSchema },
  FIRST_REGISTRATION: { parties: filingPartiesSchema.pick({}), terms: firstRegistrationTermsSchema },
  PRESALE_NOTICE: { parties: filingPartiesSchema.pick({ buyers: true, seller: true }).required(), terms: saleTermsSchema },
  TRANSFER_NEW: { parties: filingPartiesSchema.pick({ buyers: true }).required(), terms: saleTermsSchema },
  TRANSFER_RESALE: { parties: filingPartiesSchema.pick({ sellers: true, buyers: true }).required(), terms: saleTermsSchema },
} as const satisfies Record<BusinessType, { parties: z.ZodObject; terms: z.ZodObject }>;

export type FilingPartiesOf<T extends BusinessType> = z.output<(typeof FILING_VIEW_SHAPES)[T]['parties']>;
export type FilingTermsOf<T extends BusinessType> = z.output<(typeof FILING_VIEW_SHAPES)[T]['terms']>;

const filingTermsSchema = z
  .union([mortgageTermsSchema, mortgageChangeTermsSchema, mortgageDischargeTermsSchema, firstRegistrationTermsSchema, saleTermsSchema])
  .meta({
    description:
      'The business terms, by businessType: MORTGAGE_CREATE and PRESALE_MORTGAGE_NOTICE `{ mortgageType, amountFen, termStart, termEnd }`; ' +
      'MORTGAGE_CHANGE `{ mortgageId, change: { amountFen?, termEnd? } }`; MORTGAGE_DISCHARGE `{ mortgageId, reason }`; ' +
      'FIRST_REGISTRATION `{ projectId, completionRecordNo }`; PRESALE_NOTICE, TRANSFER_NEW and TRANSFER_RESALE `{ contractNo, priceFen }`.',
  });

// ---------------------------------------------------------------------------------------------------
// Coordination (DESIGN.md §3, §7b)

const answerSchema = z.object({ at: timestamp, outcome: z.enum(RESULT_OUTCOMES), reasonCode: z.string().optional(), reference: z.string().optional() });

export const coordinationRequestViewSchema = z.object({
  requestId: z.string(),
  kind: z.enum(RESULT_KINDS).meta({ description: 'CONTRACT_FILING (网签备案), TAX_CLEARANCE (完税) or COMPLETION_RECORD (竣工验收备案).' }),
  departmentKind: z.enum(DEPARTMENT_KINDS),
  departmentId: z.string().optional().meta({ description: 'The department the request was delivered to.' }),
  requestedAt: timestamp,
  state: z.enum(['REQUESTED', ...RESULT_OUTCOMES, 'CANCELLED']).meta({ description: 'REQUESTED (no answer yet), PENDING, CONFIRMED, REJECTED, or CANCELLED by the registry.' }),
  deliveredAt: timestamp.optional(),
  failedAttempts: z
    .number()
    .int()
    .optional()
    .meta({ description: 'Failed delivery attempts so far for this request — of the request itself, its cancellation or the registration result (the department unreachable, 5xx); delivery is retried with backoff.' }),
  lastFailure: z.string().optional(),
  lastFailureAt: timestamp.optional(),
  answeredAt: timestamp.optional(),
  reasonCode: z.string().optional().meta({ description: "The department's reason code of its last answer (e.g. TAX_UNPAID, CONTRACT_NOT_FILED)." }),
  reference: z.string().optional().meta({ description: "The department's reference (a contract filing number, a tax voucher number)." }),
  answers: z.array(answerSchema).meta({ description: 'Every distinct answer, in order.' }),
  cancelledAt: timestamp.optional(),
  registrationDeliveredAt: timestamp.optional().meta({ description: 'When the registration result was delivered to the department.' }),
});

export const coordinationViewSchema = z
  .object({
    startedAt: timestamp,
    deadline: timestamp.meta({ description: 'After this the filing shows on the staff worklist as overdue (default 30 days).' }),
    overdue: z.boolean(),
    requests: z.array(coordinationRequestViewSchema),
  })
  .meta({ description: 'Present on filings whose business type needs department results: what was asked of whom, when, and what came back.' });

// ---------------------------------------------------------------------------------------------------
// The view

const LEGACY_FIELDS = ['mortgage', 'mortgagors', 'mortgagee'] as const;

export const filingViewSchema = z
  .object({
    filingId: z.string(),
    clientRef: z.string(),
    batchId: z.string(),
    businessType: z.enum(BUSINESS_TYPES),
    unitCode: z.string(),
    status: z.enum(FILING_STATUSES),
    reasonCode: z.string().optional().meta({ description: 'Why the filing was refused or needs correction, e.g. `UNIT_SEIZED`.' }),
    missingMaterials: z.array(z.string()).optional().meta({ description: 'Material types still required (CORRECTION_REQUIRED).' }),
    correctionDeadline: date.optional().meta({ description: 'Last day (China Standard Time) to send the missing materials.' }),
    createdAt: timestamp,
    updatedAt: timestamp,
    parties: filingPartiesSchema.meta({ description: 'The people (masked) and organisations of the filing; which are present depends on businessType.' }),
    terms: filingTermsSchema,
    materials: z.array(z.object({ type: z.string(), ref: z.string(), sm3: z.string() })),
    history: z.array(historyEntrySchema),
    coordination: coordinationViewSchema.optional(),
    // v1 as first published (MORTGAGE_CREATE only); kept so that existing integrations keep working.
    mortgage: mortgageTermsSchema.optional().meta({ deprecated: true, description: 'Deprecated: use `terms`. Present for MORTGAGE_CREATE only.' }),
    mortgagors: persons.optional().meta({ deprecated: true, description: 'Deprecated: use `parties.mortgagors`. Present for MORTGAGE_CREATE only.' }),
    mortgagee: organisationViewSchema
      .optional()
      .meta({ deprecated: true, description: 'Deprecated: use `parties.mortgagee`. Present for MORTGAGE_CREATE only.' }),
  })
  .superRefine(
    (view, ctx) => {
      const shape = FILING_VIEW_SHAPES[view.businessType];
      const expected = { parties: shape.parties.strict(), terms: shape.terms.strict() };
      for (const key of ['parties', 'terms'] as const) {
        if (!expected[key].safeParse(view[key]).success) {
          ctx.addIssue({ code: 'custom', path: [key], message: `Not the ${key} of a ${view.businessType} filing.` });
        }
      }
      const legacyPresent = view.businessType === 'MORTGAGE_CREATE';
      for (const key of LEGACY_FIELDS) {
        if ((view[key] !== undefined) !== legacyPresent) {
          ctx.addIssue({ code: 'custom', path: [key], message: `Present for MORTGAGE_CREATE filings only.` });
        }
      }
    },
  );

export type FilingView = z.output<typeof filingViewSchema>;
