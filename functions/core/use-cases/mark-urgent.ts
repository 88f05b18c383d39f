import { conflict, notFound } from '../domain/errors';
import { refuseNamesIn } from '../domain/free-text';
import type { StaffAccount } from '../domain/staff';
import type { PersonalDataVault } from '../ports';
import { filingStateOf, type FilingStateView } from './filing-state';
import { partyNamesOf } from './party-names';
import { performTransition, type LifecyclePorts } from './transition';

/** The priority lane of intake (the `intakeUrgent` queue) is the port that matters here; the vault opens the parties' names. */
export type MarkUrgentPorts = LifecyclePorts & Required<Pick<LifecyclePorts, 'urgentIntake'>> & { readonly vault: PersonalDataVault };

const ATTEMPTS = 5;

/**
 * Staff put a filing of their district on the priority lane (003 第十三条: urgent matters are handled first).
 *
 * 1. Load the filing; a filing of another district is answered like a missing one, 404 FILING_NOT_FOUND
 *    (DESIGN.md §5 tenancy; no oracle), and the staff chain audits the refusal with its target.
 * 2. Marking an urgent filing again keeps the first reason and changes nothing. Otherwise a reason naming a
 *    party of the filing is refused (422, the reason's `PERSONAL_DATA_IN_TEXT`): it is kept with the filing.
 * 3. Perform MARK_URGENT (an annotation: the status stays) with the reason and who marked it: only a
 *    filing still being worked can be marked (409 FILING_NOT_URGENT_ELIGIBLE). Its effects audit (never
 *    the free-text reason) and, if it waits for intake, enqueue it on the priority lane; intake is
 *    idempotent, so the message already on the normal queue changes nothing once the urgent one is done.
 */
export async function markUrgent(ports: MarkUrgentPorts, staff: StaffAccount, filingId: string, reason: string): Promise<FilingStateView> {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const filing = await ports.filings.get(filingId);
    // Another district's filing is answered like a missing one (no oracle), as every staff filing endpoint does.
    if (!filing || filing.district !== staff.district) throw notFound('FILING_NOT_FOUND', 'No filing with this id exists in your district.');
    if (filing.urgent === true) return filingStateOf(filing);
    // The parties never change after submission: checking on the first read covers the retries.
    if (attempt === 1) refuseNamesIn({ reason }, await partyNamesOf(ports.vault, filing));
    const by = `staff:${staff.staffId}`;
    const outcome = await performTransition(ports, filing, 'MARK_URGENT', {
      actor: by,
      set: { urgent: true, urgentReason: reason, urgentBy: by },
      detail: { status: filing.status, enqueued: filing.status === 'SUBMITTED' },
    });
    if (outcome.kind === 'moved') return filingStateOf(outcome.filing);
    if (outcome.kind === 'notAllowed') {
      throw conflict('FILING_NOT_URGENT_ELIGIBLE', 'Only a filing still being worked (before registration) can be marked urgent.', { filingStatus: filing.status });
    }
  }
  throw conflict('FILING_CHANGED', 'The filing kept changing while it was being marked; read it and retry.');
}
