import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditRecord } from '../../../functions/core/ports';
import { dynamoDocumentClient } from '../../../functions/adapters/aws-clients';
import { DynamoAuditLog } from '../../../functions/adapters/dynamodb/audit-log';
import { tableEnvVar } from '../../../infra/topology';
import { startTestEmulators, type TestEmulators } from '../../support/emulators';

describe('DynamoAuditLog', () => {
  let emulators: TestEmulators;
  let tableName: string;
  beforeAll(async () => {
    emulators = await startTestEmulators('zt-audit');
    tableName = emulators.env[tableEnvVar('audit')]!;
  });
  afterAll(async () => emulators.stop());

  it('stores exactly the record and its time under the tenant and UTC day, and reads it back', async () => {
    // Prepare: 01:30 on 2 March in Beijing, still 1 March in UTC, which names the partition.
    const at = new Date('2025-03-01T17:30:00.000Z');
    const log = new DynamoAuditLog({ client: dynamoDocumentClient(), tableName, now: () => at });
    const record: AuditRecord = {
      tenant: 'inst-bank',
      actor: 'channel:ch-bank-001',
      action: 'batch.submit',
      outcome: 'SUCCESS',
      target: 'b-1',
      detail: { filings: 3, invalid: 1, urgent: false },
    };
    // Act: a stray property (as a careless caller might pass) is not stored.
    await log.record({ ...record, personalName: '张三' } as AuditRecord);
    // Assess
    // The retention class is stored with every record: OPERATIONS unless the record says otherwise (DESIGN.md §5).
    expect(await log.listAudit('inst-bank', '2025-03-01')).toStrictEqual([{ ...record, retention: 'OPERATIONS', at: at.toISOString() }]);
    const { Items } = await dynamoDocumentClient().send(new ScanCommand({ TableName: tableName }));
    expect(Items).toHaveLength(1);
    const item = Items![0]!;
    expect(item['pk']).toBe('AUDIT#inst-bank#2025-03-01');
    expect(item['sk']).toMatch(/^2025-03-01T17:30:00\.000Z#[0-9a-f]{12}$/);
    expect(Object.keys(item).sort()).toEqual(['action', 'actor', 'at', 'detail', 'outcome', 'pk', 'retention', 'sk', 'target', 'tenant']);
  });

  it('keeps records written at the same instant apart, in time order, per tenant and day', async () => {
    let now = new Date('2025-03-02T00:00:00.000Z');
    const log = new DynamoAuditLog({ client: dynamoDocumentClient(), tableName, now: () => now });
    const base = { tenant: '370102', actor: 'worker:intake', outcome: 'SUCCESS' } as const;
    await Promise.all(Array.from({ length: 10 }, (_, i) => log.record({ ...base, action: `same-instant-${i}` })));
    now = new Date('2025-03-02T23:59:59.999Z');
    await log.record({ ...base, action: 'last' });
    now = new Date('2025-03-03T00:00:00.000Z');
    await log.record({ ...base, action: 'next-day' });
    await log.record({ ...base, tenant: '370103', action: 'other-tenant' });
    const day = await log.listAudit('370102', '2025-03-02');
    expect(day).toHaveLength(11);
    expect(day.at(-1)?.action).toBe('last');
    expect((await log.listAudit('370102', '2025-03-03')).map((e) => e.action)).toEqual(['next-day']);
  });

  it('propagates a failed write instead of losing it silently', async () => {
    const log = new DynamoAuditLog({ client: dynamoDocumentClient(), tableName: 'zt-audit-no-such-table' });
    await expect(log.record({ tenant: 't', actor: 'a', action: 'x', outcome: 'ERROR' })).rejects.toThrow();
    const unreachable = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: 'http://127.0.0.1:9', maxAttempts: 1 }),
    );
    const offline = new DynamoAuditLog({ client: unreachable, tableName });
    await expect(offline.record({ tenant: 't', actor: 'a', action: 'x', outcome: 'ERROR' })).rejects.toThrow();
  });
});
