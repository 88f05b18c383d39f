/**
 * The one primitive that moves a filing through its lifecycle, and the runner of its follow-up effects
 * (DESIGN.md §3 "The lifecycle is declared once"; the table is `functions/core/domain/lifecycle.ts`).
 *
 * `performTransition` checks the declared statuses, actor and guard, then makes ONE conditional write on
 * the filing item: the new status and history entry, the attributes the use case sets, a new revision, and
 * the transition's effects recorded as pending in the item's outbox. The write is conditional on the
 * revision the decision was made against, so of two decisions racing on one filing exactly one is
 * recorded; the loser is told `stale` and decides again on the filing as it now is.
 *
 * `runEffects` performs every pending effect in order — release the unit's disposition lock, append an
 * audit record (kept at most once by its id), publish the progress event (stable event id), enqueue for
 * intake — and then marks them done. It runs right after the write and again from the sweeper for any
 * filing whose effects are still pending, so a crash anywhere between the write and its effects heals.
 */
import type { FilingRecord, HistoryEntry } from '../domain/filing';
import { DEFAULT_COORDINATION_DEADLINE_DAYS, needsCoordination, type DepartmentKind } from '../domain/coordination';
import { actorKindOf, effectsOf, impliedAttributes, transitionSpec, type AutomaticTransition, type GuardFailure, type PendingEffect, type TransitionName } from '../domain/lifecycle';
import type { AuditLog, Clock, CreditQueue, DepartmentQueue, FilingRepository, IntakeQueue, NotificationQueue, StatisticsQueue } from '../ports';

export interface LifecyclePorts {
  readonly filings: FilingRepository;
  readonly audit: AuditLog;
  readonly notifications: NotificationQueue;
  readonly clock: Clock;
  /**
   * The intake queues, for transitions that send a filing to intake. A function without them leaves such an
   * effect pending for the sweeper, which has every port.
   */
  readonly intake?: IntakeQueue;
  readonly urgentIntake?: IntakeQueue;
  /**
   * The department connectors' queues, for transitions that ask, cancel or inform a department; a function
   * without them leaves such an effect pending for the sweeper.
   */
  readonly departments?: Partial<Record<DepartmentKind, DepartmentQueue>>;
  /**
   * The credit queue, for transitions that signal credit (DESIGN.md §4); a function without it leaves the
   * signal pending for the sweeper.
   */
  readonly credit?: CreditQueue;
  /**
   * The statistics queue, for the count of every status change (002 五(二)4); a function without it leaves
   * the event pending for the sweeper.
   */
  readonly statistics?: StatisticsQueue;
  /** Days a filing may wait on departments before it shows as overdue (DESIGN.md §3; default 30). */
  readonly coordinationDeadlineDays?: number;
  /**
   * Told when a transition was recorded but its effects could not all be performed right away (a queue or
   * table unavailable): they stay pending and the sweeper performs them. Functions log it.
   */
  readonly onEffectsPending?: (filingId: string, error: unknown) => void;
}

export interface TransitionInput {
  /** `channel:<id>`, `staff:<id>`, `worker:<name>` or `registry:<rule>`; must be of a kind the transition allows. */
  readonly actor: string;
  /** Recorded on the filing and its history entry (refusals). */
  readonly reasonCode?: string;
  /** Free text of the history entry (never personal data: the edge refuses notes that carry any). */
  readonly note?: string;
  /** Attributes set with the transition; `undefined` removes one. */
  readonly set?: Readonly<Record<string, unknown>>;
  /** Extra detail of the audit record (ids and codes only). */
  readonly detail?: Readonly<Record<string, string | number | boolean>>;
  /** Pending effects of the filing to mark done with this write (see FilingCommit.completes). */
  readonly completes?: readonly string[];
}

export type TransitionOutcome =
  | { readonly kind: 'moved'; readonly filing: FilingRecord }
  /** The declaration does not allow it from the filing's status, or its guard objects. */
  | { readonly kind: 'notAllowed'; readonly reason: 'STATUS' | GuardFailure }
  /** The filing changed since it was read (another decision was recorded first): read it and decide again. */
  | { readonly kind: 'stale' };

/** The filing as a transition leaves it (before its effects run). */
function moved(filing: FilingRecord, input: TransitionInput, to: FilingRecord['status'] | undefined, entry: HistoryEntry | undefined, revision: number): FilingRecord {
  const next: Record<string, unknown> = { ...filing };
  for (const [attribute, value] of Object.entries(input.set ?? {})) {
    if (value === undefined) delete next[attribute];
    else next[attribute] = value;
  }
  if (input.reasonCode !== undefined) next['reasonCode'] = input.reasonCode;
  if (to !== undefined && entry !== undefined) Object.assign(next, { status: to, updatedAt: entry.at, history: [...filing.history, entry] });
  next['revision'] = revision;
  return next as unknown as FilingRecord;
}

