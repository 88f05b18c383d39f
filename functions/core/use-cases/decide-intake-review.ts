import { conflict, forbidden, notFound } from '../domain/errors';
import { refuseNamesIn } from '../domain/free-text';
import type { FilingRecord, FilingStatus } from '../domain/filing';
import { INTAKE_REVIEW_REFUSAL_CODES, type IntakeReviewRefusalCode } from '../domain/lifecycle';
import { hasRole, type StaffAccount, type StaffRole } from '../domain/staff';
import type { PersonalDataVault } from '../ports';

/** Who may find materials false at intake review (the finding is a severe credit violation). */
export const FALSE_MATERIALS_ROLES: readonly StaffRole[] = ['REVIEWER', 'REGISTRAR'];
import { partyNamesOf } from './party-names';
import { healEffects, performTransition, type LifecyclePorts } from './transition';

/** The vault opens the parties' names, to refuse a note naming one. */
export interface IntakeReviewPorts extends LifecyclePorts {
  readonly vault: PersonalDataVault;
}

export type IntakeReviewRequest =
  | { readonly decision: 'ACCEPT'; readonly note?: string }
  | { readonly decision: 'REFUSE'; readonly reasonCode: IntakeReviewRefusalCode; readonly note?: string };

export interface IntakeReviewResult {
  readonly filingId: string;
  readonly status: FilingStatus;
}

/** Races on one filing settle in a few rounds; more means something is wrong. */
const ATTEMPTS = 8;

const notInIntakeReview = (status: FilingStatus) =>
  conflict('FILING_NOT_IN_INTAKE_REVIEW', `A filing in ${status} is not held for intake review; only filings in INTAKE_REVIEW take this decision.`, { filingStatus: status });

/**
 * Whether this decision was already taken on the filing: the entry after its latest INTAKE_REVIEW entry is
 * the status the decision leads to, recorded by staff (and, for a refusal, with the same reason).
 */
function alreadyDecided(filing: FilingRecord, request: IntakeReviewRequest): boolean {
  const held = filing.history.map((entry) => entry.status).lastIndexOf('INTAKE_REVIEW');
  const next = held < 0 ? undefined : filing.history[held + 1];
  if (!next || !next.by.startsWith('staff:')) return false;
  return request.decision === 'ACCEPT' ? next.status === 'ACCEPTED' : next.status === 'REFUSED' && next.reasonCode === request.reasonCode;
}

/**
 * Staff of the filing's district accept or refuse a filing that intake held for manual review because its
 * channel was on WATCH or PROBATION when it filed (DESIGN.md §4: such a filing is never accepted by the
 * machine; 002 五(二)1: the district's staff accept filings).
 *
 * 1. Load the filing; another district's answers 404 exactly like a missing one (DESIGN.md §5 tenancy). A note
 *    naming a party of the filing is refused (422, the note's `PERSONAL_DATA_IN_TEXT`): notes are kept in the
 *    history the filing institution reads.
 * 2. Perform ACCEPT_AFTER_INTAKE_REVIEW (its effects: audit, progress, credit signal FILING_ACCEPTED, and the
 *    move on to coordination or review) or REFUSE_AFTER_INTAKE_REVIEW with the reason (its effects free the
 *    unit, audit, signal INTAKE_REFUSED — or FALSE_MATERIALS, a severe violation — and publish progress).
 * 3. A stale write (the filing changed meanwhile, e.g. withdrawn) re-reads it and decides again on it as it
 *    now is. A filing not in INTAKE_REVIEW answers 409 FILING_NOT_IN_INTAKE_REVIEW with its status — unless
 *    this very decision was already taken on it: then it answers the result again (safe to repeat).
 */
export async function decideIntakeReview(ports: IntakeReviewPorts, staff: StaffAccount, filingId: string, request: IntakeReviewRequest): Promise<IntakeReviewResult> {
  let filing = await ports.filings.get(filingId);
  if (!filing || filing.district !== staff.district) throw notFound('FILING_NOT_FOUND', 'No filing with this id exists in your district.');
  // FALSE_MATERIALS shuts the filing channel off at once (a severe violation, DESIGN.md §4): a finding for the
  // reviewers and registrars who judge materials, not for the clerk at the counter.
  if (request.decision === 'REFUSE' && request.reasonCode === 'FALSE_MATERIALS' && !hasRole(staff, FALSE_MATERIALS_ROLES)) {
    throw forbidden('ROLE_FORBIDDEN', 'Only a reviewer or a registrar may refuse a filing for false materials (it shuts the channel off); refuse it for DATA_MISMATCH or OTHER, or hand it to a reviewer.');
  }
  if (request.note !== undefined) refuseNamesIn({ note: request.note }, await partyNamesOf(ports.vault, filing));
  const actor = `staff:${staff.staffId}`;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    if (filing.status !== 'INTAKE_REVIEW') {
      if (!alreadyDecided(filing, request)) throw notInIntakeReview(filing.status);
      const healed = await healEffects(ports, filing);
      return { filingId, status: healed.status };
    }
    const outcome =
      request.decision === 'ACCEPT'
        ? await performTransition(ports, filing, 'ACCEPT_AFTER_INTAKE_REVIEW', { actor, ...(request.note ? { note: request.note } : {}) })
        : await performTransition(ports, filing, 'REFUSE_AFTER_INTAKE_REVIEW', {
            actor,
            reasonCode: request.reasonCode,
            note: request.note ?? INTAKE_REVIEW_REFUSAL_CODES[request.reasonCode],
          });
    if (outcome.kind === 'moved') return { filingId, status: outcome.filing.status };
    if (outcome.kind === 'notAllowed') throw notInIntakeReview(filing.status);
    const reread: FilingRecord | undefined = await ports.filings.get(filingId);
    if (!reread) throw new Error(`Filing ${filingId} vanished during intake review`);
    filing = reread;
  }
  throw conflict('FILING_CHANGED', 'The filing kept changing while the decision was being recorded; read it and decide again.');
}
