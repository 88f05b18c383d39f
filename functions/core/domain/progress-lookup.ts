/**
 * The citizen progress lookup's rules (DESIGN.md §1 citizen; 002 二(一)4; 002 五(一) masking).
 *
 * A citizen is shown a filing only when all three of business number, name and ID number match: the
 * filing exists, one of its people (mortgagors, buyers, sellers) has the blind index of that ID number,
 * and that same person's sealed name opens to that name. What is shown is progress only: type, status,
 * times, the unit code, and the citizen's own name masked. Never notes or reasons (a refusal note could
 * name another party), never other people, never the address.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FilingRecord, SealedPerson } from './filing';
import { peopleOf } from './filing';
import { maskName } from './masking';

/** The person of the filing whose ID number has this blind index, if any. */
export function personByIdIndex(filing: FilingRecord, idIndex: string): SealedPerson | undefined {
  const { mortgagors, buyers, sellers } = peopleOf(filing.content);
  return [...mortgagors, ...buyers, ...sellers].find((person) => person.idIndex === idIndex);
}

/** Compares two names without an early exit on the first differing byte. */
export function sameName(a: string, b: string): boolean {
  const left = Buffer.from(a.normalize('NFC'), 'utf8');
  const right = Buffer.from(b.normalize('NFC'), 'utf8');
  // Lengths are compared after a full-length comparison, so the time depends on the longer input only.
  const padded = Buffer.alloc(Math.max(left.length, right.length));
  const equalBytes = timingSafeEqual(Buffer.concat([left, padded]).subarray(0, padded.length), Buffer.concat([right, padded]).subarray(0, padded.length));
  return equalBytes && left.length === right.length;
}

export interface ProgressAnswer {
  readonly businessNumber: string;
  readonly businessType: FilingRecord['businessType'];
  readonly status: FilingRecord['status'];
  readonly updatedAt: string;
  readonly unitCode: string;
  readonly applicant: string;
  readonly history: readonly { readonly at: string; readonly status: FilingRecord['status'] }[];
}

/** What a matched citizen sees: progress only, their own name masked. */
export function progressAnswer(filing: FilingRecord, applicantName: string): ProgressAnswer {
  return {
    businessNumber: filing.filingId,
    businessType: filing.businessType,
    status: filing.status,
    updatedAt: filing.updatedAt,
    unitCode: filing.unitCode,
    applicant: maskName(applicantName),
    history: filing.history.map(({ at, status }) => ({ at, status })),
  };
}
