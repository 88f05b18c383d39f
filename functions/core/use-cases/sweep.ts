import { isCoordinationOverdue, openRequests } from '../domain/coordination';
import type { FilingStatus } from '../domain/filing';
import { isCorrectionOverdue, REVIEWABLE_STATUSES } from '../domain/lifecycle';
import type { FilingRepository, FilingSummary, FilingSummaryPage, RegisterReader } from '../ports';
import { refuseOverdueCorrection } from './refuse-overdue-correction';
import { hasPendingEffects, moveOnFromAccepted, performTransition, runEffects, type LifecyclePorts } from './transition';

export interface SweepPorts extends LifecyclePorts {
  readonly intake: NonNullable<LifecyclePorts['intake']>;
  /** The priority lane, for filings marked urgent (003 第十三条). */
  readonly urgentIntake: NonNullable<LifecyclePorts['urgentIntake']>;
  /** Lists the districts (tenants) the register holds: every one is swept. */
  readonly register: Pick<RegisterReader, 'listDistricts'>;
}

export interface SweepConfig {
  /** A SUBMITTED filing unchanged for longer than this is considered stranded. */
  readonly staleMinutes: number;
  /** Effects pending for longer than this are performed by the sweeper (younger ones are still being run by their request). */
  readonly pendingSeconds?: number;
  /** After this many re-enqueues a filing still stranded is flagged for staff instead of re-enqueued for ever. */
  readonly maxRequeues?: number;
  /** An approval claimed (or REGISTERED and not certified) longer ago than this has stopped: it is flagged for staff. */
  readonly stalledApprovalMinutes?: number;
  /** Worklist page size. */
  readonly pageSize?: number;
}

export interface SweepResult {
  readonly districts: number;
  readonly healed: number;
  readonly reenqueued: number;
  readonly reenqueuedUrgent: number;
  readonly flagged: number;
  readonly refusedOverdue: number;
  /** ACCEPTED filings moved on to coordination or review (stored before coordination existed, or stranded). */
  readonly movedOn: number;
  /** Filings whose undelivered department requests were sent again. */
  readonly resent: number;
}

const ACTOR = 'worker:sweeper';
const DEFAULT_PENDING_SECONDS = 60;
const DEFAULT_MAX_REQUEUES = 5;
const DEFAULT_STALLED_APPROVAL_MINUTES = 15;
/** Longer than the connectors' longest backoff between attempts (15 minutes, deliver-progress.ts). */
const CONNECTOR_RETRY_GAP_MINUTES = 16;

/** Every summary of a paged listing, oldest first. */
async function* pages(list: (cursor: string | undefined) => Promise<FilingSummaryPage>): AsyncGenerator<FilingSummary> {
  let cursor: string | undefined;
  do {
    const page = await list(cursor);
    yield* page.items;
    cursor = page.nextCursor;
  } while (cursor !== undefined);
}

const worklist = (filings: FilingRepository, district: string, status: FilingStatus, limit: number) =>
  pages((cursor) => filings.listByDistrictStatus(district, status, { limit, cursor }));

/**
 * The scheduled sweeper (DESIGN.md §3: nothing is stranded). Safe to repeat and to overlap with anything:
 * every step is a declared transition (conditional on the filing's revision) or an idempotent effect.
 *
 * For every district the register holds:
 * 1. Filings whose lifecycle effects are still pending (a crash between a transition's write and its
 *    effects, or a function that lacked the port) have them performed: lock releases, audit records,
 *    progress events, intake messages.
 * 2. SUBMITTED filings unchanged for more than `staleMinutes` (a message lost, or dead-lettered) go to
 *    intake again (REQUEUE_INTAKE), urgent ones on the priority lane, at most once per `staleMinutes`. One
 *    re-enqueued `maxRequeues` times and still stranded keeps failing intake: it is flagged for staff
 *    (FLAG_FOR_STAFF) and left alone. Its next status change clears the count and the flag.
 *    The worklist index is ordered by last change, so the scan stops at the first recent filing.
 * 3. Approvals that stopped midway (claimed, or REGISTERED and not certified, for longer than
 *    `stalledApprovalMinutes`) are flagged for staff (APPROVAL_STALLED): approving again resumes them.
 * 4. CORRECTION_REQUIRED filings past their deadline (end of the CST day) are refused (CORRECTION_OVERDUE).
 * 5. ACCEPTED filings that have not moved on for `pendingSeconds` (stored before coordination existed; their
 *    automatic transition is otherwise an outbox effect, healed in 1) move on to coordination or review.
 * 6. AWAITING_COORDINATION filings: requests never delivered (a department down for long, a dead-lettered
 *    message) are sent again at most once per `staleMinutes` — a failed one only once the connector's own
 *    backoff is over — and after `maxRequeues` resends the filing is flagged for staff
 *    (DEPARTMENT_UNREACHABLE) but still sent again. One waiting past its coordination deadline (default 30
 *    days, DESIGN.md §3) is flagged COORDINATION_OVERDUE: the worklist shows it, and a reviewer may refuse it.
 */
