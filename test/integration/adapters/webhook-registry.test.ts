import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelDirectoryFromEnv } from '../../../functions/adapters/dynamodb/channel-directory';
import type { Channel } from '../../../functions/core/ports';
import { startTestEmulators, type TestEmulators } from '../../support/emulators';

const channel: Channel = {
  channelId: 'ch-webhook',
  institutionId: 'INST-W',
  institutionName: 'W 银行',
  institutionType: 'BANK',
  uscc: '91370100MA3C8AXX1X',
  status: 'ACTIVE',
  publicKey: `04${'ab'.repeat(64)}`,
  allowedBusinessTypes: ['MORTGAGE_CREATE'],
  allowedDistricts: ['370102'],
};

describe('DynamoChannelDirectory.setWebhook', () => {
  let emulators: TestEmulators;
  beforeAll(async () => {
    emulators = await startTestEmulators('zt-webhook-reg');
    await channelDirectoryFromEnv().putChannel(channel);
  });
  afterAll(async () => emulators.stop());

  it('stores the webhook on the channel record, leaving every other field as it was', async () => {
    const directory = channelDirectoryFromEnv();
    const webhook = { url: 'https://bank.example.cn/hook', updatedAt: '2026-11-23T08:00:00.000Z' };
    await directory.setWebhook(channel.channelId, webhook);
    expect(await directory.get(channel.channelId)).toEqual({ ...channel, webhook });
  });

  it('replaces it, and removes it with undefined', async () => {
    const directory = channelDirectoryFromEnv();
    const webhook = { url: 'https://bank.example.cn/other', updatedAt: '2026-11-23T09:00:00.000Z' };
    await directory.setWebhook(channel.channelId, webhook);
    expect((await directory.get(channel.channelId))?.webhook).toEqual(webhook);
    await directory.setWebhook(channel.channelId, undefined);
    expect(await directory.get(channel.channelId)).toEqual(channel);
    // Removing an absent webhook is fine (PUT is idempotent).
    await directory.setWebhook(channel.channelId, undefined);
  });

  it('refuses to create a record for an unknown channel', async () => {
    const directory = channelDirectoryFromEnv();
    await expect(directory.setWebhook('ch-nobody', { url: 'https://x.example.cn/', updatedAt: '2026-11-23T09:00:00.000Z' })).rejects.toThrow(/does not exist/);
    expect(await directory.get('ch-nobody')).toBeUndefined();
  });
});
