/**
 * Machine-assisted intake review (002 三(一)1,4): the rules that decide whether a submitted filing is
 * accepted, refused with a reason, or sent back for correction. Pure: the use case loads the unit (and,
 * for a presale mortgage notice, a pending presale notice) and takes the duplicate-filing lock; this
 * module only decides.
 */
import type { BusinessType, MaterialChecklist } from './business-types';
import type { FilingRecord, SealedPerson } from './filing';
import { isPersonOwner, type UnitView } from './register';

interface RefusalReason {
  readonly message: string;
  /**
   * Acting outside the institution's own scope (e.g. on another bank's mortgage): recorded as an
   * out-of-scope attempt for credit monitoring (002 三(一)6; DESIGN.md §4).
   */
  readonly outOfScope?: boolean;
}

/** Stable reason codes of intake refusals, shown to the institution and used by credit monitoring. */
export const REFUSAL_CODES = {
  UNIT_NOT_FOUND: { message: 'The unit code is not in the register.' },
  UNIT_NOT_REGISTERED: { message: 'The unit has no first registration yet.' },
  UNIT_ALREADY_REGISTERED: { message: 'The unit already has a first registration.' },
  UNIT_SEIZED: { message: 'The unit is under an active seizure (查封).' },
  MORTGAGOR_NOT_OWNER: { message: 'A mortgagor is not a registered owner of the unit.' },
  SELLER_NOT_OWNER: { message: 'A seller is not a registered owner of the unit.' },
  CO_OWNER_MISSING: { message: 'Every registered co-owner must be a party to the filing.' },
  MORTGAGE_NOT_HELD: { message: 'The unit has no active mortgage with this id held by the filing institution.', outOfScope: true },
  NOT_OWN_PROJECT: { message: "The unit is not in the filing developer's own project.", outOfScope: true },
  NO_PRESALE_NOTICE: { message: 'No active or accepted presale notice on this unit is held by these buyers.' },
  UNIT_UNDER_NOTICE: { message: 'An advance notice held by other buyers is active on this unit.' },
  NOTICE_HOLDER_MISMATCH: { message: 'An advance notice on this unit blocks a transfer to anyone but its holders.' },
  DUPLICATE_ACTIVE_FILING: { message: 'Another active filing of the same business type exists for this unit.' },
  UNIT_DISPOSITION_PENDING: { message: 'Another active filing on this unit conflicts with this one (functions/core/domain/disposition.ts); file again once it has ended.' },
} as const satisfies Record<string, RefusalReason>;
export type RefusalCode = keyof typeof REFUSAL_CODES;

export const isOutOfScope = (code: string): boolean => (REFUSAL_CODES as Record<string, RefusalReason | undefined>)[code]?.outOfScope === true;

export type IntakeDecision =
  | { readonly outcome: 'ACCEPTED' }
  | { readonly outcome: 'REFUSED'; readonly reasonCode: RefusalCode }
  | { readonly outcome: 'CORRECTION_REQUIRED'; readonly missingMaterials: readonly string[] };

export const refuse = (reasonCode: RefusalCode): IntakeDecision => ({ outcome: 'REFUSED', reasonCode });

/** What intake knows beyond the filing itself. */
export interface IntakeContext {
  readonly unit: UnitView | undefined;
  /**
   * Holders (blind indexes) of a presale notice filed on the unit, accepted but not yet recorded in the
   * register: a presale mortgage notice may rely on it (issue 3: "or one accepted earlier").
   */
  readonly pendingPresaleNoticeHolders?: readonly string[];
}

/** Required materials of the checklist that the filing does not carry. */
export function missingMaterials(filing: Pick<FilingRecord, 'materials'>, checklist: MaterialChecklist): string[] {
  const present = new Set(filing.materials.map((m) => m.type));
  return checklist.required.filter((type) => !present.has(type));
}

