import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { BatchRecord, FilingRecord, FilingStatus } from '../../../functions/core/domain/filing';
import type { PendingEffect } from '../../../functions/core/domain/lifecycle';
import type { FilingCommit } from '../../../functions/core/ports';
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

  const asStored = (record: FilingRecord): FilingRecord => ({ ...record, revision: 1, outbox: {} });
  const commitOf = (filingId: string, overrides: Partial<FilingCommit> = {}): FilingCommit => ({
    filingId,
    district: '370102',
    expectedRevision: 1,
    hadOutbox: true,
    status: 'ACCEPTED',
    entry: { at: '2025-03-01T08:01:00.000Z', status: 'ACCEPTED', by: 'worker:intake' },
    at: '2025-03-01T08:01:00.000Z',
    effects: [],
    ...overrides,
  });
  const effect = (id: string): PendingEffect => ({ id, seq: 100, kind: 'releaseDisposition', unitCode: UNIT });

  it('creates a filing once, at revision 1 with an empty outbox; a second put reports the existing record and changes nothing', async () => {
    const first = filing('f-create');
    expect(await repository.putIfAbsent(first)).toEqual({ kind: 'created' });
    const conflicting = filing('f-create', { contentHash: 'ee'.repeat(32) });
    expect(await repository.putIfAbsent(conflicting)).toEqual({ kind: 'exists', existing: asStored(first) });
    expect(await repository.get('f-create')).toStrictEqual(asStored(first));
  });

  it('get returns undefined for an unknown filing', async () => {
    expect(await repository.get('f-missing')).toBeUndefined();
  });

  it('lets exactly one of 5 concurrent lifecycle writes at one revision win, and appends exactly one history entry', async () => {
    await repository.putIfAbsent(filing('f-race'));
    const targets: FilingStatus[] = ['ACCEPTED', 'REFUSED', 'CORRECTION_REQUIRED', 'ACCEPTED', 'WITHDRAWN'];
    const results = await Promise.all(
      targets.map((to, i) =>
        repository.commit(commitOf('f-race', { status: to, at: `2025-03-01T08:01:0${i}.000Z`, entry: { at: `2025-03-01T08:01:0${i}.000Z`, status: to, by: `worker:intake-${i}` }, effects: [effect(`2.${i}`)] })),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    const after = await repository.get('f-race');
    expect(after?.status).toBe(targets[winner]);
    expect(after?.revision).toBe(2);
    expect(after?.updatedAt).toBe(`2025-03-01T08:01:0${winner}.000Z`);
    expect(after?.history).toHaveLength(2);
    expect(after?.history[1]).toEqual({ at: `2025-03-01T08:01:0${winner}.000Z`, status: targets[winner], by: `worker:intake-${winner}` });
    expect(Object.keys(after?.outbox ?? {})).toEqual([`2.${winner}`]);
  });

  it('sets the extra attributes of a write and removes those set to undefined; an annotation keeps status, history and worklist keys', async () => {
    await repository.putIfAbsent(filing('f-correct'));
    const asked = await repository.commit(
      commitOf('f-correct', {
        status: 'CORRECTION_REQUIRED',
        entry: { at: '2025-03-01T09:00:00.000Z', status: 'CORRECTION_REQUIRED', by: 'worker:intake' },
        set: { missingMaterials: ['MORTGAGE_CONTRACT'], correctionDeadline: '2025-03-06', reasonCode: 'MATERIALS_MISSING' },
      }),
    );
    expect(asked).toBe(true);
    expect(await repository.get('f-correct')).toMatchObject({ status: 'CORRECTION_REQUIRED', missingMaterials: ['MORTGAGE_CONTRACT'], correctionDeadline: '2025-03-06' });
    await repository.commit(
      commitOf('f-correct', {
        expectedRevision: 2,
        status: 'SUBMITTED',
        entry: { at: '2025-03-02T09:00:00.000Z', status: 'SUBMITTED', by: 'channel:ch-bank-001' },
        set: { missingMaterials: undefined, correctionDeadline: undefined, reasonCode: undefined },
      }),
    );
    expect(await repository.commit(commitOf('f-correct', { expectedRevision: 3, status: 'SUBMITTED', entry: undefined, set: { urgent: true } }))).toBe(true);
    const corrected = await repository.get('f-correct');
    expect(corrected).not.toHaveProperty('missingMaterials');
    expect(corrected).not.toHaveProperty('correctionDeadline');
    expect(corrected).toMatchObject({ urgent: true, revision: 4, status: 'SUBMITTED', updatedAt: '2025-03-02T09:00:00.000Z' });
    expect(corrected?.history.map((h) => h.status)).toEqual(['SUBMITTED', 'CORRECTION_REQUIRED', 'SUBMITTED']);
    const worklist = await repository.listByDistrictStatus('370102', 'SUBMITTED', { limit: 100 });
    expect(worklist.items.find((i) => i.filingId === 'f-correct')).toMatchObject({ updatedAt: '2025-03-02T09:00:00.000Z', urgent: true });
  });

  it('refuses a write at a revision the filing is not at, or of an unknown filing', async () => {
    await repository.putIfAbsent(filing('f-stale'));
    expect(await repository.commit(commitOf('f-stale', { expectedRevision: 2 }))).toBe(false);
    expect(await repository.commit(commitOf('f-stale', { expectedRevision: 0, hadOutbox: false }))).toBe(false);
    expect(await repository.commit(commitOf('f-nowhere'))).toBe(false);
    expect(await repository.commit(commitOf('f-nowhere', { expectedRevision: 0, hadOutbox: false }))).toBe(false);
    expect((await repository.get('f-stale'))?.history).toHaveLength(1);
    expect(await repository.get('f-nowhere')).toBeUndefined();
  });

  it('gives a filing stored before revisions and outboxes its first revision and outbox with its first write', async () => {
    const legacy = filing('f-legacy');
    await dynamoDocumentClient().send(
      new PutCommand({ TableName: emulators.env[tableEnvVar('filings')], Item: { pk: 'FILING#f-legacy', sk: 'META', ...legacy, gsi1pk: '370102#SUBMITTED', gsi1sk: `${legacy.updatedAt}#f-legacy` } }),
    );
    expect(await repository.commit(commitOf('f-legacy', { expectedRevision: 0, hadOutbox: false, effects: [effect('1.0')] }))).toBe(true);
    expect(await repository.get('f-legacy')).toMatchObject({ status: 'ACCEPTED', revision: 1, outbox: { '1.0': effect('1.0') } });
  });

  it('refuses a write that tries to set a managed attribute', async () => {
    await expect(repository.commit(commitOf('f-stale', { set: { history: [] } }))).rejects.toThrow(/may not set history/);
    await expect(repository.commit(commitOf('f-stale', { set: { revision: 9 } }))).rejects.toThrow(/may not set revision/);
  });

  it('keeps effects in the outbox and the filing on the pending index until they are done; a later write keeps it there', async () => {
    await repository.putIfAbsent(filing('f-outbox', { district: '370199' }));
    await repository.commit(commitOf('f-outbox', { district: '370199', at: '2025-03-01T08:01:00.000Z', effects: [effect('2.0'), effect('2.1')] }));
    const pending = async (before = '2099-01-01') => (await repository.listPendingEffects('370199', before, { limit: 10 })).items.map((i) => i.filingId);
    expect(await pending()).toEqual(['f-outbox']);
    expect(await pending('2025-03-01T08:00:00.000Z')).toEqual([]);
    // Another write records a new effect before the first ones are marked done: the index keeps the filing.
    await repository.commit(commitOf('f-outbox', { district: '370199', expectedRevision: 2, status: 'ACCEPTED', entry: undefined, at: '2025-03-01T08:02:00.000Z', effects: [effect('3.0')] }));
    await repository.completeEffects('f-outbox', ['2.0', '2.1'], 2);
    expect(Object.keys((await repository.get('f-outbox'))!.outbox ?? {})).toEqual(['3.0']);
    expect(await pending()).toEqual(['f-outbox']);
    await repository.completeEffects('f-outbox', ['3.0'], 3);
    expect((await repository.get('f-outbox'))!.outbox).toEqual({});
    expect(await pending()).toEqual([]);
    // Marking done again changes nothing.
    await repository.completeEffects('f-outbox', ['3.0'], 3);
    expect((await repository.get('f-outbox'))!.revision).toBe(3);
  });

  it('getMany reads 250 ids across BatchGetItem chunks, in the order asked, omitting missing ones', async () => {
    const stored = Array.from({ length: 200 }, (_, i) => `f-many-${String(i).padStart(3, '0')}`);
    await Promise.all(stored.map((id) => repository.putIfAbsent(filing(id))));
    const missing = Array.from({ length: 50 }, (_, i) => `f-many-missing-${i}`);
    // A shuffled mix, so order cannot come from the table's key order.
    const asked = [...stored, ...missing].sort((a, b) => (hash(a) - hash(b)));
    const records = await repository.getMany(asked);
    expect(records.map((r) => r.filingId)).toEqual(asked.filter((id) => !id.includes('missing')));
    expect(records[0]).toStrictEqual(asStored(filing(records[0]!.filingId)));
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

  it('disposition lock: written only at the version read; a release removes one holder and moves the version', async () => {
    const empty = await repository.readDisposition(UNIT);
    expect(empty).toEqual({ unitCode: UNIT, version: 0, holders: {} });
    expect(await repository.writeDisposition(empty, { 'f-holder': 'MORTGAGE_CREATE' })).toBe(true);
    expect(await repository.writeDisposition(empty, { 'f-other': 'MORTGAGE_CREATE' })).toBe(false);
    const held = await repository.readDisposition(UNIT);
    expect(held).toEqual({ unitCode: UNIT, version: 1, holders: { 'f-holder': 'MORTGAGE_CREATE' } });
    expect(await repository.writeDisposition(held, { ...held.holders, 'f-discharge': 'MORTGAGE_DISCHARGE' })).toBe(true);
    await repository.releaseDisposition(UNIT, 'f-holder');
    await repository.releaseDisposition(UNIT, 'f-holder');
    await repository.releaseDisposition(UNIT, 'f-never');
    expect(await repository.readDisposition(UNIT)).toEqual({ unitCode: UNIT, version: 3, holders: { 'f-discharge': 'MORTGAGE_DISCHARGE' } });
    expect(await repository.writeDisposition(held, {})).toBe(false);
  });

  it('disposition lock: of 10 concurrent writers at one version, exactly one wins', async () => {
    const unit = `${UNIT.slice(0, -1)}9`;
    const lock = await repository.readDisposition(unit);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => repository.writeDisposition(lock, { [`f-c${i}`]: 'MORTGAGE_CREATE' })));
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});

function hash(value: string): number {
  let h = 7;
  for (const c of value) h = (h * 31 + c.charCodeAt(0)) % 1_000_003;
  return h;
}
