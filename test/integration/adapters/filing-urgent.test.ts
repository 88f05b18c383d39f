/** The filing repository's urgent mark and lock release on the DynamoDB emulator (issue 3 items 6, 9). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FilingRecord } from '../../../functions/core/domain/filing';
import { filingRepositoryFromEnv, type DynamoFilingRepository } from '../../../functions/adapters/dynamodb/filing-repository';
import { startTestEmulators, type TestEmulators } from '../../support/emulators';

const UNIT = '370102001001GB00001F00010001';
const at = '2025-03-01T08:00:00.000Z';
const filing = (filingId: string): FilingRecord => ({
  filingId,
  channelId: 'ch-bank-001',
  institutionId: 'inst-bank',
  clientRef: `ref-${filingId}`,
  batchId: 'b-1',
  businessType: 'MORTGAGE_DISCHARGE',
  unitCode: UNIT,
  district: '370102',
  content: { businessType: 'MORTGAGE_DISCHARGE', mortgageId: 'DY00000001', reason: 'REPAID' },
  materials: [],
  contentHash: 'cd'.repeat(32),
  status: 'SUBMITTED',
  createdAt: at,
  updatedAt: at,
  history: [{ at, status: 'SUBMITTED', by: 'channel:ch-bank-001' }],
});

let emulators: TestEmulators;
let repository: DynamoFilingRepository;
beforeAll(async () => {
  emulators = await startTestEmulators('zt-filing-urgent');
  repository = filingRepositoryFromEnv();
});
afterAll(async () => emulators.stop());

describe('DynamoFilingRepository: urgent lane and lock release', () => {
  it('marks a filing urgent only in the status it was read in, leaving status, history and worklist alone', async () => {
    await repository.putIfAbsent(filing('F-U1'));
    expect(await repository.markUrgent({ filingId: 'F-U1', status: 'ACCEPTED', reason: 'r', by: 'staff:s1' })).toBe(false);
    expect((await repository.get('F-U1'))!.urgent).toBeUndefined();
    expect(await repository.markUrgent({ filingId: 'F-U1', status: 'SUBMITTED', reason: 'Court deadline', by: 'staff:s1' })).toBe(true);
    const marked = (await repository.get('F-U1'))!;
    expect(marked).toMatchObject({ urgent: true, urgentReason: 'Court deadline', urgentBy: 'staff:s1', status: 'SUBMITTED', updatedAt: at });
    expect(marked.history).toHaveLength(1);
    // The worklist summary carries the mark.
    const page = await repository.listByDistrictStatus('370102', 'SUBMITTED', { limit: 10 });
    expect(page.items.find((i) => i.filingId === 'F-U1')).toMatchObject({ urgent: true });
  });

  it("releases the unit's lock only for its holder", async () => {
    expect(await repository.lockActive(UNIT, 'MORTGAGE_DISCHARGE', 'F-U1')).toBe(true);
    await repository.releaseActive(UNIT, 'MORTGAGE_DISCHARGE', 'F-OTHER');
    expect(await repository.activeFilingId(UNIT, 'MORTGAGE_DISCHARGE')).toBe('F-U1');
    await repository.releaseActive(UNIT, 'MORTGAGE_DISCHARGE', 'F-U1');
    expect(await repository.activeFilingId(UNIT, 'MORTGAGE_DISCHARGE')).toBeUndefined();
    expect(await repository.lockActive(UNIT, 'MORTGAGE_DISCHARGE', 'F-U2')).toBe(true);
  });
});
