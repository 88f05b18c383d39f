/**
 * Statistics (002 五(二)4; 002 三(一)6): recording the lifecycle's status changes into day buckets, and
 * reading them back by district, period and business type, or by channel.
 *
 * Recording (the statistics worker), primary course:
 * 1. turn each event into its placements (its district's bucket and the channels' bucket, on the day of
 *    submission and the day of the change; functions/core/domain/statistics.ts);
 * 2. group the batch's placements by bucket, so each bucket is read and written once per batch;
 * 3. add each bucket's additions (the store skips the ones the bucket already holds);
 * 4. answer the messages whose bucket could not be written: they come back, and count once when they do.
 *
 * Reading never scans: a request reads the day buckets of its range, one query per district (or one for
 * the channels), and sums them into periods.
 */
import { distributionOf, MIN_PEER_GROUP, scoreOf, type LedgerEvent, type CreditState } from '../domain/credit';
import { INSTITUTION_TYPES, type BusinessType, type InstitutionType } from '../domain/business-types';
import { forbidden, unprocessable } from '../domain/errors';
import { hasRole, type StaffAccount } from '../domain/staff';
import {
  addCounts,
  addHistogram,
  CITY,
  MAX_STATISTICS_DAYS,
  NO_COUNTS,
  NO_HISTOGRAM,
  periodOf,
  placementsOf,
  ratesOf,
  sumGroups,
  type Counts,
  type Granularity,
  type Histogram,
  type StatisticsAddition,
  type StatisticsBucketRef,
  type StatisticsEvent,
  type StatisticsGroup,
} from '../domain/statistics';
import type { Clock, CreditRulesStore, CreditStore, StatisticsStore } from '../ports';
import type { ChannelStatistics, ChannelStatisticsQuery, FilingStatistics, StatisticsQuery } from '../../../schemas/v1/statistics';

// ---------------------------------------------------------------------------------------------------------
// Recording
// ---------------------------------------------------------------------------------------------------------

export interface IncomingStatisticsEvent {
  readonly messageId: string;
  readonly event: StatisticsEvent;
}

const bucketKey = (b: StatisticsBucketRef): string => `${b.scope}|${b.id}|${b.day}|${b.shard}`;

/** Adds a batch of events to their buckets; answers the message ids to report failed (their bucket could not be written). */
export async function recordStatistics(
  store: StatisticsStore,
  incoming: readonly IncomingStatisticsEvent[],
  onBucketFailed: (bucket: StatisticsBucketRef, error: unknown) => void = () => {},
): Promise<string[]> {
  const buckets = new Map<string, { bucket: StatisticsBucketRef; additions: StatisticsAddition[]; messages: Set<string> }>();
  for (const { messageId, event } of incoming) {
    for (const { bucket, addition } of placementsOf(event)) {
      const key = bucketKey(bucket);
      const entry = buckets.get(key) ?? { bucket, additions: [], messages: new Set<string>() };
      entry.additions.push(addition);
      entry.messages.add(messageId);
      buckets.set(key, entry);
    }
  }
  const failed = new Set<string>();
  for (const { bucket, additions, messages } of buckets.values()) {
    try {
      await store.add(bucket, additions);
    } catch (error) {
      onBucketFailed(bucket, error);
      for (const id of messages) failed.add(id);
    }
  }
  return [...failed];
}

// ---------------------------------------------------------------------------------------------------------
// Reading: shared
// ---------------------------------------------------------------------------------------------------------

const DAY_MS = 86_400_000;

/** The CST days of the range, after checking it (422 RANGE_INVALID / RANGE_TOO_LARGE). */
export function daysOf(from: string, to: string): string[] {
  if (to < from) throw unprocessable('RANGE_INVALID', '`to` is before `from`.');
  const start = Date.parse(`${from}T00:00:00Z`);
  const count = Math.round((Date.parse(`${to}T00:00:00Z`) - start) / DAY_MS) + 1;
  if (count > MAX_STATISTICS_DAYS) throw unprocessable('RANGE_TOO_LARGE', `A request covers at most ${MAX_STATISTICS_DAYS} days.`);
  return Array.from({ length: count }, (_, i) => new Date(start + i * DAY_MS).toISOString().slice(0, 10));
}

const periodsOf = (days: readonly string[], granularity: Granularity): string[] => [...new Set(days.map((d) => periodOf(d, granularity)))];

/** Roles that watch the whole city's institutions: every district's figures. */
const CITY_WIDE_ROLES = ['AUDITOR', 'CREDIT_OFFICER'] as const;

// ---------------------------------------------------------------------------------------------------------
// Filings by district, period and business type
// ---------------------------------------------------------------------------------------------------------

export interface FilingStatisticsPorts {
  readonly store: StatisticsStore;
  /** The districts the register holds (the city's). */
  readonly districts: () => Promise<readonly string[]>;
  readonly clock: Clock;
}

/**
 * Filings by district, period and business type, primary course:
 * 1. check the range (at most 400 days) and which districts the caller may see: their own, or — auditors and
 *    credit officers — any, every one without `district`;
 * 2. read each district's day buckets of the range;
 * 3. sum them per period (day, ISO week, month), district and business type, and in totals.
 */
