/**
 * The statistics use cases (functions/core/use-cases/statistics.ts): recording counts each event once
 * whatever is redelivered or fails midway, and reading answers the right districts to the right roles,
 * sums periods, and derives each channel's behaviour from its buckets and its credit ledger.
 */
import { describe, expect, it } from 'vitest';
import { initialCreditState, BUILT_IN_CREDIT_RULES, type LedgerEvent } from '../../../functions/core/domain/credit';
import { NO_COUNTS, type StatisticsEvent } from '../../../functions/core/domain/statistics';
import { ZtError } from '../../../functions/core/domain/errors';
import { channelStatistics, daysOf, filingStatistics, recordStatistics } from '../../../functions/core/use-cases/statistics';
import { statisticsQuerySchema, channelStatisticsQuerySchema } from '../../../schemas/v1/statistics';
import { MemoryStatisticsStore } from '../../support/memory-statistics';
import { MemoryCreditRules, MemoryCreditStore } from '../../support/memory-credit';
import { fixedClock } from '../../support/memory-ports';

const NOW = fixedClock('2026-12-02T08:00:00.000Z');
let seq = 0;
/** A filing's life as the lifecycle sends it: one event per status change. */
function life(filingId: string, statuses: readonly string[], over: Partial<StatisticsEvent> = {}, start = '2026-12-01T01:00:00.000Z'): StatisticsEvent[] {
  const t0 = Date.parse(start);
  return statuses.slice(1).map((to, i) => ({
    v: 1,
    eventId: `${filingId}:${i + 2}`,
    filingId,
    district: '370102',
    institutionId: 'INST-BANK',
    institutionType: 'BANK',
    channelId: 'CH-BANK-1',
    businessType: 'MORTGAGE_CREATE',
    from: statuses[i] as never,
    to: to as never,
    at: new Date(t0 + (i + 1) * 3_600_000).toISOString(),
    submittedAt: start,
    first: i === 0,
    ...over,
  }));
}
const incoming = (events: readonly StatisticsEvent[]) => events.map((event) => ({ messageId: `m${seq++}`, event }));
const CERTIFIED_PATH = ['SUBMITTED', 'ACCEPTED', 'READY_FOR_REVIEW', 'REGISTERED', 'CERTIFIED'];
const query = (q: Record<string, string>) => statisticsQuerySchema.parse(q);
const codeOf = (promise: Promise<unknown>) => promise.then(() => 'OK', (e: unknown) => (e instanceof ZtError ? `${e.status} ${e.code}` : String(e)));

describe('recordStatistics', () => {
  it('counts a filing once whether its events arrive once, five times, or in another order', async () => {
    const once = new MemoryStatisticsStore();
    const often = new MemoryStatisticsStore();
    const events = life('F1', CERTIFIED_PATH);
    await recordStatistics(once, incoming(events));
    for (let i = 0; i < 5; i++) await recordStatistics(often, incoming([...events].reverse()));
    const read = (store: MemoryStatisticsStore) => filingStatistics({ store, districts: async () => ['370102'], clock: NOW }, { role: 'AUDITOR', district: '370102' }, query({ from: '2026-12-01', to: '2026-12-01' }));
    const [a, b] = await Promise.all([read(once), read(often)]);
    expect(b.totals.counts).toEqual(a.totals.counts);
    expect(a.totals.counts).toMatchObject({ submitted: 1, accepted: 1, registered: 1, certified: 1, certifiedSeconds: 4 * 3600 });
    expect(a.totals.processing.lt1d).toBe(1);
  });

  it("fails only the messages of a bucket that could not be written, and their redelivery adds to that bucket alone", async () => {
    const store = new MemoryStatisticsStore();
    const messages = incoming(life('F2', ['SUBMITTED', 'REFUSED'], { reasonCode: 'UNIT_SEIZED' }));
    // The channels' bucket is down: the district's is written, the message is reported failed.
    store.failWhen = (b) => b.scope === 'channels';
    expect(await recordStatistics(store, messages)).toEqual(messages.map((m) => m.messageId));
    store.failWhen = () => false;
    expect(await recordStatistics(store, messages)).toEqual([]);
    const district = (await store.days('district', '370102', '2026-12-01', '2026-12-01'))[0]!.groups['MORTGAGE_CREATE']!.counts;
    const channel = (await store.days('channels', 'city', '2026-12-01', '2026-12-01'))[0]!.groups['CH-BANK-1']!.counts;
    expect(district).toEqual({ ...NO_COUNTS, submitted: 1, refused: 1 });
    expect(channel).toEqual(district);
  });

  it('writes each bucket once per batch, however many of its events the batch holds', async () => {
    const store = new MemoryStatisticsStore();
    const events = Array.from({ length: 10 }, (_, i) => life(`F${100 + i}`, ['SUBMITTED', 'ACCEPTED'])[0]!);
    await recordStatistics(store, incoming(events));
    // At most one write per (scope, shard) for the day: 2 scopes × 4 shards.
    expect(store.writes).toBeLessThanOrEqual(8);
    const [day] = await store.days('district', '370102', '2026-12-01', '2026-12-01');
    expect(day!.groups['MORTGAGE_CREATE']!.counts).toMatchObject({ submitted: 10, accepted: 10 });
  });
});

