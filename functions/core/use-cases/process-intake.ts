import { MATERIAL_CHECKLISTS } from '../domain/business-types';
import type { FilingStatus, HistoryEntry } from '../domain/filing';
import { decideIntake, refuse, REFUSAL_CODES, type IntakeDecision } from '../domain/intake-rules';
import { addWorkingDays } from '../domain/working-days';
import type { AuditLog, Clock, FilingRepository, IntakeMessage, RegisterReader } from '../ports';

export interface ProcessIntakePorts {
  readonly filings: FilingRepository;
  readonly register: RegisterReader;
  readonly audit: AuditLog;
  readonly clock: Clock;
  /** Working days allowed for a correction (DESIGN.md §3; configurable, default 5). */
  readonly correctionWorkingDays: number;
}

export type IntakeResult = { readonly kind: 'decided'; readonly status: FilingStatus } | { readonly kind: 'skipped'; readonly status: FilingStatus };

const ACTOR = 'worker:intake';

/**
 * Applies the intake rules to one submitted filing. Safe to repeat: queues deliver at least once, and a
 * second delivery of the same message changes nothing (STYLE.md habit 5).
 *
 * 1. Load the filing; if it has left SUBMITTED, this is a redelivery: do nothing.
 * 2. Load its unit from the register and decide (refusals first, then missing materials).
 * 3. Before accepting or asking for correction, take the unit's active-filing lock for this business
 *    type; if another filing holds it, refuse as a duplicate. Taking a lock we already hold succeeds, so
 *    a crash between lock and transition heals on redelivery.
 * 4. Record the transition with a conditional write on the SUBMITTED status, then audit it.
 */
export async function processIntake(ports: ProcessIntakePorts, message: IntakeMessage): Promise<IntakeResult> {
  const filing = await ports.filings.get(message.filingId);
  if (!filing) throw new Error(`Intake message for unknown filing ${message.filingId}`);
  if (filing.status !== 'SUBMITTED') return { kind: 'skipped', status: filing.status };

  const checklist = MATERIAL_CHECKLISTS[filing.businessType];
  if (!checklist) throw new Error(`No material checklist for business type ${filing.businessType}`);
  const unit = await ports.register.getUnit(filing.unitCode);
  let decision: IntakeDecision = decideIntake(filing, unit, checklist);
  if (decision.outcome !== 'REFUSED' && !(await ports.filings.lockActive(filing.unitCode, filing.businessType, filing.filingId))) {
    decision = refuse('DUPLICATE_ACTIVE_FILING');
  }

  const now = ports.clock.now();
  const at = now.toISOString();
  let to: FilingStatus;
  let entry: HistoryEntry;
  let set: Record<string, unknown>;
  switch (decision.outcome) {
    case 'ACCEPTED':
      to = 'ACCEPTED';
      entry = { at, status: to, by: ACTOR };
      set = {};
      break;
    case 'REFUSED':
      to = 'REFUSED';
      entry = { at, status: to, by: ACTOR, reasonCode: decision.reasonCode, note: REFUSAL_CODES[decision.reasonCode] };
      set = { reasonCode: decision.reasonCode };
      break;
    case 'CORRECTION_REQUIRED': {
      to = 'CORRECTION_REQUIRED';
      const deadline = addWorkingDays(now, ports.correctionWorkingDays);
      entry = { at, status: to, by: ACTOR, note: `Missing materials: ${decision.missingMaterials.join(', ')}; due ${deadline}` };
      set = { missingMaterials: decision.missingMaterials, correctionDeadline: deadline };
      break;
    }
  }

  const moved = await ports.filings.transition({ filingId: filing.filingId, from: 'SUBMITTED', to, entry, set });
  if (!moved) {
    const current = await ports.filings.get(filing.filingId);
    return { kind: 'skipped', status: current?.status ?? filing.status };
  }
  await ports.audit.record({
    tenant: filing.institutionId,
    actor: ACTOR,
    action: `INTAKE_${to}`,
    outcome: 'SUCCESS',
    target: filing.filingId,
    detail: decision.outcome === 'REFUSED' ? { reasonCode: decision.reasonCode } : undefined,
  });
  return { kind: 'decided', status: to };
}
