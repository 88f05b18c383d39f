/**
 * The statistics' day buckets on DynamoDB (dynalite here; DynamoDB Local in `npm run test:dynamodb-local`):
 * an addition is counted once however often it arrives, writers racing on one bucket lose nothing, and a
 * reader sums a day's shards and never sees the applied keys.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDocumentClient } from '../../../functions/adapters/aws-clients';
import { DynamoStatisticsStore } from '../../../functions/adapters/dynamodb/statistics-store';
import { CITY, NO_COUNTS, type StatisticsAddition, type StatisticsBucketRef } from '../../../functions/core/domain/statistics';
import { tableEnvVar } from '../../../infra/topology';
import { startTestEmulators, type TestEmulators } from '../../support/emulators';

const bucket = (day: string, shard = 0, id = '370102'): StatisticsBucketRef => ({ scope: 'district', id, day, shard });
const submitted = (key: string, group = 'MORTGAGE_CREATE'): StatisticsAddition => ({ key, group, counts: { submitted: 1 } });

describe('DynamoStatisticsStore', () => {
  let emulators: TestEmulators;
  let tableName: string;
  const store = () => new DynamoStatisticsStore({ client: dynamoDocumentClient(), tableName });
  beforeAll(async () => {
    emulators = await startTestEmulators('zt-statistics');
    tableName = emulators.env[tableEnvVar('statistics')]!;
  });
  afterAll(async () => emulators.stop());

  it('counts an addition once, however often it is added (a redelivery, an effect performed again after a crash)', async () => {
    // Prepare
    const s = store();
    // Act
    expect(await s.add(bucket('2026-11-02'), [submitted('F1:2:submitted'), submitted('F2:2:submitted')])).toBe(2);
    expect(await s.add(bucket('2026-11-02'), [submitted('F1:2:submitted')])).toBe(0);
    expect(await s.add(bucket('2026-11-02'), [submitted('F1:2:submitted'), submitted('F1:2:submitted'), submitted('F3:2:submitted')])).toBe(1);
    // Assess
    const days = await s.days('district', '370102', '2026-11-02', '2026-11-02');
    expect(days).toEqual([{ day: '2026-11-02', groups: { MORTGAGE_CREATE: expect.objectContaining({ counts: { ...NO_COUNTS, submitted: 3 } }) } }]);
  });

  it('loses nothing when 20 writers race on one bucket (each write is conditional on the version it read)', async () => {
    const s = store();
    const writers = Array.from({ length: 20 }, (_, i) => s.add(bucket('2026-11-03'), [submitted(`R${i}:2:submitted`), { key: `R${i}:3`, group: 'TRANSFER_NEW', counts: { accepted: 1 } }]));
    expect(await Promise.all(writers)).toEqual(Array.from({ length: 20 }, () => 2));
    // The same 20 again, racing: nothing more is counted.
    const again = Array.from({ length: 20 }, (_, i) => s.add(bucket('2026-11-03'), [submitted(`R${i}:2:submitted`)]));
    expect(await Promise.all(again)).toEqual(Array.from({ length: 20 }, () => 0));
    const [day] = await s.days('district', '370102', '2026-11-03', '2026-11-03');
    expect(day!.groups['MORTGAGE_CREATE']!.counts.submitted).toBe(20);
    expect(day!.groups['TRANSFER_NEW']!.counts.accepted).toBe(20);
  });

  it('sums the shards of a day, keeps days apart and in order, and reads only the range and the scope asked', async () => {
    const s = store();
    await s.add(bucket('2026-11-10', 0), [submitted('A:2:submitted')]);
    await s.add(bucket('2026-11-10', 3), [submitted('B:2:submitted'), { key: 'B:5', group: 'MORTGAGE_CREATE', counts: { certified: 1, certifiedSeconds: 7200 }, processing: 'lt4h' }]);
    await s.add(bucket('2026-11-09', 1), [submitted('C:2:submitted')]);
    await s.add(bucket('2026-11-11', 2), [submitted('D:2:submitted')]);
    await s.add(bucket('2026-11-10', 0, '370103'), [submitted('E:2:submitted')]);
    await s.add({ scope: 'channels', id: CITY, day: '2026-11-10', shard: 0 }, [{ key: 'A:2:submitted', group: 'CH-1', counts: { submitted: 1 }, institutionId: 'INST-1', institutionType: 'BANK' }]);

    const days = await s.days('district', '370102', '2026-11-09', '2026-11-10');
    expect(days.map((d) => d.day)).toEqual(['2026-11-09', '2026-11-10']);
    const tenth = days[1]!.groups['MORTGAGE_CREATE']!;
    expect(tenth.counts).toEqual({ ...NO_COUNTS, submitted: 2, certified: 1, certifiedSeconds: 7200 });
    expect(tenth.processing.lt4h).toBe(1);
    expect(await s.days('channels', CITY, '2026-11-10', '2026-11-10')).toEqual([
      { day: '2026-11-10', groups: { 'CH-1': expect.objectContaining({ institutionId: 'INST-1', institutionType: 'BANK', counts: { ...NO_COUNTS, submitted: 1 } }) } },
    ]);
  });

  it('stores the applied keys on the bucket for the writer, and the reader never returns them', async () => {
    const s = store();
    await s.add(bucket('2026-11-20', 1), [submitted('K:2:submitted')]);
    const { Item } = await dynamoDocumentClient().send(new GetCommand({ TableName: tableName, Key: { pk: 'STAT#district#370102', sk: 'DAY#2026-11-20#1' } }));
    expect([...(Item!['applied'] as Set<string>)]).toEqual(['K:2:submitted']);
    const [day] = await s.days('district', '370102', '2026-11-20', '2026-11-20');
    expect(Object.keys(day!)).toEqual(['day', 'groups']);
  });
});
