/**
 * Whom an incident's free text must not name (DESIGN.md §5; F4): incidents are read city-wide by
 * administrators and auditors, and a leak's record must not leak again. Its summary and step notes are
 * checked, before anything is stored, against
 * - the parties of the filings its evidence names (`filing:<filingId>`),
 * - the display names of the staff members its evidence names (`staff:<staffId>`) and of the incident's
 *   source (the reporter; the account the misuse detector locked), and the caller's own.
 *
 * Only filings and accounts of the caller's district are opened: refusing a text for naming a party of
 * another district's filing would tell the caller who is on a filing they may not read.
 */
import { refuseNamesIn } from '../domain/free-text';
import type { StaffAccount } from '../domain/staff';
import type { FilingRepository, PersonalDataVault, StaffDirectory } from '../ports';
import { partyNamesOf } from './party-names';

export interface IncidentTextPorts {
  readonly filings: Pick<FilingRepository, 'getMany'>;
  readonly vault: PersonalDataVault;
  readonly staff: StaffDirectory;
}

const FILING_EVIDENCE = /^filing:(F[0-9A-F]{24})$/;
const STAFF_EVIDENCE = /^staff:(.+)$/;

const idsOf = (evidence: readonly string[], pattern: RegExp): string[] => [
  ...new Set(evidence.flatMap((entry) => pattern.exec(entry)?.[1] ?? [])),
];

/** The names (see the module comment) for a text written by `caller` about `evidence` and `staffIds`. */
export async function namesAboutIncident(
  ports: IncidentTextPorts,
  caller: Pick<StaffAccount, 'staffId' | 'district' | 'displayName'>,
  evidence: readonly string[],
  staffIds: readonly string[],
): Promise<string[]> {
  const filingIds = idsOf(evidence, FILING_EVIDENCE);
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
  caller: Pick<StaffAccount, 'staffId' | 'district' | 'displayName'>,
  texts: Readonly<Record<string, string>>,
  about: { readonly evidence?: readonly string[]; readonly staffIds?: readonly string[] },
): Promise<void> {
  refuseNamesIn(texts, await namesAboutIncident(ports, caller, about.evidence ?? [], about.staffIds ?? []));
}
