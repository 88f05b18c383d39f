/**
 * Corrections, withdrawal and the urgent lane (DESIGN.md §3): which statuses allow what, and when a
 * correction is overdue. Pure; the use cases apply it with conditional writes.
 */
import type { FilingStatus } from './filing';
import { cstDate } from './working-days';

/** Reason code of a filing refused because its correction did not arrive in time (DESIGN.md §3). */
export const CORRECTION_OVERDUE = 'CORRECTION_OVERDUE';

/** "any state before REGISTERED" (DESIGN.md §3): the filer may withdraw from these. */
export const WITHDRAWABLE_STATUSES: readonly FilingStatus[] = ['SUBMITTED', 'ACCEPTED', 'CORRECTION_REQUIRED', 'READY_FOR_REVIEW'];

/** Statuses in which staff may put a filing on the priority lane (003 第十三条): it is still being worked. */
export const URGENT_ELIGIBLE_STATUSES: readonly FilingStatus[] = WITHDRAWABLE_STATUSES;

/**
 * A correction is due by the END of its deadline day in China Standard Time: it is overdue from 00:00 CST
 * of the next day (`deadline` is a CST calendar date, YYYY-MM-DD, as intake wrote it).
 */
export function isCorrectionOverdue(deadline: string | undefined, now: Date): boolean {
  return deadline !== undefined && cstDate(now) > deadline;
}
