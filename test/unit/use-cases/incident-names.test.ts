/**
 * Whom an incident's text must not name (functions/core/use-cases/incident-names.ts), with in-memory ports and
 * a vault that "opens" a sealed name by stripping its prefix, counting the calls.
 */
import { describe, expect, it } from 'vitest';
import type { FilingRecord } from '../../../functions/core/domain/filing';
import type { StaffAccount } from '../../../functions/core/domain/staff';
import type { PersonalDataVault } from '../../../functions/core/ports';
import { FILING_READER_ROLES, namesAboutIncident } from '../../../functions/core/use-cases/incident-names';
import { STAFF_PERMISSIONS } from '../../../functions/shared/http/staff-permissions';
import { MemoryFilings } from '../../support/memory-ports';

const OWN = '370102';
const OTHER = '370103';

function filingOf(filingId: string, district: string, names: readonly string[]): FilingRecord {
  return {
    filingId,
    channelId: 'ch-1',
    institutionId: 'INST-1',
    clientRef: filingId,
    batchId: 'B-1',
    businessType: 'TRANSFER_RESALE',
    unitCode: `${district}001001GB00001F00010101`,
    district,
    content: {
      businessType: 'TRANSFER_RESALE',
      buyers: names.slice(0, 1).map((name) => ({ name: `sealed:${name}`, idType: 'RESIDENT_ID' as const, idNumber: 'sealed:id', idIndex: 'bi:1' })),
      sellers: names.slice(1).map((name) => ({ name: `sealed:${name}`, idType: 'RESIDENT_ID' as const, idNumber: 'sealed:id', idIndex: 'bi:2' })),
      contractNo: 'HT-1',
      priceFen: '100',
    },
    materials: [],
    contentHash: 'h',
    status: 'READY_FOR_REVIEW',
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt: '2026-12-01T00:00:00.000Z',
    history: [],
  };
}

function world() {
  const filings = new MemoryFilings();
  const opened: string[] = [];
  const vault: PersonalDataVault = {
    seal: () => Promise.reject(new Error('not here')),
    open: async (tenant, field, sealed, bindTo) => {
      opened.push(`${tenant}/${field}/${bindTo}`);
      return sealed.replace(/^sealed:/, '');
    },
    blindIndex: () => Promise.reject(new Error('not here')),
  };
  const accounts = new Map<string, StaffAccount>();
  const staff = { get: async (id: string) => accounts.get(id) };
  const account = (staffId: string, displayName: string, district = OWN, role: StaffAccount['role'] = 'CLERK'): StaffAccount => {
    const a: StaffAccount = { staffId, username: staffId, displayName, role, district, status: 'ACTIVE' };
    accounts.set(staffId, a);
    return a;
  };
  return { filings, vault, staff, opened, account };
}

describe('namesAboutIncident', () => {
  it('names the caller, the staff and the parties of the filings of the caller district that the evidence and the staff ids name', async () => {
    const w = world();
    const caller = w.account('stf-caller', '管理员甲');
    w.account('stf-a', '审核员乙');
    w.account('stf-b', '审核员丙');
    w.filings.put(filingOf('F000000000000000000000001', OWN, ['买方丁', '卖方戊']));
    const names = await namesAboutIncident(w, caller, ['filing:F000000000000000000000001', 'staff:stf-a', 'audit:370102:9', 'queue:intake'], ['stf-b']);
    expect(names.sort()).toEqual(['买方丁', '卖方戊', '审核员丙', '审核员乙', '管理员甲'].sort());
  });

  it("opens nothing of another district: neither its filings' parties nor its staff (a refusal would tell who is there)", async () => {
    const w = world();
    const caller = w.account('stf-caller', '管理员甲');
    w.account('stf-elsewhere', '外区员', OTHER);
    w.filings.put(filingOf('F000000000000000000000002', OTHER, ['外区买方']));
    const names = await namesAboutIncident(w, caller, ['filing:F000000000000000000000002', 'staff:stf-elsewhere'], []);
    expect(names).toEqual(['管理员甲']);
    expect(w.opened).toEqual([]);
  });

  it('opens no filing for a credit officer, who may not read filings (a refusal would tell who is on one); staff names still count', async () => {
    const w = world();
    const officer = w.account('stf-officer', '信用员甲', OWN, 'CREDIT_OFFICER');
    w.account('stf-a', '审核员乙');
    w.filings.put(filingOf('F000000000000000000000004', OWN, ['买方丁']));
    expect(await namesAboutIncident(w, officer, ['filing:F000000000000000000000004', 'staff:stf-a'], [])).toEqual(['信用员甲', '审核员乙']);
    expect(w.opened).toEqual([]);
  });

  it('the roles whose texts are checked against parties are those that may read a filing', () => {
    expect([...FILING_READER_ROLES].sort()).toEqual([...STAFF_PERMISSIONS.getStaffFiling.roles].sort());
  });

  it('opens each filing once however often it is named, and ignores ids of the wrong shape and unknown ones', async () => {
    const w = world();
    const caller = w.account('stf-caller', '管理员甲');
    w.filings.put(filingOf('F000000000000000000000003', OWN, ['买方丁']));
    const names = await namesAboutIncident(
      w,
      caller,
      ['filing:F000000000000000000000003', 'filing:F000000000000000000000003', 'filing:f000000000000000000000003', 'filing:F00000000000000000000000X', 'filing:F999999999999999999999999', 'staff:nobody'],
      ['stf-caller'],
    );
    expect(names).toEqual(['管理员甲', '买方丁']);
    expect(w.opened).toEqual([`${OWN}/name/F000000000000000000000003`]);
  });
});
