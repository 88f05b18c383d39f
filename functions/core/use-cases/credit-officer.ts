/**
 * The credit officers' use cases (DESIGN.md §4 "Credit officers"; 002 三(一)6: 对登记不规范或存在失信行为的应关闭
 * 端口，整改合格后予以开放): read channels, ledgers, cases and appeals; record a violation; shut a channel or an
 * institution off; decide rectification reports; reopen; decide appeals. Every change goes through the one
 * credit mechanism (credit-standing.ts), which records events once, re-derives the standing, audits and
 * tells the institution's webhook; the use cases here add the officer's own audit records.
 */
import { canonicalJson, type JsonValue } from '../domain/certificate';
import {
  indicatorsOf,
  isSevere,
  ledgerEventIdOf,
  type CreditAppeal,
  type CreditCase,
  type CreditEvidence,
  type CreditGrade,
  type CreditIndicators,
  type CreditState,
  type InstitutionCredit,
  type LedgerEvent,
  type RectificationReport,
  type SanctionScope,
} from '../domain/credit';
import { conflict, notFound, unprocessable } from '../domain/errors';
import type { StaffAccount } from '../domain/staff';
import type { Channel, CreditStore, Page } from '../ports';
import { sm3Hex } from '../../shared/crypto/sm3';
import { recordOfficerEvents, reopen, shutOff, stateOf, tellChannel, type CreditPorts } from './credit-standing';

const DAY_MS = 24 * 3600 * 1000;
/** The ledger a staff view shows: the rolling window, newest first, at most this many. */
export const LEDGER_SHOWN = 200;
const ATTEMPTS = 8;

type Officer = Pick<StaffAccount, 'staffId' | 'district'>;
const actorOf = (staff: Officer): string => `staff:${staff.staffId}`;
/** The cause of an officer's request: who sent which body (so the same request sent twice is one). */
const requestCause = (staff: Officer, body: unknown): string => `${staff.staffId}:${sm3Hex(canonicalJson(body as JsonValue))}`;

// ---------------------------------------------------------------------------------------------------------
// Views (staff see the officer's id on an event, never a name)
// ---------------------------------------------------------------------------------------------------------

export interface ChannelItem {
  readonly channelId: string;
  readonly branchName?: string;
  readonly institutionId: string;
  readonly institutionType: CreditState['institutionType'];
  readonly score: number;
  readonly grade: CreditGrade;
  readonly openCaseNo?: string;
  readonly probationUntil?: string;
  readonly updatedAt: string;
}

export const channelItemOf = (state: CreditState, channel?: Pick<Channel, 'branchName'>): ChannelItem => ({
  channelId: state.channelId,
  ...((channel?.branchName ?? state.branchName) ? { branchName: channel?.branchName ?? state.branchName } : {}),
  institutionId: state.institutionId,
  institutionType: state.institutionType,
  score: state.score,
  grade: state.grade,
  ...(state.openCaseNo ? { openCaseNo: state.openCaseNo } : {}),
  ...(state.probationUntil ? { probationUntil: state.probationUntil } : {}),
  updatedAt: state.updatedAt,
});

export type LedgerEventView = Omit<LedgerEvent, 'channelId' | 'institutionId' | 'cause'> & { readonly appeal?: { readonly status: CreditAppeal['status'] } };

export function ledgerEventViewOf(event: LedgerEvent, appeal?: Pick<CreditAppeal, 'status'>): LedgerEventView {
  const { channelId: _channel, institutionId: _institution, cause: _cause, ...shown } = event;
  return { ...shown, ...(appeal ? { appeal: { status: appeal.status } } : {}) };
}

export type CaseView = Omit<CreditCase, 'version'>;
export const caseViewOf = ({ version: _version, ...shown }: CreditCase): CaseView => shown;

// ---------------------------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------------------------

