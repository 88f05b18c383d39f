/**
 * Filing statistics (002 五(二)4: 按区县、时间、业务类型统计; 002 三(一)6: track and count each institution's
 * channel use), kept incrementally from the lifecycle's effects, never counted by scanning on request.
 *
 * Every status-changing transition has a `statistics` effect (lifecycle.ts) that sends one
 * {@link StatisticsEvent} to the `statistics` queue. The statistics worker turns it into contributions
 * ({@link contributionsOf}) and adds each to a day bucket — a district's (by business type) and the city's
 * channels' (by channel) — remembering in the bucket which events it holds, so an event delivered twice,
 * or performed again after a crash, counts once. Week and month figures are sums of day buckets.
 */
import type { BusinessType, InstitutionType } from './business-types';
import type { FilingStatus } from './filing';
import { isOutOfScope } from './intake-rules';
import { cstDate } from './working-days';

/** The counters kept per bucket. All are counts of filings, except the processing-time sums. */
export const STATISTIC_COUNTERS = [
  /** Filings submitted (counted on the day of submission, once intake has seen them). */
  'submitted',
  'accepted',
  /** Refused at intake (irregular filings), by a department, or after an overdue correction. */
  'refused',
  /** Refusals for acting outside the institution's scope (a subset of `refused`). */
  'outOfScope',
  'correctionRequired',
  'corrected',
  /** Corrections not made by their deadline (refused as overdue; a subset of `refused`). */
  'correctionOverdue',
  /** Held for manual intake because the channel was on WATCH or PROBATION. */
  'intakeReview',
  'reviewRefused',
  'registered',
  'certified',
  'withdrawn',
  /** Sum of seconds from submission to certificate, over `certified`. */
  'certifiedSeconds',
] as const;
export type StatisticCounter = (typeof STATISTIC_COUNTERS)[number];
export type Counts = Readonly<Record<StatisticCounter, number>>;

export const NO_COUNTS: Counts = Object.fromEntries(STATISTIC_COUNTERS.map((c) => [c, 0])) as Counts;

/**
 * Processing time (submission to certificate) in buckets, so that a chart can show its spread and a median
 * can be read off: under 1 hour, 4 hours, 1 day, 3 days, 7 days, 30 days, and longer.
 */
export const PROCESSING_BUCKETS = ['lt1h', 'lt4h', 'lt1d', 'lt3d', 'lt7d', 'lt30d', 'ge30d'] as const;
export type ProcessingBucket = (typeof PROCESSING_BUCKETS)[number];
const BUCKET_LIMITS_SECONDS = [3_600, 4 * 3_600, 86_400, 3 * 86_400, 7 * 86_400, 30 * 86_400] as const;

export function processingBucketOf(seconds: number): ProcessingBucket {
  const index = BUCKET_LIMITS_SECONDS.findIndex((limit) => seconds < limit);
  return PROCESSING_BUCKETS[index === -1 ? PROCESSING_BUCKETS.length - 1 : index]!;
}

/** The message of the `statistics` queue (v1): one status change of one filing; ids and codes only. */
export interface StatisticsEvent {
  readonly v: 1;
  /** `<filingId>:<history length>`, as the progress event: stable, so a redelivery is recognised. */
  readonly eventId: string;
  readonly filingId: string;
  readonly district: string;
  readonly institutionId: string;
  /** Absent on filings stored before the institution's kind was recorded. */
  readonly institutionType?: InstitutionType;
  readonly channelId: string;
  readonly businessType: BusinessType;
  readonly from: FilingStatus;
  readonly to: FilingStatus;
  readonly at: string;
  /** When the filing was submitted (its first history entry). */
  readonly submittedAt: string;
  /** Whether this is the filing's first transition (it counts the submission). */
  readonly first: boolean;
  readonly reasonCode?: string;
}

/** One addition to one day bucket, with the key it is remembered by in that bucket. */
export interface Contribution {
  /** CST day, `YYYY-MM-DD`. */
  readonly day: string;
  /** Unique per event and part: `<eventId>` or `<eventId>:submitted`. */
  readonly key: string;
  readonly counts: Partial<Counts>;
  readonly processing?: ProcessingBucket;
}

