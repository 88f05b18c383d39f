import { describe, expect, it } from 'vitest';
import { MATERIAL_CHECKLISTS, type BusinessType } from '../../../functions/core/domain/business-types';
import type { FilingContent, FilingRecord, Material, SealedPerson } from '../../../functions/core/domain/filing';
import { decideIntake, isOutOfScope, missingMaterials, type IntakeContext } from '../../../functions/core/domain/intake-rules';
import type { AdvanceNotice, UnitView } from '../../../functions/core/domain/register';

const MORTGAGE_CREATE = MATERIAL_CHECKLISTS.MORTGAGE_CREATE!;
const materialsFor = (type: BusinessType): Material[] =>
  (MATERIAL_CHECKLISTS[type]?.required ?? []).map((t, i) => ({ type: t, ref: `doc-${i}`, sm3: 'a'.repeat(64) }));
const person = (idIndex: string): SealedPerson => ({ name: 'sealed', idType: 'RESIDENT_ID', idNumber: 'sealed', idIndex });
const BANK = { name: 'Bank', uscc: '91370100MA3C8AXX1X' };
const DEVELOPER = { institutionId: 'INST-DEV', uscc: '91370100DEVELOPER1' };

function filing(content: FilingContent, overrides: Partial<FilingRecord> = {}): FilingRecord {
  const at = '2026-11-23T00:00:00.000Z';
  return {
    filingId: 'F1',
    channelId: 'ch',
    institutionId: 'INST-BANK',
    clientRef: 'r1',
    batchId: 'B1',
    businessType: content.businessType,
    unitCode: '370102001001GB00001F00010101',
    district: '370102',
    content,
    materials: materialsFor(content.businessType),
    contentHash: 'h',
    status: 'SUBMITTED',
    createdAt: at,
    updatedAt: at,
    history: [],
    ...overrides,
  };
}

const mortgageCreate = (mortgagorIndexes: string[], materials?: Material[]) =>
  filing(
    { businessType: 'MORTGAGE_CREATE', mortgagors: mortgagorIndexes.map(person), mortgagee: BANK, mortgageType: 'GENERAL', amountFen: '100', termStart: '2026-01-01', termEnd: '2036-01-01' },
    materials ? { materials } : {},
  );

function unit(ownerIndexes: string[], overrides: Partial<UnitView> = {}): UnitView {
  return {
    unitCode: '370102001001GB00001F00010101',
    version: 1,
    appliedFilings: [],
    district: '370102',
    status: 'REGISTERED',
    address: 'a',
    areaM2: '90.00',
    owners: ownerIndexes.map((idIndex) => ({ name: 'sealed', idNumber: 'sealed', idIndex })),
    mortgages: [],
    seizures: [],
    ...overrides,
  };
}

const ctx = (u: UnitView | undefined, extra: Partial<IntakeContext> = {}): IntakeContext => ({ unit: u, ...extra });
const decide = (f: FilingRecord, u: UnitView | undefined, extra: Partial<IntakeContext> = {}) =>
  decideIntake(f, ctx(u, extra), MATERIAL_CHECKLISTS[f.businessType]!);
const seized = { seizures: [{ seizureId: 's', court: 'c', status: 'ACTIVE' as const }] };
const notice = (holders: string[], kind: AdvanceNotice['kind'] = 'PRESALE_NOTICE'): AdvanceNotice => ({ noticeId: 'N1', kind, holderIndexes: holders, status: 'ACTIVE' });
const project = { project: { projectId: 'QC-2026-01', developerInstitutionId: DEVELOPER.institutionId, developerUscc: DEVELOPER.uscc } };

