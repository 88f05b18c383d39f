/**
 * Whom an incident's free text must not name (DESIGN.md §5; F4): incidents are read city-wide by
 * administrators and auditors, and a leak's record must not leak again. Its summary and step notes are
 * checked, before anything is stored, against
 * - the parties of the filings its evidence names (`filing:<filingId>`),
 * - the display names of the staff members its evidence names (`staff:<staffId>`) and of the incident's
 *   source (the reporter; the account the misuse detector locked), and the caller's own.
 *
 * Only filings and accounts of the caller's district are opened, and filings only for a caller whose role may
 * read them: refusing a text for naming a party of a filing the caller may not read would tell them who is on it.
 */
import { refuseNamesIn } from '../domain/free-text';
import { hasRole, type StaffAccount, type StaffRole } from '../domain/staff';
import type { FilingRepository, PersonalDataVault, StaffDirectory } from '../ports';
import { partyNamesOf } from './party-names';

export interface IncidentTextPorts {
  readonly filings: Pick<FilingRepository, 'getMany'>;
  readonly vault: PersonalDataVault;
  readonly staff: StaffDirectory;
}

/**
 * The roles that may read a filing of their district (STAFF_PERMISSIONS.getStaffFiling; a test keeps the two
 * equal): credit officers judge institutions, not filings, so their texts are not checked against parties.
 */
export const FILING_READER_ROLES: readonly StaffRole[] = ['CLERK', 'REVIEWER', 'REGISTRAR', 'AUDITOR', 'ADMIN'];

const FILING_EVIDENCE = /^filing:(F[0-9A-F]{24})$/;
const STAFF_EVIDENCE = /^staff:(.+)$/;

const idsOf = (evidence: readonly string[], pattern: RegExp): string[] => [
  ...new Set(evidence.flatMap((entry) => pattern.exec(entry)?.[1] ?? [])),
];

/** The names (see the module comment) for a text written by `caller` about `evidence` and `staffIds`. */
export async function namesAboutIncident(
  ports: IncidentTextPorts,
  caller: Pick<StaffAccount, 'staffId' | 'district' | 'displayName' | 'role'>,
  evidence: readonly string[],
  staffIds: readonly string[],
): Promise<string[]> {
  const filingIds = hasRole(caller, FILING_READER_ROLES) ? idsOf(evidence, FILING_EVIDENCE) : [];
  const others = [...new Set([...idsOf(evidence, STAFF_EVIDENCE), ...staffIds])].filter((id) => id !== caller.staffId);
  const [filings, accounts] = await Promise.all([
    filingIds.length === 0 ? [] : ports.filings.getMany(filingIds),
    Promise.all(others.map((id) => ports.staff.get(id))),
  ]);
  const parties = await Promise.all(filings.filter((f) => f.district === caller.district).map((f) => partyNamesOf(ports.vault, f)));
  return [
    caller.displayName,
    ...accounts.flatMap((account) => (account !== undefined && account.district === caller.district ? [account.displayName] : [])),
    ...parties.flat(),
  ];
}

/** Refuses (422, the field's `PERSONAL_DATA_IN_TEXT`) a text of an incident that names someone it concerns. */
export async function refuseNamesInIncidentText(
  ports: IncidentTextPorts,
  caller: Pick<StaffAccount, 'staffId' | 'district' | 'displayName' | 'role'>,
  texts: Readonly<Record<string, string>>,
  about: { readonly evidence?: readonly string[]; readonly staffIds?: readonly string[] },
): Promise<void> {
  refuseNamesIn(texts, await namesAboutIncident(ports, caller, about.evidence ?? [], about.staffIds ?? []));
}
