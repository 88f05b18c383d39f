/** The statistics store in memory, with the DynamoDB adapter's semantics (an addition counted once per bucket), and a switch to make writes fail. */
import { addToGroup, sumGroups, type StatisticsAddition, type StatisticsBucketRef, type StatisticsDay, type StatisticsGroup } from '../../functions/core/domain/statistics';
import type { StatisticsStore } from '../../functions/core/ports';

export class MemoryStatisticsStore implements StatisticsStore {
  readonly buckets = new Map<string, { ref: StatisticsBucketRef; groups: Record<string, StatisticsGroup>; applied: Set<string> }>();
  /** Writes to buckets this predicate picks throw (a table unavailable, a crash between two buckets). */
  failWhen: (bucket: StatisticsBucketRef) => boolean = () => false;
  writes = 0;

  async add(ref: StatisticsBucketRef, additions: readonly StatisticsAddition[]): Promise<number> {
    if (this.failWhen(ref)) throw new Error('statistics table unavailable');
    this.writes++;
    const key = `${ref.scope}|${ref.id}|${ref.day}|${ref.shard}`;
    const bucket = this.buckets.get(key) ?? { ref, groups: {}, applied: new Set<string>() };
    let added = 0;
    for (const addition of additions) {
      if (bucket.applied.has(addition.key)) continue;
      bucket.groups[addition.group] = addToGroup(bucket.groups[addition.group], addition);
      bucket.applied.add(addition.key);
      added++;
    }
    this.buckets.set(key, bucket);
    return added;
  }

  async days(scope: StatisticsBucketRef['scope'], id: string, from: string, to: string): Promise<StatisticsDay[]> {
    const byDay = new Map<string, Record<string, StatisticsGroup>>();
    for (const { ref, groups } of this.buckets.values()) {
      if (ref.scope !== scope || ref.id !== id || ref.day < from || ref.day > to) continue;
      const day = byDay.get(ref.day) ?? {};
      for (const [group, figures] of Object.entries(groups)) day[group] = sumGroups(day[group], figures);
      byDay.set(ref.day, day);
    }
    return [...byDay.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, groups]) => ({ day, groups }));
  }
}
