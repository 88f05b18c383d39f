/**
 * Fixed-window rate counters on the `guards` table: pk `RATE#<scope>#<client>#<window>`, sk `RATE`, an
 * atomic `ADD` per request, expiring with their window through `expiresAt`. TTL deletion lags, so a
 * counter whose `expiresAt` has passed is treated as absent: it is reset, not added to.
 */
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RateCounter, RateCounterReader } from '../../core/ports';
import { tableEnvVar } from '../../../infra/topology';
import { getStringFromEnv } from '../../shared/config';
import { dynamoDocumentClient } from '../aws-clients';
import { epochSeconds, isConditionalCheckFailed } from './dynamo-support';

export interface DynamoRateCounterDeps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly now?: () => Date;
}

export class DynamoRateCounter implements RateCounter, RateCounterReader {
  private readonly now: () => Date;

  constructor(private readonly deps: DynamoRateCounterDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async current(key: string): Promise<number> {
    const { Item } = await this.deps.client.send(new GetCommand({ TableName: this.deps.tableName, Key: { pk: `RATE#${key}`, sk: 'RATE' }, ConsistentRead: true }));
    if (!Item || Number(Item.expiresAt) < epochSeconds(this.now())) return 0;
    return Number(Item.count ?? 0);
  }

  async increment(key: string, expiresAt: number): Promise<number> {
    const Key = { pk: `RATE#${key}`, sk: 'RATE' };
    const now = epochSeconds(this.now());
    try {
      // The common case: a live (or absent) counter, one atomic ADD.
      const { Attributes } = await this.deps.client.send(
        new UpdateCommand({
          TableName: this.deps.tableName,
          Key,
          UpdateExpression: 'ADD #count :one SET expiresAt = :exp',
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt >= :now',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':one': 1, ':exp': expiresAt, ':now': now },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(Attributes?.count ?? 1);
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    // An expired counter still there: restart it at 1, unless a concurrent request restarted it first,
    // in which case that live counter is simply added to.
    try {
      await this.deps.client.send(
        new UpdateCommand({
          TableName: this.deps.tableName,
          Key,
          UpdateExpression: 'SET #count = :one, expiresAt = :exp',
          ConditionExpression: 'expiresAt < :now',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':one': 1, ':exp': expiresAt, ':now': now },
        }),
      );
      return 1;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      return this.increment(key, expiresAt);
    }
  }
}

export function rateCounterFromEnv(): DynamoRateCounter {
  return new DynamoRateCounter({ client: dynamoDocumentClient(), tableName: getStringFromEnv(tableEnvVar('guards')) });
}
