import { describe, expect, it } from 'vitest';
import type { FilingContent, FilingRecord, SealedPerson } from '../../../functions/core/domain/filing';
import type { UnitView } from '../../../functions/core/domain/register';
import { mortgageIdFor, noticeIdFor, planRegistration, registeredRights, RIGHTS } from '../../../functions/core/domain/registration';

const person = (i: string): SealedPerson => ({ name: `sealed-n-${i}`, idType: 'RESIDENT_ID', idNumber: `sealed-i-${i}`, idIndex: `bi-${i}` });
const unitCode = '370102007007GB00001F00000001';
const unit: UnitView = { unitCode, version: 4, appliedFilings: ['F-0'], district: '370102', status: 'REGISTERED', address: 'a', areaM2: '1', owners: [], mortgages: [], seizures: [] };
const bank = { name: '银行', uscc: '91370100MA3C8AXX1X' };
const terms = { mortgageType: 'GENERAL' as const, amountFen: '100', termStart: '2026-01-01', termEnd: '2030-01-01' };
const held = { mortgageId: 'DY000001', holderInstitutionId: 'INST', amountFen: '80', status: 'ACTIVE' as const, termEnd: '2040-01-01' };

function filing(content: FilingContent, filingId = 'F-1'): FilingRecord {
  return {
    filingId,
    channelId: 'ch',
    institutionId: 'INST',
    clientRef: 'r',
    batchId: 'b',
    businessType: content.businessType,
    unitCode,
    district: '370102',
    content,
    materials: [],
    contentHash: 'h',
    status: 'ACCEPTED',
    createdAt: 't',
    updatedAt: 't',
    history: [],
  };
}

