/**
 * Builders of realistic filings against the demo register, shared by `npm run demo`, the bench and the
 * end-to-end tests, so that all three file exactly what an institution's system would send.
 */
import { createHash } from 'node:crypto';
import { MATERIAL_CHECKLISTS, type BusinessType } from '../../../functions/core/domain/business-types';
import { demoInstitutions, demoRegister, type DemoPerson, type DemoUnit } from './demo-data';

export const REQUIRED_MORTGAGE_MATERIALS = MATERIAL_CHECKLISTS.MORTGAGE_CREATE!.required;

export const requiredMaterials = (type: BusinessType): readonly string[] => MATERIAL_CHECKLISTS[type]?.required ?? [];

export function materials(clientRef: string, types: readonly string[] = REQUIRED_MORTGAGE_MATERIALS) {
  return types.map((type) => ({
    type,
    ref: `DOC-${clientRef}-${type}`,
    sm3: createHash('sm3').update(`${clientRef}/${type}`).digest('hex'),
  }));
}

export interface MortgageFilingOptions {
  readonly clientRef: string;
  readonly unitCode: string;
  readonly mortgagors: readonly Pick<DemoPerson, 'name' | 'idNumber'>[] | readonly (Pick<DemoPerson, 'name' | 'idNumber'> & { phone?: string })[];
  readonly materialTypes?: readonly string[];
  /** Yuan as a decimal string, or fen as an integer. */
  readonly amount?: string | number;
}

/** A MORTGAGE_CREATE filing as the demo bank's system would send it (DESIGN.md §7). */
export function mortgageCreateFiling(options: MortgageFilingOptions): Record<string, unknown> {
  const bank = demoInstitutions()[0]!;
  return {
    clientRef: options.clientRef,
    businessType: 'MORTGAGE_CREATE',
    unitCode: options.unitCode,
    mortgagors: options.mortgagors.map((p: { name: string; idNumber: string; phone?: string }) => ({ name: p.name, idType: 'RESIDENT_ID', idNumber: p.idNumber, phone: p.phone })),
    mortgagee: { name: bank.name, uscc: bank.uscc },
    mortgageType: 'GENERAL',
    amount: options.amount ?? '1200000.00',
    termStart: '2026-12-01',
    termEnd: '2046-11-30',
    materials: materials(options.clientRef, options.materialTypes),
  };
}

/** Units a mortgage can be filed on: not seized. */
export const fileableUnits = (): DemoUnit[] => demoRegister().filter((u) => !u.seized);
export const seizedUnits = (): DemoUnit[] => demoRegister().filter((u) => u.seized);
export const coOwnedUnits = (): DemoUnit[] => fileableUnits().filter((u) => u.owners.length > 1);

/** A well-formed unit code in a demo district that is not in the register. */
export const UNREGISTERED_UNIT_CODE = '370102001001GB09999F99999999';

type PersonInput = Pick<DemoPerson, 'name' | 'idNumber'> & { phone?: string };
const people = (list: readonly PersonInput[]) => list.map((p) => ({ name: p.name, idType: 'RESIDENT_ID', idNumber: p.idNumber, phone: p.phone }));

/** A filing of any business type, with the required materials of its checklist unless told otherwise. */
function filingOf(businessType: BusinessType, clientRef: string, unitCode: string, fields: Record<string, unknown>, materialTypes?: readonly string[]) {
  return { clientRef, businessType, unitCode, ...fields, materials: materials(clientRef, materialTypes ?? requiredMaterials(businessType)) };
}

interface Common {
  readonly clientRef: string;
  readonly unitCode: string;
  readonly materialTypes?: readonly string[];
}

export const mortgageChangeFiling = (o: Common & { mortgageId: string; mortgagors: readonly PersonInput[]; amount?: string | number; termEnd?: string }) =>
  filingOf('MORTGAGE_CHANGE', o.clientRef, o.unitCode, { mortgageId: o.mortgageId, mortgagors: people(o.mortgagors), change: { amount: o.amount, termEnd: o.termEnd } }, o.materialTypes);

export const mortgageDischargeFiling = (o: Common & { mortgageId: string; reason?: string }) =>
  filingOf('MORTGAGE_DISCHARGE', o.clientRef, o.unitCode, { mortgageId: o.mortgageId, reason: o.reason ?? 'REPAID' }, o.materialTypes);

export function presaleMortgageNoticeFiling(o: Common & { buyers: readonly PersonInput[]; amount?: string | number }) {
  const bank = demoInstitutions()[0]!;
  return filingOf(
    'PRESALE_MORTGAGE_NOTICE',
    o.clientRef,
    o.unitCode,
    { buyers: people(o.buyers), mortgagee: { name: bank.name, uscc: bank.uscc }, mortgageType: 'GENERAL', amount: o.amount ?? '800000.00', termStart: '2026-12-01', termEnd: '2056-11-30' },
    o.materialTypes,
  );
}

export const firstRegistrationFiling = (o: Common & { projectId: string; completionRecordNo?: string }) =>
  filingOf('FIRST_REGISTRATION', o.clientRef, o.unitCode, { projectId: o.projectId, completionRecordNo: o.completionRecordNo ?? 'JGBA-370102-2026-0088' }, o.materialTypes);

export function presaleNoticeFiling(o: Common & { buyers: readonly PersonInput[]; seller?: { name: string; uscc: string }; price?: string | number }) {
  const developer = demoInstitutions().find((i) => i.type === 'DEVELOPER')!;
  return filingOf(
    'PRESALE_NOTICE',
    o.clientRef,
    o.unitCode,
    { buyers: people(o.buyers), seller: o.seller ?? { name: developer.name, uscc: developer.uscc }, contractNo: `WQ-${o.clientRef}`, price: o.price ?? '1560000.00' },
    o.materialTypes,
  );
}

export const transferNewFiling = (o: Common & { buyers: readonly PersonInput[]; price?: string | number }) =>
  filingOf('TRANSFER_NEW', o.clientRef, o.unitCode, { buyers: people(o.buyers), contractNo: `WQ-${o.clientRef}`, price: o.price ?? '1560000.00' }, o.materialTypes);

export const transferResaleFiling = (o: Common & { sellers: readonly PersonInput[]; buyers: readonly PersonInput[]; price?: string | number }) =>
  filingOf('TRANSFER_RESALE', o.clientRef, o.unitCode, { sellers: people(o.sellers), buyers: people(o.buyers), contractNo: `CL-${o.clientRef}`, price: o.price ?? '2100000.00' }, o.materialTypes);
