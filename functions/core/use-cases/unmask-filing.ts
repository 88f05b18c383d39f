import { UNMASKED_FIELDS, UNMASKING_PURPOSES, type UnmaskingPurpose } from '../domain/disclosure';
import { notFound } from '../domain/errors';
import { refuseNamesIn } from '../domain/free-text';
import { peopleOf, PERSON_LIST_FIELDS, type FilingRecord, type PersonListField, type SealedPerson } from '../domain/filing';
import type { FilingObservation } from '../domain/misuse';
import type { StaffAccount } from '../domain/staff';
import type { AuditLog, Clock, DisclosureRecorder, FilingRepository, PersonalDataVault } from '../ports';
import { partyNamesOf } from './party-names';

export interface UnmaskingRequest {
  readonly purpose: UnmaskingPurpose;
  /**
   * Free text, checked at the edge to carry no ID number or phone (schemas/v1/unmasking.ts) and here to name
   * none of the filing's parties.
   */
  readonly reason: string;
}

export interface UnmaskedPerson {
  readonly name: string;
  readonly idType: string;
  readonly idNumber: string;
  readonly phone?: string;
}

export interface UnmaskedFiling {
  readonly filingId: string;
  readonly purpose: UnmaskingPurpose;
  readonly purposeLabel: string;
  readonly unmaskedAt: string;
  readonly parties: Partial<Record<PersonListField, readonly UnmaskedPerson[]>>;
}

export interface UnmaskFilingPorts {
  readonly filings: FilingRepository;
  readonly disclosures: DisclosureRecorder;
  readonly vault: PersonalDataVault;
  readonly audit: AuditLog;
  readonly clock: Clock;
}

/**
 * A reviewer or registrar unmasks one filing's personal data for a stated purpose (DESIGN.md §5;
 * 001 4.2.10–11).
 *
 * 1. Load the filing; another district's is answered 404 like a missing one, and the detector is told it
 *    was an attempt on another district.
 * 2. Tell the detector which filing and which people (blind indexes) the call is about, and that it unmasks.
 * 3. Open the parties' names (only those) and refuse a reason that names one of them (422, the reason's
 *    `PERSONAL_DATA_IN_TEXT`): the reason is stored in the audit log. Nothing is recorded or answered then.
 * 4. Record the disclosure on the filing (role, purpose, time, the staff member's audit id).
 * 5. Audit `PERSONAL_DATA_UNMASKED` (purpose, reason, fields revealed).
 * 6. Only then open the other sealed fields into the answer, reusing the names. If 4 or 5 fails, nothing
 *    is answered and no ID number or phone is decrypted (5xx).
 */
export async function unmaskFiling(
  ports: UnmaskFilingPorts,
  staff: StaffAccount,
  filingId: string,
  request: UnmaskingRequest,
  observe: (observation: FilingObservation) => void,
): Promise<UnmaskedFiling> {
  const filing = await ports.filings.get(filingId);
  if (!filing || filing.district !== staff.district) {
    if (filing) observe({ filingId, crossDistrict: true });
    throw notFound('FILING_NOT_FOUND', 'No filing with this id exists in your district.');
  }
  const people = peopleOf(filing.content);
  const everyone = PERSON_LIST_FIELDS.flatMap((field) => people[field]);
  observe({ filingId, personIndexes: everyone.map((person) => person.idIndex), unmasked: true });
  // In the order of `everyone`; opened once, reused in the answer.
  const names = await partyNamesOf(ports.vault, filing);
  refuseNamesIn({ reason: request.reason }, names);
  const at = ports.clock.now().toISOString();
  const actor = `staff:${staff.staffId}`;
  if (!(await ports.disclosures.recordDisclosure(filingId, { at, role: staff.role, purpose: request.purpose, actor }))) {
    throw new Error('The filing vanished before its disclosure was recorded');
  }
  await ports.audit.record({
    tenant: staff.district,
    actor,
    action: 'PERSONAL_DATA_UNMASKED',
    outcome: 'SUCCESS',
    target: filingId,
    retention: 'OPERATIONS',
    subject: { district: filing.district, institutionId: filing.institutionId, businessType: filing.businessType, filingId },
    detail: { purpose: request.purpose, reason: request.reason, fields: UNMASKED_FIELDS.join(','), people: everyone.length, role: staff.role },
  });
  const parties: Partial<Record<PersonListField, readonly UnmaskedPerson[]>> = {};
  let offset = 0;
  for (const field of PERSON_LIST_FIELDS) {
    const first = offset;
    offset += people[field].length;
    if (people[field].length > 0) parties[field] = await Promise.all(people[field].map((person, i) => openPerson(ports.vault, filing, person, names[first + i] ?? '')));
  }
  return { filingId, purpose: request.purpose, purposeLabel: UNMASKING_PURPOSES[request.purpose], unmaskedAt: at, parties };
}

async function openPerson(vault: PersonalDataVault, filing: FilingRecord, person: SealedPerson, name: string): Promise<UnmaskedPerson> {
  const { district: tenant, filingId: bindTo } = filing;
  const [idNumber, phone] = await Promise.all([
    vault.open(tenant, 'idNumber', person.idNumber, bindTo),
    person.phone === undefined ? undefined : vault.open(tenant, 'phone', person.phone, bindTo),
  ]);
  return { name, idType: person.idType, idNumber, ...(phone === undefined ? {} : { phone }) };
}
