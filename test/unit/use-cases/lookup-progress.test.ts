/**
 * The citizen lookup's matching rules, with an in-memory vault (the decoy vault: the real SM4/HMAC-SM3
 * sealing, keys in memory) and filings in a map: all three of number, name and ID must match, and every
 * mismatch is the same error after the same vault work.
 */
import { describe, expect, it } from 'vitest';
import { DecoyVault, lookupDecoy } from '../../../functions/adapters/keys/decoy-vault';
import { ZtError } from '../../../functions/core/domain/errors';
import type { FilingRecord, SealedPerson } from '../../../functions/core/domain/filing';
import { sameName } from '../../../functions/core/domain/progress-lookup';
import type { FilingRepository, PersonalDataVault } from '../../../functions/core/ports';
import { lookupProgress, type LookupProgressPorts } from '../../../functions/core/use-cases/lookup-progress';

const DISTRICT = '370102';
const ID = 'F0123456789ABCDEF01234567';
const OWNER = { name: '张三丰', idNumber: '370102198001011237' };
const BUYER = { name: '王小明', idNumber: '370103199002020021' };

/** Counts the vault calls, to check that every path does the same work. */
function counting(vault: PersonalDataVault, calls: string[]): PersonalDataVault {
  return {
    seal: (...args) => vault.seal(...args),
    open: (...args) => (calls.push('open'), vault.open(...args)),
    blindIndex: (...args) => (calls.push('blindIndex'), vault.blindIndex(...args)),
  };
}

async function world() {
  const vault = new DecoyVault();
  const seal = async (p: { name: string; idNumber: string }): Promise<SealedPerson> => ({
    name: await vault.seal(DISTRICT, 'name', p.name, ID),
    idType: 'RESIDENT_ID',
    idNumber: await vault.seal(DISTRICT, 'idNumber', p.idNumber, ID),
    idIndex: await vault.blindIndex(DISTRICT, 'idNumber', p.idNumber),
  });
  const at = '2026-11-23T09:00:00.000Z';
  const filing: FilingRecord = {
    filingId: ID,
    channelId: 'ch',
    institutionId: 'INST',
    clientRef: 'ref',
    batchId: 'B',
    businessType: 'TRANSFER_RESALE',
    unitCode: '370102001001GB00001F00010101',
    district: DISTRICT,
    content: { businessType: 'TRANSFER_RESALE', sellers: [await seal(OWNER)], buyers: [await seal(BUYER)], contractNo: 'C-1', priceFen: '100' },
    materials: [],
    contentHash: 'x',
    status: 'REFUSED',
    createdAt: at,
    updatedAt: '2026-11-23T09:05:00.000Z',
    history: [
      { at, status: 'SUBMITTED', by: 'channel:ch' },
      { at: '2026-11-23T09:05:00.000Z', status: 'REFUSED', by: 'worker:intake', reasonCode: 'UNIT_SEIZED', note: 'The unit is under an active seizure (查封).' },
    ],
  };
  const filings = { get: async (id: string) => (id === ID ? filing : undefined) } as unknown as FilingRepository;
  const calls: string[] = [];
  const decoy = await lookupDecoy();
  const ports: LookupProgressPorts = { filings, vault: counting(vault, calls), decoy: { ...decoy, vault: counting(decoy.vault, calls) } as LookupProgressPorts['decoy'] };
  return { ports, calls };
}

const codeOf = async (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'MATCHED',
    (error: unknown) => (error instanceof ZtError ? `${error.status} ${error.code}` : String(error)),
  );

describe('lookupProgress', () => {
  it('answers progress only, the applicant masked, for a seller or a buyer with the right name and ID number', async () => {
    const { ports } = await world();
    const { answer, filingId } = await lookupProgress(ports, { businessNumber: ID, ...OWNER });
    expect(filingId).toBe(ID);
    expect(answer).toEqual({
      businessNumber: ID,
      businessType: 'TRANSFER_RESALE',
      status: 'REFUSED',
      updatedAt: '2026-11-23T09:05:00.000Z',
      unitCode: '370102001001GB00001F00010101',
      applicant: '张*丰',
      history: [
        { at: '2026-11-23T09:00:00.000Z', status: 'SUBMITTED' },
        { at: '2026-11-23T09:05:00.000Z', status: 'REFUSED' },
      ],
      // Nobody unmasked it (the unmasked case: test/integration/misuse-api.test.ts).
      disclosures: [],
    });
    // Reasons and notes are not shown: a note could name another party.
    expect(JSON.stringify(answer)).not.toMatch(/UNIT_SEIZED|查封|worker|channel/);
    expect((await lookupProgress(ports, { businessNumber: ID, ...BUYER })).answer.applicant).toBe('王*明');
  });

  it.each([
    ['an unknown business number', { businessNumber: 'F0123456789ABCDEF01234568', ...OWNER }],
    ['the wrong name', { businessNumber: ID, name: '张三', idNumber: OWNER.idNumber }],
    ['the wrong ID number', { businessNumber: ID, name: OWNER.name, idNumber: '370102200001010015' }],
    ["one person's name with another person's ID number", { businessNumber: ID, name: BUYER.name, idNumber: OWNER.idNumber }],
  ])('refuses %s with the same 404 NOT_FOUND after one blind index and one open', async (_label, query) => {
    const { ports, calls } = await world();
    expect(await codeOf(lookupProgress(ports, query))).toBe('404 NOT_FOUND');
    expect(calls.sort()).toEqual(['blindIndex', 'open']);
  });

  it('does the same vault work on a match', async () => {
    const { ports, calls } = await world();
    await lookupProgress(ports, { businessNumber: ID, ...OWNER });
    expect(calls.sort()).toEqual(['blindIndex', 'open']);
  });
});

describe('sameName', () => {
  it('matches equal names only, whatever their lengths', () => {
    expect(sameName('张三丰', '张三丰')).toBe(true);
    expect(sameName('张三丰', '张三')).toBe(false);
    expect(sameName('张三', '张三丰')).toBe(false);
    expect(sameName('', '')).toBe(true);
    expect(sameName('欧阳娜娜', '欧阳娜娜 ')).toBe(false);
  });
});
