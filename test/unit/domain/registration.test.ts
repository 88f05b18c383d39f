import { describe, expect, it } from 'vitest';
import type { FilingContent, FilingRecord, SealedPerson } from '../../../functions/core/domain/filing';
import type { UnitView } from '../../../functions/core/domain/register';
import { mortgageIdFor, noticeIdFor, planRegistration, RIGHTS } from '../../../functions/core/domain/registration';

const person = (i: string): SealedPerson => ({ name: `sealed-n-${i}`, idType: 'RESIDENT_ID', idNumber: `sealed-i-${i}`, idIndex: `bi-${i}` });
const unitCode = '370102007007GB00001F00000001';
const unit: UnitView = { unitCode, district: '370102', status: 'REGISTERED', address: 'a', areaM2: '1', owners: [], mortgages: [], seizures: [] };
const bank = { name: '银行', uscc: '91370100MA3C8AXX1X' };
const terms = { mortgageType: 'GENERAL' as const, amountFen: '100', termStart: '2026-01-01', termEnd: '2030-01-01' };

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

describe('planRegistration', () => {
  it('MORTGAGE_CREATE: one new mortgage whose id derives from the filing (a retry writes the same one)', () => {
    const plan = planRegistration(filing({ businessType: 'MORTGAGE_CREATE', mortgagors: [person('1')], mortgagee: bank, ...terms }), { unit });
    const id = mortgageIdFor('F-1');
    expect(id).toMatch(/^DY[0-9A-F]{16}$/);
    expect(mortgageIdFor('F-1')).toBe(id);
    expect(mortgageIdFor('F-2')).not.toBe(id);
    expect(plan).toEqual({
      writes: [{ kind: 'putMortgage', unitCode, filingId: 'F-1', mortgage: { mortgageId: id, holderInstitutionId: 'INST', amountFen: '100', status: 'ACTIVE', mortgageType: 'GENERAL', mortgageeName: '银行', termStart: '2026-01-01', termEnd: '2030-01-01' } }],
      holds: [RIGHTS.mortgage(id)],
      ends: [],
    });
  });

  it('MORTGAGE_CHANGE updates amount and term of the named mortgage and re-certifies it; DISCHARGE ends it', () => {
    const change = planRegistration(filing({ businessType: 'MORTGAGE_CHANGE', mortgageId: 'DY000001', mortgagors: [], change: { amountFen: '50' } }), { unit });
    expect(change.writes).toEqual([{ kind: 'updateMortgage', unitCode, filingId: 'F-1', mortgageId: 'DY000001', set: { amountFen: '50', termEnd: undefined } }]);
    expect(change.holds).toEqual(['MORTGAGE#DY000001']);
    const discharge = planRegistration(filing({ businessType: 'MORTGAGE_DISCHARGE', mortgageId: 'DY000001', reason: 'REPAID' }), { unit });
    expect(discharge).toEqual({ writes: [{ kind: 'updateMortgage', unitCode, filingId: 'F-1', mortgageId: 'DY000001', set: { status: 'DISCHARGED' } }], holds: [], ends: ['MORTGAGE#DY000001'] });
  });

  it('PRESALE_NOTICE and PRESALE_MORTGAGE_NOTICE add an active notice held by the buyers (and, for the mortgage notice, the bank)', () => {
    const notice = planRegistration(filing({ businessType: 'PRESALE_NOTICE', buyers: [person('1'), person('2')], seller: bank, contractNo: 'c', priceFen: '1' }), { unit });
    expect(notice.writes).toEqual([
      { kind: 'addNotice', unitCode, filingId: 'F-1', notice: { noticeId: noticeIdFor('F-1'), kind: 'PRESALE_NOTICE', holderIndexes: ['bi-1', 'bi-2'], holderInstitutionId: undefined, status: 'ACTIVE' } },
    ]);
    const mortgageNotice = planRegistration(filing({ businessType: 'PRESALE_MORTGAGE_NOTICE', buyers: [person('1')], mortgagee: bank, ...terms }), { unit });
    expect(mortgageNotice.writes[0]).toMatchObject({ notice: { kind: 'PRESALE_MORTGAGE_NOTICE', holderInstitutionId: 'INST', holderIndexes: ['bi-1'] } });
  });

  it('FIRST_REGISTRATION: the developer owns the surveyed unit', () => {
    const developer = { kind: 'ORGANISATION' as const, name: '开发商', uscc: 'U', institutionId: 'INST' };
    const plan = planRegistration(filing({ businessType: 'FIRST_REGISTRATION', projectId: 'P', completionRecordNo: 'R' }), { unit: { ...unit, status: 'SURVEYED' }, developer });
    expect(plan).toEqual({ writes: [{ kind: 'setOwners', unitCode, filingId: 'F-1', owners: [developer], expectStatus: 'SURVEYED', cancelNoticeIds: [] }], holds: ['OWNERSHIP'], ends: [] });
    expect(() => planRegistration(filing({ businessType: 'FIRST_REGISTRATION', projectId: 'P', completionRecordNo: 'R' }), { unit })).toThrow(/developer/);
  });

  it('TRANSFER: the buyers own the unit and the presale notice they hold ends, also on a retry after it was cancelled', () => {
    const newOwners = [{ name: 'resealed-n', idNumber: 'resealed-i', idIndex: 'bi-1' }];
    const notices = [
      { noticeId: 'N-THEIRS', kind: 'PRESALE_NOTICE' as const, holderIndexes: ['bi-1'], status: 'ACTIVE' as const },
      { noticeId: 'N-OTHER', kind: 'PRESALE_NOTICE' as const, holderIndexes: ['bi-9'], status: 'ACTIVE' as const },
      { noticeId: 'N-BANK', kind: 'PRESALE_MORTGAGE_NOTICE' as const, holderIndexes: ['bi-1'], status: 'ACTIVE' as const },
    ];
    const transfer = filing({ businessType: 'TRANSFER_NEW', buyers: [person('1')], contractNo: 'c', priceFen: '1' });
    const plan = planRegistration(transfer, { unit: { ...unit, notices }, newOwners });
    expect(plan).toEqual({
      writes: [{ kind: 'setOwners', unitCode, filingId: 'F-1', owners: newOwners, expectStatus: 'REGISTERED', cancelNoticeIds: ['N-THEIRS'] }],
      holds: ['OWNERSHIP'],
      ends: ['NOTICE#N-THEIRS'],
    });
    const afterCancel = notices.map((n) => (n.noticeId === 'N-THEIRS' ? { ...n, status: 'CANCELLED' as const, cancelledByFilingId: 'F-1' } : n));
    expect(planRegistration(transfer, { unit: { ...unit, notices: afterCancel }, newOwners })).toEqual(plan);
    const resale = filing({ businessType: 'TRANSFER_RESALE', sellers: [person('0')], buyers: [person('1')], contractNo: 'c', priceFen: '1' });
    expect(planRegistration(resale, { unit, newOwners }).writes).toEqual([{ kind: 'setOwners', unitCode, filingId: 'F-1', owners: newOwners, expectStatus: 'REGISTERED', cancelNoticeIds: [] }]);
  });
});
