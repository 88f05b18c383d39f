import type { FilingRecord } from '../domain/filing';
import { CORRECTION_OVERDUE } from '../domain/lifecycle';
import { performTransition, type LifecyclePorts } from './transition';

/**
 * Refuses a filing whose correction deadline has passed (DESIGN.md §3: "overdue → refused"), by whichever
 * notices first: the channel's late correction or the scheduled sweeper. The declared transition
 * REFUSE_OVERDUE_CORRECTION frees the unit's lock, audits (overdue corrections count against the
 * institution's credit, DESIGN.md §4) and publishes the progress event. False when the filing left
 * CORRECTION_REQUIRED (or changed) meanwhile: nothing is done.
 */
export async function refuseOverdueCorrection(ports: LifecyclePorts, filing: FilingRecord, actor: string): Promise<boolean> {
  const outcome = await performTransition(ports, filing, 'REFUSE_OVERDUE_CORRECTION', {
    actor,
    reasonCode: CORRECTION_OVERDUE,
    note: `The correction was due by the end of ${filing.correctionDeadline ?? 'its deadline'} (CST) and did not arrive.`,
    detail: { deadline: filing.correctionDeadline ?? '' },
  });
  return outcome.kind === 'moved';
}