/**
 * Performs one declared transition on the filing as read: one conditional write, then its effects.
 * Throws only for a programming fault (an actor the transition does not allow) or an infrastructure
 * failure of the write itself; a failure while running the effects leaves them pending (reported to
 * `onEffectsPending`), and the sweeper performs them.
 */
export async function performTransition(ports: LifecyclePorts, filing: FilingRecord, name: TransitionName, input: TransitionInput): Promise<TransitionOutcome> {
  const spec = transitionSpec(name);
  const kind = actorKindOf(input.actor);
  if (kind === undefined || !spec.actors.includes(kind)) throw new Error(`${input.actor} may not cause ${name}`);
  if (!spec.from.includes(filing.status)) return { kind: 'notAllowed', reason: 'STATUS' };
  const objection = spec.guard?.(filing);
  if (objection !== undefined) return { kind: 'notAllowed', reason: objection };

  const at = ports.clock.now().toISOString();
  const revision = (filing.revision ?? 0) + 1;
  const entry: HistoryEntry | undefined =
    spec.to === undefined
      ? undefined
      : { at, status: spec.to, by: input.actor, ...(input.reasonCode ? { reasonCode: input.reasonCode } : {}), ...(input.note ? { note: input.note } : {}) };
  // A status change ends whatever the sweeper counted or flagged about the status the filing leaves.
  const sweeperMarks = spec.to !== undefined && (filing.requeues !== undefined || filing.flaggedForStaff !== undefined) ? { requeues: undefined, flaggedForStaff: undefined, lastRequeuedAt: undefined } : {};
  input = { ...input, set: { ...sweeperMarks, ...input.set } };
  let after = moved(filing, input, spec.to, entry, revision);
  // What the transition implies whoever performs it (starting coordination, cancelling open requests).
  const implied = impliedAttributes(name, after, at, ports.coordinationDeadlineDays ?? DEFAULT_COORDINATION_DEADLINE_DAYS);
  after = { ...after, ...implied } as FilingRecord;
  const effects = effectsOf({ name, filing: after, before: filing, actor: input.actor, at, detail: input.detail, revision }, revision);
  const set = { ...input.set, ...implied, ...(input.reasonCode !== undefined ? { reasonCode: input.reasonCode } : {}) };
  const written = await ports.filings.commit({
    filingId: filing.filingId,
    district: filing.district,
    expectedRevision: filing.revision ?? 0,
    hadOutbox: filing.outbox !== undefined,
    status: after.status,
    entry,
    at,
    set,
    effects,
    ...(input.completes && input.completes.length > 0 ? { completes: input.completes } : {}),
  });
  if (!written) return { kind: 'stale' };
  const kept = Object.fromEntries(Object.entries(filing.outbox ?? {}).filter(([id]) => !(input.completes ?? []).includes(id)));
  const recorded: FilingRecord = { ...after, outbox: { ...kept, ...Object.fromEntries(effects.map((e) => [e.id, e])) } };
  try {
    return { kind: 'moved', filing: await runEffects(ports, recorded) };
  } catch (error) {
    // The transition happened: the caller is told so, and the effects stay pending for the sweeper. (Answering
    // an error here would make a retry meet a filing that has already moved.)
    ports.onEffectsPending?.(filing.filingId, error);
    return { kind: 'moved', filing: recorded };
  }
}

/** Tries a few times: the filing may change while the automatic transition is decided (a withdrawal, say). */
const ADVANCE_ATTEMPTS = 3;

/**
 * Performs the automatic transition an effect names on the filing as its transition left it, marking done in
 * the same write the effects `completes` names (what the previous transition performed, and the advance
 * effect itself). When there is nothing to perform — the filing is no longer where the transition starts
 * (performed already, or moved on, e.g. withdrawn) or its guard objects — those effects are marked done
 * apart. Answers the filing as it then is.
 */
