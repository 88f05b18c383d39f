/**
 * The register (登记簿) as intake sees it: a unit with its owners, active mortgages and seizures.
 * Owners' personal data is sealed; intake matches people by the blind index of their ID numbers.
 */
export interface RegisteredOwner {
  readonly name: string;
  readonly idNumber: string;
  readonly idIndex: string;
  /** Share as a fraction string, e.g. `1/2`; joint ownership when absent. */
  readonly share?: string;
}

export interface MortgageRight {
  readonly mortgageId: string;
  readonly holderInstitutionId: string;
  readonly amountFen: string;
  readonly status: 'ACTIVE' | 'DISCHARGED';
}

export interface Seizure {
  readonly seizureId: string;
  readonly court: string;
  readonly status: 'ACTIVE' | 'LIFTED';
}

export interface UnitView {
  readonly unitCode: string;
  readonly district: string;
  /** SURVEYED (not yet first-registered) or REGISTERED. */
  readonly status: 'SURVEYED' | 'REGISTERED';
  readonly address: string;
  readonly areaM2: string;
  readonly owners: readonly RegisteredOwner[];
  readonly mortgages: readonly MortgageRight[];
  readonly seizures: readonly Seizure[];
}
