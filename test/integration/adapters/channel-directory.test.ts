import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Channel } from '../../../functions/core/ports';
import type { ChannelStanding } from '../../../functions/core/domain/credit';
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

  it('projects a credit standing onto the channel, leaving its other fields (a webhook set meanwhile) as they are', async () => {
    const id = 'ch-standing-1';
    await directory.putChannel({ ...channel, channelId: id });
    await directory.setWebhook(id, { url: 'https://hooks.example.cn/zt', updatedAt: '2026-11-23T08:00:00.000Z' });
    const standing: ChannelStanding = { grade: 'SHUT_OFF', score: 55, caseNo: 'CS20261123ABCDEF01', scope: 'CHANNEL', since: '2026-11-23T09:00:00.000Z' };
    await directory.setStanding(id, standing);
    expect(await directory.get(id)).toStrictEqual({ ...channel, channelId: id, webhook: { url: 'https://hooks.example.cn/zt', updatedAt: '2026-11-23T08:00:00.000Z' }, standing });
    // The next projection replaces the whole standing: no case number survives a reopening.
    const reopened: ChannelStanding = { grade: 'PROBATION', score: 75, probationUntil: '2027-02-21T09:00:00.000Z', since: '2026-11-24T09:00:00.000Z' };
    await directory.setStanding(id, reopened);
    expect((await directory.get(id))?.standing).toStrictEqual(reopened);
  });

  it('never lets an older projection (a lower version) overwrite a newer one', async () => {
    const id = 'ch-standing-2';
    await directory.putChannel({ ...channel, channelId: id });
    const newer: ChannelStanding = { grade: 'SHUT_OFF', score: 55, caseNo: 'CS20261123ABCDEF01', scope: 'CHANNEL', since: '2026-11-23T09:00:00.000Z', version: 6 };
    await directory.setStanding(id, newer);
    await directory.setStanding(id, { grade: 'WATCH', score: 70, since: '2026-11-23T08:00:00.000Z', version: 5 });
    expect((await directory.get(id))?.standing).toStrictEqual(newer);
    const next: ChannelStanding = { grade: 'PROBATION', score: 80, since: '2026-11-24T09:00:00.000Z', version: 7 };
    await directory.setStanding(id, next);
    expect((await directory.get(id))?.standing).toStrictEqual(next);
  });

  it('refuses to project a standing onto a channel that does not exist, creating nothing', async () => {
    await expect(directory.setStanding('ch-nobody', { grade: 'NORMAL', score: 100, since: '2026-11-23T09:00:00.000Z' })).rejects.toThrow('does not exist');
    const { Item } = await dynamoDocumentClient().send(
      new GetCommand({ TableName: emulators.env[tableEnvVar('channels')], Key: { pk: 'CHANNEL#ch-nobody', sk: 'META' } }),
    );
    expect(Item).toBeUndefined();
  });

  it("answers an institution's channels (its branches), each once, and no other institution's", async () => {
    const bank = 'inst-branches';
    for (const id of ['ch-br-2', 'ch-br-1', 'ch-br-3']) await directory.putChannel({ ...channel, channelId: id, institutionId: bank, branchName: `网点 ${id}` });
    await directory.putChannel({ ...channel, channelId: 'ch-br-other', institutionId: 'inst-branches-2' });
    // Re-registering a channel does not list it twice.
    await directory.putChannel({ ...channel, channelId: 'ch-br-1', institutionId: bank, status: 'DISABLED' });
    expect(await directory.channelIdsOf(bank)).toEqual(['ch-br-1', 'ch-br-2', 'ch-br-3']);
    expect(await directory.channelIdsOf('inst-branches-2')).toEqual(['ch-br-other']);
    expect(await directory.channelIdsOf('inst-none')).toEqual([]);
  });
});