// People are compared by the keyed blind index of their ID numbers: neither side is decrypted (DESIGN.md §5).
const indexes = (people: readonly SealedPerson[]): Set<string> => new Set(people.map((p) => p.idIndex));
const sameSet = (a: ReadonlySet<string>, b: ReadonlySet<string>): boolean => a.size === b.size && [...a].every((x) => b.has(x));
const personOwnerIndexes = (unit: UnitView): Set<string> => new Set(unit.owners.filter(isPersonOwner).map((o) => o.idIndex));
const activeNotices = (unit: UnitView, kind: 'PRESALE_NOTICE' | 'PRESALE_MORTGAGE_NOTICE') =>
  (unit.notices ?? []).filter((n) => n.kind === kind && n.status === 'ACTIVE');

/** Every party must be a registered owner, and every registered owner a party (co-owners all consent). */
function partiesAreTheOwners(parties: readonly SealedPerson[], unit: UnitView, notOwner: RefusalCode): IntakeDecision | undefined {
  const owners = personOwnerIndexes(unit);
  const given = indexes(parties);
  if ([...given].some((index) => !owners.has(index))) return refuse(notOwner);
  if ([...owners].some((index) => !given.has(index)) || unit.owners.some((o) => !isPersonOwner(o))) return refuse('CO_OWNER_MISSING');
  return undefined;
}

/** An active presale notice lets the unit pass only to its holders. */
function noticeAllowsTransferTo(buyers: readonly SealedPerson[], unit: UnitView): IntakeDecision | undefined {
  const notices = activeNotices(unit, 'PRESALE_NOTICE');
  if (notices.length === 0) return undefined;
  const given = indexes(buyers);
  return notices.every((n) => sameSet(new Set(n.holderIndexes), given)) ? undefined : refuse('NOTICE_HOLDER_MISMATCH');
}

function activeMortgageHeldBy(unit: UnitView, mortgageId: string, institutionId: string): boolean {
  return unit.mortgages.some((m) => m.mortgageId === mortgageId && m.status === 'ACTIVE' && m.holderInstitutionId === institutionId);
}

type TypeRule = (filing: FilingRecord, unit: UnitView, context: IntakeContext) => IntakeDecision | undefined;

const requireRegistered: TypeRule = (_filing, unit) => (unit.status === 'REGISTERED' ? undefined : refuse('UNIT_NOT_REGISTERED'));

