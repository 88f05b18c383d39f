import type { FilingStatus } from '../domain/filing';
import { isCorrectionOverdue } from '../domain/lifecycle';
import type { AuditLog, Clock, FilingRepository, FilingSummary, IntakeMessage, IntakeQueue, NotificationQueue } from '../ports';
import { refuseOverdueCorrection } from './refuse-overdue-correction';

export interface SweepPorts {
  readonly filings: FilingRepository;
  readonly intake: IntakeQueue;
  /** The priority lane, for filings marked urgent (003 第十三条). */
  readonly urgentIntake: IntakeQueue;
  readonly notifications: NotificationQueue;
  readonly audit: AuditLog;
  readonly clock: Clock;
}

export interface SweepConfig {
  /** The districts (tenants) whose worklists are swept. */
  readonly districts: readonly string[];
  /** A SUBMITTED filing unchanged for longer than this is considered stranded. */
  readonly staleMinutes: number;
  /** Worklist page size. */
  readonly pageSize?: number;
}

export interface SweepResult {
  readonly reenqueued: number;
  readonly reenqueuedUrgent: number;
  readonly refusedOverdue: number;
}

const ACTOR = 'worker:sweeper';

/** Every summary of a district's worklist in one status, oldest change first, until `stop` says enough. */
async function* worklist(filings: FilingRepository, district: string, status: FilingStatus, limit: number): AsyncGenerator<FilingSummary> {
  let cursor: string | undefined;
  do {
    const page = await filings.listByDistrictStatus(district, status, { limit, cursor });
    yield* page.items;
    cursor = page.nextCursor;
  } while (cursor !== undefined);
}

/**
 * The scheduled sweeper (DESIGN.md §3: nothing is stranded). Safe to repeat and to overlap: intake is
 * idempotent, and every refusal is a conditional transition.
 *
 * Per district:
 * 1. SUBMITTED filings unchanged for more than `staleMinutes` (a message lost, or a crash between a
 *    write and its enqueue) are enqueued again, urgent ones on the priority lane. The worklist index is
 *    ordered by last change, so the scan stops at the first recent filing.
 * 2. CORRECTION_REQUIRED filings past their deadline (end of the CST day) are refused
 *    (CORRECTION_OVERDUE), their unit's lock released, the progress event published.
 * 3. Audit what was re-enqueued, per district (each refusal is audited on its own).
 */
export async function sweep(ports: SweepPorts, config: SweepConfig): Promise<SweepResult> {
  const now = ports.clock.now();
  const cutoff = new Date(now.getTime() - config.staleMinutes * 60_000).toISOString();
  const limit = config.pageSize ?? 100;
  let reenqueued = 0;
  let reenqueuedUrgent = 0;
  let refusedOverdue = 0;

  for (const district of config.districts) {
    const normal: IntakeMessage[] = [];
    const urgent: IntakeMessage[] = [];
    for await (const item of worklist(ports.filings, district, 'SUBMITTED', limit)) {
      if (item.updatedAt >= cutoff) break;
      (item.urgent === true ? urgent : normal).push({ v: 1, filingId: item.filingId });
    }
    await ports.intake.enqueue(normal);
    await ports.urgentIntake.enqueue(urgent);
    reenqueued += normal.length;
    reenqueuedUrgent += urgent.length;
    if (normal.length + urgent.length > 0) {
      await ports.audit.record({
        tenant: district,
        actor: ACTOR,
        action: 'SWEEP_REENQUEUED',
        outcome: 'SUCCESS',
        detail: { district, filings: normal.length, urgent: urgent.length, staleMinutes: config.staleMinutes },
      });
    }

    const waiting: string[] = [];
    for await (const item of worklist(ports.filings, district, 'CORRECTION_REQUIRED', limit)) waiting.push(item.filingId);
    // The index is eventually consistent and carries no deadline: read each filing itself.
    for (const filing of await ports.filings.getMany(waiting)) {
      if (filing.status !== 'CORRECTION_REQUIRED' || !isCorrectionOverdue(filing.correctionDeadline, now)) continue;
      if (await refuseOverdueCorrection(ports, filing, ACTOR)) refusedOverdue += 1;
    }
  }
  return { reenqueued, reenqueuedUrgent, refusedOverdue };
}
