import { BUILT_IN_VERSION } from '../domain/checklists';
import { ACTIVE_STATUSES, peopleOf, type FilingRecord, type FilingStatus, type HistoryEntry } from '../domain/filing';
import { decideIntake, isOutOfScope, refuse, REFUSAL_CODES, type IntakeContext, type IntakeDecision } from '../domain/intake-rules';
import { addWorkingDays } from '../domain/working-days';
import type { AuditLog, ChecklistStore, Clock, FilingRepository, IntakeMessage, NotificationQueue, ProgressEvent, RegisterReader } from '../ports';

export interface ProcessIntakePorts {
  readonly filings: FilingRepository;
  readonly register: RegisterReader;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly notifications: NotificationQueue;
  /** Working days allowed for a correction (DESIGN.md §3; configurable, default 5). */
  readonly correctionWorkingDays: number;
  /** Material checklists: a filing is judged by the version recorded when it was submitted. */
  readonly checklists: ChecklistStore;
}

export type IntakeResult = { readonly kind: 'decided'; readonly status: FilingStatus } | { readonly kind: 'skipped'; readonly status: FilingStatus };

const ACTOR = 'worker:intake';

/** The progress event of a filing's latest transition; its id is stable, so re-publishing is harmless. */
export function progressEventOf(filing: FilingRecord): ProgressEvent {
  const last = filing.history[filing.history.length - 1]!;
  return {
    v: 1,
    eventId: `${filing.filingId}:${filing.history.length}`,
    channelId: filing.channelId,
    filingId: filing.filingId,
    clientRef: filing.clientRef,
    businessType: filing.businessType,
    status: filing.status,
    at: last.at,
    reasonCode: filing.reasonCode,
  };
}

/** A presale notice filed on the unit and accepted, not yet recorded in the register. */
async function pendingPresaleNoticeHolders(filings: FilingRepository, filing: FilingRecord): Promise<readonly string[] | undefined> {
  if (filing.businessType !== 'PRESALE_MORTGAGE_NOTICE') return undefined;
  const holderId = await filings.activeFilingId(filing.unitCode, 'PRESALE_NOTICE');
  const notice = holderId === undefined ? undefined : await filings.get(holderId);
  if (!notice || notice.status === 'SUBMITTED' || notice.status === 'CORRECTION_REQUIRED' || !ACTIVE_STATUSES.includes(notice.status)) return undefined;
  return peopleOf(notice.content).buyers.map((b) => b.idIndex);
}

function transitionFor(decision: IntakeDecision, now: Date, correctionWorkingDays: number) {
  const at = now.toISOString();
  switch (decision.outcome) {
    case 'ACCEPTED':
      return { to: 'ACCEPTED' as const, entry: { at, status: 'ACCEPTED' as const, by: ACTOR }, set: {} };
    case 'REFUSED':
      return {
        to: 'REFUSED' as const,
        entry: { at, status: 'REFUSED' as const, by: ACTOR, reasonCode: decision.reasonCode, note: REFUSAL_CODES[decision.reasonCode].message },
        set: { reasonCode: decision.reasonCode },
      };
    case 'CORRECTION_REQUIRED': {
      const deadline = addWorkingDays(now, correctionWorkingDays);
      const entry: HistoryEntry = { at, status: 'CORRECTION_REQUIRED', by: ACTOR, note: `Missing materials: ${decision.missingMaterials.join(', ')}; due ${deadline}` };
      return { to: 'CORRECTION_REQUIRED' as const, entry, set: { missingMaterials: decision.missingMaterials, correctionDeadline: deadline } };
    }
  }
}

/**
 * Applies the intake rules to one submitted filing. Safe to repeat: queues deliver at least once, and a
 * second delivery of the same message changes nothing a second time (STYLE.md habit 5).
 *
 * 1. Load the filing; if it has left SUBMITTED, this is a redelivery: re-publish its latest progress event
 *    (the first delivery may have failed after the transition) and stop.
 * 2. Load its unit (and, for a presale mortgage notice, a pending presale notice) and decide: refusals
 *    first, then missing materials.
 * 3. Before accepting or asking for correction, take the unit's active-filing lock for this business
 *    type; if another filing holds it, refuse as a duplicate. Taking a lock we already hold succeeds, so
 *    a crash between lock and transition heals on redelivery.
 * 4. Record the transition with a conditional write on the SUBMITTED status, audit it (and an
 *    out-of-scope attempt, for credit monitoring), and publish the progress event for the webhook.
 */
export async function processIntake(ports: ProcessIntakePorts, message: IntakeMessage): Promise<IntakeResult> {
  const filing = await ports.filings.get(message.filingId);
  if (!filing) throw new Error(`Intake message for unknown filing ${message.filingId}`);
  if (filing.status !== 'SUBMITTED') {
    await ports.notifications.publish([progressEventOf(filing)]);
    return { kind: 'skipped', status: filing.status };
  }

  // A change of checklist applies to filings submitted after it; filings stored before versions existed use version 1.
  const checklist = await ports.checklists.version(filing.businessType, filing.checklistVersion ?? BUILT_IN_VERSION);
  if (!checklist) throw new Error(`No material checklist version ${filing.checklistVersion} for ${filing.businessType}`);
  const context: IntakeContext = {
    unit: await ports.register.getUnit(filing.unitCode),
    pendingPresaleNoticeHolders: await pendingPresaleNoticeHolders(ports.filings, filing),
  };
  let decision = decideIntake(filing, context, checklist);
  if (decision.outcome !== 'REFUSED' && !(await ports.filings.lockActive(filing.unitCode, filing.businessType, filing.filingId))) {
    decision = refuse('DUPLICATE_ACTIVE_FILING');
  }

  const { to, entry, set } = transitionFor(decision, ports.clock.now(), ports.correctionWorkingDays);
  const moved = await ports.filings.transition({ filingId: filing.filingId, district: filing.district, from: 'SUBMITTED', to, entry, set });
  if (!moved) {
    const current = await ports.filings.get(filing.filingId);
    // Withdrawn (or refused) meanwhile, possibly after its lock was released and before we re-took it:
    // free the unit again rather than leave it locked by an inactive filing.
    if (current && !ACTIVE_STATUSES.includes(current.status)) await ports.filings.releaseActive(filing.unitCode, filing.businessType, filing.filingId);
    return { kind: 'skipped', status: current?.status ?? filing.status };
  }
  const reasonCode = decision.outcome === 'REFUSED' ? decision.reasonCode : undefined;
  await ports.audit.record({
    tenant: filing.institutionId,
    actor: ACTOR,
    action: `INTAKE_${to}`,
    outcome: 'SUCCESS',
    target: filing.filingId,
    detail: reasonCode ? { reasonCode } : undefined,
  });
  if (reasonCode && isOutOfScope(reasonCode)) {
    await ports.audit.record({
      tenant: filing.institutionId,
      actor: `channel:${filing.channelId}`,
      action: 'OUT_OF_SCOPE_ATTEMPT',
      outcome: 'DENIED',
      target: filing.filingId,
      detail: { reasonCode, businessType: filing.businessType, unitCode: filing.unitCode },
    });
  }
  const decided: FilingRecord = { ...filing, status: to, history: [...filing.history, entry], reasonCode };
  await ports.notifications.publish([progressEventOf(decided)]);
  return { kind: 'decided', status: to };
}
