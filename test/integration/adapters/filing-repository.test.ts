import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { BatchRecord, FilingRecord, FilingStatus } from '../../../functions/core/domain/filing';
import { dynamoDocumentClient } from '../../../functions/adapters/aws-clients';
import { filingRepositoryFromEnv, type DynamoFilingRepository } from '../../../functions/adapters/dynamodb/filing-repository';
import { tableEnvVar } from '../../../infra/topology';
import { startTestEmulators, type TestEmulators } from '../../support/emulators';

const UNIT = '370102001001GB00001F00010001';

function filing(filingId: string, overrides: Partial<FilingRecord> = {}): FilingRecord {
  return {
    filingId,
    channelId: 'ch-bank-001',
    institutionId: 'inst-bank',
    clientRef: `ref-${filingId}`,
    batchId: 'b-1',
    businessType: 'MORTGAGE_CREATE',
    unitCode: UNIT,
    district: '370102',
    content: {
      businessType: 'MORTGAGE_CREATE',
      mortgagors: [{ name: 'sealed:name', idType: 'RESIDENT_ID', idNumber: 'sealed:id', idIndex: 'bi:123' }],
      mortgagee: { name: '示例银行', uscc: '91370100MA3C000001' },
      mortgageType: 'GENERAL',
      amountFen: '150000000',
      termStart: '2025-01-01',
      termEnd: '2045-01-01',
    },
    materials: [{ type: 'APPLICATION_FORM', ref: 'obj://a', sm3: 'ab'.repeat(32) }],
    contentHash: 'cd'.repeat(32),
    status: 'SUBMITTED',
    createdAt: '2025-03-01T08:00:00.000Z',
    updatedAt: '2025-03-01T08:00:00.000Z',
    history: [{ at: '2025-03-01T08:00:00.000Z', status: 'SUBMITTED', by: 'channel:ch-bank-001' }],
    ...overrides,
  };
}

