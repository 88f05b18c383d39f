/**
 * The statistics queue message, version 1 (002 五(二)4; functions/core/domain/statistics.ts): one status
 * change of one filing — ids, codes and times, never personal data. `eventId` is the progress event's
 * (`<filingId>:<history length>`), so the worker counts an event delivered twice once. The object is
 * strict: a new shape is a new version with its own fixture.
 */
import { z } from 'zod';
import { BUSINESS_TYPES, INSTITUTION_TYPES } from '../../functions/core/domain/business-types';
import { FILING_STATUSES } from '../../functions/core/domain/filing';
import type { StatisticsEvent } from '../../functions/core/domain/statistics';

const ID = /^[A-Za-z0-9._:#-]{1,160}$/;
const CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

export const statisticsMessageV1Schema = z.strictObject({
  v: z.literal(1),
  eventId: z.string().regex(ID),
  filingId: z.string().regex(ID),
  district: z.string().regex(/^\d{6}$/),
  institutionId: z.string().regex(ID),
  institutionType: z.enum(INSTITUTION_TYPES).optional(),
  channelId: z.string().regex(ID),
  businessType: z.enum(BUSINESS_TYPES),
  from: z.enum(FILING_STATUSES),
  to: z.enum(FILING_STATUSES),
  at: z.iso.datetime({ offset: true }),
  submittedAt: z.iso.datetime({ offset: true }),
  first: z.boolean(),
  reasonCode: z.string().regex(CODE).optional(),
});

export type StatisticsMessageV1 = z.output<typeof statisticsMessageV1Schema>;

// Compile-time guards: the message and the domain's StatisticsEvent describe the same thing, both ways.
const _messageIsEvent = (message: StatisticsMessageV1): StatisticsEvent => message;
const _eventIsMessage = (event: StatisticsEvent): StatisticsMessageV1 => event;

export const formatStatisticsMessage = (event: StatisticsEvent): string => JSON.stringify(statisticsMessageV1Schema.parse(event));

/** Parses an SQS message body; throws an Error naming what is wrong (never the body's content). */
export function parseStatisticsMessage(body: string): StatisticsMessageV1 {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Error('Statistics message body is not valid JSON');
  }
  const result = statisticsMessageV1Schema.safeParse(json);
  if (!result.success) {
    const where = result.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.code}`).join('; ');
    throw new Error(`Statistics message does not match statistics.v1 (${where})`);
  }
  return result.data;
}
