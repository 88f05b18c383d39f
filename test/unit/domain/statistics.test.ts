/**
 * What a status change adds to the statistics (functions/core/domain/statistics.ts), and that every move of
 * the lifecycle table is counted (its `statistics` effect, declared once for every status change).
 */
import { describe, expect, it } from 'vitest';
import { effectsOf, LIFECYCLE, type TransitionName, type TransitionSpec } from '../../../functions/core/domain/lifecycle';
import { contributionsOf, periodOf, placementsOf, processingBucketOf, ratesOf, shardOf, STATISTICS_SHARDS, NO_COUNTS, type StatisticsEvent } from '../../../functions/core/domain/statistics';
import { parseStatisticsMessage, formatStatisticsMessage } from '../../../schemas/messages/statistics.v1';

const event = (over: Partial<StatisticsEvent>): StatisticsEvent => ({
  v: 1,
  eventId: 'F1:3',
  filingId: 'F1',
  district: '370102',
  institutionId: 'INST-BANK',
  institutionType: 'BANK',
  channelId: 'CH-1',
  businessType: 'MORTGAGE_CREATE',
  from: 'SUBMITTED',
  to: 'ACCEPTED',
  at: '2026-12-01T02:00:00.000Z',
  submittedAt: '2026-12-01T01:00:00.000Z',
  first: false,
  ...over,
});

describe('contributionsOf', () => {
  it("counts the submission once, on the first transition, on the submission's own CST day", () => {
    // Submitted 17:30 UTC on 30 November is 01:30 on 1 December in China; accepted the next CST day.
    const first = event({ first: true, eventId: 'F1:2', submittedAt: '2026-11-30T17:30:00.000Z', at: '2026-12-01T16:30:00.000Z' });
    expect(contributionsOf(first)).toEqual([
      { day: '2026-12-01', key: 'F1:2:submitted', counts: { submitted: 1 } },
      { day: '2026-12-02', key: 'F1:2', counts: { accepted: 1 } },
    ]);
    expect(contributionsOf(event({ first: false }))).toEqual([{ day: '2026-12-01', key: 'F1:3', counts: { accepted: 1 } }]);
  });

  it('counts an out-of-scope refusal and an overdue correction as refusals of their kind', () => {
    expect(contributionsOf(event({ to: 'REFUSED', reasonCode: 'MORTGAGE_NOT_HELD' }))[0]!.counts).toEqual({ refused: 1, outOfScope: 1 });
    expect(contributionsOf(event({ from: 'CORRECTION_REQUIRED', to: 'REFUSED', reasonCode: 'CORRECTION_OVERDUE' }))[0]!.counts).toEqual({ refused: 1, correctionOverdue: 1 });
    expect(contributionsOf(event({ to: 'REFUSED', reasonCode: 'UNIT_SEIZED' }))[0]!.counts).toEqual({ refused: 1 });
  });

  it('counts a correction made when the filing goes back to intake, and the time to certificate with its bucket', () => {
    expect(contributionsOf(event({ from: 'CORRECTION_REQUIRED', to: 'SUBMITTED' }))[0]!.counts).toEqual({ corrected: 1 });
    const certified = contributionsOf(event({ from: 'REGISTERED', to: 'CERTIFIED', submittedAt: '2026-12-01T00:00:00.000Z', at: '2026-12-01T05:00:00.000Z' }));
    expect(certified).toEqual([{ day: '2026-12-01', key: 'F1:3', counts: { certified: 1, certifiedSeconds: 18_000 }, processing: 'lt1d' }]);
  });

  it('adds nothing for a move that counts nothing (on to coordination)', () => {
    expect(contributionsOf(event({ from: 'ACCEPTED', to: 'AWAITING_COORDINATION' }))).toEqual([]);
  });

  it("places each contribution in its district's bucket by business type and in the channels' bucket by channel, on the filing's shard", () => {
    const placements = placementsOf(event({ first: true, eventId: 'F1:2' }));
    expect(placements).toHaveLength(4);
    expect(new Set(placements.map((p) => p.bucket.shard))).toEqual(new Set([shardOf('F1')]));
    expect(placements.filter((p) => p.bucket.scope === 'district').map((p) => [p.bucket.id, p.addition.group])).toEqual([['370102', 'MORTGAGE_CREATE'], ['370102', 'MORTGAGE_CREATE']]);
    expect(placements.filter((p) => p.bucket.scope === 'channels').map((p) => [p.addition.group, p.addition.institutionId])).toEqual([['CH-1', 'INST-BANK'], ['CH-1', 'INST-BANK']]);
  });
});