export async function filingStatistics(ports: FilingStatisticsPorts, staff: Pick<StaffAccount, 'role' | 'district'>, query: StatisticsQuery): Promise<FilingStatistics> {
  const days = daysOf(query.from, query.to);
  const cityWide = hasRole(staff, CITY_WIDE_ROLES);
  if (!cityWide && query.district !== undefined && query.district !== staff.district) {
    throw forbidden('DISTRICT_FORBIDDEN', "Staff of a district see only their own district's statistics.");
  }
  const districts = query.district !== undefined ? [query.district] : cityWide ? [...(await ports.districts())].sort() : [staff.district];
  const rows = new Map<string, { period: string; district: string; businessType: BusinessType; group: StatisticsGroup }>();
  for (const district of districts) {
    for (const { day, groups } of await ports.store.days('district', district, query.from, query.to)) {
      const period = periodOf(day, query.granularity);
      for (const [type, group] of Object.entries(groups)) {
        const businessType = type as BusinessType;
        if (query.businessType !== undefined && businessType !== query.businessType) continue;
        const key = `${period}|${district}|${businessType}`;
        rows.set(key, { period, district, businessType, group: sumGroups(rows.get(key)?.group, group) });
      }
    }
  }
  const ordered = [...rows.values()].sort((a, b) => cmp(a.period, b.period) || cmp(a.district, b.district) || cmp(a.businessType, b.businessType));
  let counts: Counts = NO_COUNTS;
  let processing: Histogram = NO_HISTOGRAM;
  const byDistrict = new Map<string, Counts>();
  const byType = new Map<BusinessType, { counts: Counts; processing: Histogram }>();
  for (const row of ordered) {
    counts = addCounts(counts, row.group.counts);
    processing = addHistogram(processing, row.group.processing);
    byDistrict.set(row.district, addCounts(byDistrict.get(row.district) ?? NO_COUNTS, row.group.counts));
    const t = byType.get(row.businessType);
    byType.set(row.businessType, { counts: addCounts(t?.counts ?? NO_COUNTS, row.group.counts), processing: addHistogram(t?.processing ?? NO_HISTOGRAM, row.group.processing) });
  }
  return {
    from: query.from,
    to: query.to,
    granularity: query.granularity,
    districts,
    periods: periodsOf(days, query.granularity),
    rows: ordered.map((r) => ({ period: r.period, district: r.district, businessType: r.businessType, counts: r.group.counts, processing: r.group.processing })),
    totals: {
      counts,
      rates: ratesOf(counts),
      processing,
      byDistrict: districts.map((district) => {
        const c = byDistrict.get(district) ?? NO_COUNTS;
        return { district, counts: c, rates: ratesOf(c) };
      }),
      byBusinessType: [...byType.entries()].sort(([a], [b]) => cmp(a, b)).map(([businessType, t]) => ({ businessType, counts: t.counts, rates: ratesOf(t.counts), processing: t.processing })),
    },
    asOf: ports.clock.now().toISOString(),
  };
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

// ---------------------------------------------------------------------------------------------------------
// Channels
// ---------------------------------------------------------------------------------------------------------

export interface ChannelStatisticsPorts {
  readonly store: StatisticsStore;
  readonly credit: Pick<CreditStore, 'statesOfType' | 'listEvents'>;
  readonly rules: Pick<CreditRulesStore, 'current'>;
  readonly clock: Clock;
}

/** Ledgers read at once (one query each). */
const LEDGER_READS_IN_PARALLEL = 8;

/** The end of a CST day, as an instant. */
const endOfCstDay = (day: string): Date => new Date(Date.parse(`${day}T00:00:00+08:00`) + DAY_MS - 1);
const cstDay = (iso: string): string => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 10);

/**
 * Each channel's behaviour, primary course:
 * 1. check the range; read the channels' day buckets of the range (one query) and the credit states of the
 *    institution types asked (one query per type);
 * 2. per channel: sum its counts over the range and per period; read its ledger from the rules' window before
 *    the range, count its signature-failure events in the range, and derive its score at the end of each day
 *    an event was recorded (the credit worker's own {@link scoreOf});
 * 3. per institution type: the distribution of the institutions' rates (their channels' counts summed),
 *    withheld below 5 institutions.
 */
