import { disclosureViewsOf, type DisclosureView, type FilingDisclosureRecord } from '../domain/disclosure';
import { notFound } from '../domain/errors';
import { personByIdIndex, progressAnswer, sameName, type ProgressAnswer } from '../domain/progress-lookup';
import type { FilingRepository, PersonalDataVault } from '../ports';

export interface LookupProgressPorts {
  readonly filings: FilingRepository;
  readonly vault: PersonalDataVault;
  /**
   * Does the same cryptographic work as `vault` on a tenant of its own, with keys that exist only in this
   * process: used when there is no filing, so a miss costs what a hit costs.
   */
  readonly decoy: { readonly vault: PersonalDataVault; readonly tenant: string; readonly sealedName: string; readonly bindTo: string };
}

export interface ProgressQuery {
  readonly businessNumber: string;
  readonly name: string;
  readonly idNumber: string;
}

/** The one answer to every mismatch: no such filing, wrong ID number, wrong name. */
export const progressNotFound = () => notFound('NOT_FOUND', 'No filing matches this business number, name and ID number.');

/**
 * A citizen looks up the progress of a filing (DESIGN.md §1 citizen; 002 二(一)4).
 *
 * 1. Load the filing named by the business number (its filing id).
 * 2. Compute the blind index of the ID number under the filing's district, and find the person on the
 *    filing with that index.
 * 3. Open that person's sealed name and compare it with the name given.
 * 4. On a match, answer progress only, the name masked, and when staff unmasked the filing's personal data:
 *    time, role and purpose of each disclosure, never who (DESIGN.md §5 audited unmasking); on any mismatch, the same 404.
 *
 * Every path computes exactly one blind index and opens exactly one sealed name (the decoy's when there is
 * no filing or no such person), so the time taken does not tell a missing filing from a wrong name.
 */
export async function lookupProgress(ports: LookupProgressPorts, query: ProgressQuery): Promise<{ answer: ProgressAnswer & { readonly disclosures: readonly DisclosureView[] }; filingId: string }> {
  const filing = await ports.filings.get(query.businessNumber);
  const indexVault = filing ? ports.vault : ports.decoy.vault;
  const idIndex = await indexVault.blindIndex(filing?.district ?? ports.decoy.tenant, 'idNumber', query.idNumber);
  const person = filing ? personByIdIndex(filing, idIndex) : undefined;
  const opened = await (filing && person
    ? ports.vault.open(filing.district, 'name', person.name, filing.filingId)
    : ports.decoy.vault.open(ports.decoy.tenant, 'name', ports.decoy.sealedName, ports.decoy.bindTo)
  ).catch(() => undefined);
  const matched = sameName(opened ?? '', query.name) && filing !== undefined && person !== undefined;
  if (!matched || !filing) throw progressNotFound();
  return { answer: { ...progressAnswer(filing, query.name), disclosures: disclosureViewsOf(filing as FilingDisclosureRecord) }, filingId: filing.filingId };
}