export async function sweep(ports: SweepPorts, config: SweepConfig): Promise<SweepResult> {
  const now = ports.clock.now();
  const staleBefore = new Date(now.getTime() - config.staleMinutes * 60_000).toISOString();
  const pendingBefore = new Date(now.getTime() - (config.pendingSeconds ?? DEFAULT_PENDING_SECONDS) * 1000).toISOString();
  const maxRequeues = config.maxRequeues ?? DEFAULT_MAX_REQUEUES;
  const stalledBefore = new Date(now.getTime() - (config.stalledApprovalMinutes ?? DEFAULT_STALLED_APPROVAL_MINUTES) * 60_000).toISOString();
  const limit = config.pageSize ?? 100;
  const result = { districts: 0, healed: 0, reenqueued: 0, reenqueuedUrgent: 0, flagged: 0, refusedOverdue: 0, movedOn: 0, resent: 0 };

  for (const district of await ports.register.listDistricts()) {
    result.districts += 1;

    const pending: string[] = [];
    for await (const item of pages((cursor) => ports.filings.listPendingEffects(district, pendingBefore, { limit, cursor }))) pending.push(item.filingId);
    for (const filing of await ports.filings.getMany(pending)) {
      if (!hasPendingEffects(filing)) {
        // Listed, but nothing left (its runner stopped between marking its effects done and leaving the index).
        await ports.filings.completeEffects(filing.filingId, [], filing.revision ?? 0);
        continue;
      }
      await runEffects(ports, filing);
      result.healed += 1;
    }

    const stranded: string[] = [];
    for await (const item of worklist(ports.filings, district, 'SUBMITTED', limit)) {
      if (item.updatedAt >= staleBefore) break;
      if (item.flaggedForStaff === undefined) stranded.push(item.filingId);
    }
    for (const filing of await ports.filings.getMany(stranded)) {
      if (filing.status !== 'SUBMITTED' || filing.flaggedForStaff !== undefined) continue;
      // Once re-enqueued, a filing gets staleMinutes to be decided before it is re-enqueued again.
      if (filing.lastRequeuedAt !== undefined && filing.lastRequeuedAt >= staleBefore) continue;
      const requeues = filing.requeues ?? 0;
      if (requeues >= maxRequeues) {
        const flagged = await performTransition(ports, filing, 'FLAG_FOR_STAFF', {
          actor: ACTOR,
          set: { flaggedForStaff: { at: now.toISOString(), reason: 'INTAKE_KEEPS_FAILING' } },
          detail: { requeues },
        });
        if (flagged.kind === 'moved') result.flagged += 1;
        continue;
      }
      const requeued = await performTransition(ports, filing, 'REQUEUE_INTAKE', { actor: ACTOR, set: { requeues: requeues + 1, lastRequeuedAt: now.toISOString() } });
      if (requeued.kind !== 'moved') continue;
      if (filing.urgent === true) result.reenqueuedUrgent += 1;
      else result.reenqueued += 1;
    }

    // Approvals that stopped midway (a crash, a timeout) and were not resumed: a person must approve again.
    const stalled: string[] = [];
    for await (const item of worklist(ports.filings, district, 'REGISTERED', limit)) {
      if (item.updatedAt >= stalledBefore) break;
      if (item.flaggedForStaff === undefined) stalled.push(item.filingId);
    }
    for (const status of REVIEWABLE_STATUSES) {
      for await (const item of worklist(ports.filings, district, status, limit)) {
        if (item.approvalStartedAt !== undefined && item.approvalStartedAt < stalledBefore && item.flaggedForStaff === undefined) stalled.push(item.filingId);
      }
    }
    for (const filing of await ports.filings.getMany(stalled)) {
      if (filing.flaggedForStaff !== undefined || filing.approvalStartedAt === undefined || filing.approvalStartedAt >= stalledBefore) continue;
      if (filing.status !== 'REGISTERED' && !REVIEWABLE_STATUSES.includes(filing.status)) continue;
      const flagged = await performTransition(ports, filing, 'FLAG_FOR_STAFF', {
        actor: ACTOR,
        set: { flaggedForStaff: { at: now.toISOString(), reason: 'APPROVAL_STALLED' } },
        detail: { status: filing.status },
      });
      if (flagged.kind === 'moved') result.flagged += 1;
    }

    const accepted: string[] = [];
    for await (const item of worklist(ports.filings, district, 'ACCEPTED', limit)) {
      if (item.updatedAt >= pendingBefore) break;
      accepted.push(item.filingId);
    }
    for (const filing of await ports.filings.getMany(accepted)) {
      // An approval under way takes the filing from ACCEPTED itself (and keeps its stall flag).
      if (filing.status !== 'ACCEPTED' || hasPendingEffects(filing) || filing.approvalStartedAt !== undefined) continue;
      if ((await moveOnFromAccepted(ports, filing)).status !== 'ACCEPTED') result.movedOn += 1;
    }

    const coordinating: string[] = [];
    for await (const item of worklist(ports.filings, district, 'AWAITING_COORDINATION', limit)) coordinating.push(item.filingId);
    // A failed delivery is the connector's to retry for as long as its queue backs off (up to 15 minutes apart).
    const retriedBefore = new Date(now.getTime() - Math.max(config.staleMinutes, CONNECTOR_RETRY_GAP_MINUTES) * 60_000).toISOString();
    for (const filing of await ports.filings.getMany(coordinating)) {
      let current = filing;
      const coordination = current.coordination;
      if (current.status !== 'AWAITING_COORDINATION' || coordination === undefined) continue;
      // Flags tell staff; they never stop the sweeper from sending what was not delivered. Overdue outranks unreachable.
      const flag = (reason: 'COORDINATION_OVERDUE' | 'DEPARTMENT_UNREACHABLE', detail: Record<string, string | number>) =>
        performTransition(ports, current, 'FLAG_FOR_STAFF', { actor: ACTOR, set: { flaggedForStaff: { at: now.toISOString(), reason } }, detail });
      if (isCoordinationOverdue(coordination, now) && current.flaggedForStaff?.reason !== 'COORDINATION_OVERDUE') {
        const flagged = await flag('COORDINATION_OVERDUE', { deadline: coordination.deadline });
        if (flagged.kind !== 'moved') continue;
        result.flagged += 1;
        current = flagged.filing;
      }
      const undelivered = openRequests(coordination).filter((r) => r.deliveredAt === undefined && (r.lastFailureAt === undefined ? r.requestedAt < staleBefore : r.lastFailureAt < retriedBefore));
      if (undelivered.length === 0 || (coordination.lastResentAt !== undefined && coordination.lastResentAt >= staleBefore)) continue;
      const resends = coordination.resends ?? 0;
      if (resends >= maxRequeues && current.flaggedForStaff === undefined) {
        const flagged = await flag('DEPARTMENT_UNREACHABLE', { resends, undelivered: undelivered.map((r) => r.requestId).join(',') });
        if (flagged.kind !== 'moved') continue;
        result.flagged += 1;
        current = flagged.filing;
      }
      const resent = await performTransition(ports, current, 'RESEND_REQUESTS', {
        actor: ACTOR,
        set: { coordination: { ...coordination, resends: resends + 1, lastResentAt: now.toISOString() } },
      });
      if (resent.kind === 'moved') result.resent += 1;
    }

    const waiting: string[] = [];
    for await (const item of worklist(ports.filings, district, 'CORRECTION_REQUIRED', limit)) waiting.push(item.filingId);
    // The index is eventually consistent and carries no deadline: read each filing itself.
    for (const filing of await ports.filings.getMany(waiting)) {
      if (filing.status !== 'CORRECTION_REQUIRED' || !isCorrectionOverdue(filing.correctionDeadline, now)) continue;
      if (await refuseOverdueCorrection(ports, filing, ACTOR)) result.refusedOverdue += 1;
    }
  }
  return result;
}