const typeRules: Record<BusinessType, readonly TypeRule[]> = {
  MORTGAGE_CREATE: [
    requireRegistered,
    (f, unit) => (f.content.businessType === 'MORTGAGE_CREATE' ? partiesAreTheOwners(f.content.mortgagors, unit, 'MORTGAGOR_NOT_OWNER') : undefined),
  ],
  MORTGAGE_CHANGE: [
    requireRegistered,
    // A change must name an active mortgage held by the filing bank; anything else is out of scope.
    (f, unit) =>
      f.content.businessType === 'MORTGAGE_CHANGE' && !activeMortgageHeldBy(unit, f.content.mortgageId, f.institutionId) ? refuse('MORTGAGE_NOT_HELD') : undefined,
    (f, unit) => (f.content.businessType === 'MORTGAGE_CHANGE' ? partiesAreTheOwners(f.content.mortgagors, unit, 'MORTGAGOR_NOT_OWNER') : undefined),
  ],
  MORTGAGE_DISCHARGE: [
    (f, unit) =>
      f.content.businessType === 'MORTGAGE_DISCHARGE' && !activeMortgageHeldBy(unit, f.content.mortgageId, f.institutionId) ? refuse('MORTGAGE_NOT_HELD') : undefined,
  ],
  PRESALE_MORTGAGE_NOTICE: [
    // Needs an active presale notice held by the same buyers on the unit, or one accepted and not yet recorded.
    (f, unit, context) => {
      if (f.content.businessType !== 'PRESALE_MORTGAGE_NOTICE') return undefined;
      const buyers = indexes(f.content.buyers);
      const recorded = activeNotices(unit, 'PRESALE_NOTICE').some((n) => sameSet(new Set(n.holderIndexes), buyers));
      const pending = context.pendingPresaleNoticeHolders !== undefined && sameSet(new Set(context.pendingPresaleNoticeHolders), buyers);
      return recorded || pending ? undefined : refuse('NO_PRESALE_NOTICE');
    },
  ],
  FIRST_REGISTRATION: [
    (_f, unit) => (unit.status === 'SURVEYED' ? undefined : refuse('UNIT_ALREADY_REGISTERED')),
    // A surveyed, unregistered unit of the developer's own project.
    (f, unit) =>
      f.content.businessType === 'FIRST_REGISTRATION' && (unit.project?.projectId !== f.content.projectId || unit.project.developerInstitutionId !== f.institutionId)
        ? refuse('NOT_OWN_PROJECT')
        : undefined,
  ],
  PRESALE_NOTICE: [
    (_f, unit) => (unit.status === 'SURVEYED' ? undefined : refuse('UNIT_ALREADY_REGISTERED')),
    // The seller named must be the unit's developer; a developer files only for its own project, an
    // agency on behalf of the developer it names.
    (f, unit) => {
      if (f.content.businessType !== 'PRESALE_NOTICE') return undefined;
      const ownProject = unit.project !== undefined && unit.project.developerUscc === f.content.seller.uscc;
      const developerFilingForOthers = f.institutionType === 'DEVELOPER' && unit.project?.developerInstitutionId !== f.institutionId;
      return ownProject && !developerFilingForOthers ? undefined : refuse('NOT_OWN_PROJECT');
    },
    (f, unit) => {
      if (f.content.businessType !== 'PRESALE_NOTICE') return undefined;
      const buyers = indexes(f.content.buyers);
      return activeNotices(unit, 'PRESALE_NOTICE').some((n) => !sameSet(new Set(n.holderIndexes), buyers)) ? refuse('UNIT_UNDER_NOTICE') : undefined;
    },
  ],
  TRANSFER_NEW: [
    requireRegistered,
    // The developer sells its own first-registered unit.
    (f, unit) =>
      unit.owners.length === 1 && unit.owners[0]!.kind === 'ORGANISATION' && unit.owners[0]!.institutionId === f.institutionId ? undefined : refuse('SELLER_NOT_OWNER'),
    (f, unit) => (f.content.businessType === 'TRANSFER_NEW' ? noticeAllowsTransferTo(f.content.buyers, unit) : undefined),
  ],
  TRANSFER_RESALE: [
    requireRegistered,
    (f, unit) => (f.content.businessType === 'TRANSFER_RESALE' ? partiesAreTheOwners(f.content.sellers, unit, 'SELLER_NOT_OWNER') : undefined),
    (f, unit) => (f.content.businessType === 'TRANSFER_RESALE' ? noticeAllowsTransferTo(f.content.buyers, unit) : undefined),
  ],
};

/**
 * The first intake rule the filing breaks against the unit as given, if any (002 三(一)1,4). Intake applies
 * it to the unit it reads; an approval applies it again to the unit as it is at commit time (DESIGN.md §3),
 * so an owner who sold since intake cannot mortgage.
 */
export function ruleRefusal(filing: FilingRecord, context: IntakeContext): Extract<IntakeDecision, { outcome: 'REFUSED' }> | undefined {
  const { unit } = context;
  if (!unit) return { outcome: 'REFUSED', reasonCode: 'UNIT_NOT_FOUND' };
  // A seizure blocks every disposition of the unit; discharging a mortgage is not one.
  if (filing.businessType !== 'MORTGAGE_DISCHARGE' && unit.seizures.some((s) => s.status === 'ACTIVE')) return { outcome: 'REFUSED', reasonCode: 'UNIT_SEIZED' };
  for (const rule of typeRules[filing.businessType]) {
    const refusal = rule(filing, unit, context);
    if (refusal?.outcome === 'REFUSED') return refusal;
  }
  return undefined;
}

/**
 * Decides a filing's intake outcome, refusals first (there is no point asking for materials for a
 * filing that cannot be registered), then missing materials. The conflicting-filing rule needs the unit's
 * disposition lock and is applied by the use case after this returns ACCEPTED or CORRECTION_REQUIRED.
 */
export function decideIntake(filing: FilingRecord, context: IntakeContext, checklist: MaterialChecklist): IntakeDecision {
  const refusal = ruleRefusal(filing, context);
  if (refusal) return refusal;
  const missing = missingMaterials(filing, checklist);
  if (missing.length > 0) return { outcome: 'CORRECTION_REQUIRED', missingMaterials: missing };
  return { outcome: 'ACCEPTED' };
}
