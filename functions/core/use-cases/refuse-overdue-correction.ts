import type { FilingRecord, HistoryEntry } from '../domain/filing';
import { CORRECTION_OVERDUE } from '../domain/lifecycle';
import type { AuditLog, Clock, FilingRepository, NotificationQueue } from '../ports';
import { progressEventOf } from './process-intake';

export interface RefuseOverduePorts {
  readonly filings: FilingRepository;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly notifications: NotificationQueue;
}

/**
 * Refuses a filing whose correction deadline has passed (DESIGN.md §3: "overdue → refused"), by whichever
 * notices first: the channel's late correction or the scheduled sweeper.
 *
 * 1. Transition CORRECTION_REQUIRED → REFUSED (CORRECTION_OVERDUE) with a conditional write; if the
 *    filing has left CORRECTION_REQUIRED meanwhile, do nothing and answer false.
 * 2. Release the unit's active lock, so that a new filing on the unit can be accepted.
 * 3. Audit the refusal (overdue corrections count against the institution's credit, DESIGN.md §4) and
 *    publish the progress event.
 */
export async function refuseOverdueCorrection(ports: RefuseOverduePorts, filing: FilingRecord, actor: string): Promise<boolean> {
  const at = ports.clock.now().toISOString();
  const entry: HistoryEntry = {
    at,
    status: 'REFUSED',
    by: actor,
    reasonCode: CORRECTION_OVERDUE,
    note: `The correction was due by the end of ${filing.correctionDeadline ?? 'its deadline'} (CST) and did not arrive.`,
  };
  const moved = await ports.filings.transition({
    filingId: filing.filingId,
    district: filing.district,
    from: 'CORRECTION_REQUIRED',
    to: 'REFUSED',
    entry,
    set: { reasonCode: CORRECTION_OVERDUE },
  });
  if (!moved) return false;
  await ports.filings.releaseActive(filing.unitCode, filing.businessType, filing.filingId);
  await ports.audit.record({
    tenant: filing.institutionId,
    actor,
    action: 'CORRECTION_OVERDUE_REFUSED',
    outcome: 'SUCCESS',
    target: filing.filingId,
    detail: { reasonCode: CORRECTION_OVERDUE, channelId: filing.channelId, deadline: filing.correctionDeadline ?? '' },
  });
  const refused: FilingRecord = { ...filing, status: 'REFUSED', reasonCode: CORRECTION_OVERDUE, history: [...filing.history, entry] };
  await ports.notifications.publish([progressEventOf(refused)]);
  return true;
}
