/**
 * Fixed-window rate counters on the `guards` table: pk `RATE#<scope>#<client>#<window>`, sk `RATE`, an
 * atomic `ADD` per request, expiring with their window through `expiresAt`. TTL deletion lags, so a
 * counter whose `expiresAt` has passed is treated as absent: it is reset, not added to.
 *
 * The same counters serve as quotas ({@link QuotaCounter}: a restricted channel's filings per CST day,
 * DESIGN.md §4), where one call adds a whole batch — and a negative amount gives back a refused one.
 */
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { QuotaCounter, RateCounter, RateCounterReader } from '../../core/ports';
import { tableEnvVar } from '../../../infra/topology';
import { getStringFromEnv } from '../../shared/config';
import { dynamoDocumentClient } from '../aws-clients';
import { epochSeconds, isConditionalCheckFailed } from './dynamo-support';

export interface DynamoRateCounterDeps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly now?: () => Date;
}

export class DynamoRateCounter implements RateCounter, RateCounterReader, QuotaCounter {
  private readonly now: () => Date;

  constructor(private readonly deps: DynamoRateCounterDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async current(key: string): Promise<number> {
    const { Item } = await this.deps.client.send(new GetCommand({ TableName: this.deps.tableName, Key: { pk: `RATE#${key}`, sk: 'RATE' }, ConsistentRead: true }));
    if (!Item || Number(Item.expiresAt) < epochSeconds(this.now())) return 0;
    return Number(Item.count ?? 0);
  }

  increment(key: string, expiresAt: number): Promise<number> {
    return this.add(key, 1, expiresAt);
  }

  /** Adds `amount` (an integer, negative to give some back) atomically and answers the new total. */
  async add(key: string, amount: number, expiresAt: number): Promise<number> {
    if (!Number.isSafeInteger(amount)) throw new RangeError('amount must be an integer');
    const Key = { pk: `RATE#${key}`, sk: 'RATE' };
    const now = epochSeconds(this.now());
    try {
      // The common case: a live (or absent) counter, one atomic ADD.
      const { Attributes } = await this.deps.client.send(
        new UpdateCommand({
          TableName: this.deps.tableName,
          Key,
          UpdateExpression: 'ADD #count :amount SET expiresAt = :exp',
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt >= :now',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':amount': amount, ':exp': expiresAt, ':now': now },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(Attributes?.count ?? amount);
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    // An expired counter still there: restart it at `amount` (never below 0: what is given back to a
    // counter that expired meanwhile was counted in a window that is over), unless a concurrent request
    // restarted it first, in which case that live counter is simply added to.
    const restart = Math.max(0, amount);
    try {
      await this.deps.client.send(
        new UpdateCommand({
          TableName: this.deps.tableName,
          Key,
          UpdateExpression: 'SET #count = :amount, expiresAt = :exp',
          ConditionExpression: 'expiresAt < :now',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':amount': restart, ':exp': expiresAt, ':now': now },
        }),
      );
      return restart;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      return this.add(key, amount, expiresAt);
    }
  }
}

export function rateCounterFromEnv(): DynamoRateCounter {
  return new DynamoRateCounter({ client: dynamoDocumentClient(), tableName: getStringFromEnv(tableEnvVar('guards')) });
}
