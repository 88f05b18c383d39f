/**
 * Recording an approved filing in the register (登簿), as pure functions: the unit as the filing leaves
 * it, and which certified rights the filing holds or supersedes. The register adapter writes the new unit
 * only if the unit is still at the version the decision was made against and the filing is not applied
 * yet, so a saga that repeats this step changes nothing a second time, and nothing is ever recorded
 * against facts that changed since the decision (DESIGN.md §3).
 */
import { sm3Hex } from '../../shared/crypto/sm3';
import type { FilingRecord } from './filing';
import type { AdvanceNotice, MortgageRight, OrganisationOwner, PersonOwner, UnitView } from './register';

/** A mortgage as recorded by the platform: the register's view plus its terms. */
export type RecordedMortgage = MortgageRight & {
  readonly mortgageType: string;
  readonly mortgageeName: string;
  readonly termStart: string;
  readonly termEnd: string;
};

/**
 * One register write: the unit as it becomes, written only if the unit is still at `expectedVersion`
 * (the version the decision was made against) and the filing is not applied yet. The adapter writes it
 * with `version = expectedVersion + 1` and the filing added to `appliedFilings`.
 */
export interface RegisterCommit {
  readonly unitCode: string;
  readonly filingId: string;
  readonly expectedVersion: number;
  readonly next: UnitView;
}

/** Deterministic ids of the rights a filing creates: a retry creates the same, never a second one. */
export const mortgageIdFor = (filingId: string): string => `DY${sm3Hex(`mortgage:${filingId}`).slice(0, 16).toUpperCase()}`;
export const noticeIdFor = (filingId: string): string => `YG${sm3Hex(`notice:${filingId}`).slice(0, 16).toUpperCase()}`;

/** A certified right of a unit: the current certificate of each is tracked, so a later one supersedes it. */
export const RIGHTS = {
  ownership: 'OWNERSHIP',
  mortgage: (mortgageId: string) => `MORTGAGE#${mortgageId}`,
  notice: (noticeId: string) => `NOTICE#${noticeId}`,
};

/** The certified rights of a registration. */
export interface RegisteredRights {
  /** Rights the new certificate certifies (it supersedes any earlier certificate of the same right). */
  readonly holds: readonly string[];
  /** Rights ended by this registration: their certificates are no longer current. */
  readonly ends: readonly string[];
}

export interface RegistrationPlan extends RegisteredRights {
  /** The single register write of the filing. */
  readonly commit: RegisterCommit;
}

/** What the plan needs beyond the filing. */
export interface RegistrationContext {
  /** The unit as it is now, before this filing is applied. */
  readonly unit: UnitView;
  /** For first registration: the developer, as it becomes the owner. */
  readonly developer?: OrganisationOwner;
  /** For transfers: the buyers, their personal data re-sealed for the register record (bound to the unit). */
  readonly newOwners?: readonly PersonOwner[];
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x) => b.includes(x));

/** The active presale notices a transfer to these buyers ends. */
function presaleNoticesEndedBy(unit: UnitView, buyerIndexes: readonly string[]): AdvanceNotice[] {
  return (unit.notices ?? []).filter((n) => n.kind === 'PRESALE_NOTICE' && n.status === 'ACTIVE' && sameSet(n.holderIndexes, buyerIndexes));
}

/** A change of one active mortgage of the unit (the caller re-checked that it is active and the bank's). */
function withMortgage(unit: UnitView, mortgageId: string, change: (m: MortgageRight) => MortgageRight): UnitView {
  if (!unit.mortgages.some((m) => m.mortgageId === mortgageId && m.status === 'ACTIVE')) throw new Error(`No active mortgage ${mortgageId} on ${unit.unitCode}`);
  return { ...unit, mortgages: unit.mortgages.map((m) => (m.mortgageId === mortgageId ? change(m) : m)) };
}

/**
 * The register change of an approved filing, by business type: the unit as it becomes, computed from the
 * unit as it is now (the caller re-checked the intake rules against that same version).
 */
