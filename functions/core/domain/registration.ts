/**
 * Recording an approved filing in the register (登簿, issue 3 item 4), as pure functions: which
 * single-item register writes a filing makes, and which certified rights it holds or supersedes. Every
 * write carries the filing id, and the register adapter applies a write only if that filing has not
 * been applied to the item yet, so a saga that repeats this step changes nothing a second time.
 */
import { sm3Hex } from '../../shared/crypto/sm3';
import type { FilingRecord } from './filing';
import type { AdvanceNotice, MortgageRight, OrganisationOwner, PersonOwner, UnitView } from './register';

/** A mortgage as recorded by the platform: the register's view plus its terms. */
export interface RecordedMortgage extends MortgageRight {
  readonly mortgageType: string;
  readonly mortgageeName: string;
  readonly termStart: string;
  readonly termEnd: string;
}

export type RegisterWrite =
  | { readonly kind: 'putMortgage'; readonly unitCode: string; readonly filingId: string; readonly mortgage: RecordedMortgage }
  | {
      readonly kind: 'updateMortgage';
      readonly unitCode: string;
      readonly filingId: string;
      readonly mortgageId: string;
      readonly set: { readonly amountFen?: string; readonly termEnd?: string; readonly status?: 'DISCHARGED' };
    }
  | { readonly kind: 'addNotice'; readonly unitCode: string; readonly filingId: string; readonly notice: AdvanceNotice }
  | {
      readonly kind: 'setOwners';
      readonly unitCode: string;
      readonly filingId: string;
      readonly owners: readonly (PersonOwner | OrganisationOwner)[];
      /** The unit's status before the write: SURVEYED for a first registration, REGISTERED for a transfer. */
      readonly expectStatus: UnitView['status'];
      /** Advance notices ended by the same write (a transfer to their holders), so owners and notices change together. */
      readonly cancelNoticeIds: readonly string[];
    };

/** Deterministic ids of the rights a filing creates: a retry creates the same, never a second one. */
export const mortgageIdFor = (filingId: string): string => `DY${sm3Hex(`mortgage:${filingId}`).slice(0, 16).toUpperCase()}`;
export const noticeIdFor = (filingId: string): string => `YG${sm3Hex(`notice:${filingId}`).slice(0, 16).toUpperCase()}`;

/** A certified right of a unit: the current certificate of each is tracked, so a later one supersedes it. */
export const RIGHTS = {
  ownership: 'OWNERSHIP',
  mortgage: (mortgageId: string) => `MORTGAGE#${mortgageId}`,
  notice: (noticeId: string) => `NOTICE#${noticeId}`,
};

export interface RegistrationPlan {
  readonly writes: readonly RegisterWrite[];
  /** Rights the new certificate certifies (it supersedes any earlier certificate of the same right). */
  readonly holds: readonly string[];
  /** Rights ended by this registration: their certificates are no longer current. */
  readonly ends: readonly string[];
}

/** What the plan needs beyond the filing. */
export interface RegistrationContext {
  /** The unit as it is now (a retry may see this filing's own writes already applied). */
  readonly unit: UnitView;
  /** For first registration: the developer, as it becomes the owner. */
  readonly developer?: OrganisationOwner;
  /** For transfers: the buyers, their personal data re-sealed for the register record (bound to the unit). */
  readonly newOwners?: readonly PersonOwner[];
}

const sameSet = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x) => b.includes(x));

/**
 * The presale notices a transfer to these buyers ends: active ones they hold, and (on a retry) those this
 * very filing already cancelled.
 */
function presaleNoticesEndedBy(filing: FilingRecord, unit: UnitView, buyerIndexes: readonly string[]): AdvanceNotice[] {
  return (unit.notices ?? []).filter(
    (n) => n.kind === 'PRESALE_NOTICE' && sameSet(n.holderIndexes, buyerIndexes) && (n.status === 'ACTIVE' || n.cancelledByFilingId === filing.filingId),
  );
}

/** The register writes of an approved filing, by business type. */
export function planRegistration(filing: FilingRecord, context: RegistrationContext): RegistrationPlan {
  const { filingId, unitCode, institutionId } = filing;
  const { content } = filing;
  switch (content.businessType) {
    case 'MORTGAGE_CREATE': {
      const mortgageId = mortgageIdFor(filingId);
      const mortgage: RecordedMortgage = {
        mortgageId,
        holderInstitutionId: institutionId,
        amountFen: content.amountFen,
        status: 'ACTIVE',
        mortgageType: content.mortgageType,
        mortgageeName: content.mortgagee.name,
        termStart: content.termStart,
        termEnd: content.termEnd,
      };
      return { writes: [{ kind: 'putMortgage', unitCode, filingId, mortgage }], holds: [RIGHTS.mortgage(mortgageId)], ends: [] };
    }
    case 'MORTGAGE_CHANGE':
      return {
        writes: [{ kind: 'updateMortgage', unitCode, filingId, mortgageId: content.mortgageId, set: { amountFen: content.change.amountFen, termEnd: content.change.termEnd } }],
        holds: [RIGHTS.mortgage(content.mortgageId)],
        ends: [],
      };
    case 'MORTGAGE_DISCHARGE':
      return {
        writes: [{ kind: 'updateMortgage', unitCode, filingId, mortgageId: content.mortgageId, set: { status: 'DISCHARGED' } }],
        holds: [],
        ends: [RIGHTS.mortgage(content.mortgageId)],
      };
    case 'PRESALE_MORTGAGE_NOTICE':
    case 'PRESALE_NOTICE': {
      const noticeId = noticeIdFor(filingId);
      const notice: AdvanceNotice = {
        noticeId,
        kind: content.businessType,
        holderIndexes: content.buyers.map((b) => b.idIndex),
        holderInstitutionId: content.businessType === 'PRESALE_MORTGAGE_NOTICE' ? institutionId : undefined,
        status: 'ACTIVE',
      };
      return { writes: [{ kind: 'addNotice', unitCode, filingId, notice }], holds: [RIGHTS.notice(noticeId)], ends: [] };
    }
    case 'FIRST_REGISTRATION': {
      if (!context.developer) throw new Error('A first registration needs the developer as owner');
      return { writes: [{ kind: 'setOwners', unitCode, filingId, owners: [context.developer], expectStatus: 'SURVEYED', cancelNoticeIds: [] }], holds: [RIGHTS.ownership], ends: [] };
    }
    case 'TRANSFER_NEW':
    case 'TRANSFER_RESALE': {
      if (!context.newOwners) throw new Error('A transfer needs the buyers as new owners');
      const ended = presaleNoticesEndedBy(filing, context.unit, content.buyers.map((b) => b.idIndex));
      return {
        writes: [{ kind: 'setOwners', unitCode, filingId, owners: context.newOwners, expectStatus: 'REGISTERED', cancelNoticeIds: ended.map((n) => n.noticeId) }],
        holds: [RIGHTS.ownership],
        ends: ended.map((n) => RIGHTS.notice(n.noticeId)),
      };
    }
  }
}