const CORRECTION_OVERDUE_CODES: readonly string[] = ['CORRECTION_OVERDUE'];

/** What one status change adds to the statistics (the submission on its own day, the outcome on the event's). */
export function contributionsOf(event: StatisticsEvent): Contribution[] {
  const day = cstDate(new Date(event.at));
  const out: Contribution[] = [];
  if (event.first) out.push({ day: cstDate(new Date(event.submittedAt)), key: `${event.eventId}:submitted`, counts: { submitted: 1 } });
  const counts: Partial<Record<StatisticCounter, number>> = {};
  let processing: ProcessingBucket | undefined;
  switch (event.to) {
    case 'ACCEPTED':
      counts.accepted = 1;
      break;
    case 'REFUSED':
      counts.refused = 1;
      if (event.reasonCode !== undefined && isOutOfScope(event.reasonCode)) counts.outOfScope = 1;
      if (event.reasonCode !== undefined && CORRECTION_OVERDUE_CODES.includes(event.reasonCode)) counts.correctionOverdue = 1;
      break;
    case 'CORRECTION_REQUIRED':
      counts.correctionRequired = 1;
      break;
    case 'INTAKE_REVIEW':
      counts.intakeReview = 1;
      break;
    case 'REVIEW_REFUSED':
      counts.reviewRefused = 1;
      break;
    case 'REGISTERED':
      counts.registered = 1;
      break;
    case 'CERTIFIED': {
      const seconds = Math.max(0, Math.round((Date.parse(event.at) - Date.parse(event.submittedAt)) / 1000));
      counts.certified = 1;
      counts.certifiedSeconds = seconds;
      processing = processingBucketOf(seconds);
      break;
    }
    case 'WITHDRAWN':
      counts.withdrawn = 1;
      break;
    default:
      break;
  }
  // A corrected filing goes back to intake (CORRECTION_REQUIRED → SUBMITTED).
  if (event.from === 'CORRECTION_REQUIRED' && event.to === 'SUBMITTED') counts.corrected = 1;
  if (Object.keys(counts).length > 0) out.push({ day, key: event.eventId, counts, ...(processing ? { processing } : {}) });
  return out;
}

export function addCounts(a: Counts, b: Partial<Counts>): Counts {
  const out = { ...a } as Record<StatisticCounter, number>;
  for (const [k, v] of Object.entries(b) as [StatisticCounter, number][]) out[k] = (out[k] ?? 0) + v;
  return out;
}

