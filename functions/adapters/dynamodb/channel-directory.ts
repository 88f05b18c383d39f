/**
 * The channel directory on the `channels` table: one item per channel (pk `CHANNEL#<channelId>`, sk `META`)
 * whose attributes are the Channel fields.
 */
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Channel, ChannelDirectory, WebhookRegistry } from '../../core/ports';
import { tableEnvVar } from '../../../infra/topology';
import { getStringFromEnv } from '../../shared/config';
import { dynamoDocumentClient } from '../aws-clients';
import { isConditionalCheckFailed, withoutKeys } from './dynamo-support';

const channelKey = (channelId: string) => ({ pk: `CHANNEL#${channelId}`, sk: 'META' });

export interface DynamoChannelDirectoryDeps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

export class DynamoChannelDirectory implements ChannelDirectory, WebhookRegistry {
  constructor(private readonly deps: DynamoChannelDirectoryDeps) {}

  async get(channelId: string): Promise<Channel | undefined> {
    // Strongly consistent so that a channel shut off a moment ago is refused on the very next request
    // (002 三(一)6).
    const { Item } = await this.deps.client.send(
      new GetCommand({ TableName: this.deps.tableName, Key: channelKey(channelId), ConsistentRead: true }),
    );
    return Item === undefined ? undefined : (withoutKeys(Item) as unknown as Channel);
  }

  /** Registers or replaces a channel (seeding and, later, channel administration). */
  async putChannel(channel: Channel): Promise<void> {
    await this.deps.client.send(
      new PutCommand({ TableName: this.deps.tableName, Item: { ...channelKey(channel.channelId), ...channel } }),
    );
  }

  /**
   * Sets (or, with undefined, removes) the channel's webhook in place: one attribute of the existing item,
   * so a concurrent change to the channel's other fields (e.g. a shutoff) is never overwritten. Refuses
   * to create an item for a channel that does not exist.
   */
  async setWebhook(channelId: string, webhook: Channel['webhook'] | undefined): Promise<void> {
    try {
      await this.deps.client.send(
        new UpdateCommand({
          TableName: this.deps.tableName,
          Key: channelKey(channelId),
          ConditionExpression: 'attribute_exists(pk)',
          ...(webhook
            ? { UpdateExpression: 'SET #webhook = :webhook', ExpressionAttributeValues: { ':webhook': { url: webhook.url, updatedAt: webhook.updatedAt } } }
            : { UpdateExpression: 'REMOVE #webhook' }),
          ExpressionAttributeNames: { '#webhook': 'webhook' },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw new Error(`Channel ${channelId} does not exist`);
      throw error;
    }
  }
}

export function channelDirectoryFromEnv(): DynamoChannelDirectory {
  return new DynamoChannelDirectory({ client: dynamoDocumentClient(), tableName: getStringFromEnv(tableEnvVar('channels')) });
}