describe('filingStatistics', () => {
  const store = new MemoryStatisticsStore();
  const ports = { store, districts: async () => ['370103', '370102'], clock: NOW };
  const setUp = recordStatistics(store, [
    ...incoming(life('A1', CERTIFIED_PATH)),
    ...incoming(life('A2', ['SUBMITTED', 'REFUSED'], { reasonCode: 'UNIT_SEIZED' }, '2026-11-24T02:00:00.000Z')),
    ...incoming(life('B1', ['SUBMITTED', 'ACCEPTED'], { district: '370103', businessType: 'TRANSFER_RESALE', channelId: 'CH-AG', institutionId: 'INST-AG', institutionType: 'AGENCY' })),
  ]);

  it('shows a clerk their own district only, and refuses another with 403 DISTRICT_FORBIDDEN', async () => {
    await setUp;
    const own = await filingStatistics(ports, { role: 'CLERK', district: '370102' }, query({ from: '2026-11-01', to: '2026-12-31' }));
    expect(own.districts).toEqual(['370102']);
    expect(own.rows.every((r) => r.district === '370102')).toBe(true);
    expect(await codeOf(filingStatistics(ports, { role: 'CLERK', district: '370102' }, query({ from: '2026-11-01', to: '2026-12-31', district: '370103' })))).toBe('403 DISTRICT_FORBIDDEN');
  });

  it('shows auditors and credit officers every district, or the one asked', async () => {
    await setUp;
    for (const role of ['AUDITOR', 'CREDIT_OFFICER'] as const) {
      const all = await filingStatistics(ports, { role, district: '370102' }, query({ from: '2026-11-01', to: '2026-12-31' }));
      expect(all.districts).toEqual(['370102', '370103']);
      expect(all.totals.byDistrict.map((d) => [d.district, d.counts.submitted])).toEqual([['370102', 2], ['370103', 1]]);
      const one = await filingStatistics(ports, { role, district: '370102' }, query({ from: '2026-11-01', to: '2026-12-31', district: '370103' }));
      expect(one.totals.counts.submitted).toBe(1);
    }
  });

  it('sums days into ISO weeks and months, lists every period of the range, and filters by business type', async () => {
    await setUp;
    const weeks = await filingStatistics(ports, { role: 'AUDITOR', district: '370102' }, query({ from: '2026-11-23', to: '2026-12-06', granularity: 'week', district: '370102' }));
    expect(weeks.periods).toEqual(['2026-11-23', '2026-11-30']);
    expect(weeks.rows.map((r) => [r.period, r.counts.submitted, r.counts.refused, r.counts.certified])).toEqual([['2026-11-23', 1, 1, 0], ['2026-11-30', 1, 0, 1]]);
    const months = await filingStatistics(ports, { role: 'AUDITOR', district: '370102' }, query({ from: '2026-11-01', to: '2026-12-31', granularity: 'month' }));
    expect(months.periods).toEqual(['2026-11', '2026-12']);
    const resale = await filingStatistics(ports, { role: 'AUDITOR', district: '370102' }, query({ from: '2026-11-01', to: '2026-12-31', businessType: 'TRANSFER_RESALE' }));
    expect(resale.rows.map((r) => r.businessType)).toEqual(['TRANSFER_RESALE']);
    expect(resale.totals.counts.submitted).toBe(1);
  });

  it('refuses a range that ends before it starts or spans more than 400 days', () => {
    expect(() => daysOf('2026-12-02', '2026-12-01')).toThrow(expect.objectContaining({ code: 'RANGE_INVALID' }));
    expect(() => daysOf('2025-01-01', '2026-12-01')).toThrow(expect.objectContaining({ code: 'RANGE_TOO_LARGE' }));
    expect(daysOf('2024-02-28', '2024-03-01')).toEqual(['2024-02-28', '2024-02-29', '2024-03-01']);
  });

  it('refuses days that are not calendar days at the edge', () => {
    expect(statisticsQuerySchema.safeParse({ from: '2026-02-30', to: '2026-03-01' }).success).toBe(false);
    expect(statisticsQuerySchema.safeParse({ from: '2026-12-01', to: '2026-12-01', extra: '1' }).success).toBe(false);
  });
});

