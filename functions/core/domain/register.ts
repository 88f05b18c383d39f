/**
 * The register (登记簿) as intake sees it: a unit with its owners, active mortgages and seizures.
 * Owners' personal data is sealed; intake matches people by the blind index of their ID numbers.
 */
/** A natural person on the register, personal data sealed, matched by the blind index of the ID number. */
export interface PersonOwner {
  readonly kind?: 'PERSON';
  readonly name: string;
  readonly idNumber: string;
  readonly idIndex: string;
  /** Share as a fraction string, e.g. `1/2`; joint ownership when absent. */
  readonly share?: string;
}

/** An organisation on the register, e.g. the developer of a first-registered building (not personal data). */
export interface OrganisationOwner {
  readonly kind: 'ORGANISATION';
  readonly name: string;
  readonly uscc: string;
  /** The institution on the platform, when it has a channel. */
  readonly institutionId?: string;
  readonly share?: string;
}

export type RegisteredOwner = PersonOwner | OrganisationOwner;

export const isPersonOwner = (owner: RegisteredOwner): owner is PersonOwner => owner.kind !== 'ORGANISATION';

/**
 * An advance notice (预告登记) recorded on a unit: a presale buyer's notice, or a bank's presale mortgage
 * notice. While active, it blocks a transfer to anyone but its holders.
 */
export interface AdvanceNotice {
  readonly noticeId: string;
  readonly kind: 'PRESALE_NOTICE' | 'PRESALE_MORTGAGE_NOTICE';
  /** Blind indexes of the ID numbers of the buyers holding the notice. */
  readonly holderIndexes: readonly string[];
  /** For a presale mortgage notice: the bank holding it. */
  readonly holderInstitutionId?: string;
  readonly status: 'ACTIVE' | 'CANCELLED';
  /** The filing whose registration cancelled it (a transfer to its holders). */
  readonly cancelledByFilingId?: string;
}

export interface MortgageRight {
  readonly mortgageId: string;
  readonly holderInstitutionId: string;
  readonly amountFen: string;
  readonly status: 'ACTIVE' | 'DISCHARGED';
  /** Terms, as recorded by the platform (absent on mortgages seeded without them). */
  readonly mortgageType?: string;
  readonly mortgageeName?: string;
  readonly termStart?: string;
  readonly termEnd?: string;
}

export interface Seizure {
  readonly seizureId: string;
  readonly court: string;
  readonly status: 'ACTIVE' | 'LIFTED';
}

/**
 * A unit of the register: one item holding everything intake and registration decide on, so that one
 * conditional write changes it (DESIGN.md §3 "The register cannot be written against stale facts").
 */
export interface UnitView {
  readonly unitCode: string;
  /**
   * Incremented by every register write, each conditional on the version its decision was made against
   * (a unit seeded or read without one is version 1).
   */
  readonly version: number;
  /** Filings recorded on this unit, oldest first: applying a filing twice changes nothing. */
  readonly appliedFilings: readonly string[];
  /**
   * Filings whose approval found, at commit time, that an intake rule no longer held, with that rule's
   * reason: recorded on the unit so that no concurrent approval of the same filing can still record it.
   */
  readonly refusals?: Readonly<Record<string, string>>;
  readonly district: string;
  /** SURVEYED (not yet first-registered) or REGISTERED. */
  readonly status: 'SURVEYED' | 'REGISTERED';
  readonly address: string;
  readonly areaM2: string;
  readonly owners: readonly RegisteredOwner[];
  readonly mortgages: readonly MortgageRight[];
  readonly seizures: readonly Seizure[];
  /** Advance notices on the unit (absent in registers seeded before notices existed). */
  readonly notices?: readonly AdvanceNotice[];
  /** For new buildings: the development project and its developer (002 三(一)6 first registration). */
  readonly project?: {
    readonly projectId: string;
    readonly developerInstitutionId: string;
    readonly developerUscc: string;
    /** The developer's registered name, as it becomes the owner at first registration. */
    readonly developerName?: string;
  };
}
