import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDocumentClient } from '../../../functions/adapters/aws-clients';
import { DynamoChecklistStore } from '../../../functions/adapters/dynamodb/checklist-store';
import { MATERIAL_CHECKLISTS } from '../../../functions/core/domain/business-types';
import { ZtError } from '../../../functions/core/domain/errors';
import { tableEnvVar } from '../../../infra/topology';
import { startTestEmulators, type TestEmulators } from '../../support/emulators';

const AT = new Date('2026-11-23T09:00:00.000Z');
const draft = (baseVersion: number, extra: string[] = []) => ({
  baseVersion,
  required: [...MATERIAL_CHECKLISTS.MORTGAGE_CREATE!.required, ...extra],
  optional: ['POWER_OF_ATTORNEY'],
});
const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'OK',
    (e: unknown) => (e instanceof ZtError ? `${e.status} ${e.code}` : String(e)),
  );

describe('DynamoChecklistStore', () => {
  let emulators: TestEmulators;
  let tableName: string;
  const store = (ttlMs = 0, nowMs?: () => number) => new DynamoChecklistStore({ client: dynamoDocumentClient(), tableName, currentTtlMs: ttlMs, nowMs });
  beforeAll(async () => {
    emulators = await startTestEmulators('zt-checklists');
    tableName = emulators.env[tableEnvVar('checklists')]!;
  });
  afterAll(async () => emulators.stop());

  it('answers the built-in list as version 1 of a type nobody has published for, without writing anything', async () => {
    const s = store();
    expect(await s.current('PRESALE_NOTICE')).toMatchObject({ version: 1, ...MATERIAL_CHECKLISTS.PRESALE_NOTICE, publishedBy: 'builtin' });
    expect(await s.version('PRESALE_NOTICE', 1)).toMatchObject({ version: 1 });
    expect(await s.version('PRESALE_NOTICE', 2)).toBeUndefined();
    expect((await s.history('PRESALE_NOTICE')).map((v) => v.version)).toEqual([1]);
    const { Items } = await dynamoDocumentClient().send(new ScanCommand({ TableName: tableName }));
    expect(Items ?? []).toHaveLength(0);
  });

  it('publishes versions on top of the current one and keeps every version', async () => {
    const s = store();
    const v2 = await s.publish('MORTGAGE_CREATE', { ...draft(1, ['HOUSEHOLD_REGISTER']), note: '户口簿' }, 'staff:admin', AT);
    expect(v2).toMatchObject({ version: 2, publishedBy: 'staff:admin', publishedAt: AT.toISOString(), note: '户口簿' });
    await s.publish('MORTGAGE_CREATE', draft(2), 'staff:admin', AT);
    expect((await s.current('MORTGAGE_CREATE')).version).toBe(3);
    expect((await s.history('MORTGAGE_CREATE')).map((v) => v.version)).toEqual([3, 2, 1]);
    expect((await s.version('MORTGAGE_CREATE', 2))?.required).toContain('HOUSEHOLD_REGISTER');
    expect((await s.version('MORTGAGE_CREATE', 1))?.required).not.toContain('HOUSEHOLD_REGISTER');
    const { Items } = await dynamoDocumentClient().send(new ScanCommand({ TableName: tableName }));
    expect(Items!.map((i) => i['sk']).sort()).toEqual(['CURRENT', 'V#0000000002', 'V#0000000003']);
  });

  it('refuses a stale or a future baseVersion with 409 CHECKLIST_VERSION_CONFLICT', async () => {
    const s = store();
    await s.publish('TRANSFER_NEW', draft(1), 'staff:a', AT);
    expect(await codeOf(s.publish('TRANSFER_NEW', draft(1), 'staff:b', AT))).toBe('409 CHECKLIST_VERSION_CONFLICT');
    expect(await codeOf(s.publish('TRANSFER_NEW', draft(5), 'staff:b', AT))).toBe('409 CHECKLIST_VERSION_CONFLICT');
    expect((await s.current('TRANSFER_NEW')).version).toBe(2);
  });

  it('lets exactly one of several concurrent publishers on the same base win; the others get 409', async () => {
    // Separate store instances, as separate Lambda instances would be.
    const outcomes = await Promise.all(Array.from({ length: 5 }, (_, i) => codeOf(store().publish('TRANSFER_RESALE', draft(1, [`EXTRA_${i}A`]), `staff:${i}`, AT))));
    expect(outcomes.filter((o) => o === 'OK')).toHaveLength(1);
    expect(outcomes.filter((o) => o === '409 CHECKLIST_VERSION_CONFLICT')).toHaveLength(4);
    const current = await store().current('TRANSFER_RESALE');
    const winner = outcomes.indexOf('OK');
    expect(current).toMatchObject({ version: 2, publishedBy: `staff:${winner}` });
    expect(current.required).toContain(`EXTRA_${winner}A`);
  });

  it('rolls the pointer forward past a version left by a publisher that crashed before moving it', async () => {
    const client = dynamoDocumentClient();
    const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
    // Prepare: version 2 written, CURRENT never moved (still absent = version 1).
    await client.send(new PutCommand({ TableName: tableName, Item: { pk: 'CHECKLIST#MORTGAGE_DISCHARGE', sk: 'V#0000000002', version: 2, required: ['APPLICATION_FORM'], optional: [], publishedAt: AT.toISOString(), publishedBy: 'staff:crashed' } }));
    const s = store();
    expect((await s.current('MORTGAGE_DISCHARGE')).version).toBe(1);
    // Act: a publisher on base 1 collides with the orphan, moves the pointer, and is told to re-read.
    expect(await codeOf(s.publish('MORTGAGE_DISCHARGE', draft(1), 'staff:next', AT))).toBe('409 CHECKLIST_VERSION_CONFLICT');
    // Assess: version 2 is now current, and publishing on it works.
    expect((await s.current('MORTGAGE_DISCHARGE')).version).toBe(2);
    expect(await codeOf(s.publish('MORTGAGE_DISCHARGE', draft(2), 'staff:next', AT))).toBe('OK');
  });

  it('caches the current version for its TTL; a publish through the same store is seen at once', async () => {
    let now = 0;
    const reader = store(30_000, () => now);
    expect((await reader.current('FIRST_REGISTRATION')).version).toBe(1);
    await store().publish('FIRST_REGISTRATION', draft(1), 'staff:other-instance', AT);
    expect((await reader.current('FIRST_REGISTRATION')).version).toBe(1);
    now += 30_001;
    expect((await reader.current('FIRST_REGISTRATION')).version).toBe(2);
    await reader.publish('FIRST_REGISTRATION', draft(2), 'staff:this-instance', AT);
    expect((await reader.current('FIRST_REGISTRATION')).version).toBe(3);
  });
});