describe('intake rules for MORTGAGE_CREATE (002 三(一)1,4)', () => {
  it('accepts a filing by the registered owner with every required material', () => {
    expect(decide(mortgageCreate(['owner-a']), unit(['owner-a']))).toEqual({ outcome: 'ACCEPTED' });
  });

  it('refuses a unit that is not in the register', () => {
    expect(decide(mortgageCreate(['owner-a']), undefined)).toEqual({ outcome: 'REFUSED', reasonCode: 'UNIT_NOT_FOUND' });
  });

  it('refuses a unit under an active seizure, but not one whose seizure was lifted', () => {
    const lifted = unit(['owner-a'], { seizures: [{ seizureId: 's', court: 'c', status: 'LIFTED' }] });
    expect(decide(mortgageCreate(['owner-a']), unit(['owner-a'], seized))).toEqual({ outcome: 'REFUSED', reasonCode: 'UNIT_SEIZED' });
    expect(decide(mortgageCreate(['owner-a']), lifted).outcome).toBe('ACCEPTED');
  });

  it('refuses a mortgagor who is not a registered owner', () => {
    expect(decide(mortgageCreate(['stranger']), unit(['owner-a']))).toEqual({ outcome: 'REFUSED', reasonCode: 'MORTGAGOR_NOT_OWNER' });
    expect(decide(mortgageCreate(['owner-a', 'stranger']), unit(['owner-a']))).toEqual({ outcome: 'REFUSED', reasonCode: 'MORTGAGOR_NOT_OWNER' });
  });

  it('requires every co-owner to be a mortgagor', () => {
    expect(decide(mortgageCreate(['owner-a']), unit(['owner-a', 'owner-b']))).toEqual({ outcome: 'REFUSED', reasonCode: 'CO_OWNER_MISSING' });
    expect(decide(mortgageCreate(['owner-b', 'owner-a']), unit(['owner-a', 'owner-b'])).outcome).toBe('ACCEPTED');
  });

  it('refuses a unit without a first registration', () => {
    expect(decide(mortgageCreate(['owner-a']), unit(['owner-a'], { status: 'SURVEYED' }))).toEqual({ outcome: 'REFUSED', reasonCode: 'UNIT_NOT_REGISTERED' });
  });

  it('asks for a correction listing exactly the missing required materials', () => {
    const partial = materialsFor('MORTGAGE_CREATE').filter((m) => m.type !== 'MORTGAGE_CONTRACT' && m.type !== 'IDENTITY_PROOF');
    expect(decide(mortgageCreate(['owner-a'], partial), unit(['owner-a']))).toEqual({
      outcome: 'CORRECTION_REQUIRED',
      missingMaterials: ['IDENTITY_PROOF', 'MORTGAGE_CONTRACT'],
    });
  });

  it('refuses before asking for materials: a seized unit with missing materials is refused', () => {
    expect(decide(mortgageCreate(['owner-a'], []), unit(['owner-a'], seized)).outcome).toBe('REFUSED');
  });

  it('treats optional materials as optional', () => {
    expect(missingMaterials({ materials: materialsFor('MORTGAGE_CREATE') }, MORTGAGE_CREATE)).toEqual([]);
    expect(MORTGAGE_CREATE.optional).toContain('POWER_OF_ATTORNEY');
  });
});

describe('a mortgage change or discharge must name an active mortgage held by the filing bank', () => {
  const mortgaged = (holder: string, status: 'ACTIVE' | 'DISCHARGED' = 'ACTIVE') =>
    unit(['owner-a'], { mortgages: [{ mortgageId: 'M1', holderInstitutionId: holder, amountFen: '100', status }] });
  const change = (mortgageId = 'M1') => filing({ businessType: 'MORTGAGE_CHANGE', mortgageId, mortgagors: [person('owner-a')], change: { amountFen: '200' } });
  const discharge = (mortgageId = 'M1') => filing({ businessType: 'MORTGAGE_DISCHARGE', mortgageId, reason: 'REPAID' });

  it('accepts a change and a discharge of its own active mortgage', () => {
    expect(decide(change(), mortgaged('INST-BANK')).outcome).toBe('ACCEPTED');
    expect(decide(discharge(), mortgaged('INST-BANK')).outcome).toBe('ACCEPTED');
  });

  it("refuses another bank's mortgage, a discharged one and an unknown id alike, as an out-of-scope attempt", () => {
    for (const [f, u] of [
      [change(), mortgaged('INST-OTHER')],
      [discharge(), mortgaged('INST-OTHER')],
      [discharge(), mortgaged('INST-BANK', 'DISCHARGED')],
      [change('M404'), mortgaged('INST-BANK')],
    ] as const) {
      expect(decide(f, u)).toEqual({ outcome: 'REFUSED', reasonCode: 'MORTGAGE_NOT_HELD' });
    }
    expect(isOutOfScope('MORTGAGE_NOT_HELD')).toBe(true);
    expect(isOutOfScope('UNIT_SEIZED')).toBe(false);
  });

  it('still needs the owners to consent to a change', () => {
    const f = filing({ businessType: 'MORTGAGE_CHANGE', mortgageId: 'M1', mortgagors: [person('stranger')], change: { termEnd: '2040-01-01' } });
    expect(decide(f, mortgaged('INST-BANK'))).toEqual({ outcome: 'REFUSED', reasonCode: 'MORTGAGOR_NOT_OWNER' });
  });

  it('lets a discharge through a seizure (a discharge is not a disposition by the owner)', () => {
    const u = { ...mortgaged('INST-BANK'), ...seized };
    expect(decide(discharge(), u).outcome).toBe('ACCEPTED');
    expect(decide(change(), u)).toEqual({ outcome: 'REFUSED', reasonCode: 'UNIT_SEIZED' });
  });
});

