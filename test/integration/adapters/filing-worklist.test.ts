/**
 * The staff worklist index (byDistrictStatus): every write that sets a filing's status also sets its
 * index keys, so a district's worklist by status is always the filings in that status, oldest change
 * first, paged with an opaque cursor that cannot be bent into another district's partition.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDocumentClient } from '../../../functions/adapters/aws-clients';
import { filingRepositoryFromEnv, type DynamoFilingRepository } from '../../../functions/adapters/dynamodb/filing-repository';
import { ZtError } from '../../../functions/core/domain/errors';
import type { FilingRecord, FilingStatus } from '../../../functions/core/domain/filing';
import { tableEnvVar } from '../../../infra/topology';
import { startTestEmulators, type TestEmulators } from '../../support/emulators';

function filing(filingId: string, district: string, updatedAt: string, overrides: Partial<FilingRecord> = {}): FilingRecord {
  return {
    filingId,
    channelId: 'ch-bank-001',
    institutionId: 'inst-bank',
    clientRef: `ref-${filingId}`,
    batchId: 'b-1',
    businessType: 'MORTGAGE_CREATE',
    unitCode: `${district}001001GB00001F00010001`,
    district,
    content: {
      businessType: 'MORTGAGE_CREATE',
      mortgagors: [{ name: 'sealed:name', idType: 'RESIDENT_ID', idNumber: 'sealed:id', idIndex: 'bi:123' }],
      mortgagee: { name: '示例银行', uscc: '91370100MA3C000001' },
      mortgageType: 'GENERAL',
      amountFen: '150000000',
      termStart: '2025-01-01',
      termEnd: '2045-01-01',
    },
    materials: [],
    contentHash: 'cd'.repeat(32),
    status: 'SUBMITTED',
    createdAt: updatedAt,
    updatedAt,
    history: [{ at: updatedAt, status: 'SUBMITTED', by: 'channel:ch-bank-001' }],
    ...overrides,
  };
}

describe('DynamoFilingRepository worklists (byDistrictStatus)', () => {
  let emulators: TestEmulators;
  let repository: DynamoFilingRepository;
  const ids = async (district: string, status: FilingStatus, limit = 50) =>
    (await repository.listByDistrictStatus(district, status, { limit })).items.map((i) => i.filingId);

  beforeAll(async () => {
    emulators = await startTestEmulators('zt-worklist');
    repository = filingRepositoryFromEnv();
    // Stored out of time order, in two districts.
    await repository.putIfAbsent(filing('w-b', '370102', '2026-11-23T09:00:02.000Z'));
    await repository.putIfAbsent(filing('w-a', '370102', '2026-11-23T09:00:01.000Z', { urgent: true } as Partial<FilingRecord>));
    await repository.putIfAbsent(filing('w-c', '370102', '2026-11-23T09:00:03.000Z'));
    await repository.putIfAbsent(filing('w-x', '370103', '2026-11-23T09:00:00.000Z'));
  });
  afterAll(async () => emulators.stop());

  it("lists a district's filings in a status, oldest change first, and none of another district", async () => {
    expect(await ids('370102', 'SUBMITTED')).toEqual(['w-a', 'w-b', 'w-c']);
    expect(await ids('370103', 'SUBMITTED')).toEqual(['w-x']);
    expect(await ids('370104', 'SUBMITTED')).toEqual([]);
  });

  it('answers summaries only: no content, no sealed personal data, no storage keys', async () => {
    const { items } = await repository.listByDistrictStatus('370102', 'SUBMITTED', { limit: 1 });
    expect(items[0]).toStrictEqual({
      filingId: 'w-a',
      businessType: 'MORTGAGE_CREATE',
      unitCode: '370102001001GB00001F00010001',
      institutionId: 'inst-bank',
      district: '370102',
      status: 'SUBMITTED',
      updatedAt: '2026-11-23T09:00:01.000Z',
      urgent: true,
    });
  });

  it('moves a filing between worklists in the same write as its transition', async () => {
    const at = '2026-11-23T09:10:00.000Z';
    const commit = { filingId: 'w-b', district: '370102', expectedRevision: 1, hadOutbox: true, status: 'ACCEPTED' as const, at, effects: [] };
    expect(await repository.commit({ ...commit, entry: { at, status: 'ACCEPTED', by: 'worker:intake' } })).toBe(true);
    expect(await ids('370102', 'SUBMITTED')).toEqual(['w-a', 'w-c']);
    expect(await ids('370102', 'ACCEPTED')).toEqual(['w-b']);
    const { Item } = await dynamoDocumentClient().send(new GetCommand({ TableName: emulators.env[tableEnvVar('filings')], Key: { pk: 'FILING#w-b', sk: 'META' } }));
    expect(Item).toMatchObject({ gsi1pk: '370102#ACCEPTED', gsi1sk: `${at}#w-b` });
  });

  it('keeps the index keys out of the filing record read back', async () => {
    const record = await repository.get('w-b');
    expect(record).not.toHaveProperty('gsi1pk');
    expect(record).not.toHaveProperty('gsi1sk');
    expect(record?.status).toBe('ACCEPTED');
  });

  it('leaves the worklists alone when a write loses (a revision since passed) or names no filing', async () => {
    const at = '2026-11-23T09:20:00.000Z';
    const entry = { at, status: 'REFUSED' as const, by: 'worker:intake' };
    const commit = { district: '370102', expectedRevision: 1, hadOutbox: true, status: 'REFUSED' as const, at, entry, effects: [] };
    expect(await repository.commit({ ...commit, filingId: 'w-b' })).toBe(false);
    expect(await repository.commit({ ...commit, filingId: 'w-missing' })).toBe(false);
    expect(await ids('370102', 'ACCEPTED')).toEqual(['w-b']);
    expect(await ids('370102', 'REFUSED')).toEqual([]);
    expect(await repository.get('w-missing')).toBeUndefined();
  });

  it('pages with an opaque cursor through every item exactly once', async () => {
    for (let i = 0; i < 7; i += 1) await repository.putIfAbsent(filing(`p-${i}`, '370103', `2026-11-23T10:00:0${i}.000Z`, { status: 'READY_FOR_REVIEW' }));
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await repository.listByDistrictStatus('370103', 'READY_FOR_REVIEW', { limit: 3, cursor });
      seen.push(...page.items.map((i) => i.filingId));
      if (page.nextCursor !== undefined) expect(page.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== undefined && pages < 10);
    expect(seen).toEqual(['p-0', 'p-1', 'p-2', 'p-3', 'p-4', 'p-5', 'p-6']);
  });

  it("refuses a cursor of another district's or status's worklist, or a forged one, with 400 CURSOR_INVALID", async () => {
    const { nextCursor } = await repository.listByDistrictStatus('370103', 'READY_FOR_REVIEW', { limit: 2 });
    const forged = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
    const bad = [
      nextCursor!,
      forged({ pk: 'FILING#w-a', sk: 'META', gsi1pk: '370102#SUBMITTED', gsi1sk: '2026-11-23T09:00:01.000Z#w-a', extra: 'x' }),
      forged({ pk: 'FILING#w-a', sk: 'META', gsi1pk: '370102#SUBMITTED', gsi1sk: 42 }),
      forged(['370102#SUBMITTED']),
      'not base64 json!',
    ];
    for (const cursor of bad) {
      await expect(repository.listByDistrictStatus('370102', 'SUBMITTED', { limit: 2, cursor })).rejects.toSatisfy(
        (e: unknown) => e instanceof ZtError && e.status === 400 && e.code === 'CURSOR_INVALID',
      );
    }
    // The very cursor is fine for its own worklist.
    expect((await repository.listByDistrictStatus('370103', 'READY_FOR_REVIEW', { limit: 2, cursor: nextCursor })).items.map((i) => i.filingId)).toEqual(['p-2', 'p-3']);
  });
});
