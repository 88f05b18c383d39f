import { BUILT_IN_VERSION } from '../domain/checklists';
import { peopleOf, type FilingRecord, type FilingStatus } from '../domain/filing';
import { decideIntake, refuse, REFUSAL_CODES, type IntakeContext, type IntakeDecision } from '../domain/intake-rules';
import { isActive, type TransitionName } from '../domain/lifecycle';
import { addWorkingDays } from '../domain/working-days';
import type { ChecklistStore, FilingRepository, IntakeMessage, RegisterReader } from '../ports';
import { activeHolders, takeDisposition } from './disposition';
import { performTransition, runEffects, type LifecyclePorts, type TransitionInput } from './transition';

export interface ProcessIntakePorts extends LifecyclePorts {
  readonly register: RegisterReader;
  /** Working days allowed for a correction (DESIGN.md §3; configurable, default 5). */
  readonly correctionWorkingDays: number;
  /** Material checklists: a filing is judged by the version recorded when it was submitted. */
  readonly checklists: ChecklistStore;
}

export type IntakeResult = { readonly kind: 'decided'; readonly status: FilingStatus } | { readonly kind: 'skipped'; readonly status: FilingStatus };

const ACTOR = 'worker:intake';

/**
 * Holders (blind indexes) of a presale notice accepted on the unit and not yet recorded in the register,
 * which a presale mortgage notice may rely on (issue 3: "or one accepted earlier").
 */
export async function pendingPresaleNoticeHolders(filings: FilingRepository, filing: FilingRecord): Promise<readonly string[] | undefined> {
  if (filing.businessType !== 'PRESALE_MORTGAGE_NOTICE') return undefined;
  const notice = (await activeHolders(filings, filing.unitCode)).find(
    (f) => f.businessType === 'PRESALE_NOTICE' && f.status !== 'SUBMITTED' && f.status !== 'CORRECTION_REQUIRED',
  );
  return notice === undefined ? undefined : peopleOf(notice.content).buyers.map((b) => b.idIndex);
}

/** The declared transition of an intake decision, and what it records. */
function transitionFor(filing: FilingRecord, decision: IntakeDecision, now: Date, correctionWorkingDays: number): { name: TransitionName; input: TransitionInput } {
  switch (decision.outcome) {
    case 'ACCEPTED':
      // DESIGN.md §4: a filing of a channel on WATCH or PROBATION is never accepted by the machine.
      if (filing.manualIntake !== undefined) return { name: 'HOLD_FOR_INTAKE_REVIEW', input: { actor: ACTOR, detail: { creditGrade: filing.manualIntake.grade } } };
      return { name: 'INTAKE_ACCEPT', input: { actor: ACTOR } };
    case 'REFUSED':
      return { name: 'INTAKE_REFUSE', input: { actor: ACTOR, reasonCode: decision.reasonCode, note: REFUSAL_CODES[decision.reasonCode].message } };
    case 'CORRECTION_REQUIRED': {
      const deadline = addWorkingDays(now, correctionWorkingDays);
      return {
        name: 'INTAKE_REQUEST_CORRECTION',
        input: {
          actor: ACTOR,
          note: `Missing materials: ${decision.missingMaterials.join(', ')}; due ${deadline}`,
          set: { missingMaterials: decision.missingMaterials, correctionDeadline: deadline },
        },
      };
    }
  }
}

/** A redelivery, the filing changed while we decided: a few rounds settle it. */
const ATTEMPTS = 5;

/**
 * Applies the intake rules to one submitted filing. Safe to repeat: queues deliver at least once, and a
 * second delivery of the same message changes nothing a second time (STYLE.md habit 5).
 *
 * 1. Load the filing. If it has left SUBMITTED, this is a redelivery: perform any effects its last
 *    transition left pending (a crash after the write) and stop; a filing no longer active gives up a
 *    disposition lock it may have taken just before it ended.
 * 2. Load its unit (and, for a presale mortgage notice, a pending presale notice) and decide: refusals
 *    first, then missing materials.
 * 3. Before accepting or asking for correction, take the unit's disposition lock; an active conflicting
 *    filing refuses this one (DUPLICATE_ACTIVE_FILING, UNIT_DISPOSITION_PENDING). Taking a lock the filing
 *    holds succeeds, so a crash between lock and transition heals on redelivery.
 * 4. Perform the declared transition (one conditional write with its effects: audit, out-of-scope signal,
 *    lock release on refusal, progress event). If the filing changed meanwhile, start over from 1.
 */
export async function processIntake(ports: ProcessIntakePorts, message: IntakeMessage): Promise<IntakeResult> {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const filing = await ports.filings.get(message.filingId);
    if (!filing) throw new Error(`Intake message for unknown filing ${message.filingId}`);
    if (filing.status !== 'SUBMITTED') {
      await runEffects(ports, filing);
      if (!isActive(filing.status)) await ports.filings.releaseDisposition(filing.unitCode, filing.filingId);
      return { kind: 'skipped', status: filing.status };
    }

    // A change of checklist applies to filings submitted after it; filings stored before versions existed use version 1.
    const checklist = await ports.checklists.version(filing.businessType, filing.checklistVersion ?? BUILT_IN_VERSION);
    if (!checklist) throw new Error(`No material checklist version ${filing.checklistVersion} for ${filing.businessType}`);
    // The pending presale notice first: it only ever moves into the register, so one of the two reads sees it.
    const pendingPresaleNotice = await pendingPresaleNoticeHolders(ports.filings, filing);
    const context: IntakeContext = { unit: await ports.register.getUnit(filing.unitCode), pendingPresaleNoticeHolders: pendingPresaleNotice };
    let decision = decideIntake(filing, context, checklist);
    if (decision.outcome !== 'REFUSED') {
      const lock = await takeDisposition(ports.filings, filing);
      if (lock.kind === 'blocked') decision = refuse(lock.reasonCode);
    }
    const { name, input } = transitionFor(filing, decision, ports.clock.now(), ports.correctionWorkingDays);
    const outcome = await performTransition(ports, filing, name, input);
    if (outcome.kind === 'moved') return { kind: 'decided', status: outcome.filing.status };
  }
  throw new Error(`Filing ${message.filingId} kept changing during intake`);
}