export type Histogram = Readonly<Record<ProcessingBucket, number>>;
export const NO_HISTOGRAM: Histogram = Object.fromEntries(PROCESSING_BUCKETS.map((b) => [b, 0])) as Histogram;
export function addHistogram(a: Histogram, b: Partial<Histogram>): Histogram {
  const out = { ...a } as Record<ProcessingBucket, number>;
  for (const [k, v] of Object.entries(b) as [ProcessingBucket, number][]) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** A figure's rates, from its counts (0 when nothing was decided). */
export function ratesOf(counts: Counts): { refusalRate: number; correctionRate: number; overdueRate: number; meanHoursToCertificate?: number } {
  const decided = counts.accepted + counts.refused;
  const withCorrections = decided + counts.correctionRequired;
  const round4 = (n: number): number => Math.round(n * 10_000) / 10_000;
  return {
    refusalRate: decided === 0 ? 0 : round4(counts.refused / decided),
    correctionRate: withCorrections === 0 ? 0 : round4(counts.correctionRequired / withCorrections),
    overdueRate: counts.correctionRequired === 0 ? 0 : round4(counts.correctionOverdue / counts.correctionRequired),
    ...(counts.certified > 0 ? { meanHoursToCertificate: Math.round((counts.certifiedSeconds / counts.certified / 3600) * 10) / 10 } : {}),
  };
}

export const GRANULARITIES = ['day', 'week', 'month'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** The period a CST day belongs to: the day itself, the Monday of its ISO week, or `YYYY-MM`. */
export function periodOf(day: string, granularity: Granularity): string {
  if (granularity === 'day') return day;
  if (granularity === 'month') return day.slice(0, 7);
  const date = new Date(`${day}T00:00:00Z`);
  const weekday = (date.getUTCDay() + 6) % 7; // Monday = 0
  return new Date(date.getTime() - weekday * 86_400_000).toISOString().slice(0, 10);
}

/** A day bucket of the statistics: a district's (groups: business types) or the city's channels' (groups: channel ids). */
export interface StatisticsBucketRef {
  readonly scope: 'district' | 'channels';
  /** The district; `city` for the channels' buckets. */
  readonly id: string;
  /** CST day, `YYYY-MM-DD`. */
  readonly day: string;
  /** Buckets are split by filing, so that no one item holds a busy day's every event. */
  readonly shard: number;
}

/** What a bucket holds for one group. */
export interface StatisticsGroup {
  readonly counts: Counts;
  readonly processing: Histogram;
  /** Channels' buckets: the channel's institution. */
  readonly institutionId?: string;
  readonly institutionType?: InstitutionType;
}

/** One contribution to add to a bucket, remembered there by `key` so it is added once. */
export interface StatisticsAddition {
  readonly key: string;
  readonly group: string;
  readonly counts: Partial<Counts>;
  readonly processing?: ProcessingBucket;
  readonly institutionId?: string;
  readonly institutionType?: InstitutionType;
}

/** A day's figures of one scope, all shards summed by the reader. */
export interface StatisticsDay {
  readonly day: string;
  readonly groups: Readonly<Record<string, StatisticsGroup>>;
}

/** Shards per day bucket (by filing): a busy district's day stays far below DynamoDB's 400 KB item limit. */
export const STATISTICS_SHARDS = 4;

/** The shard of a filing: a stable hash of its id (FNV-1a). */
export function shardOf(filingId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < filingId.length; i++) {
    hash ^= filingId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % STATISTICS_SHARDS;
}

/** The channels' buckets are city-wide: one scope id. */
export const CITY = 'city';

/** Where each of an event's contributions goes: its district's bucket (by business type) and the channels' (by channel). */
export function placementsOf(event: StatisticsEvent): { readonly bucket: StatisticsBucketRef; readonly addition: StatisticsAddition }[] {
  const shard = shardOf(event.filingId);
  return contributionsOf(event).flatMap((c) => [
    {
      bucket: { scope: 'district' as const, id: event.district, day: c.day, shard },
      addition: { key: c.key, group: event.businessType, counts: c.counts, ...(c.processing ? { processing: c.processing } : {}) },
    },
    {
      bucket: { scope: 'channels' as const, id: CITY, day: c.day, shard },
      addition: {
        key: c.key,
        group: event.channelId,
        counts: c.counts,
        ...(c.processing ? { processing: c.processing } : {}),
        institutionId: event.institutionId,
        ...(event.institutionType ? { institutionType: event.institutionType } : {}),
      },
    },
  ]);
}

/** Adds an addition to a group (a new group starts from nothing). */
export function addToGroup(group: StatisticsGroup | undefined, addition: StatisticsAddition): StatisticsGroup {
  return {
    counts: addCounts(group?.counts ?? NO_COUNTS, addition.counts),
    processing: addition.processing ? addHistogram(group?.processing ?? NO_HISTOGRAM, { [addition.processing]: 1 }) : (group?.processing ?? NO_HISTOGRAM),
    ...(addition.institutionId ?? group?.institutionId ? { institutionId: addition.institutionId ?? group?.institutionId } : {}),
    ...(addition.institutionType ?? group?.institutionType ? { institutionType: addition.institutionType ?? group?.institutionType } : {}),
  };
}

/** Sums two groups (shards of one day, days of one period). */
export function sumGroups(a: StatisticsGroup | undefined, b: StatisticsGroup): StatisticsGroup {
  return {
    counts: addCounts(a?.counts ?? NO_COUNTS, b.counts),
    processing: addHistogram(a?.processing ?? NO_HISTOGRAM, b.processing),
    ...(b.institutionId ?? a?.institutionId ? { institutionId: b.institutionId ?? a?.institutionId } : {}),
    ...(b.institutionType ?? a?.institutionType ? { institutionType: b.institutionType ?? a?.institutionType } : {}),
  };
}

/** Most days one request may cover (a bucket per district per day is read). */
export const MAX_STATISTICS_DAYS = 400;
