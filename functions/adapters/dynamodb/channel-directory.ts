/**
 * The channel directory on the `channels` table:
 * - one item per channel (pk `CHANNEL#<channelId>`, sk `META`) whose attributes are the Channel fields;
 * - one reference per channel in its institution's partition (pk `INSTITUTION#<institutionId>`, sk
 *   `CHANNEL#<channelId>`), so that an institution-wide sanction reaches every branch channel (DESIGN.md §4
 *   "Who is scored") with one query instead of a scan of every channel.
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ChannelStanding } from '../../core/domain/credit';
import type { Channel, ChannelDirectory, InstitutionChannels, StandingRegistry, WebhookRegistry } from '../../core/ports';
import { tableEnvVar } from '../../../infra/topology';
import { getStringFromEnv } from '../../shared/config';
import { dynamoDocumentClient } from '../aws-clients';
import { isConditionalCheckFailed, withoutKeys } from './dynamo-support';

const channelKey = (channelId: string) => ({ pk: `CHANNEL#${channelId}`, sk: 'META' });
const institutionPk = (institutionId: string): string => `INSTITUTION#${institutionId}`;
const CHANNEL_REF_PREFIX = 'CHANNEL#';

export interface DynamoChannelDirectoryDeps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

export class DynamoChannelDirectory implements ChannelDirectory, WebhookRegistry, StandingRegistry, InstitutionChannels {
  constructor(private readonly deps: DynamoChannelDirectoryDeps) {}

  async get(channelId: string): Promise<Channel | undefined> {
    // Strongly consistent so that a channel shut off a moment ago is refused on the very next request
    // (002 三(一)6).
    const { Item } = await this.deps.client.send(
      new GetCommand({ TableName: this.deps.tableName, Key: channelKey(channelId), ConsistentRead: true }),
    );
    return Item === undefined ? undefined : (withoutKeys(Item) as unknown as Channel);
  }

  /**
   * Registers or replaces a channel (seeding and, later, channel administration), then its reference under
   * its institution. The channel is written first: a failure in between throws, and the repeated put writes
   * the reference, so no reference ever names a channel that does not exist.
   */
  async putChannel(channel: Channel): Promise<void> {
    await this.deps.client.send(
      new PutCommand({ TableName: this.deps.tableName, Item: { ...channelKey(channel.channelId), ...channel } }),
    );
    await this.deps.client.send(
      new PutCommand({
        TableName: this.deps.tableName,
        Item: { pk: institutionPk(channel.institutionId), sk: `${CHANNEL_REF_PREFIX}${channel.channelId}`, channelId: channel.channelId, institutionId: channel.institutionId },
      }),
    );
  }

  /** The channel ids of an institution (its branches), in id order; every page of the query is read. */
  async channelIdsOf(institutionId: string): Promise<string[]> {
    const ids: string[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.deps.client.send(
        new QueryCommand({
          TableName: this.deps.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': institutionPk(institutionId), ':prefix': CHANNEL_REF_PREFIX },
          ProjectionExpression: 'channelId',
          ConsistentRead: true,
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) ids.push(String(item['channelId']));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return ids;
  }

  /**
   * Projects the channel's credit standing onto its record (DESIGN.md §4; 002 三(一)6): one attribute of the
   * existing item, so the submit gate reads it with the channel it authenticates, and no other field (a
   * webhook set at the same moment) is overwritten. Refuses to create an item for an unknown channel.
   */
  async setStanding(channelId: string, standing: ChannelStanding): Promise<void> {
    try {
      await this.deps.client.send(
        new UpdateCommand({
          TableName: this.deps.tableName,
          Key: channelKey(channelId),
          // Never an older projection over a newer one (follow-ups of two evaluations performed out of order).
          ConditionExpression:
            standing.version === undefined
              ? 'attribute_exists(pk)'
              : 'attribute_exists(pk) AND (attribute_not_exists(#standing.#version) OR #standing.#version <= :version)',
          UpdateExpression: 'SET #standing = :standing',
          ExpressionAttributeNames: { '#standing': 'standing', ...(standing.version === undefined ? {} : { '#version': 'version' }) },
          ExpressionAttributeValues: { ':standing': standing, ...(standing.version === undefined ? {} : { ':version': standing.version }) },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      if ((await this.get(channelId)) === undefined) throw new Error(`Channel ${channelId} does not exist`);
      // A newer projection is there already: this one is dropped.
    }
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
