/**
 * Coordination with the tax and housing-trading departments (DESIGN.md §3 "Coordination", §7b; 002 三(一)3:
 * push filing data to trading and tax, receive the tax-cleared result, push the registration result back;
 * 002 四(一)2: the tax department pushes whether tax is paid, in real time).
 *
 * Which results a business type needs is data ({@link REQUIRED_RESULTS}). After intake accepts a filing that
 * needs any, the filing moves to AWAITING_COORDINATION with one request per required result; each request
 * goes to the department of its kind that serves the filing's district, through that kind's connector
 * queue. Results come back signed (`POST /v1/departments/results`); when every required result is
 * CONFIRMED the filing moves to READY_FOR_REVIEW, and a definitive REJECTED refuses it with the
 * department's reason. The state of every request lives on the filing itself, so staff and the institution
 * see what was asked of whom, when, and what came back.
 */
import type { BusinessType } from './business-types';
import type { FilingRecord } from './filing';

/** The results a department gives (DESIGN.md §7b). */
export const RESULT_KINDS = ['CONTRACT_FILING', 'TAX_CLEARANCE', 'COMPLETION_RECORD'] as const;
export type ResultKind = (typeof RESULT_KINDS)[number];

export const DEPARTMENT_KINDS = ['TAX', 'TRADING'] as const;
export type DepartmentKind = (typeof DEPARTMENT_KINDS)[number];

/** What a department answers. */
export const RESULT_OUTCOMES = ['CONFIRMED', 'PENDING', 'REJECTED'] as const;
export type ResultOutcome = (typeof RESULT_OUTCOMES)[number];

/**
 * Which results each business type needs before review (DESIGN.md §3): transfers need the trading
 * department's contract filing (网签备案) and the tax department's tax-cleared result (完税); a presale
 * notice needs the presale contract filing (预售合同备案); a first registration needs the completion record
 * (竣工验收备案); mortgages need none.
 */
export const REQUIRED_RESULTS: Readonly<Record<BusinessType, readonly ResultKind[]>> = {
  MORTGAGE_CREATE: [],
  MORTGAGE_CHANGE: [],
  MORTGAGE_DISCHARGE: [],
  PRESALE_MORTGAGE_NOTICE: [],
  FIRST_REGISTRATION: ['COMPLETION_RECORD'],
  PRESALE_NOTICE: ['CONTRACT_FILING'],
  TRANSFER_NEW: ['CONTRACT_FILING', 'TAX_CLEARANCE'],
  TRANSFER_RESALE: ['CONTRACT_FILING', 'TAX_CLEARANCE'],
};

/** Which department gives each result: tax clearance the tax department, the rest the trading/housing department. */
export const DEPARTMENT_OF: Readonly<Record<ResultKind, DepartmentKind>> = {
  CONTRACT_FILING: 'TRADING',
  TAX_CLEARANCE: 'TAX',
  COMPLETION_RECORD: 'TRADING',
};

export const needsCoordination = (businessType: BusinessType): boolean => REQUIRED_RESULTS[businessType].length > 0;

/** The suffix of a request id per result kind: a request id names its filing and its kind. */
const REQUEST_SUFFIX: Readonly<Record<ResultKind, string>> = { CONTRACT_FILING: 'CF', TAX_CLEARANCE: 'TC', COMPLETION_RECORD: 'CR' };
export const REQUEST_ID_PATTERN = /^F[0-9A-F]{24}-(?:CF|TC|CR)$/;

/**
 * The id of the request for one result of one filing: derived, so the transition that creates the request
 * and every redelivery of it name the same request (departments drop a request id they have seen).
 */
export const requestIdOf = (filingId: string, kind: ResultKind): string => `${filingId}-${REQUEST_SUFFIX[kind]}`;

/** Where a request stands: asked and not answered, answered, or withdrawn by the registry. */
export type RequestState = 'REQUESTED' | ResultOutcome | 'CANCELLED';

/** One answer of a department, as received (codes and references only, never personal data). */
export interface DepartmentAnswer {
  readonly at: string;
  readonly outcome: ResultOutcome;
  readonly reasonCode?: string;
  readonly reference?: string;
}

