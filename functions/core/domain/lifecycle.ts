/**
 * The filing lifecycle, declared once (DESIGN.md §3 "The lifecycle is declared once"): every transition
 * with the statuses it leaves from, the status it moves to, who may cause it, its guard and its follow-up
 * effects. One primitive (`functions/core/use-cases/transition.ts`) performs a transition: a single
 * conditional write that moves the status and records the effects as pending on the filing item itself
 * (an outbox inside the item); the effects runner performs each effect idempotently and marks it done,
 * right after the write and again from the sweeper. No use case sequences write → lock → audit → event.
 *
 * A new state or follow-up is a row here; the tests of `test/unit/domain/lifecycle-table.test.ts` check
 * the table's own invariants (e.g. every transition into a status that holds no disposition lock
 * releases it).
 */
import {
  cancelOpenRequests,
  DEPARTMENT_OF,
  requestsToCancel,
  needsCoordination,
  openRequests,
  participatingRequests,
  startCoordination as startCoordinationFor,
  type DepartmentKind,
} from './coordination';
import type { AuditSubject, RetentionClass } from './audit-log';
import type { CreditSignal, SignalKind } from './credit';
import { FILING_STATUSES, type FilingRecord, type FilingStatus } from './filing';
import { isOutOfScope } from './intake-rules';
import { cstDate } from './working-days';
import type { StatisticsEvent } from './statistics';

/** Reason code of a filing refused because its correction did not arrive in time (DESIGN.md §3). */
export const CORRECTION_OVERDUE = 'CORRECTION_OVERDUE';

/** Reasons a reviewer refuses a filing (shown to the institution; FALSE_MATERIALS also counts against its credit, DESIGN.md §4). */
export const REVIEW_REFUSAL_CODES = {
  FALSE_MATERIALS: 'Materials were found to be false or forged.',
  DATA_MISMATCH: 'The filing does not match its materials or the register.',
  COORDINATION_OVERDUE: 'The tax or trading department results did not arrive within the coordination deadline.',
  OTHER: 'Refused for the reason given in the note.',
} as const;
export type ReviewRefusalCode = keyof typeof REVIEW_REFUSAL_CODES;

/**
 * Reasons staff refuse a filing held for manual intake (DESIGN.md §4: a channel on WATCH is never
 * auto-accepted); FALSE_MATERIALS is a severe credit violation of the filing channel.
 */
export const INTAKE_REVIEW_REFUSAL_CODES = {
  FALSE_MATERIALS: REVIEW_REFUSAL_CODES.FALSE_MATERIALS,
  DATA_MISMATCH: REVIEW_REFUSAL_CODES.DATA_MISMATCH,
  OTHER: REVIEW_REFUSAL_CODES.OTHER,
} as const;
export type IntakeReviewRefusalCode = keyof typeof INTAKE_REVIEW_REFUSAL_CODES;

/** Statuses in which a filing is still alive (DESIGN.md §3): anything but a final outcome. */
export const ACTIVE_STATUSES: readonly FilingStatus[] = ['SUBMITTED', 'INTAKE_REVIEW', 'ACCEPTED', 'AWAITING_COORDINATION', 'CORRECTION_REQUIRED', 'READY_FOR_REVIEW', 'REGISTERED'];

/** Final statuses: nothing moves a filing out of them. */
export const FINAL_STATUSES: readonly FilingStatus[] = ['REFUSED', 'REVIEW_REFUSED', 'CERTIFIED', 'WITHDRAWN'];

/**
 * Statuses in which a filing holds its unit's disposition lock: intake took it before ACCEPTED or
 * CORRECTION_REQUIRED, and it is kept until the filing ends. (A SUBMITTED filing holds it only after a
 * correction sent it back to intake.)
 */
export const DISPOSITION_HOLDING_STATUSES: readonly FilingStatus[] = ['INTAKE_REVIEW', 'ACCEPTED', 'AWAITING_COORDINATION', 'CORRECTION_REQUIRED', 'READY_FOR_REVIEW', 'REGISTERED'];

export const isActive = (status: FilingStatus): boolean => ACTIVE_STATUSES.includes(status);

/** "any state before REGISTERED" (DESIGN.md §3): the filer may withdraw from these. */
export const WITHDRAWABLE_STATUSES: readonly FilingStatus[] = ['SUBMITTED', 'INTAKE_REVIEW', 'ACCEPTED', 'AWAITING_COORDINATION', 'CORRECTION_REQUIRED', 'READY_FOR_REVIEW'];

