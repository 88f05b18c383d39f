import type { MaterialChecklist } from '../domain/business-types';
import { BUILT_IN_VERSION } from '../domain/checklists';
import { conflict, notFound, unprocessable, type FieldError } from '../domain/errors';
import type { Material } from '../domain/filing';
import { CORRECTION_OVERDUE, isCorrectionOverdue } from '../domain/lifecycle';
import type { Channel, ChecklistStore } from '../ports';
import { filingStateOf, type FilingStateView } from './filing-state';
import { refuseOverdueCorrection } from './refuse-overdue-correction';
import { performTransition, type LifecyclePorts } from './transition';

/** The edge's validator of a correction body against the filing's checklist (zod, in `schemas/v1/corrections.ts`). */
export type CorrectionValidator = (raw: unknown, checklist: MaterialChecklist) => { ok: true; materials: readonly Material[] } | { ok: false; errors: FieldError[] };

export interface CorrectFilingPorts extends LifecyclePorts {
  readonly validate: CorrectionValidator;
  /** The checklist version the filing was submitted under judges its correction too (002 二(一)3). */
  readonly checklists: Pick<ChecklistStore, 'version'>;
}

/** Who refuses an overdue correction noticed at the channel's late request: the registry's deadline rule. */
const DEADLINE_ACTOR = 'registry:correction-deadline';
/** A filing is at most this many materials; the schemas cap one request at the same. */
const MAX_MATERIALS = 50;
const ATTEMPTS = 3;

const notFiled = () => notFound('FILING_NOT_FOUND', 'No filing with this id exists for this channel.');
const overdue = (deadline: string | undefined) =>
  conflict(CORRECTION_OVERDUE, `The correction was due by the end of ${deadline ?? 'its deadline'} (China Standard Time); the filing is refused.`);

/** Existing materials plus the new ones; an exact re-send of a material (type, ref, sm3) is kept once. */
function merge(existing: readonly Material[], added: readonly Material[]): Material[] {
  const key = (m: Material) => `${m.type}\n${m.ref}\n${m.sm3}`;
  const seen = new Set(existing.map(key));
  return [...existing, ...added.filter((m) => !seen.has(key(m)) && seen.add(key(m)))];
}

/**
 * The channel supplies the materials a correction request asked for (DESIGN.md §3), before the deadline.
 *
 * 1. Load the filing; another channel's filing is answered exactly like a missing one (404).
 * 2. Only a CORRECTION_REQUIRED filing can be corrected (409 FILING_NOT_CORRECTABLE); one already refused
 *    as overdue answers 409 CORRECTION_OVERDUE again, so that a retried request gets the same answer.
 * 3. Validate the materials against the checklist version the filing was submitted under (422
 *    INVALID_CORRECTION, nothing stored).
 * 4. Past the deadline (the end of its CST day): refuse the filing (CORRECTION_OVERDUE) and answer 409.
 * 5. Merge the materials; every material asked for must now be present (422 MATERIALS_STILL_MISSING).
 * 6. Perform CORRECT, CORRECTION_REQUIRED → SUBMITTED (clearing the correction list and deadline),
 *    retrying from step 2 if the filing changed meanwhile. Its effects audit, publish the progress event
 *    and enqueue the filing for intake, which runs again (the unit's lock is already this filing's).
 */
export async function correctFiling(ports: CorrectFilingPorts, channel: Channel, filingId: string, raw: unknown): Promise<FilingStateView> {
  for (let attempt = 1; ; attempt++) {
    const filing = await ports.filings.get(filingId);
    if (!filing || filing.channelId !== channel.channelId) throw notFiled();
    if (filing.status === 'REFUSED' && filing.reasonCode === CORRECTION_OVERDUE) throw overdue(filing.correctionDeadline);
    if (filing.status !== 'CORRECTION_REQUIRED') {
      throw conflict('FILING_NOT_CORRECTABLE', 'Only a filing waiting for a correction (CORRECTION_REQUIRED) can be corrected.', { filingStatus: filing.status });
    }
    const version = filing.checklistVersion ?? BUILT_IN_VERSION;
    const checklist = await ports.checklists.version(filing.businessType, version);
    if (!checklist) throw new Error(`No material checklist version ${version} for ${filing.businessType}`);
    const checked = ports.validate(raw, checklist);
    if (!checked.ok) {
      throw unprocessable('INVALID_CORRECTION', 'The body must be { "materials": [ { type, ref, sm3 } ] } with types from the checklist of the filing.', {
        errors: checked.errors,
      });
    }
    if (isCorrectionOverdue(filing.correctionDeadline, ports.clock.now())) {
      await refuseOverdueCorrection(ports, filing, DEADLINE_ACTOR);
      throw overdue(filing.correctionDeadline);
    }
    const materials = merge(filing.materials, checked.materials);
    if (materials.length > MAX_MATERIALS) {
      throw unprocessable('TOO_MANY_MATERIALS', `A filing carries at most ${MAX_MATERIALS} materials.`, { max: MAX_MATERIALS });
    }
    const present = new Set(materials.map((m) => m.type));
    const stillMissing = (filing.missingMaterials ?? []).filter((type) => !present.has(type));
    if (stillMissing.length > 0) {
      throw unprocessable('MATERIALS_STILL_MISSING', 'The correction must supply every material asked for.', { missingMaterials: stillMissing });
    }

    const types = [...new Set(checked.materials.map((m) => m.type))];
    const outcome = await performTransition(ports, filing, 'CORRECT', {
      actor: `channel:${channel.channelId}`,
      note: `Corrected: ${types.join(', ')}`,
      set: { materials, missingMaterials: undefined, correctionDeadline: undefined, reasonCode: undefined },
      detail: { materials: checked.materials.length, types: types.join(',') },
    });
    if (outcome.kind === 'moved') return filingStateOf(outcome.filing);
    if (attempt >= ATTEMPTS) throw conflict('FILING_CHANGED', 'The filing changed while it was being corrected; read it and retry.');
  }
}