/** One request to a department, and everything that came of it. */
export interface CoordinationRequest {
  readonly requestId: string;
  readonly kind: ResultKind;
  readonly departmentKind: DepartmentKind;
  readonly requestedAt: string;
  readonly state: RequestState;
  /** The department it was delivered to (set by the connector on delivery). */
  readonly departmentId?: string;
  readonly deliveredAt?: string;
  /** Failed delivery attempts so far, the last one's time and why (`NETWORK`, `TIMEOUT`, `HTTP_503`, `NO_DEPARTMENT`, …). */
  readonly failedAttempts?: number;
  readonly lastFailureAt?: string;
  readonly lastFailure?: string;
  /** The last answer's reason code and reference (e.g. the contract filing number). */
  readonly reasonCode?: string;
  readonly reference?: string;
  readonly answeredAt?: string;
  /** Every distinct answer, in order. */
  readonly answers: readonly DepartmentAnswer[];
  /** Set when the registry withdrew the request (the filing was withdrawn or refused); the department is told. */
  readonly cancelledAt?: string;
  readonly cancellationDeliveredAt?: string;
  /** Set when the registration result was delivered to the department (after registration). */
  readonly registrationDeliveredAt?: string;
}

/** A filing's coordination: started when it entered AWAITING_COORDINATION, with one request per required result. */
export interface Coordination {
  readonly startedAt: string;
  /** After this instant the filing is overdue and shown on the staff worklist (default 30 days). */
  readonly deadline: string;
  readonly requests: Readonly<Partial<Record<ResultKind, CoordinationRequest>>>;
  /** Times the sweeper re-sent undelivered requests, and when it last did. */
  readonly resends?: number;
  readonly lastResentAt?: string;
}

export const DEFAULT_COORDINATION_DEADLINE_DAYS = 30;

/** Answers kept per request: the first and the latest (MAX_ANSWERS_KEPT − 1). */
export const MAX_ANSWERS_KEPT = 20;

/** The coordination a filing starts when it enters AWAITING_COORDINATION. */
export function startCoordination(filing: FilingRecord, at: string, deadlineDays: number): Coordination {
  const deadline = new Date(Date.parse(at) + deadlineDays * 86_400_000).toISOString();
  const requests = Object.fromEntries(
    REQUIRED_RESULTS[filing.businessType].map((kind): [ResultKind, CoordinationRequest] => [
      kind,
      { requestId: requestIdOf(filing.filingId, kind), kind, departmentKind: DEPARTMENT_OF[kind], requestedAt: at, state: 'REQUESTED', answers: [] },
    ]),
  );
  return { startedAt: at, deadline, requests };
}

export const requestsOf = (coordination: Coordination | undefined): CoordinationRequest[] =>
  coordination === undefined ? [] : RESULT_KINDS.flatMap((kind) => (coordination.requests[kind] ? [coordination.requests[kind]] : []));

export const findRequest = (coordination: Coordination | undefined, requestId: string): CoordinationRequest | undefined =>
  requestsOf(coordination).find((r) => r.requestId === requestId);

const isFinal = (state: RequestState): boolean => state === 'CONFIRMED' || state === 'REJECTED';

/** Requests still open at a department: asked (or answered PENDING), not final, not cancelled. */
export const openRequests = (coordination: Coordination | undefined): CoordinationRequest[] =>
  requestsOf(coordination).filter((r) => r.state === 'REQUESTED' || r.state === 'PENDING');

/** A department's answer to one request, as received. */
export interface DepartmentResult {
  readonly requestId: string;
  readonly kind: ResultKind;
  readonly outcome: ResultOutcome;
  readonly reasonCode?: string;
  readonly reference?: string;
}

/** What a department's result does to the filing. */
export type ResultDecision =
  /** The same answer again (or a PENDING while still pending with the same reason): nothing changes. */
  | { readonly kind: 'repeat'; readonly request: CoordinationRequest }
  /** A final answer already given, and this one says otherwise: refused (409) and audited. */
  | { readonly kind: 'contradicts'; readonly request: CoordinationRequest }
  /** The registry withdrew the request: the answer is not wanted any more. */
  | { readonly kind: 'cancelled'; readonly request: CoordinationRequest }
  /** Recorded; the filing keeps waiting (`PENDING`, or `CONFIRMED` while other results are outstanding). */
  | { readonly kind: 'record'; readonly coordination: Coordination }
  /** Recorded, and every required result is now CONFIRMED: the filing is ready for review. */
  | { readonly kind: 'complete'; readonly coordination: Coordination }
  /** Recorded, and definitive: the filing is refused with the department's reason. */
  | { readonly kind: 'refuse'; readonly coordination: Coordination; readonly reasonCode: string };

/**
 * Decides what a result does (DESIGN.md §7b): a repeated result changes nothing (idempotent on request id +
 * kind); one that contradicts an earlier final one is refused; PENDING keeps the filing waiting; CONFIRMED
 * of the last outstanding result completes coordination; REJECTED refuses the filing.
 */