/** Statuses in which staff may put a filing on the priority lane (003 第十三条): it is still being worked. */
export const URGENT_ELIGIBLE_STATUSES: readonly FilingStatus[] = WITHDRAWABLE_STATUSES;

/**
 * Review applies to READY_FOR_REVIEW filings (DESIGN.md §3), and to ACCEPTED filings of types that need no
 * department result (they move on to READY_FOR_REVIEW by themselves; one that has not yet is reviewed as it
 * stands). An ACCEPTED filing that needs results is not reviewable: the {@link readyForReview} guard says so.
 */
export const REVIEWABLE_STATUSES: readonly FilingStatus[] = ['ACCEPTED', 'READY_FOR_REVIEW'];

/** Whether review may take the filing now: READY_FOR_REVIEW, or ACCEPTED needing no department result. */
export const isReadyForReview = (filing: FilingRecord): boolean =>
  filing.status === 'READY_FOR_REVIEW' || (filing.status === 'ACCEPTED' && !needsCoordination(filing.businessType));

/**
 * A correction is due by the END of its deadline day in China Standard Time: it is overdue from 00:00 CST
 * of the next day (`deadline` is a CST calendar date, YYYY-MM-DD, as intake wrote it).
 */
export function isCorrectionOverdue(deadline: string | undefined, now: Date): boolean {
  return deadline !== undefined && cstDate(now) > deadline;
}

/** Who causes a transition, by the prefix of the actor string (`channel:<id>`, `staff:<id>`, `worker:intake`, `registry:<rule>`). */
export type ActorKind = 'channel' | 'staff' | 'worker' | 'registry' | 'department';
export const actorKindOf = (actor: string): ActorKind | undefined => {
  const kind = actor.slice(0, actor.indexOf(':'));
  return kind === 'channel' || kind === 'staff' || kind === 'worker' || kind === 'registry' || kind === 'department' ? kind : undefined;
};

/** Whose audit log an effect's record belongs to: the filing institution's, or the district's (registry operations). */
export type AuditTenant = 'institution' | 'district';

/** The retention class of an audit record (DESIGN.md §5; 004 第二十三条): declared with the log. */
export type { RetentionClass } from './audit-log';

/** An audit record drafted by a transition (DESIGN.md §5); never personal data. */
export interface AuditDraft {
  /** Absent means OPERATIONS. */
  readonly retention?: RetentionClass;
  readonly tenant: string;
  readonly actor: string;
  readonly action: string;
  readonly outcome: 'SUCCESS' | 'DENIED' | 'ERROR';
  readonly target?: string;
  /** What the record is about (institution, district, business type), for the log's statistics. */
  readonly subject?: AuditSubject;
  readonly detail?: Readonly<Record<string, string | number | boolean>>;
}

/**
 * A filing's progress, as pushed to its institution's webhook (DESIGN.md §3 Progress). Ids, statuses and
 * reason codes only: never personal data. `eventId` is `<filingId>:<n>` for the n-th entry of the filing's
 * history, stable per transition, so receivers can drop duplicates of an at-least-once delivery.
 */
export interface ProgressEvent {
  readonly v: 1;
  readonly eventId: string;
  readonly channelId: string;
  readonly filingId: string;
  readonly clientRef: string;
  readonly businessType: FilingRecord['businessType'];
  readonly status: FilingStatus;
  readonly at: string;
  readonly reasonCode?: string;
  /**
   * Where each department result stands, for filings that need any (DESIGN.md §3 Coordination): kinds and
   * outcomes with the department's reason code, never personal data.
   */
  readonly coordination?: ProgressCoordination[];
}

export interface ProgressCoordination {
  readonly kind: 'CONTRACT_FILING' | 'TAX_CLEARANCE' | 'COMPLETION_RECORD';
  readonly state: 'REQUESTED' | 'PENDING' | 'CONFIRMED' | 'REJECTED' | 'CANCELLED';
  readonly reasonCode?: string;
}

/** A message to a department connector (ids only; the connector reads the filing). */
export interface DepartmentMessage {
  readonly v: 1;
  /** REQUEST asks for a result; CANCEL withdraws the request; REGISTRATION_RESULT pushes the registration outcome. */
  readonly type: 'REQUEST' | 'CANCEL' | 'REGISTRATION_RESULT';
  readonly filingId: string;
  readonly requestId: string;
}

