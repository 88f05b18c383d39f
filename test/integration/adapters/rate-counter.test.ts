import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDocumentClient } from '../../../functions/adapters/aws-clients';
import { DynamoRateCounter } from '../../../functions/adapters/dynamodb/rate-counter';
import { tableEnvVar } from '../../../infra/topology';
import { startTestEmulators, type TestEmulators } from '../../support/emulators';

describe('DynamoRateCounter', () => {
  let emulators: TestEmulators;
  let tableName: string;
  const NOW = new Date('2026-11-23T09:00:30.000Z');
  const nowSeconds = NOW.getTime() / 1000;
  beforeAll(async () => {
    emulators = await startTestEmulators('zt-rate');
    tableName = emulators.env[tableEnvVar('guards')]!;
  });
  afterAll(async () => emulators.stop());

  it('counts 1, 2, 3 under one key, stored as RATE#<key> with its expiry', async () => {
    const counter = new DynamoRateCounter({ client: dynamoDocumentClient(), tableName, now: () => NOW });
    const counts = [];
    for (let i = 0; i < 3; i++) counts.push(await counter.increment('lookup#10.0.0.1#1', nowSeconds + 30));
    expect(counts).toEqual([1, 2, 3]);
    const { Item } = await dynamoDocumentClient().send(new GetCommand({ TableName: tableName, Key: { pk: 'RATE#lookup#10.0.0.1#1', sk: 'RATE' } }));
    expect(Item).toMatchObject({ count: 3, expiresAt: nowSeconds + 30 });
  });

  it('loses no count under concurrency: 25 parallel increments end at 25, each count given once', async () => {
    const counters = Array.from({ length: 5 }, () => new DynamoRateCounter({ client: dynamoDocumentClient(), tableName, now: () => NOW }));
    const counts = await Promise.all(Array.from({ length: 25 }, (_, i) => counters[i % 5]!.increment('lookup#10.0.0.2#1', nowSeconds + 30)));
    expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  });

  it('treats an expired counter still in the table as absent: it restarts at 1', async () => {
    let now = NOW;
    const counter = new DynamoRateCounter({ client: dynamoDocumentClient(), tableName, now: () => now });
    await counter.increment('lookup#10.0.0.3#1', nowSeconds + 30);
    await counter.increment('lookup#10.0.0.3#1', nowSeconds + 30);
    now = new Date(NOW.getTime() + 60_000);
    expect(await counter.increment('lookup#10.0.0.3#1', nowSeconds + 90)).toBe(1);
    expect(await counter.increment('lookup#10.0.0.3#1', nowSeconds + 90)).toBe(2);
  });

  it('keeps addresses apart', async () => {
    const counter = new DynamoRateCounter({ client: dynamoDocumentClient(), tableName, now: () => NOW });
    await counter.increment('lookup#10.0.0.4#1', nowSeconds + 30);
    expect(await counter.increment('lookup#10.0.0.5#1', nowSeconds + 30)).toBe(1);
  });

  it('reads a counter without counting: 0 when absent or expired, the count otherwise', async () => {
    let now = NOW;
    const counter = new DynamoRateCounter({ client: dynamoDocumentClient(), tableName, now: () => now });
    expect(await counter.current('fail#F1#1')).toBe(0);
    await counter.increment('fail#F1#1', nowSeconds + 30);
    await counter.increment('fail#F1#1', nowSeconds + 30);
    expect(await counter.current('fail#F1#1')).toBe(2);
    expect(await counter.current('fail#F1#1')).toBe(2);
    now = new Date(NOW.getTime() + 60_000);
    expect(await counter.current('fail#F1#1')).toBe(0);
  });

  describe('as a quota (QuotaCounter.add)', () => {
    it('adds a whole batch at once and gives a refused one back: 20, 45, then 70 → 45', async () => {
      const counter = new DynamoRateCounter({ client: dynamoDocumentClient(), tableName, now: () => NOW });
      expect(await counter.add('quota#ch-1#2026-11-23', 20, nowSeconds + 3600)).toBe(20);
      expect(await counter.add('quota#ch-1#2026-11-23', 25, nowSeconds + 3600)).toBe(45);
      expect(await counter.add('quota#ch-1#2026-11-23', 25, nowSeconds + 3600)).toBe(70);
      expect(await counter.add('quota#ch-1#2026-11-23', -25, nowSeconds + 3600)).toBe(45);
      expect(await counter.current('quota#ch-1#2026-11-23')).toBe(45);
    });

    it('adding 0 reads the total (creating a counter at 0 when absent)', async () => {
      const counter = new DynamoRateCounter({ client: dynamoDocumentClient(), tableName, now: () => NOW });
      expect(await counter.add('quota#ch-2#2026-11-23', 0, nowSeconds + 3600)).toBe(0);
      await counter.add('quota#ch-2#2026-11-23', 7, nowSeconds + 3600);
      expect(await counter.add('quota#ch-2#2026-11-23', 0, nowSeconds + 3600)).toBe(7);
    });

    it('loses nothing under concurrency: 10 parallel batches of 5 end at 50', async () => {
      const counters = Array.from({ length: 5 }, () => new DynamoRateCounter({ client: dynamoDocumentClient(), tableName, now: () => NOW }));
      const totals = await Promise.all(Array.from({ length: 10 }, (_, i) => counters[i % 5]!.add('quota#ch-3#2026-11-23', 5, nowSeconds + 3600)));
      expect([...totals].sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => (i + 1) * 5));
    });

    it('restarts an expired counter at the amount, and never below 0 when giving back', async () => {
      let now = NOW;
      const counter = new DynamoRateCounter({ client: dynamoDocumentClient(), tableName, now: () => now });
      await counter.add('quota#ch-4#1', 30, nowSeconds + 30);
      now = new Date(NOW.getTime() + 60_000);
      expect(await counter.add('quota#ch-4#1', -5, nowSeconds + 90)).toBe(0);
      expect(await counter.add('quota#ch-4#1', 4, nowSeconds + 90)).toBe(4);
    });

    it('refuses a fractional amount', async () => {
      const counter = new DynamoRateCounter({ client: dynamoDocumentClient(), tableName, now: () => NOW });
      await expect(counter.add('quota#ch-5#1', 1.5, nowSeconds + 30)).rejects.toThrow(RangeError);
    });
  });
});