export function decideResult(coordination: Coordination, request: CoordinationRequest, result: DepartmentResult, at: string): ResultDecision {
  if (request.state === 'CANCELLED' || request.cancelledAt !== undefined) return { kind: 'cancelled', request };
  // A final answer is final: the same again is a repeat; another outcome, or the same under another reference, contradicts it.
  if (isFinal(request.state)) {
    const sameReference = result.reference === undefined || request.reference === undefined || result.reference === request.reference;
    return request.state === result.outcome && sameReference ? { kind: 'repeat', request } : { kind: 'contradicts', request };
  }
  // Still pending for the same reason (a department re-pushing "not paid yet", with whatever reference): nothing new.
  if (result.outcome === 'PENDING' && request.state === 'PENDING' && (request.reasonCode ?? undefined) === (result.reasonCode ?? undefined)) return { kind: 'repeat', request };

  const answer: DepartmentAnswer = { at, outcome: result.outcome, ...(result.reasonCode ? { reasonCode: result.reasonCode } : {}), ...(result.reference ? { reference: result.reference } : {}) };
  const updated: CoordinationRequest = {
    ...request,
    state: result.outcome,
    answeredAt: at,
    reasonCode: result.reasonCode,
    reference: result.reference ?? request.reference,
    // Bounded, so a department changing its mind between PENDING reasons for weeks cannot grow the filing
    // past DynamoDB's item limit: the first answer and the latest ones are kept.
    answers: [...request.answers, answer].filter((_, i, all) => i === 0 || i > all.length - MAX_ANSWERS_KEPT),
  };
  const next: Coordination = { ...coordination, requests: { ...coordination.requests, [request.kind]: withoutUndefined(updated) } };
  if (result.outcome === 'REJECTED') return { kind: 'refuse', coordination: next, reasonCode: result.reasonCode ?? 'DEPARTMENT_REJECTED' };
  if (result.outcome === 'CONFIRMED' && requestsOf(next).every((r) => r.state === 'CONFIRMED')) return { kind: 'complete', coordination: next };
  return { kind: 'record', coordination: next };
}

/**
 * Requests whose departments must hear that the registration will not happen (the filing was withdrawn or
 * refused): the open ones, and the CONFIRMED ones (a contract filing or a tax clearance for a transfer that
 * will not take place) — not yet told. A REJECTED one's department decided it and knows.
 */
export const requestsToCancel = (coordination: Coordination | undefined): CoordinationRequest[] =>
  requestsOf(coordination).filter((r) => r.cancelledAt === undefined && (r.state === 'REQUESTED' || r.state === 'PENDING' || r.state === 'CONFIRMED'));

/** Cancels what {@link requestsToCancel} names: open requests become CANCELLED; a CONFIRMED one keeps its answer and is marked cancelled. */
export function cancelOpenRequests(coordination: Coordination, at: string): Coordination {
  const requests = { ...coordination.requests };
  for (const request of requestsToCancel(coordination)) {
    requests[request.kind] = { ...request, ...(request.state === 'CONFIRMED' ? {} : { state: 'CANCELLED' as const }), cancelledAt: at };
  }
  return { ...coordination, requests };
}

/** Updates one request (delivery bookkeeping by the connector). */
export function withRequest(coordination: Coordination, request: CoordinationRequest): Coordination {
  return { ...coordination, requests: { ...coordination.requests, [request.kind]: withoutUndefined(request) } };
}

/** Whether the filing has waited on departments past its deadline (shown on the staff worklist as overdue). */
export const isCoordinationOverdue = (coordination: Coordination | undefined, now: Date): boolean =>
  coordination !== undefined && Date.parse(coordination.deadline) < now.getTime();

/** The departments (by kind) that took part: they receive the registration result. */
export const participatingRequests = (coordination: Coordination | undefined): CoordinationRequest[] =>
  // A department that answered took part, even if the record of the delivery to it was lost.
  requestsOf(coordination).filter((r) => (r.deliveredAt !== undefined || r.answers.length > 0) && r.state !== 'CANCELLED');

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The reason codes a department may give, as shown to filers (a department may also send its own code). */
export const DEPARTMENT_REASON_CODES: Readonly<Record<string, string>> = {
  CONTRACT_NOT_FILED: 'The trading department has no filed contract for this unit.',
  CONTRACT_PARTIES_DIFFER: "The filed contract names other parties than the filing's.",
  CONTRACT_PRICE_DIFFERS: 'The filed contract states another price.',
  TAX_UNPAID: 'The tax department has not yet received the tax due on this transfer.',
  TAX_ASSESSMENT_REFUSED: 'The tax department refused the tax assessment.',
  COMPLETION_RECORD_NOT_FOUND: 'The housing department has no completion record (竣工验收备案) for this project.',
  DEPARTMENT_REJECTED: 'The department rejected the request.',
};
