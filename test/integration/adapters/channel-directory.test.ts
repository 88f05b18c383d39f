import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Channel } from '../../../functions/core/ports';
import { dynamoDocumentClient } from '../../../functions/adapters/aws-clients';
import { channelDirectoryFromEnv, type DynamoChannelDirectory } from '../../../functions/adapters/dynamodb/channel-directory';
import { tableEnvVar } from '../../../infra/topology';
import { startTestEmulators, type TestEmulators } from '../../support/emulators';

const channel: Channel = {
  channelId: 'ch-bank-001',
  institutionId: 'inst-icbc-jn',
  institutionName: '示例银行济南分行',
  institutionType: 'BANK',
  uscc: '91370100MA3C000001',
  status: 'ACTIVE',
  publicKey: `04${'ab'.repeat(64)}`,
  allowedBusinessTypes: ['MORTGAGE_CREATE', 'MORTGAGE_DISCHARGE'],
  allowedDistricts: ['370102', '370103'],
};

describe('DynamoChannelDirectory', () => {
  let emulators: TestEmulators;
  let directory: DynamoChannelDirectory;
  beforeAll(async () => {
    emulators = await startTestEmulators('zt-channels');
    directory = channelDirectoryFromEnv();
  });
  afterAll(async () => emulators.stop());

  it('returns a stored channel exactly, without storage keys', async () => {
    await directory.putChannel(channel);
    expect(await directory.get(channel.channelId)).toStrictEqual(channel);
  });

  it('stores the channel under CHANNEL#<id> / META', async () => {
    const { Item } = await dynamoDocumentClient().send(
      new GetCommand({ TableName: emulators.env[tableEnvVar('channels')], Key: { pk: `CHANNEL#${channel.channelId}`, sk: 'META' } }),
    );
    expect(Item).toMatchObject({ channelId: channel.channelId, status: 'ACTIVE' });
  });

  it('returns undefined for an unknown channel', async () => {
    expect(await directory.get('ch-unknown')).toBeUndefined();
  });

  it('replaces a channel on a second put (e.g. after shutoff)', async () => {
    await directory.putChannel({ ...channel, status: 'DISABLED' });
    expect((await directory.get(channel.channelId))?.status).toBe('DISABLED');
  });
});