describe('periods, shards, buckets and rates', () => {
  it('keys a week by its Monday and a month by YYYY-MM', () => {
    expect(periodOf('2026-12-02', 'week')).toBe('2026-11-30'); // a Wednesday
    expect(periodOf('2026-11-30', 'week')).toBe('2026-11-30');
    expect(periodOf('2026-12-06', 'week')).toBe('2026-11-30'); // Sunday ends the ISO week
    expect(periodOf('2026-12-02', 'month')).toBe('2026-12');
    expect(periodOf('2026-12-02', 'day')).toBe('2026-12-02');
  });

  it('spreads filings over every shard, each filing always on the same one', () => {
    const shards = new Set(Array.from({ length: 200 }, (_, i) => shardOf(`F${i.toString(16).toUpperCase().padStart(24, '0')}`)));
    expect(shards.size).toBe(STATISTICS_SHARDS);
    expect(shardOf('FABC')).toBe(shardOf('FABC'));
  });

  it('puts each processing time in its bucket at the limits', () => {
    expect(processingBucketOf(3_599)).toBe('lt1h');
    expect(processingBucketOf(3_600)).toBe('lt4h');
    expect(processingBucketOf(86_399)).toBe('lt1d');
    expect(processingBucketOf(30 * 86_400)).toBe('ge30d');
  });

  it('answers rates of 0 when nothing was decided, and the mean time to certificate in hours', () => {
    expect(ratesOf(NO_COUNTS)).toEqual({ refusalRate: 0, correctionRate: 0, overdueRate: 0 });
    expect(ratesOf({ ...NO_COUNTS, accepted: 3, refused: 1, correctionRequired: 4, correctionOverdue: 1, certified: 2, certifiedSeconds: 7_200 })).toEqual({
      refusalRate: 0.25,
      correctionRate: 0.5,
      overdueRate: 0.25,
      meanHoursToCertificate: 1,
    });
  });
});

describe('the lifecycle counts every status change', () => {
  const moves = (Object.entries(LIFECYCLE) as [TransitionName, TransitionSpec][]).filter(([, spec]) => spec.to !== undefined);
  const annotations = (Object.entries(LIFECYCLE) as [TransitionName, TransitionSpec][]).filter(([, spec]) => spec.to === undefined);

  const contextOf = (name: TransitionName, spec: TransitionSpec) => {
    const from = spec.from[0]!;
    const history = [
      { at: '2026-12-01T00:00:00.000Z', status: 'SUBMITTED', by: 'channel:CH-1' },
      ...(from === 'SUBMITTED' ? [] : [{ at: '2026-12-01T00:30:00.000Z', status: from, by: 'worker:intake' }]),
      ...(spec.to ? [{ at: '2026-12-01T01:00:00.000Z', status: spec.to, by: 'worker:x' }] : []),
    ];
    const base = { filingId: 'F1', channelId: 'CH-1', institutionId: 'INST-BANK', institutionType: 'BANK', district: '370102', unitCode: 'U', businessType: 'MORTGAGE_CREATE', createdAt: history[0]!.at };
    const filing = { ...base, status: spec.to ?? from, history } as never;
    const before = { ...base, status: from, history: history.slice(0, spec.to ? -1 : undefined) } as never;
    return { name, filing, before, actor: 'worker:x', at: '2026-12-01T01:00:00.000Z', revision: 4 };
  };

  it.each(moves)('%s: has one statistics effect, keyed like its progress event, valid on the queue', (name, spec) => {
    const effects = effectsOf(contextOf(name, spec), 4);
    const statistics = effects.filter((e) => e.kind === 'statistics');
    expect(statistics).toHaveLength(1);
    const progress = effects.find((e) => e.kind === 'progress');
    const counted = statistics[0]! as Extract<(typeof statistics)[number], { kind: 'statistics' }>;
    if (progress && progress.kind === 'progress') expect(counted.event.eventId).toBe(progress.event.eventId);
    expect(counted.event).toMatchObject({ filingId: 'F1', from: spec.from[0], to: spec.to, district: '370102', channelId: 'CH-1' });
    expect(parseStatisticsMessage(formatStatisticsMessage(counted.event))).toEqual(counted.event);
  });

  it.each(annotations)('%s: moves no status and counts nothing', (name, spec) => {
    expect(effectsOf(contextOf(name, spec), 4).filter((e) => e.kind === 'statistics')).toEqual([]);
  });
});