/** The transitions the registry performs by itself right after another (an effect of the first). */
export type AutomaticTransition = 'AWAIT_COORDINATION' | 'SKIP_COORDINATION';

/**
 * A follow-up effect, as recorded in the filing's outbox. Each has an id unique to its transition
 * (`<revision>.<n>`), and its performer is idempotent on that id, so running it twice changes nothing.
 */
export type Effect =
  | { readonly kind: 'releaseDisposition'; readonly unitCode: string }
  | { readonly kind: 'audit'; readonly record: AuditDraft; readonly at: string }
  | { readonly kind: 'progress'; readonly event: ProgressEvent }
  | { readonly kind: 'enqueueIntake'; readonly lane: 'normal' | 'urgent' }
  /** Send a message to a department connector's queue. */
  | { readonly kind: 'department'; readonly departmentKind: DepartmentKind; readonly message: DepartmentMessage }
  /** Perform the next transition (it re-reads nothing: it applies to the filing as this transition left it, if still there). */
  | { readonly kind: 'advance'; readonly transition: AutomaticTransition }
  /** Send a credit signal to the credit queue (DESIGN.md §4): the transition's own id makes the signal's. */
  | { readonly kind: 'credit'; readonly signal: CreditSignal }
  /** Count the status change in the statistics (002 五(二)4): every transition that moves the status has one. */
  | { readonly kind: 'statistics'; readonly event: StatisticsEvent };

export type PendingEffect = Effect & {
  readonly id: string;
  /** Order of performance: effects of earlier transitions first, then their declared order. */
  readonly seq: number;
};

/** The names of the effect builders a transition may declare; each turns the moved filing into effects. */
export type EffectName =
  | 'releaseDisposition'
  | 'audit'
  | 'outOfScopeSignal'
  | 'falseMaterialsSignal'
  | 'creditSignal'
  | 'progress'
  | 'enqueueIntake'
  | 'coordinate'
  | 'requestDepartments'
  | 'cancelRequests'
  | 'pushRegistration'
  | 'statistics';

/** What a guard can object to: the use case turns it into its own answer. */
export type GuardFailure = 'APPROVAL_STARTED' | 'APPROVAL_NOT_STARTED' | 'COORDINATION_PENDING';

export interface TransitionSpec {
  readonly from: readonly FilingStatus[];
  /** The status moved to; `undefined` keeps the status (an annotation such as the urgent mark, with its own effects). */
  readonly to?: FilingStatus;
  readonly actors: readonly ActorKind[];
  readonly guard?: (filing: FilingRecord) => GuardFailure | undefined;
  /** The audit action, whose log it goes to, and its retention class (OPERATIONS when absent). */
  readonly audit?: { readonly action: string; readonly tenant: AuditTenant; readonly retention?: RetentionClass; readonly outcome?: AuditDraft['outcome'] };
  /**
   * The credit signal of the transition (DESIGN.md §4), sent by its `creditSignal` effect: a kind, or a
   * function of the moved filing answering a kind or none.
   */
  readonly signal?: SignalKind | ((filing: FilingRecord) => SignalKind | undefined);
  readonly effects: readonly EffectName[];
}

/** An approval claimed the filing before touching the register: from then on only the approval may move it. */
const notClaimed = (filing: FilingRecord): GuardFailure | undefined => (filing.approvalStartedAt === undefined ? undefined : 'APPROVAL_STARTED');
const claimed = (filing: FilingRecord): GuardFailure | undefined => (filing.approvalStartedAt !== undefined ? undefined : 'APPROVAL_NOT_STARTED');
/** Review starts only once departments have answered (or none is needed), and before an approval claimed the filing. */
const reviewable = (filing: FilingRecord): GuardFailure | undefined => (isReadyForReview(filing) ? notClaimed(filing) : 'COORDINATION_PENDING');
/**
 * A reviewer may refuse a filing still waiting on departments only once it is past its coordination deadline
 * (flagged COORDINATION_OVERDUE by the sweeper): the worklist shows it, and somebody must be able to end it.
 */