export function planRegistration(filing: FilingRecord, context: RegistrationContext): RegistrationPlan {
  const next = unitAfter(filing, context);
  return { commit: { unitCode: filing.unitCode, filingId: filing.filingId, expectedVersion: context.unit.version, next }, ...registeredRights(filing, next) };
}

/** The unit as an approved filing leaves it, by business type. */
function unitAfter(filing: FilingRecord, context: RegistrationContext): UnitView {
  const { filingId, institutionId, content } = filing;
  const { unit } = context;
  switch (content.businessType) {
    case 'MORTGAGE_CREATE': {
      const mortgage: RecordedMortgage = {
        mortgageId: mortgageIdFor(filingId),
        holderInstitutionId: institutionId,
        amountFen: content.amountFen,
        status: 'ACTIVE',
        mortgageType: content.mortgageType,
        mortgageeName: content.mortgagee.name,
        termStart: content.termStart,
        termEnd: content.termEnd,
      };
      return { ...unit, mortgages: [...unit.mortgages, mortgage] };
    }
    case 'MORTGAGE_CHANGE': {
      const { amountFen, termEnd } = content.change;
      return withMortgage(unit, content.mortgageId, (m) => ({ ...m, ...(amountFen === undefined ? {} : { amountFen }), ...(termEnd === undefined ? {} : { termEnd }) }));
    }
    case 'MORTGAGE_DISCHARGE':
      return withMortgage(unit, content.mortgageId, (m) => ({ ...m, status: 'DISCHARGED' }));
    case 'PRESALE_MORTGAGE_NOTICE':
    case 'PRESALE_NOTICE': {
      const notice: AdvanceNotice = {
        noticeId: noticeIdFor(filingId),
        kind: content.businessType,
        holderIndexes: content.buyers.map((b) => b.idIndex),
        holderInstitutionId: content.businessType === 'PRESALE_MORTGAGE_NOTICE' ? institutionId : undefined,
        status: 'ACTIVE',
      };
      return { ...unit, notices: [...(unit.notices ?? []), notice] };
    }
    case 'FIRST_REGISTRATION':
      if (!context.developer) throw new Error('A first registration needs the developer as owner');
      return { ...unit, owners: [context.developer], status: 'REGISTERED' };
    case 'TRANSFER_NEW':
    case 'TRANSFER_RESALE': {
      if (!context.newOwners) throw new Error('A transfer needs the buyers as new owners');
      const ended = new Set(presaleNoticesEndedBy(unit, content.buyers.map((b) => b.idIndex)).map((n) => n.noticeId));
      const notices = unit.notices?.map((n) => (ended.has(n.noticeId) ? { ...n, status: 'CANCELLED' as const, cancelledByFilingId: filingId } : n));
      return { ...unit, owners: context.newOwners, ...(notices === undefined ? {} : { notices }) };
    }
  }
}

/**
 * The rights a registration holds and ends, read off the unit as the filing left it (so a retry after the
 * register write, which cannot re-plan from the unit as it was, finds the same rights).
 */
export function registeredRights(filing: FilingRecord, after: UnitView): RegisteredRights {
  const { content } = filing;
  switch (content.businessType) {
    case 'MORTGAGE_CREATE':
      return { holds: [RIGHTS.mortgage(mortgageIdFor(filing.filingId))], ends: [] };
    case 'MORTGAGE_CHANGE':
      return { holds: [RIGHTS.mortgage(content.mortgageId)], ends: [] };
    case 'MORTGAGE_DISCHARGE':
      return { holds: [], ends: [RIGHTS.mortgage(content.mortgageId)] };
    case 'PRESALE_MORTGAGE_NOTICE':
    case 'PRESALE_NOTICE':
      return { holds: [RIGHTS.notice(noticeIdFor(filing.filingId))], ends: [] };
    case 'FIRST_REGISTRATION':
      return { holds: [RIGHTS.ownership], ends: [] };
    case 'TRANSFER_NEW':
    case 'TRANSFER_RESALE':
      return {
        holds: [RIGHTS.ownership],
        ends: (after.notices ?? []).filter((n) => n.cancelledByFilingId === filing.filingId).map((n) => RIGHTS.notice(n.noticeId)),
      };
  }
}
