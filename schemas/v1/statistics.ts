/**
 * The staff statistics API (002 五(二)4: statistics by district, time and business type, "to see at a
 * glance"; 002 三(一)6: each institution's channel use), v1. Figures come from day buckets the statistics
 * worker keeps from the lifecycle's effects (functions/core/domain/statistics.ts), never from a scan.
 * Counts only: no personal data, no free text.
 */
import { z } from 'zod';
import { BUSINESS_TYPES, INSTITUTION_TYPES } from '../../functions/core/domain/business-types';
import { CREDIT_GRADES } from '../../functions/core/domain/credit';
import { GRANULARITIES, PROCESSING_BUCKETS, STATISTIC_COUNTERS, type ProcessingBucket, type StatisticCounter } from '../../functions/core/domain/statistics';

const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const day = (description: string) =>
  z
    .string()
    .regex(DAY)
    .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s, 'not a calendar day')
    .meta({ description });

export const statisticsQuerySchema = z.strictObject({
  from: day('First CST day counted (`YYYY-MM-DD`).'),
  to: day('Last CST day counted (`YYYY-MM-DD`), inclusive; at most 400 days after `from`.'),
  granularity: z.enum(GRANULARITIES).default('day').meta({ description: 'Rows per day, ISO week (keyed by its Monday) or month (`YYYY-MM`).' }),
  district: z
    .string()
    .regex(/^\d{6}$/)
    .optional()
    .meta({ description: 'One district; without it, every district the caller may see (an administrator: their own).' }),
  businessType: z.enum(BUSINESS_TYPES).optional(),
  format: z.enum(['json', 'csv']).default('json').meta({ description: '`csv`: the rows as `text/csv` (UTF-8 with BOM, for spreadsheets).' }),
});
export type StatisticsQuery = z.output<typeof statisticsQuerySchema>;

export const channelStatisticsQuerySchema = z.strictObject({
  from: day('First CST day counted.'),
  to: day('Last CST day counted, inclusive; at most 400 days after `from`.'),
  granularity: z.enum(GRANULARITIES).default('day'),
  institutionType: z.enum(INSTITUTION_TYPES).optional(),
  institutionId: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/)
    .optional(),
  channelId: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/)
    .optional(),
  format: z.enum(['json', 'csv']).default('json'),
});
export type ChannelStatisticsQuery = z.output<typeof channelStatisticsQuerySchema>;

const count = z.int().min(0);
export const countsSchema = z
  .strictObject(Object.fromEntries(STATISTIC_COUNTERS.map((c) => [c, count])) as Record<StatisticCounter, typeof count>)
  .meta({ description: 'Counts of filings (`certifiedSeconds`: the sum of seconds from submission to certificate over `certified`).' });
export const histogramSchema = z
  .strictObject(Object.fromEntries(PROCESSING_BUCKETS.map((b) => [b, count])) as Record<ProcessingBucket, typeof count>)
  .meta({ description: 'Certified filings by time from submission to certificate: <1 h, <4 h, <1 d, <3 d, <7 d, <30 d, ≥30 d.' });
export const ratesSchema = z.strictObject({
  refusalRate: z.number().min(0).max(1).meta({ description: 'refused / (accepted + refused).' }),
  correctionRate: z.number().min(0).max(1).meta({ description: 'correctionRequired / (accepted + refused + correctionRequired).' }),
  overdueRate: z.number().min(0).max(1).meta({ description: 'correctionOverdue / correctionRequired.' }),
  meanHoursToCertificate: z.number().min(0).optional(),
});

export const filingStatisticsRowSchema = z.strictObject({
  period: z.string().meta({ description: 'The day, the Monday of the week, or the month.' }),
  district: z.string(),
  businessType: z.enum(BUSINESS_TYPES),
  counts: countsSchema,
  processing: histogramSchema,
});

export const filingStatisticsSchema = z.strictObject({
  from: z.string(),
  to: z.string(),
  granularity: z.enum(GRANULARITIES),
  districts: z.array(z.string()).meta({ description: 'The districts counted.' }),
  periods: z.array(z.string()).meta({ description: 'Every period of the range, oldest first (rows exist only where something was counted).' }),
  rows: z.array(filingStatisticsRowSchema).meta({ description: 'One row per period, district and business type with any count, oldest first.' }),
  totals: z.strictObject({
    counts: countsSchema,
    rates: ratesSchema,
    processing: histogramSchema,
    byDistrict: z.array(z.strictObject({ district: z.string(), counts: countsSchema, rates: ratesSchema })),
    byBusinessType: z.array(z.strictObject({ businessType: z.enum(BUSINESS_TYPES), counts: countsSchema, rates: ratesSchema, processing: histogramSchema })),
  }),
  asOf: z.string().meta({ description: 'When the figures were read; events still in the queue are not in them yet (seconds behind at most, normally).' }),
});
export type FilingStatistics = z.output<typeof filingStatisticsSchema>;

const distribution = z.strictObject({ min: z.number(), p25: z.number(), median: z.number(), p75: z.number(), max: z.number() });

export const channelStatisticsRowSchema = z.strictObject({
  channelId: z.string(),
  institutionId: z.string(),
  institutionType: z.enum(INSTITUTION_TYPES),
  branchName: z.string().optional(),
  counts: countsSchema,
  rates: ratesSchema,
  /** From the channel's credit state, as it is now. */
  score: z.number().optional(),
  grade: z.enum(CREDIT_GRADES).optional(),
  signatureFailureEvents: count.meta({ description: 'SIGNATURE_FAILURES ledger events in the range (each one a burst of failed signatures or replays).' }),
  series: z
    .array(z.strictObject({ period: z.string(), counts: countsSchema }))
    .meta({ description: 'The channel’s counts per period (only periods with a count).' }),
  scoreHistory: z
    .array(z.strictObject({ day: z.string(), score: z.number() }))
    .meta({
      description:
        'The score at the end of each CST day of the range on which a ledger event was recorded, derived from the ledger by the rules in force (as the credit worker derives it), oldest first; the day before the range opens it.',
    }),
});

export const channelStatisticsSchema = z.strictObject({
  from: z.string(),
  to: z.string(),
  granularity: z.enum(GRANULARITIES),
  periods: z.array(z.string()),
  channels: z.array(channelStatisticsRowSchema).meta({ description: 'Channels with any count in the range or a credit record, lowest score first.' }),
  thresholds: z
    .strictObject({ rulesVersion: z.int().min(1), startScore: z.number(), watchBelow: z.number(), shutOffBelow: z.number(), probationShutOffBelow: z.number() })
    .meta({ description: 'The credit rules in force: the score bands of the grades.' }),
  peers: z
    .array(
      z.strictObject({
        institutionType: z.enum(INSTITUTION_TYPES),
        institutions: count,
        distribution: z.strictObject({ refusalRate: distribution, correctionRate: distribution, overdueRate: distribution }).optional(),
        withheld: z.literal('TOO_FEW_PEERS').optional(),
      }),
    )
    .meta({ description: 'Per institution type: the anonymised distribution of the institutions’ rates (shown from 5 institutions).' }),
  asOf: z.string(),
});
export type ChannelStatistics = z.output<typeof channelStatisticsSchema>;