describe('channelStatistics', () => {
  const ledgerEvent = (channelId: string, n: number, kind: LedgerEvent['kind'], points: number, at: string): LedgerEvent => ({
    eventId: `CE${channelId}${n}`,
    channelId,
    institutionId: 'INST-BANK',
    kind,
    points,
    at,
    recordedAt: at,
    source: { kind: 'AUTOMATIC', rule: kind } as never,
    evidence: {},
    cause: `c${n}`,
  });

  it("sums a channel's counts and rates over the range, counts its signature-failure events, and derives its score day by day from the ledger", async () => {
    const store = new MemoryStatisticsStore();
    const credit = new MemoryCreditStore();
    const rules = new MemoryCreditRules();
    await recordStatistics(store, [
      ...incoming(life('C1', ['SUBMITTED', 'ACCEPTED'])),
      ...incoming(life('C2', ['SUBMITTED', 'REFUSED'], { reasonCode: 'UNIT_SEIZED' })),
      ...incoming(life('C3', ['SUBMITTED', 'CORRECTION_REQUIRED'])),
    ]);
    credit.states.set('CH-BANK-1', { ...initialCreditState({ channelId: 'CH-BANK-1', institutionId: 'INST-BANK', institutionType: 'BANK' }, BUILT_IN_CREDIT_RULES, '2026-11-01T00:00:00.000Z'), score: 93, branchName: '历下支行' });
    await credit.putEvent(ledgerEvent('CH-BANK-1', 1, 'INTAKE_REFUSED', -2, '2026-11-20T03:00:00.000Z'));
    await credit.putEvent(ledgerEvent('CH-BANK-1', 2, 'SIGNATURE_FAILURES', -5, '2026-12-01T03:00:00.000Z'));
    const stats = await channelStatistics({ store, credit, rules, clock: NOW }, channelStatisticsQuerySchema.parse({ from: '2026-12-01', to: '2026-12-02' }));
    expect(stats.channels).toHaveLength(1);
    const channel = stats.channels[0]!;
    expect(channel).toMatchObject({ channelId: 'CH-BANK-1', institutionType: 'BANK', branchName: '历下支行', score: 93, grade: 'NORMAL', signatureFailureEvents: 1 });
    expect(channel.counts).toMatchObject({ submitted: 3, accepted: 1, refused: 1, correctionRequired: 1 });
    expect(channel.rates).toMatchObject({ refusalRate: 0.5, correctionRate: 0.3333 });
    // The day before the range (the event of 20 November counted), then the day of the signature failures.
    expect(channel.scoreHistory).toEqual([
      { day: '2026-11-30', score: 98 },
      { day: '2026-12-01', score: 93 },
    ]);
    expect(stats.thresholds).toMatchObject({ startScore: BUILT_IN_CREDIT_RULES.startScore, watchBelow: BUILT_IN_CREDIT_RULES.thresholds.watchBelow });
    // One bank: too few to show a distribution without revealing it.
    expect(stats.peers.find((p) => p.institutionType === 'BANK')).toEqual({ institutionType: 'BANK', institutions: 1, withheld: 'TOO_FEW_PEERS' });
  });

  it('shows the distribution of institutions (not branches) from 5 institutions of a type, naming none', async () => {
    const store = new MemoryStatisticsStore();
    for (let i = 0; i < 5; i++) {
      const over = { institutionId: `INST-DEV-${i}`, institutionType: 'DEVELOPER' as const, channelId: `CH-DEV-${i}`, businessType: 'FIRST_REGISTRATION' as const };
      await recordStatistics(store, incoming(life(`D${i}a`, ['SUBMITTED', 'ACCEPTED'], over)));
      if (i < 2) await recordStatistics(store, incoming(life(`D${i}b`, ['SUBMITTED', 'REFUSED'], { ...over, reasonCode: 'UNIT_SEIZED' })));
    }
    const stats = await channelStatistics({ store, credit: new MemoryCreditStore(), rules: new MemoryCreditRules(), clock: NOW }, channelStatisticsQuerySchema.parse({ from: '2026-12-01', to: '2026-12-01', institutionType: 'DEVELOPER' }));
    expect(stats.peers).toEqual([
      {
        institutionType: 'DEVELOPER',
        institutions: 5,
        distribution: {
          refusalRate: { min: 0, p25: 0, median: 0, p75: 0.5, max: 0.5 },
          correctionRate: { min: 0, p25: 0, median: 0, p75: 0, max: 0 },
          overdueRate: { min: 0, p25: 0, median: 0, p75: 0, max: 0 },
        },
      },
    ]);
    expect(JSON.stringify(stats.peers)).not.toContain('INST-DEV');
  });
});