const refusable = (filing: FilingRecord): GuardFailure | undefined =>
  filing.status === 'AWAITING_COORDINATION' ? (filing.flaggedForStaff?.reason === 'COORDINATION_OVERDUE' ? undefined : 'COORDINATION_PENDING') : reviewable(filing);

const institution = (action: string) => ({ action, tenant: 'institution' as const });
const district = (action: string) => ({ action, tenant: 'district' as const });

/** Every transition of the filing lifecycle (DESIGN.md §3). */
export const LIFECYCLE = {
  /** Intake: the rules hold and every material is there; the filing then moves on to coordination or review by itself. */
  INTAKE_ACCEPT: {
    from: ['SUBMITTED'],
    to: 'ACCEPTED',
    actors: ['worker'],
    audit: institution('INTAKE_ACCEPTED'),
    signal: 'FILING_ACCEPTED',
    effects: ['audit', 'progress', 'creditSignal', 'coordinate'],
  },
  /**
   * The rules hold, but the channel was on WATCH or PROBATION when it filed (DESIGN.md §4): never accepted by
   * the machine, the filing waits for staff (it holds its unit's disposition lock meanwhile).
   */
  HOLD_FOR_INTAKE_REVIEW: {
    from: ['SUBMITTED'],
    to: 'INTAKE_REVIEW',
    actors: ['worker'],
    audit: institution('INTAKE_HELD_FOR_REVIEW'),
    effects: ['audit', 'progress'],
  },
  /** Staff accept a held filing; it moves on as intake's acceptance does. */
  ACCEPT_AFTER_INTAKE_REVIEW: {
    from: ['INTAKE_REVIEW'],
    to: 'ACCEPTED',
    actors: ['staff'],
    audit: district('INTAKE_ACCEPTED_BY_STAFF'),
    signal: 'FILING_ACCEPTED',
    effects: ['audit', 'progress', 'creditSignal', 'coordinate'],
  },
  /** Staff refuse a held filing with a reason (INTAKE_REVIEW_REFUSAL_CODES). */
  REFUSE_AFTER_INTAKE_REVIEW: {
    from: ['INTAKE_REVIEW'],
    to: 'REFUSED',
    actors: ['staff'],
    audit: district('INTAKE_REFUSED_BY_STAFF'),
    signal: (filing) => (filing.reasonCode === 'FALSE_MATERIALS' ? 'FALSE_MATERIALS' : 'INTAKE_REFUSED'),
    effects: ['releaseDisposition', 'audit', 'falseMaterialsSignal', 'creditSignal', 'progress'],
  },
  /** The filing needs department results: one request per result goes out (DESIGN.md §3 Coordination; 002 三(一)3). */
  AWAIT_COORDINATION: {
    from: ['ACCEPTED'],
    to: 'AWAITING_COORDINATION',
    actors: ['worker'],
    guard: notClaimed,
    audit: institution('COORDINATION_STARTED'),
    effects: ['audit', 'progress', 'requestDepartments'],
  },
  /** The filing needs no department result (mortgages): straight to review. */
  SKIP_COORDINATION: { from: ['ACCEPTED'], to: 'READY_FOR_REVIEW', actors: ['worker'], guard: notClaimed, audit: institution('READY_FOR_REVIEW'), effects: ['audit', 'progress'] },
  /** A department answered PENDING, or CONFIRMED while other results are outstanding: recorded, the filing keeps waiting. */
  RECORD_DEPARTMENT_RESULT: { from: ['AWAITING_COORDINATION'], actors: ['department'], audit: district('DEPARTMENT_RESULT_RECORDED'), effects: ['audit', 'progress'] },
  /** The last required result is CONFIRMED: ready for review. */
  COMPLETE_COORDINATION: {
    from: ['AWAITING_COORDINATION'],
    to: 'READY_FOR_REVIEW',
    actors: ['department'],
    audit: district('COORDINATION_COMPLETED'),
    effects: ['audit', 'progress'],
  },
  /** A department's definitive negative result refuses the filing with its reason; the other requests are cancelled. */
  REFUSE_BY_DEPARTMENT: {
    from: ['AWAITING_COORDINATION'],
    to: 'REFUSED',
    actors: ['department'],
    audit: institution('DEPARTMENT_REFUSED'),
    effects: ['releaseDisposition', 'audit', 'cancelRequests', 'progress'],
  },
  /**
   * A connector delivered data to a department (a request, a cancellation, a registration result), or failed
   * to: recorded on the request; a delivery is "data provided to others", kept ≥ 3 years (DESIGN.md §5).
   */
  RECORD_DELIVERY: {
    from: FILING_STATUSES,
    actors: ['worker'],
    audit: { action: 'DATA_PROVIDED_TO_DEPARTMENT', tenant: 'district', retention: 'DATA_PROVIDED' },
    effects: ['audit'],
  },
  /**
   * A delivery attempt failed; recorded on the request so staff see it, and retried by the connector's queue.
   * Audited as data provided too, outcome ERROR: a timeout or a 5xx may still mean the department got it.
   */
  RECORD_DELIVERY_FAILURE: {
    from: FILING_STATUSES,
    actors: ['worker'],
    audit: { action: 'DATA_DELIVERY_FAILED', tenant: 'district', retention: 'DATA_PROVIDED', outcome: 'ERROR' },
    effects: ['audit'],
  },
  /** The sweeper sends requests again that were never delivered (a department long unreachable, a dead letter). */
  RESEND_REQUESTS: { from: ['AWAITING_COORDINATION'], actors: ['worker'], effects: ['requestDepartments'] },
  /** Intake: a rule refuses the filing (an out-of-scope attempt is also a credit signal, DESIGN.md §4). */
  INTAKE_REFUSE: {
    from: ['SUBMITTED'],
    to: 'REFUSED',
    actors: ['worker'],
    audit: institution('INTAKE_REFUSED'),
    signal: (filing) => (filing.reasonCode !== undefined && isOutOfScope(filing.reasonCode) ? 'OUT_OF_SCOPE' : 'INTAKE_REFUSED'),
    effects: ['releaseDisposition', 'audit', 'outOfScopeSignal', 'creditSignal', 'progress'],
  },
  /** Intake: materials are missing; the filer has until the deadline (DESIGN.md §3). */
  INTAKE_REQUEST_CORRECTION: {
    from: ['SUBMITTED'],
    to: 'CORRECTION_REQUIRED',
    actors: ['worker'],
    audit: institution('INTAKE_CORRECTION_REQUIRED'),
    signal: 'CORRECTION_REQUIRED',
    effects: ['audit', 'progress', 'creditSignal'],
  },
  /** The filer supplies the materials; intake runs again (the filing keeps its disposition lock). */
  CORRECT: {
    from: ['CORRECTION_REQUIRED'],
    to: 'SUBMITTED',
    actors: ['channel'],
    audit: institution('FILING_CORRECTED'),
    signal: 'FILING_CORRECTED',
    effects: ['audit', 'progress', 'creditSignal', 'enqueueIntake'],
  },
  /** The correction deadline passed: noticed by the sweeper or by the filer's late correction. */
  REFUSE_OVERDUE_CORRECTION: {
    from: ['CORRECTION_REQUIRED'],
    to: 'REFUSED',
    actors: ['worker', 'registry'],
    audit: institution('CORRECTION_OVERDUE_REFUSED'),
    signal: 'CORRECTION_OVERDUE',
    effects: ['releaseDisposition', 'audit', 'creditSignal', 'progress'],
  },
  /** The filer withdraws before registration, unless an approval has claimed the filing. */
  WITHDRAW: {
    from: WITHDRAWABLE_STATUSES,
    to: 'WITHDRAWN',
    actors: ['channel'],
    guard: notClaimed,
    audit: institution('FILING_WITHDRAWN'),
    effects: ['releaseDisposition', 'audit', 'cancelRequests', 'progress'],
  },
  /** Staff put the filing on the priority lane (003 第十三条); a filing waiting for intake is enqueued there. */
  MARK_URGENT: { from: URGENT_ELIGIBLE_STATUSES, actors: ['staff'], audit: district('FILING_MARKED_URGENT'), effects: ['audit', 'enqueueIntake'] },
  /** The sweeper sends a stranded SUBMITTED filing to intake again. */
  REQUEUE_INTAKE: { from: ['SUBMITTED'], actors: ['worker'], effects: ['enqueueIntake'] },
  /** The sweeper gives up re-enqueueing a filing whose intake keeps failing: staff must look at it. */
  FLAG_FOR_STAFF: { from: ACTIVE_STATUSES, actors: ['worker'], audit: district('FILING_FLAGGED_FOR_STAFF'), effects: ['audit'] },
  /** A reviewer refuses, unless an approval has claimed the filing (one conditional write decides the race). */
  REVIEW_REFUSE: {
    from: [...REVIEWABLE_STATUSES, 'AWAITING_COORDINATION'],
    to: 'REVIEW_REFUSED',
    actors: ['staff'],
    guard: refusable,
    audit: district('REVIEW_REFUSED'),
    // DESIGN.md §4: false materials found at review are a severe violation; other review refusals are no signal.
    signal: (filing) => (filing.reasonCode === 'FALSE_MATERIALS' ? 'FALSE_MATERIALS' : undefined),
    effects: ['releaseDisposition', 'audit', 'falseMaterialsSignal', 'creditSignal', 'cancelRequests', 'progress'],
  },
  /** An approval claims the filing before the register is touched; withdrawal and refusal can no longer pass. */
  CLAIM_APPROVAL: { from: REVIEWABLE_STATUSES, actors: ['staff'], guard: reviewable, effects: [] },
  /** The approval found, at commit time, that an intake rule no longer holds (e.g. the owner sold): refused with the rule's reason. */
  REFUSE_AT_COMMIT: {
    from: REVIEWABLE_STATUSES,
    to: 'REVIEW_REFUSED',
    actors: ['staff'],
    guard: claimed,
    audit: district('REVIEW_REFUSED_AT_COMMIT'),
    effects: ['releaseDisposition', 'audit', 'progress'],
  },
  /** The register holds the filing's change (登簿). */
  REGISTER: { from: REVIEWABLE_STATUSES, to: 'REGISTERED', actors: ['staff'], guard: claimed, audit: district('REVIEW_APPROVED'), effects: ['audit', 'progress'] },
  /** The signed certificate is issued; the filing is done and frees its unit; departments that took part get the result (002 三(一)3). */
  CERTIFY: {
    from: ['REGISTERED'],
    to: 'CERTIFIED',
    actors: ['staff'],
    audit: district('CERTIFICATE_ISSUED'),
    effects: ['releaseDisposition', 'audit', 'progress', 'pushRegistration'],
  },
} as const satisfies Record<string, TransitionSpec>;