describe('presale notices and presale mortgage notices', () => {
  const surveyed = (extra: Partial<UnitView> = {}) => unit([], { status: 'SURVEYED', ...project, ...extra });
  const presaleNotice = (buyers: string[], sellerUscc = DEVELOPER.uscc, by: Partial<FilingRecord> = { institutionId: DEVELOPER.institutionId, institutionType: 'DEVELOPER' }) =>
    filing({ businessType: 'PRESALE_NOTICE', buyers: buyers.map(person), seller: { name: 'Dev', uscc: sellerUscc }, contractNo: 'C1', priceFen: '100' }, by);
  const mortgageNotice = (buyers: string[]) =>
    filing({ businessType: 'PRESALE_MORTGAGE_NOTICE', buyers: buyers.map(person), mortgagee: BANK, mortgageType: 'GENERAL', amountFen: '100', termStart: '2026-01-01', termEnd: '2036-01-01' });

  it("accepts a developer's presale notice on a surveyed unit of its own project", () => {
    expect(decide(presaleNotice(['buyer-a']), surveyed()).outcome).toBe('ACCEPTED');
  });

  it("accepts an agency's presale notice naming the unit's developer, refuses one naming another", () => {
    const agency = { institutionId: 'INST-AGENCY', institutionType: 'AGENCY' as const };
    expect(decide(presaleNotice(['buyer-a'], DEVELOPER.uscc, agency), surveyed()).outcome).toBe('ACCEPTED');
    expect(decide(presaleNotice(['buyer-a'], '91370100OTHERDEV01', agency), surveyed())).toEqual({ outcome: 'REFUSED', reasonCode: 'NOT_OWN_PROJECT' });
  });

  it("refuses a developer's presale notice on another developer's project", () => {
    const other = { institutionId: 'INST-DEV-OTHER', institutionType: 'DEVELOPER' as const };
    expect(decide(presaleNotice(['buyer-a'], DEVELOPER.uscc, other), surveyed())).toEqual({ outcome: 'REFUSED', reasonCode: 'NOT_OWN_PROJECT' });
  });

  it('refuses a presale notice for other buyers while one is active', () => {
    expect(decide(presaleNotice(['buyer-b']), surveyed({ notices: [notice(['buyer-a'])] }))).toEqual({ outcome: 'REFUSED', reasonCode: 'UNIT_UNDER_NOTICE' });
  });

  it('accepts a presale mortgage notice for the holders of an active presale notice', () => {
    expect(decide(mortgageNotice(['buyer-a']), surveyed({ notices: [notice(['buyer-a'])] })).outcome).toBe('ACCEPTED');
  });

  it('accepts one relying on a presale notice accepted earlier but not yet recorded', () => {
    expect(decide(mortgageNotice(['buyer-a']), surveyed(), { pendingPresaleNoticeHolders: ['buyer-a'] }).outcome).toBe('ACCEPTED');
  });

  it('refuses one without a presale notice held by exactly these buyers', () => {
    expect(decide(mortgageNotice(['buyer-a']), surveyed())).toEqual({ outcome: 'REFUSED', reasonCode: 'NO_PRESALE_NOTICE' });
    expect(decide(mortgageNotice(['buyer-b']), surveyed({ notices: [notice(['buyer-a'])] }))).toEqual({ outcome: 'REFUSED', reasonCode: 'NO_PRESALE_NOTICE' });
    expect(decide(mortgageNotice(['buyer-a']), surveyed(), { pendingPresaleNoticeHolders: ['buyer-a', 'buyer-b'] })).toEqual({ outcome: 'REFUSED', reasonCode: 'NO_PRESALE_NOTICE' });
  });
});

