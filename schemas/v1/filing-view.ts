/**
 * GET /v1/filings/{filingId}: one filing with its history. Personal data is masked before it reaches
 * this schema (002 五(一): masked on every display); the schema only says masked strings come back.
 */
import { z } from 'zod';
import { BUSINESS_TYPES } from '../../functions/core/domain/business-types';
import { FILING_STATUSES } from '../../functions/core/domain/filing';

const timestamp = z.iso.datetime({ offset: true });
const date = z.iso.date();

export const historyEntrySchema = z.object({
  at: timestamp,
  status: z.enum(FILING_STATUSES),
  by: z.string().meta({ description: 'Who made the transition, e.g. `channel:<id>` or `worker:intake`.' }),
  reasonCode: z.string().optional(),
  note: z.string().optional(),
});

export const filingViewSchema = z.object({
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
  mortgage: z.object({
    mortgageType: z.enum(['GENERAL', 'MAXIMUM']),
    amountFen: z.string().regex(/^[1-9]\d*$/).meta({ description: 'Secured amount in integer fen, as a decimal string.' }),
    termStart: date,
    termEnd: date,
  }),
  mortgagors: z.array(
    z.object({
      name: z.string().meta({ description: 'Masked, e.g. `张*丰`.' }),
      idType: z.literal('RESIDENT_ID'),
      idNumber: z.string().meta({ description: 'Masked, e.g. `3701**********1234`.' }),
      phone: z.string().optional().meta({ description: 'Masked, e.g. `138****5678`.' }),
    }),
  ),
  mortgagee: z.object({ name: z.string(), uscc: z.string() }),
  materials: z.array(z.object({ type: z.string(), ref: z.string(), sm3: z.string() })),
  history: z.array(historyEntrySchema),
});

export type FilingView = z.output<typeof filingViewSchema>;
