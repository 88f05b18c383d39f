/**
 * Machine-assisted intake review (002 三(一)1,4): the rules that decide whether a submitted filing is
 * accepted, refused with a reason, or sent back for correction. Pure: the use case loads the unit and
 * takes the duplicate-filing lock; this module only decides.
 */
import type { BusinessType, MaterialChecklist } from './business-types';
import type { FilingRecord } from './filing';
import type { UnitView } from './register';

/** Stable reason codes of intake refusals, shown to the institution and used by credit monitoring later. */
export const REFUSAL_CODES = {
  UNIT_NOT_FOUND: 'The unit code is not in the register.',
  UNIT_NOT_REGISTERED: 'The unit has no first registration yet, so it cannot be mortgaged.',
  UNIT_SEIZED: 'The unit is under an active seizure (查封).',
  MORTGAGOR_NOT_OWNER: 'A mortgagor is not a registered owner of the unit.',
  CO_OWNER_MISSING: 'Every registered co-owner must be a mortgagor.',
  DUPLICATE_ACTIVE_FILING: 'Another active filing of the same business type exists for this unit.',
} as const;
export type RefusalCode = keyof typeof REFUSAL_CODES;

export type IntakeDecision =
  | { readonly outcome: 'ACCEPTED' }
  | { readonly outcome: 'REFUSED'; readonly reasonCode: RefusalCode }
  | { readonly outcome: 'CORRECTION_REQUIRED'; readonly missingMaterials: readonly string[] };

export const refuse = (reasonCode: RefusalCode): IntakeDecision => ({ outcome: 'REFUSED', reasonCode });

/** Required materials of the checklist that the filing does not carry. */
export function missingMaterials(filing: Pick<FilingRecord, 'materials'>, checklist: MaterialChecklist): string[] {
  const present = new Set(filing.materials.map((m) => m.type));
  return checklist.required.filter((type) => !present.has(type));
}

function decideMortgageCreate(filing: FilingRecord, unit: UnitView): IntakeDecision | undefined {
  if (unit.status !== 'REGISTERED') return refuse('UNIT_NOT_REGISTERED');
  const owners = new Set(unit.owners.map((o) => o.idIndex));
  const mortgagors = new Set(filing.content.mortgagors.map((m) => m.idIndex));
  // Matched by keyed blind index of the ID number: neither side is decrypted (DESIGN.md §5).
  if ([...mortgagors].some((index) => !owners.has(index))) return refuse('MORTGAGOR_NOT_OWNER');
  if ([...owners].some((index) => !mortgagors.has(index))) return refuse('CO_OWNER_MISSING');
  return undefined;
}

const typeRules: Partial<Record<BusinessType, (filing: FilingRecord, unit: UnitView) => IntakeDecision | undefined>> = {
  MORTGAGE_CREATE: decideMortgageCreate,
};

/**
 * Decides a filing's intake outcome, refusals first (there is no point asking for materials for a
 * filing that cannot be registered), then missing materials. The duplicate-active-filing rule needs
 * the per-unit lock and is applied by the use case after this returns ACCEPTED or CORRECTION_REQUIRED.
 */
export function decideIntake(filing: FilingRecord, unit: UnitView | undefined, checklist: MaterialChecklist): IntakeDecision {
  if (!unit) return refuse('UNIT_NOT_FOUND');
  if (unit.seizures.some((s) => s.status === 'ACTIVE')) return refuse('UNIT_SEIZED');
  const rule = typeRules[filing.businessType];
  if (!rule) throw new Error(`No intake rules for business type ${filing.businessType}`);
  const refusal = rule(filing, unit);
  if (refusal) return refusal;
  const missing = missingMaterials(filing, checklist);
  if (missing.length > 0) return { outcome: 'CORRECTION_REQUIRED', missingMaterials: missing };
  return { outcome: 'ACCEPTED' };
}
