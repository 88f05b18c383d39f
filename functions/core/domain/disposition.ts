/**
 * Which filings may be active on one unit at the same time (DESIGN.md §3: "Conflicting filings on one unit
 * hold one disposition lock per unit"). The lock item of a unit lists its active holders; intake adds a
 * filing only if it conflicts with none of them. Pure: the use case reads and writes the lock.
 *
 * Integrity of the register does not rest on this matrix (every register write is conditional on the
 * unit's version and re-checks the intake rules at commit time); the matrix keeps filings that cannot both
 * succeed from both being accepted, so the filer learns at intake rather than at review.
 */
import type { BusinessType } from './business-types';
import { BUSINESS_TYPES } from './business-types';

/**
 * Pairs of business types that may be active on one unit together; every other pair, a type with itself
 * included, conflicts.
 * - A presale notice and the presale mortgage notice that relies on it (the bank files on the buyers' notice).
 * - A discharge beside a new mortgage (refinancing), a change of another mortgage, or a transfer (the seller
 *   repays the loan as the home is sold): a discharge does not depend on who owns the unit.
 * - A new mortgage beside the change of an existing one: both are the owners' and neither changes ownership.
 */
const COMPATIBLE: readonly (readonly [BusinessType, BusinessType])[] = [
  ['PRESALE_NOTICE', 'PRESALE_MORTGAGE_NOTICE'],
  ['MORTGAGE_DISCHARGE', 'MORTGAGE_CREATE'],
  ['MORTGAGE_DISCHARGE', 'TRANSFER_RESALE'],
  ['MORTGAGE_DISCHARGE', 'TRANSFER_NEW'],
  ['MORTGAGE_CREATE', 'MORTGAGE_CHANGE'],
];

const compatible = new Set(COMPATIBLE.flatMap(([a, b]) => [`${a}|${b}`, `${b}|${a}`]));

/** Whether filings of these two types may not be active on one unit at the same time. */
export const conflicts = (a: BusinessType, b: BusinessType): boolean => !compatible.has(`${a}|${b}`);

/** The whole matrix, for documentation and tests: for each type, the types it conflicts with. */
export const CONFLICT_MATRIX: Readonly<Record<BusinessType, readonly BusinessType[]>> = Object.fromEntries(
  BUSINESS_TYPES.map((a) => [a, BUSINESS_TYPES.filter((b) => conflicts(a, b))]),
) as unknown as Record<BusinessType, readonly BusinessType[]>;

/** A unit's disposition lock: its active holders by filing id, and a version every write is conditional on. */
export interface DispositionLock {
  readonly unitCode: string;
  /** 0 when the unit has no lock item yet. */
  readonly version: number;
  readonly holders: Readonly<Record<string, BusinessType>>;
}