describe('DynamoFilingRepository', () => {
  let emulators: TestEmulators;
  let repository: DynamoFilingRepository;
  beforeAll(async () => {
    emulators = await startTestEmulators('zt-filings');
    repository = filingRepositoryFromEnv();
  });
  afterAll(async () => emulators.stop());

  it('creates a filing once; a second put reports the existing record and changes nothing', async () => {
    const first = filing('f-create');
    expect(await repository.putIfAbsent(first)).toEqual({ kind: 'created' });
    const conflicting = filing('f-create', { contentHash: 'ee'.repeat(32) });
    expect(await repository.putIfAbsent(conflicting)).toEqual({ kind: 'exists', existing: first });
    expect(await repository.get('f-create')).toStrictEqual(first);
  });

  it('get returns undefined for an unknown filing', async () => {
    expect(await repository.get('f-missing')).toBeUndefined();
  });

  it('lets exactly one of 5 concurrent transitions from SUBMITTED win, and appends exactly one history entry', async () => {
    await repository.putIfAbsent(filing('f-race'));
    const targets: FilingStatus[] = ['ACCEPTED', 'REFUSED', 'CORRECTION_REQUIRED', 'ACCEPTED', 'WITHDRAWN'];
    const results = await Promise.all(
      targets.map((to, i) =>
        repository.transition({
          filingId: 'f-race',
          district: '370102',
          from: 'SUBMITTED',
          to,
          entry: { at: `2025-03-01T08:01:0${i}.000Z`, status: to, by: `worker:intake-${i}` },
        }),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    const after = await repository.get('f-race');
    expect(after?.status).toBe(targets[winner]);
    expect(after?.updatedAt).toBe(`2025-03-01T08:01:0${winner}.000Z`);
    expect(after?.history).toHaveLength(2);
    expect(after?.history[1]).toEqual({ at: `2025-03-01T08:01:0${winner}.000Z`, status: targets[winner], by: `worker:intake-${winner}` });
  });

  it('sets the extra attributes of a transition and removes those set to undefined', async () => {
    await repository.putIfAbsent(filing('f-correct'));
    const asked = await repository.transition({
      filingId: 'f-correct',
      district: '370102',
      from: 'SUBMITTED',
      to: 'CORRECTION_REQUIRED',
      entry: { at: '2025-03-01T09:00:00.000Z', status: 'CORRECTION_REQUIRED', by: 'worker:intake', reasonCode: 'MATERIALS_MISSING' },
      set: { missingMaterials: ['MORTGAGE_CONTRACT'], correctionDeadline: '2025-03-06T09:00:00.000Z', reasonCode: 'MATERIALS_MISSING' },
    });
    expect(asked).toBe(true);
    expect(await repository.get('f-correct')).toMatchObject({
      status: 'CORRECTION_REQUIRED',
      missingMaterials: ['MORTGAGE_CONTRACT'],
      correctionDeadline: '2025-03-06T09:00:00.000Z',
    });
    await repository.transition({
      filingId: 'f-correct',
      district: '370102',
      from: 'CORRECTION_REQUIRED',
      to: 'SUBMITTED',
      entry: { at: '2025-03-02T09:00:00.000Z', status: 'SUBMITTED', by: 'channel:ch-bank-001' },
      set: { missingMaterials: undefined, correctionDeadline: undefined, reasonCode: undefined },
    });
    const corrected = await repository.get('f-correct');
    expect(corrected).not.toHaveProperty('missingMaterials');
    expect(corrected).not.toHaveProperty('correctionDeadline');
    expect(corrected?.history.map((h) => h.status)).toEqual(['SUBMITTED', 'CORRECTION_REQUIRED', 'SUBMITTED']);
  });

  it('refuses a transition from a status the filing is not in, or of an unknown filing', async () => {
    await repository.putIfAbsent(filing('f-stale'));
    const entry = { at: '2025-03-01T09:00:00.000Z', status: 'REGISTERED' as const, by: 'staff:1' };
    expect(await repository.transition({ filingId: 'f-stale', district: '370102', from: 'READY_FOR_REVIEW', to: 'REGISTERED', entry })).toBe(false);
    expect(await repository.transition({ filingId: 'f-nowhere', district: '370102', from: 'SUBMITTED', to: 'ACCEPTED', entry })).toBe(false);
    expect((await repository.get('f-stale'))?.history).toHaveLength(1);
  });

  it('refuses a transition that tries to set a managed attribute', async () => {
    await expect(
      repository.transition({
        filingId: 'f-stale',
        district: '370102',
        from: 'SUBMITTED',
        to: 'ACCEPTED',
        entry: { at: '2025-03-01T09:00:00.000Z', status: 'ACCEPTED', by: 'worker:intake' },
        set: { history: [] },
      }),
    ).rejects.toThrow(/may not set history/);
  });

  it('getMany reads 250 ids across BatchGetItem chunks, in the order asked, omitting missing ones', async () => {
    const stored = Array.from({ length: 200 }, (_, i) => `f-many-${String(i).padStart(3, '0')}`);
    await Promise.all(stored.map((id) => repository.putIfAbsent(filing(id))));
    const missing = Array.from({ length: 50 }, (_, i) => `f-many-missing-${i}`);
    // A shuffled mix, so order cannot come from the table's key order.
    const asked = [...stored, ...missing].sort((a, b) => (hash(a) - hash(b)));
    const records = await repository.getMany(asked);
    expect(records.map((r) => r.filingId)).toEqual(asked.filter((id) => !id.includes('missing')));
    expect(records[0]).toStrictEqual(filing(records[0]!.filingId));
  });

  it('getMany of nothing is nothing', async () => {
    expect(await repository.getMany([])).toEqual([]);
  });

  it('stores and reads back a batch, plain and, when its items are large, compressed', async () => {
    const small: BatchRecord = {
      batchId: 'b-small',
      channelId: 'ch-bank-001',
      institutionId: 'inst-bank',
      createdAt: '2025-03-01T08:00:00.000Z',
      items: [
        { index: 0, clientRef: 'r-0', filingId: 'f-0', status: 'SUBMITTED' },
        { index: 1, status: 'INVALID', errors: [{ path: 'clientRef', code: 'REQUIRED', message: 'clientRef is required' }] },
      ],
    };
    await repository.putBatch(small);
    expect(await repository.getBatch('b-small')).toStrictEqual(small);
    const { Item } = await dynamoDocumentClient().send(
      new GetCommand({ TableName: emulators.env[tableEnvVar('filings')], Key: { pk: 'BATCH#b-small', sk: 'META' } }),
    );
    expect(Item?.['items']).toHaveLength(2);

    // 500 invalid items with several field errors each: over 400 KB as plain attributes.
    const large: BatchRecord = {
      ...small,
      batchId: 'b-large',
      items: Array.from({ length: 500 }, (_, index) => ({
        index,
        clientRef: `LOAN-2025-${String(index).padStart(6, '0')}`,
        status: 'INVALID' as const,
        errors: Array.from({ length: 6 }, (_, e) => ({
          path: `filings[${index}].mortgagors[${e}].idNumber`,
          code: 'INVALID_ID_NUMBER',
          message: `ID number of mortgagor ${e} in filing ${index} does not pass the check digit`,
        })),
      })),
    };
    expect(Buffer.byteLength(JSON.stringify(large.items))).toBeGreaterThan(400 * 1024);
    await repository.putBatch(large);
    expect(await repository.getBatch('b-large')).toStrictEqual(large);
    expect(await repository.getBatch('b-nowhere')).toBeUndefined();
  });

  it('lockActive: the holder may take its lock again, another filing is refused until it is released', async () => {
    expect(await repository.lockActive(UNIT, 'MORTGAGE_CREATE', 'f-holder')).toBe(true);
    expect(await repository.lockActive(UNIT, 'MORTGAGE_CREATE', 'f-holder')).toBe(true);
    expect(await repository.lockActive(UNIT, 'MORTGAGE_CREATE', 'f-other')).toBe(false);
    // Another business type on the same unit, or the same type on another unit, is a different lock.
    expect(await repository.lockActive(UNIT, 'MORTGAGE_DISCHARGE', 'f-other')).toBe(true);
    expect(await repository.lockActive(`${UNIT.slice(0, -1)}2`, 'MORTGAGE_CREATE', 'f-other')).toBe(true);
    await repository.releaseActive(UNIT, 'MORTGAGE_CREATE', 'f-other');
    expect(await repository.lockActive(UNIT, 'MORTGAGE_CREATE', 'f-other')).toBe(false);
    await repository.releaseActive(UNIT, 'MORTGAGE_CREATE', 'f-holder');
    expect(await repository.lockActive(UNIT, 'MORTGAGE_CREATE', 'f-other')).toBe(true);
  });

  it('lockActive: of 10 concurrent filings, exactly one takes a free lock', async () => {
    const unit = `${UNIT.slice(0, -1)}9`;
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => repository.lockActive(unit, 'MORTGAGE_CREATE', `f-c${i}`)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});

function hash(value: string): number {
  let h = 7;
  for (const c of value) h = (h * 31 + c.charCodeAt(0)) % 1_000_003;
  return h;
}