export async function channelStatistics(ports: ChannelStatisticsPorts, query: ChannelStatisticsQuery): Promise<ChannelStatistics> {
  const days = daysOf(query.from, query.to);
  const rules = await ports.rules.current();
  const types: readonly InstitutionType[] = query.institutionType ? [query.institutionType] : INSTITUTION_TYPES;
  const [bucketDays, ...stateLists] = await Promise.all([
    ports.store.days('channels', CITY, query.from, query.to),
    ...types.map((type) => ports.credit.statesOfType(type, query.institutionId)),
  ]);
  const states = new Map<string, CreditState>((stateLists as CreditState[][]).flat().map((s) => [s.channelId, s]));

  const totals = new Map<string, StatisticsGroup>();
  const series = new Map<string, Map<string, Counts>>();
  for (const { day, groups } of bucketDays!) {
    const period = periodOf(day, query.granularity);
    for (const [channelId, group] of Object.entries(groups)) {
      totals.set(channelId, sumGroups(totals.get(channelId), group));
      const perPeriod = series.get(channelId) ?? new Map<string, Counts>();
      perPeriod.set(period, addCounts(perPeriod.get(period) ?? NO_COUNTS, group.counts));
      series.set(channelId, perPeriod);
    }
  }
  const channelIds = [...new Set([...totals.keys(), ...states.keys()])].filter((id) => {
    const state = states.get(id);
    const figures = totals.get(id);
    const institutionType = state?.institutionType ?? figures?.institutionType;
    const institutionId = state?.institutionId ?? figures?.institutionId;
    if (institutionType === undefined || institutionId === undefined) return false;
    if (!types.includes(institutionType)) return false;
    if (query.institutionId !== undefined && institutionId !== query.institutionId) return false;
    if (query.channelId !== undefined && id !== query.channelId) return false;
    return true;
  });

  const since = new Date(Date.parse(`${query.from}T00:00:00+08:00`) - rules.windowDays * DAY_MS).toISOString();
  const ledgers = await mapLimited(channelIds, LEDGER_READS_IN_PARALLEL, (id) => ports.credit.listEvents(id, since));
  const rangeStart = Date.parse(`${query.from}T00:00:00+08:00`);
  const rangeEnd = endOfCstDay(query.to).getTime();

  const channels = channelIds.map((channelId, i) => {
    const state = states.get(channelId);
    const figures = totals.get(channelId);
    const counts = figures?.counts ?? NO_COUNTS;
    const events = ledgers[i]!;
    const recorded = (e: LedgerEvent): string => e.recordedAt ?? e.at;
    const inRange = (iso: string): boolean => Date.parse(iso) >= rangeStart && Date.parse(iso) <= rangeEnd;
    const changeDays = [...new Set(events.filter((e) => inRange(recorded(e))).map((e) => cstDay(recorded(e))))].sort();
    const before = cstDay(new Date(rangeStart - 1).toISOString());
    const scoreAt = (day: string): number => {
      const end = endOfCstDay(day);
      return scoreOf(events.filter((e) => Date.parse(recorded(e)) <= end.getTime()), rules, end);
    };
    return {
      channelId,
      institutionId: (state?.institutionId ?? figures?.institutionId)!,
      institutionType: (state?.institutionType ?? figures?.institutionType)!,
      ...(state?.branchName !== undefined ? { branchName: state.branchName } : {}),
      counts,
      rates: ratesOf(counts),
      ...(state ? { score: state.score, grade: state.grade } : {}),
      signatureFailureEvents: events.filter((e) => e.kind === 'SIGNATURE_FAILURES' && inRange(e.at)).length,
      series: [...(series.get(channelId) ?? new Map<string, Counts>()).entries()].sort(([a], [b]) => cmp(a, b)).map(([period, c]) => ({ period, counts: c })),
      scoreHistory: [{ day: before, score: scoreAt(before) }, ...changeDays.map((day) => ({ day, score: scoreAt(day) }))],
    };
  });
  channels.sort((a, b) => (a.score ?? Infinity) - (b.score ?? Infinity) || cmp(a.channelId, b.channelId));

  // Institutions' rates, per type: their channels' counts summed (peers are institutions, not branches).
  const byInstitution = new Map<string, { type: InstitutionType; counts: Counts }>();
  for (const c of channels) {
    const entry = byInstitution.get(c.institutionId) ?? { type: c.institutionType, counts: NO_COUNTS };
    byInstitution.set(c.institutionId, { type: entry.type, counts: addCounts(entry.counts, c.counts) });
  }
  const peers = types.map((institutionType) => {
    const rates = [...byInstitution.values()].filter((i) => i.type === institutionType).map((i) => ratesOf(i.counts));
    const refusal = distributionOf(rates.map((r) => r.refusalRate));
    const correction = distributionOf(rates.map((r) => r.correctionRate));
    const overdue = distributionOf(rates.map((r) => r.overdueRate));
    return {
      institutionType,
      institutions: rates.length,
      ...(refusal && correction && overdue && rates.length >= MIN_PEER_GROUP
        ? { distribution: { refusalRate: refusal, correctionRate: correction, overdueRate: overdue } }
        : { withheld: 'TOO_FEW_PEERS' as const }),
    };
  });

  return {
    from: query.from,
    to: query.to,
    granularity: query.granularity,
    periods: periodsOf(days, query.granularity),
    channels,
    thresholds: {
      rulesVersion: rules.version,
      startScore: rules.startScore,
      watchBelow: rules.thresholds.watchBelow,
      shutOffBelow: rules.thresholds.shutOffBelow,
      probationShutOffBelow: rules.thresholds.probationShutOffBelow,
    },
    peers,
    asOf: ports.clock.now().toISOString(),
  };
}

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const run = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
  return out;
}