export type TransitionName = keyof typeof LIFECYCLE;
export const transitionSpec = (name: TransitionName): TransitionSpec => LIFECYCLE[name];

/** What a transition needs to draft its effects, beyond the moved filing. */
export interface EffectContext {
  readonly name: TransitionName;
  /** The filing as it is after the transition (status, history, reason set). */
  readonly filing: FilingRecord;
  /** The filing as it was before. */
  readonly before: FilingRecord;
  readonly actor: string;
  readonly at: string;
  /** Extra audit detail (ids and codes only). */
  readonly detail?: Readonly<Record<string, string | number | boolean>>;
  /** The revision the transition writes. */
  readonly revision: number;
}

/**
 * The progress event of the filing's latest history entry. An annotation (no new history entry, e.g. a
 * department's PENDING answer) gets its own event id, `<filingId>:<n>.<revision>`.
 */
export function progressEventOf(filing: FilingRecord, annotation?: { readonly revision: number; readonly at: string }): ProgressEvent {
  const last = filing.history[filing.history.length - 1]!;
  const coordination = filing.coordination
    ? Object.values(filing.coordination.requests).map((r) => ({ kind: r!.kind, state: r!.state, ...(r!.reasonCode ? { reasonCode: r!.reasonCode } : {}) }))
    : undefined;
  return {
    v: 1,
    eventId: annotation ? `${filing.filingId}:${filing.history.length}.${annotation.revision}` : `${filing.filingId}:${filing.history.length}`,
    channelId: filing.channelId,
    filingId: filing.filingId,
    clientRef: filing.clientRef,
    businessType: filing.businessType,
    status: last.status,
    at: annotation?.at ?? last.at,
    reasonCode: last.reasonCode,
    ...(coordination ? { coordination } : {}),
  };
}