export async function advance(ports: LifecyclePorts, filing: FilingRecord, transition: AutomaticTransition, completes: readonly string[] = []): Promise<FilingRecord> {
  const settle = async (current: FilingRecord): Promise<FilingRecord> => {
    const ids = completes.filter((id) => current.outbox?.[id] !== undefined);
    const rest = Object.fromEntries(Object.entries(current.outbox ?? {}).filter(([id]) => !ids.includes(id)));
    // Off the pending index only if nothing else is left pending at the revision the filing is at.
    if (ids.length > 0 || Object.keys(rest).length === 0) await ports.filings.completeEffects(filing.filingId, ids, Object.keys(rest).length === 0 ? (current.revision ?? 0) : undefined);
    return { ...current, outbox: rest };
  };
  let current: FilingRecord | undefined = filing;
  for (let attempt = 1; attempt <= ADVANCE_ATTEMPTS && current; attempt++) {
    if (!transitionSpec(transition).from.includes(current.status)) return settle(current);
    // Only ids still in the outbox as read: a filing re-read after a stale write may have had them completed.
    const stillPending = completes.filter((id) => current!.outbox?.[id] !== undefined);
    const outcome = await performTransition(ports, current, transition, { actor: 'worker:lifecycle', completes: stillPending });
    if (outcome.kind === 'moved') return outcome.filing;
    if (outcome.kind === 'notAllowed') return settle(current);
    current = await ports.filings.get(filing.filingId);
  }
  if (!current) throw new Error(`Filing ${filing.filingId} disappeared`);
  throw new Error(`Filing ${filing.filingId} kept changing while ${transition} was performed`);
}

/** Moves an ACCEPTED filing on, as intake's acceptance does: to coordination, or straight to review. */
export const moveOnFromAccepted = (ports: LifecyclePorts, filing: FilingRecord): Promise<FilingRecord> =>
  advance(ports, filing, needsCoordination(filing.businessType) ? 'AWAIT_COORDINATION' : 'SKIP_COORDINATION');

/** Performs one effect; false when this function lacks the port it needs (the sweeper will perform it). */
async function perform(ports: LifecyclePorts, filing: FilingRecord, effect: PendingEffect): Promise<boolean> {
  switch (effect.kind) {
    case 'department': {
      const queue = ports.departments?.[effect.departmentKind];
      if (!queue) return false;
      await queue.send([effect.message]);
      return true;
    }
    case 'credit':
      if (!ports.credit) return false;
      await ports.credit.send([effect.signal]);
      return true;
    case 'statistics':
      if (!ports.statistics) return false;
      await ports.statistics.send([effect.event]);
      return true;
    case 'advance':
      // Performed by runEffects itself (it moves the filing); never reached.
      return false;
    case 'releaseDisposition':
      await ports.filings.releaseDisposition(effect.unitCode, filing.filingId);
      return true;
    case 'audit':
      await ports.audit.record({ ...effect.record, id: `${filing.filingId}:${effect.id}`, at: effect.at });
      return true;
    case 'progress':
      await ports.notifications.publish([effect.event]);
      return true;
    case 'enqueueIntake': {
      const queue = effect.lane === 'urgent' ? ports.urgentIntake : ports.intake;
      if (!queue) return false;
      await queue.enqueue([{ v: 1, filingId: filing.filingId }]);
      return true;
    }
  }
}

/**
 * Performs the filing's pending effects in order and marks them done; answers the filing without them.
 * Every effect is idempotent, so running this again (after a crash, or from the sweeper while a request
 * runs it too) changes nothing a second time.
 */
export async function runEffects(ports: LifecyclePorts, filing: FilingRecord): Promise<FilingRecord> {
  const pending = Object.values(filing.outbox ?? {}).sort((a, b) => a.seq - b.seq);
  if (pending.length === 0) return filing;
  const automatic = pending.filter((e): e is PendingEffect & { kind: 'advance' } => e.kind === 'advance');
  const others = pending.filter((e) => e.kind !== 'advance');
  const done: string[] = [];
  for (const effect of others) if (await perform(ports, filing, effect)) done.push(effect.id);
  const left = Object.fromEntries(pending.filter((e) => !done.includes(e.id)).map((e) => [e.id, e]));
  if (automatic.length === 0) {
    // Off the pending index only when nothing is left (and no later transition recorded more meanwhile).
    if (done.length > 0) await ports.filings.completeEffects(filing.filingId, done, done.length === pending.length ? (filing.revision ?? 0) : undefined);
    return { ...filing, outbox: left };
  }
  // An automatic transition comes last, and its own write marks done what this transition performed and
  // the advance effect itself (one conditional write: if it happens, the advance happened), so its run does
  // not perform them again. A crash before that write leaves them pending, healed like any other.
  let current: FilingRecord = filing;
  for (const effect of automatic) current = await advance(ports, current, effect.transition, [...done, effect.id]);
  return current;
}

/**
 * Performs what an earlier transition left pending when a request finds the filing already moved (a
 * repeated withdrawal, refusal or approval). A failure leaves the effects to the sweeper: the answer to the
 * request is the filing as it stands, not an error.
 */
export async function healEffects(ports: LifecyclePorts, filing: FilingRecord): Promise<FilingRecord> {
  try {
    return await runEffects(ports, filing);
  } catch (error) {
    ports.onEffectsPending?.(filing.filingId, error);
    return filing;
  }
}

/** Whether the filing still has effects to perform. */
export const hasPendingEffects = (filing: FilingRecord): boolean => Object.keys(filing.outbox ?? {}).length > 0;
