import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateStoreFromEnv, type DynamoCertificateStore } from '../../../functions/adapters/dynamodb/certificate-store';
import type { Certificate } from '../../../functions/core/domain/certificate';
import { startTestEmulators, type TestEmulators } from '../../support/emulators';

const certificate = (certificateNo: string, filingId: string): Certificate => ({
  certificateNo,
  filingId,
  channelId: 'ch',
  district: '370102',
  unitCode: '370102007007GB00001F00000001',
  document: {
    certificateNo,
    kind: 'PROOF',
    kindName: '不动产登记证明',
    businessType: 'MORTGAGE_CREATE',
    registrationName: '抵押权首次登记',
    district: '370102',
    unitCode: '370102007007GB00001F00000001',
    address: 'a',
    areaM2: '1',
    rightHolders: [],
    obligors: [],
    right: {},
    filingId,
    registeredAt: '2026-11-23T00:00:00.000Z',
  },
  digest: 'ab'.repeat(32),
  signature: 'c2ln',
  keyId: 'k',
  issuedAt: '2026-11-23T00:00:00.000Z',
  current: true,
});

describe('DynamoCertificateStore', () => {
  let emulators: TestEmulators;
  let store: DynamoCertificateStore;
  beforeAll(async () => {
    emulators = await startTestEmulators('zt-certificates');
    store = certificateStoreFromEnv();
  });
  afterAll(async () => emulators.stop());

  it('hands out 20 distinct consecutive sequence numbers to 20 parallel allocations', async () => {
    const series = { district: '370102', year: 2026, kind: 'PROOF' as const };
    const numbers = await Promise.all(Array.from({ length: 20 }, () => store.nextSequence(series)));
    expect(new Set(numbers).size).toBe(20);
    expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // Another series counts on its own.
    expect(await store.nextSequence({ ...series, kind: 'TITLE' })).toBe(1);
  });

  it('allocates one number per filing: a concurrent or repeated claim gets the number in force', async () => {
    const series = { district: '370103', year: 2026, kind: 'PROOF' as const };
    const claims = await Promise.all(['A', 'B', 'C'].map((n) => store.claimAllocation({ filingId: 'F-ONE', certificateNo: `no-${n}`, series })));
    expect(new Set(claims.map((c) => c.certificateNo)).size).toBe(1);
    expect((await store.allocationOf('F-ONE'))?.certificateNo).toBe(claims[0]!.certificateNo);
    expect(await store.allocationOf('F-NONE')).toBeUndefined();
  });

  it('stores a certificate once, marks it superseded, and tracks the current certificate of a right', async () => {
    const first = certificate('no-1', 'F-1');
    expect(await store.putIfAbsent(first)).toEqual(first);
    expect(await store.putIfAbsent({ ...first, issuedAt: 'later' })).toEqual(first);
    await store.setCurrent(first.unitCode, 'OWNERSHIP', 'no-1');
    expect(await store.currentOf(first.unitCode, 'OWNERSHIP')).toBe('no-1');
    await store.markSuperseded('no-1', 'no-2');
    await store.markSuperseded('no-1', 'no-2');
    await store.markSuperseded('no-missing', 'no-2');
    expect(await store.get('no-1')).toMatchObject({ current: false, supersededBy: 'no-2' });
    expect(await store.get('no-missing')).toBeUndefined();
  });
});
