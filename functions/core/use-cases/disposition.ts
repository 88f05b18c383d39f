/**
 * Taking a unit's disposition lock (DESIGN.md §3; the conflict matrix is `functions/core/domain/disposition.ts`).
 * One lock item per unit lists its active holders; every write to it is conditional on its version.
 */
import { conflicts } from '../domain/disposition';
import type { FilingRecord } from '../domain/filing';
import { isActive } from '../domain/lifecycle';
import type { FilingRepository } from '../ports';

export type DispositionOutcome =
  | { readonly kind: 'held' }
  | { readonly kind: 'blocked'; readonly reasonCode: 'DUPLICATE_ACTIVE_FILING' | 'UNIT_DISPOSITION_PENDING'; readonly holderId: string };

/** Lock writes race only with other intakes and releases on the same unit: a few attempts settle it. */
const ATTEMPTS = 8;

/**
 * Adds the filing to its unit's lock holders unless an active filing of a conflicting type holds it.
 *
 * 1. Read the lock; a filing that already holds it holds it (a redelivered intake heals).
 * 2. Load the holders whose type conflicts; one that is no longer active (refused, withdrawn, certified, or
 *    gone) is taken over — dropped from the holders — never left to block (a crash before its release).
 * 3. An active conflicting holder blocks: the same type is a duplicate, another type a pending disposition.
 * 4. Write the holders with this filing added, conditional on the version read; on a race, start over.
 */
export async function takeDisposition(filings: FilingRepository, filing: FilingRecord): Promise<DispositionOutcome> {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const lock = await filings.readDisposition(filing.unitCode);
    if (lock.holders[filing.filingId] !== undefined) return { kind: 'held' };
    const rivals = Object.entries(lock.holders).filter(([, type]) => conflicts(type, filing.businessType));
    const records = new Map((await filings.getMany(rivals.map(([id]) => id))).map((f) => [f.filingId, f]));
    const active = rivals.find(([id]) => {
      const rival = records.get(id);
      return rival !== undefined && isActive(rival.status);
    });
    if (active) {
      const [holderId, type] = active;
      return { kind: 'blocked', reasonCode: type === filing.businessType ? 'DUPLICATE_ACTIVE_FILING' : 'UNIT_DISPOSITION_PENDING', holderId };
    }
    const stale = new Set(rivals.map(([id]) => id));
    const holders = Object.fromEntries([...Object.entries(lock.holders).filter(([id]) => !stale.has(id)), [filing.filingId, filing.businessType]]);
    if (await filings.writeDisposition(lock, holders)) return { kind: 'held' };
  }
  throw new Error(`The disposition lock of ${filing.unitCode} kept changing`);
}

/** The active filings holding the unit's lock, with their records (e.g. an accepted presale notice a mortgage notice relies on). */
export async function activeHolders(filings: FilingRepository, unitCode: string): Promise<FilingRecord[]> {
  const lock = await filings.readDisposition(unitCode);
  return (await filings.getMany(Object.keys(lock.holders))).filter((f) => isActive(f.status));
}