const tenantOf = (tenant: AuditTenant, filing: FilingRecord): string => (tenant === 'institution' ? filing.institutionId : filing.district);

/** What a filing's audit records are about, for the log's statistics by district, business type and institution. */
const subjectOf = (filing: FilingRecord): AuditSubject => ({
  institutionId: filing.institutionId,
  channelId: filing.channelId,
  district: filing.district,
  businessType: filing.businessType,
  filingId: filing.filingId,
});

/** The builders of the declared effects: one place says what each follow-up is. */
const BUILDERS: Record<EffectName, (context: EffectContext) => Effect[]> = {
  releaseDisposition: ({ filing }) => [{ kind: 'releaseDisposition', unitCode: filing.unitCode }],
  audit: ({ name, filing, before, actor, at, detail }) => {
    const spec = transitionSpec(name);
    if (!spec.audit) return [];
    const reasonCode = spec.to === undefined ? undefined : filing.reasonCode;
    return [
      {
        kind: 'audit',
        at,
        record: {
          ...(spec.audit.retention ? { retention: spec.audit.retention } : {}),
          tenant: tenantOf(spec.audit.tenant, filing),
          actor,
          action: spec.audit.action,
          outcome: spec.audit.outcome ?? 'SUCCESS',
          target: filing.filingId,
          subject: subjectOf(filing),
          detail: { from: before.status, to: filing.status, channelId: filing.channelId, ...(reasonCode ? { reasonCode } : {}), ...detail },
        },
      },
    ];
  },
  // DESIGN.md §4: acting outside the institution's own scope is a credit signal of the filing channel.
  outOfScopeSignal: ({ filing, at }) =>
    filing.reasonCode !== undefined && isOutOfScope(filing.reasonCode)
      ? [
          {
            kind: 'audit',
            at,
            record: {
              tenant: filing.institutionId,
              actor: `channel:${filing.channelId}`,
              action: 'OUT_OF_SCOPE_ATTEMPT',
              outcome: 'DENIED',
              target: filing.filingId,
              subject: subjectOf(filing),
              detail: { reasonCode: filing.reasonCode, businessType: filing.businessType, unitCode: filing.unitCode },
            },
          },
        ]
      : [],
  // DESIGN.md §4: false materials found at review are a severe violation of the filing institution.
  falseMaterialsSignal: ({ filing, at }) =>
    filing.reasonCode === 'FALSE_MATERIALS'
      ? [{ kind: 'audit', at, record: { tenant: filing.institutionId, actor: `channel:${filing.channelId}`, action: 'FALSE_MATERIALS_FOUND', outcome: 'DENIED', target: filing.filingId, subject: subjectOf(filing) } }]
      : [],
  creditSignal: ({ name, filing, at }) => {
    const declared = transitionSpec(name).signal;
    const kind = typeof declared === 'function' ? declared(filing) : declared;
    if (kind === undefined) return [];
    const signal: CreditSignal = {
      v: 1,
      // The transition's history entry, as its progress event: the same transition signalled twice is one signal.
      signalId: `${filing.filingId}:${filing.history.length}`,
      channelId: filing.channelId,
      kind,
      at,
      ...(filing.reasonCode !== undefined && kind !== 'FILING_ACCEPTED' && kind !== 'FILING_CORRECTED' ? { reasonCode: filing.reasonCode } : {}),
      evidence: { filingIds: [filing.filingId] },
      ...(kind === 'FILING_ACCEPTED' ? { clean: !filing.history.some((entry) => entry.status === 'CORRECTION_REQUIRED') } : {}),
      ...(kind === 'FILING_CORRECTED' ? { hoursToCorrect: hoursSinceCorrectionRequest(filing, at) } : {}),
    };
    return [{ kind: 'credit', signal }];
  },
  progress: ({ name, filing, revision, at }) => [{ kind: 'progress', event: progressEventOf(filing, transitionSpec(name).to === undefined ? { revision, at } : undefined) }],
  enqueueIntake: ({ filing }) => (filing.status === 'SUBMITTED' ? [{ kind: 'enqueueIntake', lane: filing.urgent === true ? 'urgent' : 'normal' }] : []),
  // DESIGN.md §3: an accepted filing moves on by itself — to coordination if its type needs department results.
  coordinate: ({ filing }) => [{ kind: 'advance', transition: needsCoordination(filing.businessType) ? 'AWAIT_COORDINATION' : 'SKIP_COORDINATION' }],
  // One message per request not yet delivered; the connector reads the filing and delivers (002 三(一)3).
  requestDepartments: ({ filing }) =>
    openRequests(filing.coordination)
      .filter((r) => r.deliveredAt === undefined)
      .map((r) => ({ kind: 'department', departmentKind: r.departmentKind, message: { v: 1, type: 'REQUEST', filingId: filing.filingId, requestId: r.requestId } })),
  // DESIGN.md §3: "A withdrawal during coordination sends a cancellation" (as does a refusal by another department).
  // Sent for every request still open, delivered or not: a delivery may be under way, and a department drops a
  // cancellation of a request it never received.
  cancelRequests: ({ before, filing }) =>
    requestsToCancel(before.coordination)
      .filter((r) => filing.coordination?.requests[r.kind]?.cancelledAt !== undefined)
      .map((r) => ({ kind: 'department', departmentKind: DEPARTMENT_OF[r.kind], message: { v: 1, type: 'CANCEL', filingId: filing.filingId, requestId: r.requestId } })),
  // 002 三(一)3: "push the registration result back" to every department that took part.
  pushRegistration: ({ filing }) =>
    participatingRequests(filing.coordination).map((r) => ({
      kind: 'department',
      departmentKind: r.departmentKind,
      message: { v: 1, type: 'REGISTRATION_RESULT', filingId: filing.filingId, requestId: r.requestId },
    })),
  // 002 五(二)4: every status change is counted, by district, day, business type and channel (statistics.ts).
  statistics: ({ name, filing, before, at }) =>
    transitionSpec(name).to === undefined || filing.status === before.status
      ? []
      : [
          {
            kind: 'statistics',
            event: {
              v: 1,
              eventId: `${filing.filingId}:${filing.history.length}`,
              filingId: filing.filingId,
              district: filing.district,
              institutionId: filing.institutionId,
              ...(filing.institutionType ? { institutionType: filing.institutionType } : {}),
              channelId: filing.channelId,
              businessType: filing.businessType,
              from: before.status,
              to: filing.status,
              at,
              submittedAt: filing.history[0]?.at ?? filing.createdAt,
              // The filing's first transition (its history: the submission, then this one) counts the submission.
              first: filing.history.length === 2,
              ...(filing.reasonCode !== undefined && filing.status !== 'CERTIFIED' && filing.status !== 'REGISTERED' ? { reasonCode: filing.reasonCode } : {}),
            },
          },
        ],
};

