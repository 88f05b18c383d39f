import { conflict, notFound } from '../domain/errors';
import type { FilingRecord, HistoryEntry } from '../domain/filing';
import { WITHDRAWABLE_STATUSES } from '../domain/lifecycle';
import type { AuditLog, Channel, Clock, FilingRepository, NotificationQueue } from '../ports';
import { filingStateOf, type FilingStateView } from './filing-state';
import { progressEventOf } from './process-intake';

export interface WithdrawFilingPorts {
  readonly filings: FilingRepository;
  readonly notifications: NotificationQueue;
  readonly audit: AuditLog;
  readonly clock: Clock;
}

/** Each retry re-reads the filing; more than a few races in a row means something is wrong. */
const ATTEMPTS = 5;

/**
 * The filer withdraws its filing before registration (DESIGN.md §3: "any state before REGISTERED →
 * WITHDRAWN").
 *
 * 1. Load the filing; another channel's filing is answered exactly like a missing one (404).
 * 2. Already WITHDRAWN: answer its state (a repeated withdrawal is not an error).
 * 3. REGISTERED, CERTIFIED or refused: 409 FILING_NOT_WITHDRAWABLE; an approval under way (it claimed
 *    the filing before touching the register): 409 REVIEW_IN_PROGRESS.
 * 4. Transition from the exact status just read to WITHDRAWN with a conditional write; if intake or
 *    review moved the filing meanwhile, read it again and start over from step 2.
 * 5. Release the unit's active lock (a new filing on the unit can then be accepted), audit (never the
 *    free-text reason, which may name people), publish the progress event.
 */
export async function withdrawFiling(ports: WithdrawFilingPorts, channel: Channel, filingId: string, reason: string | undefined): Promise<FilingStateView> {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const filing = await ports.filings.get(filingId);
    if (!filing || filing.channelId !== channel.channelId) throw notFound('FILING_NOT_FOUND', 'No filing with this id exists for this channel.');
    if (filing.status === 'WITHDRAWN') return filingStateOf(filing);
    if (!WITHDRAWABLE_STATUSES.includes(filing.status)) {
      throw conflict('FILING_NOT_WITHDRAWABLE', 'Only a filing not yet registered, refused or withdrawn can be withdrawn.', { filingStatus: filing.status });
    }
    // Once an approval has claimed the filing it may already have written the register: it must finish.
    if (filing.approvalStartedAt !== undefined) {
      throw conflict('REVIEW_IN_PROGRESS', 'The registry is registering this filing; it can no longer be withdrawn.', { filingStatus: filing.status });
    }
    const at = ports.clock.now().toISOString();
    const entry: HistoryEntry = { at, status: 'WITHDRAWN', by: `channel:${channel.channelId}`, ...(reason ? { note: reason } : {}) };
    const moved = await ports.filings.transition({
      filingId,
      district: filing.district,
      from: filing.status,
      to: 'WITHDRAWN',
      entry,
      set: reason ? { withdrawalReason: reason } : undefined,
      unlessApprovalStarted: true,
    });
    if (!moved) continue;
    await ports.filings.releaseActive(filing.unitCode, filing.businessType, filingId);
    await ports.audit.record({
      tenant: channel.institutionId,
      actor: `channel:${channel.channelId}`,
      action: 'FILING_WITHDRAWN',
      outcome: 'SUCCESS',
      target: filingId,
      detail: { from: filing.status, withReason: reason !== undefined },
    });
    const withdrawn: FilingRecord = { ...filing, status: 'WITHDRAWN', updatedAt: at, history: [...filing.history, entry] };
    await ports.notifications.publish([progressEventOf(withdrawn)]);
    return filingStateOf(withdrawn);
  }
  throw conflict('FILING_CHANGED', 'The filing kept changing while it was being withdrawn; read it and retry.');
}
