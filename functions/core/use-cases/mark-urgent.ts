import { conflict, notFound } from '../domain/errors';
import type { FilingRecord } from '../domain/filing';
import { URGENT_ELIGIBLE_STATUSES } from '../domain/lifecycle';
import type { StaffAccount } from '../domain/staff';
import type { AuditLog, FilingRepository, IntakeQueue } from '../ports';
import { filingStateOf, type FilingStateView } from './filing-state';

export interface MarkUrgentPorts {
  readonly filings: FilingRepository;
  /** The priority lane of intake (the `intakeUrgent` queue). */
  readonly urgentQueue: IntakeQueue;
  readonly audit: AuditLog;
}

const ATTEMPTS = 5;

/**
 * Staff put a filing of their district on the priority lane (003 第十三条: urgent matters are handled first).
 *
 * 1. Load the filing; a filing of another district is answered like a missing one, 404 FILING_NOT_FOUND
 *    (DESIGN.md §5 tenancy; no oracle), and the staff chain audits the refusal with its target.
 * 2. Only a filing still being worked (before registration, not refused or withdrawn) can be marked
 *    (409 FILING_NOT_URGENT_ELIGIBLE).
 * 3. Mark it urgent with its reason and who marked it, conditionally on the status just read (retrying on
 *    a race); marking an urgent filing again keeps the first reason.
 * 4. If it waits for intake (SUBMITTED), enqueue it on the priority lane; intake is idempotent, so the
 *    message already on the normal queue changes nothing once the urgent one is processed.
 * 5. Audit (never the free-text reason).
 */
export async function markUrgent(ports: MarkUrgentPorts, staff: StaffAccount, filingId: string, reason: string): Promise<FilingStateView> {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const filing = await ports.filings.get(filingId);
    // Another district's filing is answered like a missing one (no oracle), as every staff filing endpoint does.
    if (!filing || filing.district !== staff.district) throw notFound('FILING_NOT_FOUND', 'No filing with this id exists in your district.');
    if (!URGENT_ELIGIBLE_STATUSES.includes(filing.status)) {
      throw conflict('FILING_NOT_URGENT_ELIGIBLE', 'Only a filing still being worked (before registration) can be marked urgent.', { filingStatus: filing.status });
    }
    const by = `staff:${staff.staffId}`;
    const newly = filing.urgent !== true;
    if (newly && !(await ports.filings.markUrgent({ filingId, status: filing.status, reason, by }))) continue;
    if (filing.status === 'SUBMITTED') await ports.urgentQueue.enqueue([{ v: 1, filingId }]);
    if (newly) {
      await ports.audit.record({
        tenant: staff.district,
        actor: by,
        action: 'FILING_MARKED_URGENT',
        outcome: 'SUCCESS',
        target: filingId,
        detail: { status: filing.status, enqueued: filing.status === 'SUBMITTED' },
      });
    }
    const marked: FilingRecord = newly ? { ...filing, urgent: true, urgentReason: reason, urgentBy: by } : filing;
    return filingStateOf(marked);
  }
  throw conflict('FILING_CHANGED', 'The filing kept changing while it was being marked; read it and retry.');
}