/**
 * Attributes a transition sets because of what it is, whoever performs it: entering coordination starts
 * it; leaving it before the results are in (withdrawal, a department's refusal) cancels the open requests.
 */
export function impliedAttributes(name: TransitionName, filing: FilingRecord, at: string, coordinationDeadlineDays: number): Record<string, unknown> {
  if (name === 'AWAIT_COORDINATION') return { coordination: startCoordinationFor(filing, at, coordinationDeadlineDays) };
  if ((name === 'WITHDRAW' || name === 'REFUSE_BY_DEPARTMENT' || name === 'REVIEW_REFUSE') && filing.coordination && requestsToCancel(filing.coordination).length > 0) {
    return { coordination: cancelOpenRequests(filing.coordination, at) };
  }
  return {};
}

/** Hours from the filing's latest correction request to `at` (one decimal). */
function hoursSinceCorrectionRequest(filing: FilingRecord, at: string): number {
  const requested = [...filing.history].reverse().find((entry) => entry.status === 'CORRECTION_REQUIRED');
  if (!requested) return 0;
  return Math.max(0, Math.round(((Date.parse(at) - Date.parse(requested.at)) / 3_600_000) * 10) / 10);
}

/**
 * The effects of a transition, in declared order, with ids unique to it (`<revision>.<n>`). A credit signal
 * names as evidence the audit records its transition writes (`<filingId>:<effect id>`).
 */
export function effectsOf(context: EffectContext, revision: number): PendingEffect[] {
  // Every transition that moves the status is counted (declared here once rather than on each row).
  const effects = [...transitionSpec(context.name).effects, 'statistics' as const].flatMap((name) => BUILDERS[name](context));
  const withIds = effects.map((effect, i) => ({ ...effect, id: `${revision}.${i}`, seq: revision * 100 + i }));
  const auditIds = withIds.filter((e) => e.kind === 'audit').map((e) => `${context.filing.filingId}:${e.id}`);
  return withIds.map((effect) =>
    effect.kind === 'credit' && auditIds.length > 0 ? { ...effect, signal: { ...effect.signal, evidence: { ...effect.signal.evidence, auditIds } } } : effect,
  );
}