describe('planRegistration: one write of the whole unit, conditional on the version the decision was made against', () => {
  it('MORTGAGE_CREATE: one new mortgage whose id derives from the filing (a retry writes the same one)', () => {
    const plan = planRegistration(filing({ businessType: 'MORTGAGE_CREATE', mortgagors: [person('1')], mortgagee: bank, ...terms }), { unit });
    const id = mortgageIdFor('F-1');
    expect(id).toMatch(/^DY[0-9A-F]{16}$/);
    expect(mortgageIdFor('F-1')).toBe(id);
    expect(mortgageIdFor('F-2')).not.toBe(id);
    expect(plan).toEqual({
      commit: {
        unitCode,
        filingId: 'F-1',
        expectedVersion: 4,
        next: { ...unit, mortgages: [{ mortgageId: id, holderInstitutionId: 'INST', amountFen: '100', status: 'ACTIVE', mortgageType: 'GENERAL', mortgageeName: '银行', termStart: '2026-01-01', termEnd: '2030-01-01' }] },
      },
      holds: [RIGHTS.mortgage(id)],
      ends: [],
    });
  });

  it('MORTGAGE_CHANGE updates amount and term of the named mortgage and re-certifies it; DISCHARGE ends it; neither applies to a mortgage not active', () => {
    const withMortgage = { ...unit, mortgages: [held] };
    const change = planRegistration(filing({ businessType: 'MORTGAGE_CHANGE', mortgageId: 'DY000001', mortgagors: [], change: { amountFen: '50' } }), { unit: withMortgage });
    expect(change.commit.next.mortgages).toEqual([{ ...held, amountFen: '50' }]);
    expect(change.holds).toEqual(['MORTGAGE#DY000001']);
    const discharge = planRegistration(filing({ businessType: 'MORTGAGE_DISCHARGE', mortgageId: 'DY000001', reason: 'REPAID' }), { unit: withMortgage });
    expect(discharge.commit.next.mortgages).toEqual([{ ...held, status: 'DISCHARGED' }]);
    expect(discharge).toMatchObject({ holds: [], ends: ['MORTGAGE#DY000001'] });
    expect(() => planRegistration(filing({ businessType: 'MORTGAGE_DISCHARGE', mortgageId: 'DY000001', reason: 'REPAID' }), { unit })).toThrow(/No active mortgage/);
  });

  it('PRESALE_NOTICE and PRESALE_MORTGAGE_NOTICE add an active notice held by the buyers (and, for the mortgage notice, the bank)', () => {
    const notice = planRegistration(filing({ businessType: 'PRESALE_NOTICE', buyers: [person('1'), person('2')], seller: bank, contractNo: 'c', priceFen: '1' }), { unit });
    expect(notice.commit.next.notices).toEqual([
      { noticeId: noticeIdFor('F-1'), kind: 'PRESALE_NOTICE', holderIndexes: ['bi-1', 'bi-2'], holderInstitutionId: undefined, status: 'ACTIVE' },
    ]);
    const mortgageNotice = planRegistration(filing({ businessType: 'PRESALE_MORTGAGE_NOTICE', buyers: [person('1')], mortgagee: bank, ...terms }), { unit });
    expect(mortgageNotice.commit.next.notices?.[0]).toMatchObject({ kind: 'PRESALE_MORTGAGE_NOTICE', holderInstitutionId: 'INST', holderIndexes: ['bi-1'] });
  });

  it('FIRST_REGISTRATION: the developer owns the surveyed unit, which becomes REGISTERED', () => {
    const developer = { kind: 'ORGANISATION' as const, name: '开发商', uscc: 'U', institutionId: 'INST' };
    const plan = planRegistration(filing({ businessType: 'FIRST_REGISTRATION', projectId: 'P', completionRecordNo: 'R' }), { unit: { ...unit, status: 'SURVEYED' }, developer });
    expect(plan.commit.next).toEqual({ ...unit, owners: [developer], status: 'REGISTERED' });
    expect(plan).toMatchObject({ holds: ['OWNERSHIP'], ends: [] });
    expect(() => planRegistration(filing({ businessType: 'FIRST_REGISTRATION', projectId: 'P', completionRecordNo: 'R' }), { unit })).toThrow(/developer/);
  });

  it('TRANSFER: the buyers own the unit and the presale notice they hold ends; the rights read off the unit it left are the planned ones', () => {
    const newOwners = [{ name: 'resealed-n', idNumber: 'resealed-i', idIndex: 'bi-1' }];
    const notices = [
      { noticeId: 'N-THEIRS', kind: 'PRESALE_NOTICE' as const, holderIndexes: ['bi-1'], status: 'ACTIVE' as const },
      { noticeId: 'N-OTHER', kind: 'PRESALE_NOTICE' as const, holderIndexes: ['bi-9'], status: 'ACTIVE' as const },
      { noticeId: 'N-BANK', kind: 'PRESALE_MORTGAGE_NOTICE' as const, holderIndexes: ['bi-1'], status: 'ACTIVE' as const },
    ];
    const transfer = filing({ businessType: 'TRANSFER_NEW', buyers: [person('1')], contractNo: 'c', priceFen: '1' });
    const plan = planRegistration(transfer, { unit: { ...unit, notices }, newOwners });
    expect(plan.commit.next.owners).toEqual(newOwners);
    expect(plan.commit.next.notices).toEqual([{ ...notices[0], status: 'CANCELLED', cancelledByFilingId: 'F-1' }, notices[1], notices[2]]);
    expect(plan).toMatchObject({ holds: ['OWNERSHIP'], ends: ['NOTICE#N-THEIRS'] });
    expect(registeredRights(transfer, plan.commit.next)).toEqual({ holds: plan.holds, ends: plan.ends });
    const resale = filing({ businessType: 'TRANSFER_RESALE', sellers: [person('0')], buyers: [person('1')], contractNo: 'c', priceFen: '1' });
    expect(planRegistration(resale, { unit, newOwners })).toMatchObject({ holds: ['OWNERSHIP'], ends: [] });
  });
});
