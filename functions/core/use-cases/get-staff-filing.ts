import { notFound } from '../domain/errors';
import { peopleOf, PERSON_LIST_FIELDS } from '../domain/filing';
import type { FilingObservation } from '../domain/misuse';
import type { StaffAccount } from '../domain/staff';
import type { AuditLog, FilingRepository, PersonalDataVault } from '../ports';
import { filingViewOf, type FilingView } from './get-filing';

/**
 * One filing of the staff member's district, masked exactly as its channel sees it (002 五(一)).
 *
 * 1. Load the filing; a filing of another district is answered exactly like a missing one (no oracle of
 *    what exists elsewhere; DESIGN.md §5 tenancy), and the staff chain audits the refusal.
 * 2. Mask it through the channel view (get-filing.ts): plaintext never leaves the vault call.
 * 3. Audit the read under the district.
 */
export async function getStaffFiling(
  ports: { filings: FilingRepository; vault: PersonalDataVault; audit: AuditLog },
  staff: StaffAccount,
  filingId: string,
  /** Tells the misuse detector of another district's filing asked for, or of the people read (blind indexes). */
  observe: (observation: FilingObservation) => void = () => undefined,
): Promise<FilingView> {
  const filing = await ports.filings.get(filingId);
  if (filing && filing.district !== staff.district) observe({ filingId, crossDistrict: true });
  if (!filing || filing.district !== staff.district) throw notFound('FILING_NOT_FOUND', 'No filing with this id exists in your district.');
  const people = peopleOf(filing.content);
  observe({ filingId, personIndexes: PERSON_LIST_FIELDS.flatMap((field) => people[field].map((person) => person.idIndex)) });
  const view = await filingViewOf(ports.vault, filing);
  await ports.audit.record({ tenant: staff.district, actor: `staff:${staff.staffId}`, action: 'STAFF_FILING_READ', outcome: 'SUCCESS', target: filingId });
  return view;
}
