import { peopleOf, PERSON_LIST_FIELDS, type FilingRecord } from '../domain/filing';
import type { PersonalDataVault } from '../ports';

/**
 * The names of a filing's parties (mortgagors, buyers, sellers), opened from the vault, for refusing staff
 * free text that names them before it is stored (functions/core/domain/free-text.ts). The plaintext stays
 * in memory for the one call and is never logged or answered.
 */
export async function partyNamesOf(vault: PersonalDataVault, filing: FilingRecord): Promise<string[]> {
  const people = peopleOf(filing.content);
  return Promise.all(PERSON_LIST_FIELDS.flatMap((field) => people[field]).map((person) => vault.open(filing.district, 'name', person.name, filing.filingId)));
}