/** Channels by grade (or all), lowest score first. The list reads the credit table only (no branch names). */
export async function listCreditChannels(ports: { credit: CreditStore }, query: { grade?: CreditGrade; limit: number; cursor?: string }): Promise<Page<ChannelItem>> {
  const page = await ports.credit.listStates(query);
  return { items: page.items.map((state) => channelItemOf(state)), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
}

export interface CreditChannelView {
  readonly state: ChannelItem & { readonly rulesVersion: number; readonly indicators: CreditIndicators };
  readonly ledger: readonly LedgerEventView[];
  readonly ledgerTruncated?: true;
  readonly cases: readonly CaseView[];
  readonly appeals: readonly CreditAppeal[];
  readonly institution: Pick<InstitutionCredit, 'institutionId' | 'openCaseNo' | 'probationUntil'>;
}

/**
 * One channel's credit for an officer: its state (the initial one when nothing was recorded yet) with its
 * indicators, the ledger of the rolling window with evidence and appeal status, its cases and its
 * institution's, its appeals, and the institution-wide sanction. 404 CHANNEL_NOT_FOUND for no such channel.
 */
export async function getCreditChannel(ports: Pick<CreditPorts, 'credit' | 'rules' | 'channels' | 'clock'>, channelId: string): Promise<CreditChannelView> {
  const channel = await ports.channels.get(channelId);
  const state = channel && (await stateOf(ports, channelId));
  if (!channel || !state) throw notFound('CHANNEL_NOT_FOUND', 'No channel with this id exists.');
  const rules = await ports.rules.current();
  const now = ports.clock.now();
  const [events, appeals, own, institutionCases, institution] = await Promise.all([
    ports.credit.listEvents(channelId, new Date(now.getTime() - rules.windowDays * DAY_MS).toISOString()),
    ports.credit.listAppeals({ channelId, limit: 100 }),
    ports.credit.listCases({ channelId, limit: 50 }),
    ports.credit.listCases({ institutionId: channel.institutionId, limit: 50 }),
    ports.credit.getInstitution(channel.institutionId),
  ]);
  const appealOf = new Map(appeals.items.map((a) => [a.eventId, a] as const));
  const newestFirst = [...events].reverse();
  const cases = [...new Map([...own.items, ...institutionCases.items].map((c) => [c.caseNo, c] as const)).values()]
    .filter((c) => c.scope === 'INSTITUTION' || c.channelId === channelId)
    .sort((a, b) => (a.openedAt < b.openedAt ? 1 : a.openedAt > b.openedAt ? -1 : 0));
  return {
    state: { ...channelItemOf(state, channel), rulesVersion: state.rulesVersion, indicators: indicatorsOf([state.days], rules.refusalRate.windowDays, now) },
    ledger: newestFirst.slice(0, LEDGER_SHOWN).map((e) => ledgerEventViewOf(e, appealOf.get(e.eventId))),
    ...(newestFirst.length > LEDGER_SHOWN ? { ledgerTruncated: true as const } : {}),
    cases: cases.map(caseViewOf),
    appeals: appeals.items,
    institution: {
      institutionId: channel.institutionId,
      ...(institution?.openCaseNo ? { openCaseNo: institution.openCaseNo } : {}),
      ...(institution?.probationUntil ? { probationUntil: institution.probationUntil } : {}),
    },
  };
}

export async function listCreditCases(ports: { credit: CreditStore }, query: { status?: CreditCase['status']; limit: number; cursor?: string }): Promise<Page<CaseView>> {
  const page = await ports.credit.listCases(query);
  return { items: page.items.map(caseViewOf), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
}

const caseNotFound = () => notFound('CASE_NOT_FOUND', 'No case with this number exists.');

export async function getCreditCase(ports: { credit: CreditStore }, caseNo: string): Promise<CaseView> {
  const found = await ports.credit.getCase(caseNo);
  if (!found) throw caseNotFound();
  return caseViewOf(found);
}

export async function listCreditAppeals(ports: { credit: CreditStore }, query: { status?: CreditAppeal['status']; limit: number; cursor?: string }): Promise<Page<CreditAppeal>> {
  return ports.credit.listAppeals(query);
}

// ---------------------------------------------------------------------------------------------------------
// Violations and shutoffs
// ---------------------------------------------------------------------------------------------------------

export interface ViolationRequest {
  readonly points: number;
  readonly reason: string;
  readonly evidence: Pick<CreditEvidence, 'filingIds' | 'auditIds' | 'note'>;
}

/**
 * An officer records a violation against a channel, with evidence (DESIGN.md §4 "A credit officer records
 * further violations with evidence").
 *
 * 1. Refuse points beyond the rules' `officerMaxPoints` (422 INVALID_BODY, `POINTS_OUT_OF_RANGE` on `points`).
 * 2. The event's id derives from the officer and the body (`OFFICER:<staffId>:<sm3 of the body>`): the same
 *    violation sent twice is one event.
 * 3. Record it through `recordOfficerEvents` (score and grade re-derived; a shutoff opens a case when due;
 *    audited and told to the webhook), and answer the event in force with the channel's state.
 */
export async function recordViolation(ports: CreditPorts, staff: Officer, channelId: string, request: ViolationRequest): Promise<{ event: LedgerEventView; state: ChannelItem }> {
  const rules = await ports.rules.current();
  if (-request.points > rules.officerMaxPoints) {
    throw unprocessable('INVALID_BODY', 'The body does not have the shape this endpoint takes; see `errors` and the OpenAPI document.', {
      errors: [{ path: 'points', code: 'POINTS_OUT_OF_RANGE', message: `Between -${rules.officerMaxPoints} and -1 under the credit rules in force (v${rules.version}).` }],
    });
  }
  const channel = await ports.channels.get(channelId);
  if (!channel) throw notFound('CHANNEL_NOT_FOUND', 'No channel with this id exists.');
  const cause = `OFFICER:${requestCause(staff, request)}`;
  const eventId = ledgerEventIdOf(channelId, cause);
  const event: LedgerEvent = {
    eventId,
    channelId,
    institutionId: channel.institutionId,
    kind: 'OFFICER_VIOLATION',
    points: request.points,
    at: ports.clock.now().toISOString(),
    source: { type: 'OFFICER', staffId: staff.staffId, reason: request.reason },
    evidence: request.evidence,
    ...(isSevere(rules, 'OFFICER_VIOLATION') ? { severe: true } : {}),
    cause,
  };
  const state = await recordOfficerEvents(ports, channelId, [event], actorOf(staff));
  const recorded = (await ports.credit.getEvent(channelId, eventId)) ?? event;
  return { event: ledgerEventViewOf(recorded), state: channelItemOf(state, channel) };
}

export type ShutoffRequest =
  | { readonly scope: Extract<SanctionScope, 'CHANNEL'>; readonly channelId: string; readonly reason: string; readonly evidence: ViolationRequest['evidence'] }
  | { readonly scope: Extract<SanctionScope, 'INSTITUTION'>; readonly institutionId: string; readonly reason: string; readonly evidence: ViolationRequest['evidence'] };

/**
 * An officer shuts a channel or a whole institution off with reason and evidence (DESIGN.md §4): `shutOff`
 * opens the case (its number derived from the officer and the body, so the same request sent twice opens
 * one case), shuts every channel concerned off, audits and tells their webhooks. A target already under
 * another open case answers 409 ALREADY_SHUT_OFF with its `caseNo`.
 */
export async function shutOffTarget(ports: CreditPorts, staff: Officer, request: ShutoffRequest): Promise<CaseView> {
  const opened = await shutOff(ports, {
    scope: request.scope,
    ...(request.scope === 'CHANNEL' ? { channelId: request.channelId } : { institutionId: request.institutionId }),
    detail: request.reason,
    evidence: request.evidence,
    actor: actorOf(staff),
    requestKey: requestCause(staff, request),
  });
  return caseViewOf(opened);
}

// ---------------------------------------------------------------------------------------------------------
// Cases: rectification reports, reopening
// ---------------------------------------------------------------------------------------------------------

const notPending = (report: RectificationReport) =>
  conflict('RECTIFICATION_NOT_PENDING', `This rectification report is ${report.status}; only a SUBMITTED report takes a decision.`, { rectificationStatus: report.status });

/**
 * An officer decides a rectification report (DESIGN.md §4 "A credit officer accepts or rejects it with
 * reasons; acceptance reopens the channel on probation").
 *
 * 1. The report must exist in the case (404 CASE_NOT_FOUND / RECTIFICATION_NOT_FOUND) and be SUBMITTED
 *    (409 RECTIFICATION_NOT_PENDING) — unless this very decision was recorded already (a retry: step 3 again).
 * 2. Record the decision on the report (one write conditional on the case's version; a race re-reads): an
 *    accepted report leaves the case as it is for step 3; a rejected one sends the case back to OPEN.
 * 3. ACCEPT: `reopen(RECTIFICATION_ACCEPTED)` closes the case and reopens its channels on PROBATION.
 *    REJECT: `tellChannel(RECTIFICATION_REJECTED)` audits and tells the webhook (once per report).
 */
export async function decideRectification(
  ports: CreditPorts,
  staff: Officer,
  caseNo: string,
  rectificationId: string,
  request: { decision: 'ACCEPT' | 'REJECT'; reasons: string },
): Promise<CaseView> {
  const status = request.decision === 'ACCEPT' ? 'ACCEPTED' : 'REJECTED';
  const actor = actorOf(staff);
  let decided: CreditCase | undefined;
  for (let attempt = 1; attempt <= ATTEMPTS && !decided; attempt++) {
    const current = await ports.credit.getCase(caseNo);
    if (!current) throw caseNotFound();
    const report = current.rectifications.find((r) => r.rectificationId === rectificationId);
    if (!report) throw notFound('RECTIFICATION_NOT_FOUND', 'No rectification report with this id exists in this case.');
    if (report.status === status) {
      decided = current;
      break;
    }
    if (report.status !== 'SUBMITTED') throw notPending(report);
    if (current.status === 'CLOSED') throw conflict('CASE_NOT_OPEN', 'This case is closed.', { caseNo });
    const at = ports.clock.now().toISOString();
    const next: CreditCase = {
      ...current,
      ...(request.decision === 'REJECT' ? { status: 'OPEN' as const } : {}),
      rectifications: current.rectifications.map((r) => (r.rectificationId === rectificationId ? { ...r, status, decidedAt: at, decidedBy: actor, reasons: request.reasons } : r)),
      version: current.version + 1,
    };
    if (await ports.credit.updateCase(next, current.version)) decided = next;
  }
  if (!decided) throw conflict('CASE_CHANGED', 'The case kept changing while the decision was being recorded; read it and decide again.');
  const report = decided.rectifications.find((r) => r.rectificationId === rectificationId)!;
  if (request.decision === 'ACCEPT') {
    if (decided.status === 'CLOSED') return caseViewOf(decided);
    return caseViewOf(await reopen(ports, caseNo, 'RECTIFICATION_ACCEPTED', actor));
  }
  await tellChannel(
    ports,
    report.channelId,
    'RECTIFICATION_REJECTED',
    { caseNo, rectificationId, at: report.decidedAt ?? ports.clock.now().toISOString(), cause: `RECTIFICATION_REJECTED:${caseNo}:${rectificationId}` },
    { actor, action: 'RECTIFICATION_REJECTED' },
  );
  return caseViewOf(decided);
}

/**
 * An officer closes a case without an accepted report and reopens its channels on PROBATION (DESIGN.md §4
 * "shut off or reopen"). `reopen` closes the case, audits and tells the webhooks; the officer's reason is
 * kept in an audit record of its own (once per case). A case closed this way already answers again; one
 * closed by an accepted report answers 409 CASE_NOT_OPEN.
 */
export async function reopenCase(ports: CreditPorts, staff: Officer, caseNo: string, request: { reason: string }): Promise<CaseView> {
  const found = await ports.credit.getCase(caseNo);
  if (!found) throw caseNotFound();
  // Reopened this way already (a retry, or a second officer): the same answer, the reason recorded once.
  const closed = found.status === 'CLOSED' && found.closedHow === 'REOPENED_BY_OFFICER' ? found : await reopen(ports, caseNo, 'REOPENED_BY_OFFICER', actorOf(staff));
  await ports.audit.record({
    id: `credit:${caseNo}:reopened-by-officer`,
    at: closed.closedAt ?? ports.clock.now().toISOString(),
    tenant: closed.institutionId,
    actor: actorOf(staff),
    action: 'CREDIT_CASE_REOPENED_BY_OFFICER',
    outcome: 'SUCCESS',
    target: caseNo,
    detail: { scope: closed.scope, reason: request.reason },
  });
  return caseViewOf(closed);
}

// ---------------------------------------------------------------------------------------------------------
// Appeals
// ---------------------------------------------------------------------------------------------------------

/**
 * An officer upholds or reverses an appealed ledger event (DESIGN.md §4 "the officer upholds or reverses
 * it"; "a reversed event is a new event that cancels it; nothing is edited or deleted").
 *
 * 1. The appeal must exist (404 APPEAL_NOT_FOUND) and be PENDING (409 APPEAL_NOT_PENDING) — unless this very
 *    decision was recorded already (a retry: the steps after it again).
 * 2. Record the decision (conditional on the appeal still PENDING: of two officers deciding at once, one wins).
 * 3. REVERSE: a REVERSAL event (`points = -event.points`, `cancels` the event, id from `REVERSAL:<eventId>`)
 *    through `recordOfficerEvents`, which restores the points; then APPEAL_REVERSED is told.
 *    UPHOLD: APPEAL_UPHELD is told.
 */
export async function decideAppeal(
  ports: CreditPorts,
  staff: Officer,
  channelId: string,
  eventId: string,
  request: { decision: 'UPHOLD' | 'REVERSE'; reason: string },
): Promise<CreditAppeal> {
  const status = request.decision === 'REVERSE' ? 'REVERSED' : 'UPHELD';
  const actor = actorOf(staff);
  const reversalEventId = ledgerEventIdOf(channelId, `REVERSAL:${eventId}`);
  let appeal: CreditAppeal | undefined;
  for (let attempt = 1; attempt <= ATTEMPTS && !appeal; attempt++) {
    const current = await ports.credit.getAppeal(channelId, eventId);
    if (!current) throw notFound('APPEAL_NOT_FOUND', 'No appeal of this ledger event of this channel exists.');
    if (current.status === status) {
      appeal = current;
      break;
    }
    if (current.status !== 'PENDING') throw conflict('APPEAL_NOT_PENDING', `This appeal is ${current.status}; only a PENDING appeal takes a decision.`, { appealStatus: current.status });
    const decided: CreditAppeal = {
      ...current,
      status,
      decidedAt: ports.clock.now().toISOString(),
      decidedBy: actor,
      reason: request.reason,
      ...(status === 'REVERSED' ? { reversalEventId } : {}),
    };
    if (await ports.credit.decideAppeal(decided)) appeal = decided;
  }
  if (!appeal) throw conflict('APPEAL_CHANGED', 'The appeal kept changing while the decision was being recorded; read it and decide again.');
  const at = appeal.decidedAt ?? ports.clock.now().toISOString();
  if (status === 'REVERSED') {
    const event = await ports.credit.getEvent(channelId, eventId);
    if (!event) throw notFound('CREDIT_EVENT_NOT_FOUND', 'No ledger event with this id exists for this channel.');
    const reversal: LedgerEvent = {
      eventId: reversalEventId,
      channelId,
      institutionId: event.institutionId,
      kind: 'REVERSAL',
      points: -event.points,
      at,
      source: { type: 'OFFICER', staffId: staff.staffId, reason: appeal.reason ?? request.reason },
      evidence: { ...event.evidence },
      cancels: eventId,
      cause: `REVERSAL:${eventId}`,
    };
    await recordOfficerEvents(ports, channelId, [reversal], actor);
  }
  await tellChannel(
    ports,
    channelId,
    status === 'REVERSED' ? 'APPEAL_REVERSED' : 'APPEAL_UPHELD',
    { ledgerEventId: eventId, at, cause: `APPEAL_${status}:${channelId}:${eventId}` },
    { actor, action: status === 'REVERSED' ? 'CREDIT_APPEAL_REVERSED' : 'CREDIT_APPEAL_UPHELD', ...(status === 'REVERSED' ? { detail: { reversalEventId } } : {}) },
  );
  return appeal;
}