describe('first registration needs a surveyed, unregistered unit of the developer’s own project', () => {
  const first = (projectId = 'QC-2026-01', institutionId = DEVELOPER.institutionId) =>
    filing({ businessType: 'FIRST_REGISTRATION', projectId, completionRecordNo: 'JG-1' }, { institutionId, institutionType: 'DEVELOPER' });

  it('accepts its own surveyed unit', () => {
    expect(decide(first(), unit([], { status: 'SURVEYED', ...project })).outcome).toBe('ACCEPTED');
  });

  it('refuses a registered unit, another project, or another developer', () => {
    expect(decide(first(), unit(['owner-a'], project))).toEqual({ outcome: 'REFUSED', reasonCode: 'UNIT_ALREADY_REGISTERED' });
    expect(decide(first('OTHER-01'), unit([], { status: 'SURVEYED', ...project }))).toEqual({ outcome: 'REFUSED', reasonCode: 'NOT_OWN_PROJECT' });
    expect(decide(first('QC-2026-01', 'INST-DEV-OTHER'), unit([], { status: 'SURVEYED', ...project }))).toEqual({ outcome: 'REFUSED', reasonCode: 'NOT_OWN_PROJECT' });
  });
});

describe('transfers: the sellers are the owners, and an advance notice binds the buyers', () => {
  const developerOwned = (extra: Partial<UnitView> = {}): UnitView =>
    unit([], { owners: [{ kind: 'ORGANISATION', name: 'Dev', uscc: DEVELOPER.uscc, institutionId: DEVELOPER.institutionId }], ...project, ...extra });
  const transferNew = (buyers: string[], institutionId = DEVELOPER.institutionId) =>
    filing({ businessType: 'TRANSFER_NEW', buyers: buyers.map(person), contractNo: 'C1', priceFen: '100' }, { institutionId, institutionType: 'DEVELOPER' });
  const resale = (sellers: string[], buyers: string[]) =>
    filing({ businessType: 'TRANSFER_RESALE', sellers: sellers.map(person), buyers: buyers.map(person), contractNo: 'C2', priceFen: '100' }, { institutionId: 'INST-AGENCY' });

  it('accepts a new-home transfer by the developer that owns the unit', () => {
    expect(decide(transferNew(['buyer-a']), developerOwned()).outcome).toBe('ACCEPTED');
    expect(decide(transferNew(['buyer-a'], 'INST-DEV-OTHER'), developerOwned())).toEqual({ outcome: 'REFUSED', reasonCode: 'SELLER_NOT_OWNER' });
  });

  it('lets an active presale notice pass the unit only to its holders', () => {
    const noticed = developerOwned({ notices: [notice(['buyer-a'])] });
    expect(decide(transferNew(['buyer-a']), noticed).outcome).toBe('ACCEPTED');
    expect(decide(transferNew(['buyer-b']), noticed)).toEqual({ outcome: 'REFUSED', reasonCode: 'NOTICE_HOLDER_MISMATCH' });
    expect(decide(resale(['owner-a'], ['buyer-b']), unit(['owner-a'], { notices: [notice(['buyer-a'])] }))).toEqual({ outcome: 'REFUSED', reasonCode: 'NOTICE_HOLDER_MISMATCH' });
  });

  it('needs every registered owner, and only owners, as sellers of a resale', () => {
    expect(decide(resale(['owner-a', 'owner-b'], ['buyer-a']), unit(['owner-a', 'owner-b'])).outcome).toBe('ACCEPTED');
    expect(decide(resale(['owner-a'], ['buyer-a']), unit(['owner-a', 'owner-b']))).toEqual({ outcome: 'REFUSED', reasonCode: 'CO_OWNER_MISSING' });
    expect(decide(resale(['stranger'], ['buyer-a']), unit(['owner-a']))).toEqual({ outcome: 'REFUSED', reasonCode: 'SELLER_NOT_OWNER' });
  });
});
