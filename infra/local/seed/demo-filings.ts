/**
 * Builders of realistic filings against the demo register, shared by `npm run demo`, the bench and the
 * end-to-end tests, so that all three file exactly what an institution's system would send.
 */
import { createHash } from 'node:crypto';
import { MATERIAL_CHECKLISTS } from '../../../functions/core/domain/business-types';
import { demoInstitutions, demoRegister, type DemoPerson, type DemoUnit } from './demo-data';

export const REQUIRED_MORTGAGE_MATERIALS = MATERIAL_CHECKLISTS.MORTGAGE_CREATE!.required;

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
