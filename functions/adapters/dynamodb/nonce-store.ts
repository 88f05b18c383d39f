/**
 * Single-use request nonces on the `guards` table (DESIGN.md §7: a nonce is accepted once per channel
 * within its lifetime). One item per nonce, pk `NONCE#<channelId>#<nonce>`, sk `NONCE`, expiring through
 * `expiresAt`; the claim is one conditional put, so concurrent replays race on DynamoDB, not in our code.
 */
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { NonceStore } from '../../core/ports';
import { tableEnvVar } from '../../../infra/topology';
import { getStringFromEnv } from '../../shared/config';
import { dynamoDocumentClient } from '../aws-clients';
import { epochSeconds, isConditionalCheckFailed } from './dynamo-support';

export interface DynamoNonceStoreDeps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly now?: () => Date;
}

export class DynamoNonceStore implements NonceStore {
  private readonly now: () => Date;

  constructor(private readonly deps: DynamoNonceStoreDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async claim(channelId: string, nonce: string, ttlSeconds: number): Promise<boolean> {
    const now = epochSeconds(this.now());
    try {
      await this.deps.client.send(
        new PutCommand({
          TableName: this.deps.tableName,
          Item: { pk: `NONCE#${channelId}#${nonce}`, sk: 'NONCE', expiresAt: now + ttlSeconds },
          // An expired item may still be there (TTL deletion lags): it no longer protects anything.
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }
}

export function nonceStoreFromEnv(): DynamoNonceStore {
  return new DynamoNonceStore({ client: dynamoDocumentClient(), tableName: getStringFromEnv(tableEnvVar('guards')) });
}
