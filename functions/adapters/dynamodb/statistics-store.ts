/**
 * The statistics' day buckets on the `statistics` table (002 五(二)4; functions/core/domain/statistics.ts):
 * pk `STAT#<scope>#<id>` (`STAT#district#370102`, `STAT#channels#city`), sk `DAY#<YYYY-MM-DD>#<shard>`;
 * attributes `groups` (per business type or channel: counts and the processing-time histogram),
 * `applied` (a string set of the addition keys the bucket holds), `version`, `updatedAt`.
 *
 * `add` reads the bucket, leaves out what `applied` already holds, and writes the bucket back on condition
 * that it is still at the version read (absent: that it still does not exist); a lost race reads again.
 * One conditional single-item write per bucket, no transactions, so it runs on dynalite as on DynamoDB,
 * and an event delivered twice, or performed again after a crash between two buckets, counts once in each.
 * Readers query one partition by day range and project only the groups, never the applied keys.
 */
import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { addToGroup, sumGroups, type StatisticsAddition, type StatisticsBucketRef, type StatisticsDay, type StatisticsGroup } from '../../core/domain/statistics';
import type { StatisticsStore } from '../../core/ports';
import { tableEnvVar } from '../../../infra/topology';
import { getStringFromEnv } from '../../shared/config';
import { dynamoDocumentClient } from '../aws-clients';
import { isConditionalCheckFailed } from './dynamo-support';

const pk = (scope: StatisticsBucketRef['scope'], id: string): string => `STAT#${scope}#${id}`;
const sk = (day: string, shard: number): string => `DAY#${day}#${shard}`;
/**
 * A bucket still contended after this many attempts is left to the queue's redelivery. Writers are few (the
 * worker's concurrency is 2, each batch grouped by bucket); the test races 20.
 */
const ADD_ATTEMPTS = 30;
/** Random wait before attempt n, up to n × this (ms), so racing writers spread out. */
const BACKOFF_STEP_MS = 4;

export interface DynamoStatisticsStoreDeps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly now?: () => Date;
}

interface BucketItem {
  readonly groups?: Record<string, StatisticsGroup>;
  readonly applied?: Set<string>;
  readonly version?: number;
}

export class DynamoStatisticsStore implements StatisticsStore {
  private readonly now: () => Date;
  constructor(private readonly deps: DynamoStatisticsStoreDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async add(bucket: StatisticsBucketRef, additions: readonly StatisticsAddition[]): Promise<number> {
    const key = { pk: pk(bucket.scope, bucket.id), sk: sk(bucket.day, bucket.shard) };
    for (let attempt = 1; attempt <= ADD_ATTEMPTS; attempt++) {
      if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, Math.random() * attempt * BACKOFF_STEP_MS));
      const read = await this.deps.client.send(new GetCommand({ TableName: this.deps.tableName, Key: key, ConsistentRead: true }));
      const item = read.Item as BucketItem | undefined;
      const applied = new Set(item?.applied ?? []);
      const fresh = additions.filter((a, i) => !applied.has(a.key) && additions.findIndex((b) => b.key === a.key) === i);
      if (fresh.length === 0) return 0;
      const groups: Record<string, StatisticsGroup> = { ...(item?.groups ?? {}) };
      for (const addition of fresh) {
        groups[addition.group] = addToGroup(groups[addition.group], addition);
        applied.add(addition.key);
      }
      const version = item?.version ?? 0;
      try {
        await this.deps.client.send(
          new PutCommand({
            TableName: this.deps.tableName,
            Item: { ...key, scope: bucket.scope, day: bucket.day, groups, applied, version: version + 1, updatedAt: this.now().toISOString() },
            ConditionExpression: item ? '#version = :version' : 'attribute_not_exists(pk)',
            ExpressionAttributeNames: item ? { '#version': 'version' } : undefined,
            ExpressionAttributeValues: item ? { ':version': version } : undefined,
          }),
        );
        return fresh.length;
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
      }
    }
    throw new Error(`Statistics bucket ${key.pk} ${key.sk} kept changing; left for redelivery`);
  }

  async days(scope: StatisticsBucketRef['scope'], id: string, from: string, to: string): Promise<StatisticsDay[]> {
    const byDay = new Map<string, Record<string, StatisticsGroup>>();
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.deps.client.send(
        new QueryCommand({
          TableName: this.deps.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': pk(scope, id), ':from': `DAY#${from}#`, ':to': `DAY#${to}#~` },
          ProjectionExpression: '#day, #groups',
          ExpressionAttributeNames: { '#day': 'day', '#groups': 'groups' },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const raw of page.Items ?? []) {
        const item = raw as { day: string; groups?: Record<string, StatisticsGroup> };
        const day = byDay.get(item.day) ?? {};
        for (const [group, figures] of Object.entries(item.groups ?? {})) day[group] = sumGroups(day[group], figures);
        byDay.set(item.day, day);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return [...byDay.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([day, groups]) => ({ day, groups }));
  }
}

export function statisticsStoreFromEnv(): DynamoStatisticsStore {
  return new DynamoStatisticsStore({ client: dynamoDocumentClient(), tableName: getStringFromEnv(tableEnvVar('statistics')) });
}
