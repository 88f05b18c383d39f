/**
 * The statistics worker's batch handling (functions/workers/statistics.ts) against dynalite: a message that
 * does not parse fails alone, the rest are counted; the same batch delivered again counts nothing more.
 */
import { readFileSync } from 'node:fs';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDocumentClient } from '../../functions/adapters/aws-clients';
import { DynamoStatisticsStore } from '../../functions/adapters/dynamodb/statistics-store';
import { processStatisticsBatch } from '../../functions/workers/statistics';
import { tableEnvVar } from '../../infra/topology';
import { startTestEmulators, type TestEmulators } from '../support/emulators';

const sqsEvent = JSON.parse(readFileSync(new URL('../../events/sqs/statistics.json', import.meta.url), 'utf8')) as SQSEvent;

describe('the statistics worker', () => {
  let emulators: TestEmulators;
  let store: DynamoStatisticsStore;
  beforeAll(async () => {
    emulators = await startTestEmulators('zt-statistics-worker');
    store = new DynamoStatisticsStore({ client: dynamoDocumentClient(), tableName: emulators.env[tableEnvVar('statistics')]! });
  });
  afterAll(async () => emulators.stop());

  it('fails a malformed message alone, counts the others once, and counts nothing more when the batch comes again', async () => {
    // Prepare
    const good = sqsEvent.Records[0]!;
    const batch: SQSEvent = { Records: [good, { ...good, messageId: 'bad-1', body: '{"v":1,"eventId":"x"}' }, { ...good, messageId: 'bad-2', body: 'not json' }] };
    // Act
    const first = await processStatisticsBatch(batch, store);
    const second = await processStatisticsBatch(batch, store);
    // Assess
    expect(first.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['bad-1', 'bad-2']);
    expect(second.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['bad-1', 'bad-2']);
    const [day] = await store.days('district', '370102', '2026-12-01', '2026-12-01');
    expect(day!.groups['MORTGAGE_CREATE']!.counts).toMatchObject({ certified: 1, certifiedSeconds: 5400 });
    expect(day!.groups['MORTGAGE_CREATE']!.processing.lt4h).toBe(1);
  });
});
