import { describe, expect, it } from 'vitest';
import { MATERIAL_CHECKLISTS } from '../../../functions/core/domain/business-types';
import type { FilingRecord, Material } from '../../../functions/core/domain/filing';
import { decideIntake, missingMaterials } from '../../../functions/core/domain/intake-rules';
import type { UnitView } from '../../../functions/core/domain/register';

const checklist = MATERIAL_CHECKLISTS.MORTGAGE_CREATE!;
const allMaterials: Material[] = checklist.required.map((type, i) => ({ type, ref: `doc-${i}`, sm3: 'a'.repeat(64) }));

function filing(mortgagorIndexes: string[], materials: Material[] = allMaterials): FilingRecord {
  const at = '2026-11-23T00:00:00.000Z';
  return {
    filingId: 'F1',
    channelId: 'ch',
    institutionId: 'bank',
    clientRef: 'r1',
    batchId: 'B1',
    businessType: 'MORTGAGE_CREATE',
    unitCode: '370102001001GB00001F00010101',
    district: '370102',
    content: {
      businessType: 'MORTGAGE_CREATE',
      mortgagors: mortgagorIndexes.map((idIndex) => ({ name: 'sealed', idType: 'RESIDENT_ID', idNumber: 'sealed', idIndex })),
      mortgagee: { name: 'Bank', uscc: 'X' },
      mortgageType: 'GENERAL',
      amountFen: '100',
      termStart: '2026-01-01',
      termEnd: '2036-01-01',
    },
    materials,
    contentHash: 'h',
    status: 'SUBMITTED',
    createdAt: at,
    updatedAt: at,
    history: [],
  };
}

function unit(ownerIndexes: string[], overrides: Partial<UnitView> = {}): UnitView {
  return {
    unitCode: '370102001001GB00001F00010101',
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

describe('intake rules for MORTGAGE_CREATE (002 三(一)1,4)', () => {
  it('accepts a filing by the registered owner with every required material', () => {
    expect(decideIntake(filing(['owner-a']), unit(['owner-a']), checklist)).toEqual({ outcome: 'ACCEPTED' });
  });

  it('refuses a unit that is not in the register', () => {
    expect(decideIntake(filing(['owner-a']), undefined, checklist)).toEqual({ outcome: 'REFUSED', reasonCode: 'UNIT_NOT_FOUND' });
  });

  it('refuses a unit under an active seizure, but not one whose seizure was lifted', () => {
    const seized = unit(['owner-a'], { seizures: [{ seizureId: 's', court: 'c', status: 'ACTIVE' }] });
    const lifted = unit(['owner-a'], { seizures: [{ seizureId: 's', court: 'c', status: 'LIFTED' }] });
    expect(decideIntake(filing(['owner-a']), seized, checklist)).toEqual({ outcome: 'REFUSED', reasonCode: 'UNIT_SEIZED' });
    expect(decideIntake(filing(['owner-a']), lifted, checklist).outcome).toBe('ACCEPTED');
  });

  it('refuses a mortgagor who is not a registered owner', () => {
    expect(decideIntake(filing(['stranger']), unit(['owner-a']), checklist)).toEqual({ outcome: 'REFUSED', reasonCode: 'MORTGAGOR_NOT_OWNER' });
    expect(decideIntake(filing(['owner-a', 'stranger']), unit(['owner-a']), checklist)).toEqual({ outcome: 'REFUSED', reasonCode: 'MORTGAGOR_NOT_OWNER' });
  });

  it('requires every co-owner to be a mortgagor', () => {
    expect(decideIntake(filing(['owner-a']), unit(['owner-a', 'owner-b']), checklist)).toEqual({ outcome: 'REFUSED', reasonCode: 'CO_OWNER_MISSING' });
    expect(decideIntake(filing(['owner-b', 'owner-a']), unit(['owner-a', 'owner-b']), checklist).outcome).toBe('ACCEPTED');
  });

  it('refuses a unit without a first registration', () => {
    expect(decideIntake(filing(['owner-a']), unit(['owner-a'], { status: 'SURVEYED' }), checklist)).toEqual({ outcome: 'REFUSED', reasonCode: 'UNIT_NOT_REGISTERED' });
  });

  it('asks for a correction listing exactly the missing required materials', () => {
    const partial = allMaterials.filter((m) => m.type !== 'MORTGAGE_CONTRACT' && m.type !== 'IDENTITY_PROOF');
    expect(decideIntake(filing(['owner-a'], partial), unit(['owner-a']), checklist)).toEqual({
      outcome: 'CORRECTION_REQUIRED',
      missingMaterials: ['IDENTITY_PROOF', 'MORTGAGE_CONTRACT'],
    });
  });

  it('refuses before asking for materials: a seized unit with missing materials is refused', () => {
    const seized = unit(['owner-a'], { seizures: [{ seizureId: 's', court: 'c', status: 'ACTIVE' }] });
    expect(decideIntake(filing(['owner-a'], []), seized, checklist).outcome).toBe('REFUSED');
  });

  it('treats optional materials as optional', () => {
    expect(missingMaterials({ materials: allMaterials }, checklist)).toEqual([]);
    expect(checklist.optional).toContain('POWER_OF_ATTORNEY');
  });
});
