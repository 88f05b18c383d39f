/**
 * The channel's own credit (DESIGN.md §4 "Rectification and appeal", "Peer comparison"; 002 三(一)6): what
 * an institution reads of its standing, its rectification report for an open case, and its appeal of one
 * ledger event. All of it stays open while the channel is shut off. Writes go through the credit store's
 * conditional writes and tell the channel through `tellChannel` (audit and webhook, ids from the cause), so
 * a retried request records and tells once.
 */
import { createHash } from 'node:crypto';
import {
  APPEALABLE_KINDS,
  distributionOf,
  effectiveStanding,
  indicatorsOf,
  MAX_RECTIFICATIONS,
  RESTRICTED_GRADES,
  type CreditAppeal,
  type CreditCase,
  type CreditEvidence,
  type CreditGrade,
  type CreditIndicators,
  type CreditRules,
  type CreditState,
  type LedgerEvent,
  type RectificationReport,
} from '../domain/credit';
import { quotaCounterOf } from '../domain/credit-gate';
import { conflict, notFound, unprocessable } from '../domain/errors';
import type { Channel, CreditStore, RateCounterReader } from '../ports';
import { stateOf, tellChannel, type CreditPorts } from './credit-standing';
import { LEDGER_VIEW_MAX, type AppealView, type CaseView, type ChannelCreditView, type LedgerEventView, type RectificationReceipt, type RectificationRequest } from '../../../schemas/v1/credit';

const APPEALS_SHOWN = 200;
const DAY_MS = 24 * 3600 * 1000;

// ---------------------------------------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------------------------------------

/** Evidence as shown: ids, codes and counts (copied, so a view never shares arrays with a record). */
function evidenceView(evidence: CreditEvidence): LedgerEventView['evidence'] {
  const { filingIds, auditIds, indexes, ...scalars } = evidence;
  return {
    ...scalars,
    ...(filingIds ? { filingIds: [...filingIds] } : {}),
    ...(auditIds ? { auditIds: [...auditIds] } : {}),
    ...(indexes ? { indexes: [...indexes] } : {}),
  };
}

/** The institution's view of a ledger event: an officer's reason, never the officer. */
export function ledgerEventView(event: LedgerEvent, appeal?: Pick<CreditAppeal, 'status'>): LedgerEventView {
  return {
    eventId: event.eventId,
    kind: event.kind,
    points: event.points,
    at: event.at,
    source: event.source.type === 'AUTOMATIC' ? { type: 'AUTOMATIC', rule: event.source.rule, rulesVersion: event.source.rulesVersion } : { type: 'OFFICER', reason: event.source.reason },
    evidence: evidenceView(event.evidence),
    ...(event.reasonCode !== undefined ? { reasonCode: event.reasonCode } : {}),
    ...(event.severe === true ? { severe: true as const } : {}),
    ...(event.cancels !== undefined ? { cancels: event.cancels } : {}),
    ...(event.resetTo !== undefined ? { resetTo: event.resetTo } : {}),
    ...(appeal ? { appeal: { status: appeal.status } } : {}),
  };
}

/** The institution's view of a case: its reports' status and the officer's reasons, not the texts back. */
export function caseView(creditCase: CreditCase): CaseView {
  return {
    caseNo: creditCase.caseNo,
    scope: creditCase.scope,
    status: creditCase.status,
    reason: creditCase.reason,
    detail: creditCase.detail,
    openedAt: creditCase.openedAt,
    evidence: evidenceView(creditCase.evidence),
    rectifications: creditCase.rectifications.map((r) => ({
      rectificationId: r.rectificationId,
      submittedAt: r.submittedAt,
      status: r.status,
      ...(r.decidedAt !== undefined ? { decidedAt: r.decidedAt } : {}),
      ...(r.reasons !== undefined ? { reasons: r.reasons } : {}),
    })),
  };
}

export function appealView(appeal: CreditAppeal): AppealView {
  return {
    eventId: appeal.eventId,
    submittedAt: appeal.submittedAt,
    status: appeal.status,
    ...(appeal.decidedAt !== undefined ? { decidedAt: appeal.decidedAt } : {}),
    ...(appeal.reason !== undefined ? { reason: appeal.reason } : {}),
    ...(appeal.reversalEventId !== undefined ? { reversalEventId: appeal.reversalEventId } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------------
// GET /v1/channel/credit
// ---------------------------------------------------------------------------------------------------------

export interface ChannelCreditPorts extends Pick<CreditPorts, 'credit' | 'rules' | 'channels' | 'clock'> {
  /** Today's quota count (the submit gate's counter), read without counting. */
  readonly quota: RateCounterReader;
}

/** Worst first: an institution shows the worst grade of its channels. */
const GRADE_SEVERITY: Readonly<Record<CreditGrade, number>> = { NORMAL: 0, WATCH: 1, PROBATION: 2, SHUT_OFF: 3 };

async function allAppeals(credit: CreditStore, channelId: string): Promise<CreditAppeal[]> {
  const appeals: CreditAppeal[] = [];
  let cursor: string | undefined;
  do {
    const page = await credit.listAppeals({ channelId, limit: 100, ...(cursor ? { cursor } : {}) });
    appeals.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && appeals.length < APPEALS_SHOWN);
  return appeals.slice(0, APPEALS_SHOWN);
}

async function openCaseView(credit: CreditStore, caseNo: string | undefined): Promise<CaseView | undefined> {
  if (caseNo === undefined) return undefined;
  const found = await credit.getCase(caseNo);
  return found && found.status !== 'CLOSED' ? caseView(found) : undefined;
}

/**
 * Indicators of each institution of the type, from its channels' day counts (DESIGN.md §4 "Peer
 * comparison"), and their anonymised distribution — withheld below MIN_PEER_GROUP institutions.
 */
function peersOf(institutionType: Channel['institutionType'], states: readonly CreditState[], windowDays: number, now: Date): ChannelCreditView['peers'] {
  const byInstitution = new Map<string, CreditState['days'][]>();
  for (const state of states) byInstitution.set(state.institutionId, [...(byInstitution.get(state.institutionId) ?? []), state.days]);
  const indicators: CreditIndicators[] = [...byInstitution.values()].map((days) => indicatorsOf(days, windowDays, now));
  const refusalRate = distributionOf(indicators.map((i) => i.refusalRate));
  const correctionRate = distributionOf(indicators.map((i) => i.correctionRate));
  const outOfScopeAttempts = distributionOf(indicators.map((i) => i.outOfScopeAttempts));
  const hoursToCorrect = distributionOf(indicators.flatMap((i) => (i.hoursToCorrect === undefined ? [] : [i.hoursToCorrect])));
  if (!refusalRate || !correctionRate || !outOfScopeAttempts) return { institutionType, institutions: byInstitution.size, withheld: 'TOO_FEW_PEERS' };
  return { institutionType, institutions: byInstitution.size, distribution: { refusalRate, correctionRate, outOfScopeAttempts, ...(hoursToCorrect ? { hoursToCorrect } : {}) } };
}

/**
 * The channel's credit record (DESIGN.md §4: "visible to the institution").
 *
 * 1. Read the channel's state (its initial one when nothing was recorded yet), its institution's sanction,
 *    the rules in force and every channel of the institution with its state.
 * 2. The channel: score, the grade the gate applies (its projected standing), probation, its own open case.
 * 3. The institution: lowest score, worst grade, an institution-wide open case, each channel.
 * 4. The ledger within the rules' window, newest first (at most 200), each event with its appeal's status;
 *    the channel's appeals.
 * 5. Restricted: the quota and what was used today.
 * 6. The institution's indicators beside the distribution over institutions of its type.
 */
export async function channelCredit(ports: ChannelCreditPorts, channel: Channel): Promise<ChannelCreditView> {
  const now = ports.clock.now();
  const at = now.toISOString();
  const [state, rules, institution, channelIds] = await Promise.all([
    stateOf(ports, channel.channelId).then((s) => s!),
    ports.rules.current(),
    ports.credit.getInstitution(channel.institutionId),
    ports.channels.channelIdsOf(channel.institutionId),
  ]);
  // The grade the submit gate applies is the one projected on the channel record (the worker writes the
  // projection with the state); a channel without one yet is judged from its state.
  const appliedOf = (record: Channel, recordState: Pick<CreditState, 'grade' | 'score' | 'openCaseNo' | 'probationUntil'>) => record.standing ?? effectiveStanding(recordState, institution, at);
  const standing = appliedOf(channel, state);

  const peerStates = await ports.credit.statesOfType(channel.institutionType);
  const ownStates = new Map(peerStates.filter((s) => s.institutionId === channel.institutionId).map((s) => [s.channelId, s]));
  ownStates.set(channel.channelId, state);
  const siblings = await Promise.all(
    [...new Set([channel.channelId, ...channelIds])].map(async (channelId) => {
      const sibling = channelId === channel.channelId ? channel : await ports.channels.get(channelId);
      if (!sibling) return undefined;
      const siblingState = ownStates.get(channelId) ?? { grade: 'NORMAL' as const, score: rules.startScore };
      const applied = appliedOf(sibling, siblingState);
      return { channelId, ...(sibling.branchName !== undefined ? { branchName: sibling.branchName } : {}), score: applied.score, grade: applied.grade };
    }),
  );
  const channels = siblings.filter((s): s is NonNullable<typeof s> => s !== undefined).sort((a, b) => (a.channelId < b.channelId ? -1 : 1));

  const since = new Date(now.getTime() - rules.windowDays * DAY_MS).toISOString();
  const [events, appeals, ownCase, institutionCase] = await Promise.all([
    ports.credit.listEvents(channel.channelId, since),
    allAppeals(ports.credit, channel.channelId),
    openCaseView(ports.credit, state.openCaseNo),
    openCaseView(ports.credit, institution?.openCaseNo),
  ]);
  const appealOf = new Map(appeals.map((a) => [a.eventId, a]));
  const newestFirst = [...events].reverse();

  const restricted = (RESTRICTED_GRADES as readonly CreditGrade[]).includes(standing.grade);
  const quota = restricted ? { ...rules.restricted, usedToday: await ports.quota.current(quotaCounterOf(channel.channelId, now).key) } : undefined;

  // Institutions of the type include this one, whose channels may not all have states yet.
  const withOwn = [...peerStates.filter((s) => s.institutionId !== channel.institutionId), ...ownStates.values()];
  const windowDays = Math.max(rules.refusalRate.windowDays, 1);

  return {
    channel: {
      channelId: channel.channelId,
      ...(channel.branchName !== undefined ? { branchName: channel.branchName } : {}),
      score: standing.score,
      grade: standing.grade,
      ...(standing.probationUntil !== undefined ? { probationUntil: standing.probationUntil } : {}),
      ...(ownCase ? { openCase: ownCase } : {}),
    },
    institution: {
      institutionId: channel.institutionId,
      institutionType: channel.institutionType,
      score: Math.min(...channels.map((c) => c.score)),
      grade: channels.reduce<CreditGrade>((worst, c) => (GRADE_SEVERITY[c.grade] > GRADE_SEVERITY[worst] ? c.grade : worst), 'NORMAL'),
      ...(institutionCase ? { openCase: institutionCase } : {}),
      channels,
    },
    rules: rulesSummary(rules),
    ...(quota ? { quota } : {}),
    ledger: newestFirst.slice(0, LEDGER_VIEW_MAX).map((event) => ledgerEventView(event, appealOf.get(event.eventId))),
    ...(newestFirst.length > LEDGER_VIEW_MAX ? { ledgerTruncated: true as const } : {}),
    appeals: appeals.map(appealView),
    indicators: indicatorsOf([...ownStates.values()].map((s) => s.days), windowDays, now),
    peers: peersOf(channel.institutionType, withOwn, windowDays, now),
  };
}

const rulesSummary = (rules: CreditRules): ChannelCreditView['rules'] => ({
  version: rules.version,
  watchBelow: rules.thresholds.watchBelow,
  shutOffBelow: rules.thresholds.shutOffBelow,
  probationShutOffBelow: rules.thresholds.probationShutOffBelow,
  restricted: { dailyQuota: rules.restricted.dailyQuota, maxBatchSize: rules.restricted.maxBatchSize },
});

// ---------------------------------------------------------------------------------------------------------
// POST /v1/channel/rectifications
// ---------------------------------------------------------------------------------------------------------

/** `RC` + 16 hex of SM3 of the case number and the report's place in it: the n-th report of a case has one id. */
export const rectificationIdOf = (caseNo: string, n: number): string =>
  `RC${createHash('sm3').update(`zhitong/rectification/v1\n${caseNo}\n${n}`, 'utf8').digest('hex').slice(0, 16).toUpperCase()}`;

const caseNotFound = () => notFound('CASE_NOT_FOUND', 'No open or closed case with this number concerns this channel or its institution.');

/** A case concerns the channel when it shuts that channel off, or the channel's whole institution. */
const concerns = (creditCase: CreditCase, channel: Channel): boolean =>
  creditCase.institutionId === channel.institutionId && (creditCase.scope === 'INSTITUTION' || creditCase.channelId === channel.channelId);

const sameReport = (report: RectificationReport, channel: Channel, body: RectificationRequest): boolean =>
  report.channelId === channel.channelId &&
  report.whatWasWrong === body.whatWasWrong &&
  report.whatChanged === body.whatChanged &&
  JSON.stringify(report.attachments.map((a) => [a.name, a.sm3])) === JSON.stringify(body.attachments.map((a) => [a.name, a.sm3]));

const ATTEMPTS = 5;

/**
 * A rectification report (整改报告) for an open case of the channel or its institution (DESIGN.md §4).
 *
 * 1. The case must concern the channel (else 404 `CASE_NOT_FOUND`, as for no case at all) and be open
 *    (409 `CASE_NOT_OPEN`).
 * 2. The same report again (a retry) answers the report already recorded; another report while one is
 *    waiting for the officer is 409 `RECTIFICATION_PENDING`; at most MAX_RECTIFICATIONS per case.
 * 3. Append the report (`RC` id from the case number and its place) and move the case to
 *    RECTIFICATION_SUBMITTED, conditional on the case's version (a concurrent change: read and judge again).
 * 4. Audit (RECTIFICATION_SUBMITTED) and notify (RECTIFICATION_RECEIVED) through `tellChannel`, whose ids
 *    derive from the report: a retry tells once.
 */
export async function submitRectification(ports: CreditPorts, channel: Channel, body: RectificationRequest): Promise<RectificationReceipt> {
  let report: RectificationReport | undefined;
  for (let attempt = 1; attempt <= ATTEMPTS && !report; attempt++) {
    const current = await ports.credit.getCase(body.caseNo);
    if (!current || !concerns(current, channel)) throw caseNotFound();
    const last = current.rectifications.at(-1);
    if (last?.status === 'SUBMITTED') {
      if (sameReport(last, channel, body)) {
        report = last;
        break;
      }
      throw conflict('RECTIFICATION_PENDING', 'A rectification report of this case is waiting for the credit officer’s decision; send another once it is decided.', { caseNo: current.caseNo });
    }
    if (current.status === 'CLOSED') throw conflict('CASE_NOT_OPEN', 'This case is closed; the channel was reopened.', { caseNo: current.caseNo });
    if (current.rectifications.length >= MAX_RECTIFICATIONS) {
      throw conflict('RECTIFICATIONS_EXHAUSTED', `This case already holds ${MAX_RECTIFICATIONS} reports; contact the registry's credit officers.`, { caseNo: current.caseNo });
    }
    const submitted: RectificationReport = {
      rectificationId: rectificationIdOf(current.caseNo, current.rectifications.length + 1),
      channelId: channel.channelId,
      submittedAt: ports.clock.now().toISOString(),
      whatWasWrong: body.whatWasWrong,
      whatChanged: body.whatChanged,
      attachments: body.attachments.map((a) => ({ name: a.name, sm3: a.sm3 })),
      status: 'SUBMITTED',
    };
    const updated: CreditCase = { ...current, status: 'RECTIFICATION_SUBMITTED', rectifications: [...current.rectifications, submitted], version: current.version + 1 };
    if (await ports.credit.updateCase(updated, current.version)) report = submitted;
  }
  if (!report) throw conflict('CASE_CHANGED', 'The case kept changing while the report was being recorded; send it again.');
  await tellChannel(
    ports,
    channel.channelId,
    'RECTIFICATION_RECEIVED',
    { caseNo: body.caseNo, rectificationId: report.rectificationId, at: report.submittedAt, cause: `rectification:${body.caseNo}:${report.rectificationId}` },
    { actor: `channel:${channel.channelId}`, action: 'RECTIFICATION_SUBMITTED', detail: { attachments: report.attachments.length } },
  );
  return { caseNo: body.caseNo, rectificationId: report.rectificationId, status: 'SUBMITTED', submittedAt: report.submittedAt };
}

// ---------------------------------------------------------------------------------------------------------
// POST /v1/channel/credit/events/{eventId}/appeal
// ---------------------------------------------------------------------------------------------------------

/**
 * The channel appeals one of its ledger events (DESIGN.md §4: "An institution may appeal a single ledger
 * event"); a credit officer upholds or reverses it.
 *
 * 1. The event must be the channel's (another channel's answers 404 `CREDIT_EVENT_NOT_FOUND`, as for none)
 *    and of a kind the institution was charged with (422 `EVENT_NOT_APPEALABLE`).
 * 2. One appeal per event: the same grounds again (a retry) answer the appeal recorded; others are 409
 *    `APPEAL_EXISTS`.
 * 3. Record the appeal PENDING (conditional on none existing), then audit (CREDIT_APPEAL_SUBMITTED) and
 *    notify (APPEAL_RECEIVED) through `tellChannel`, once per event.
 */
export async function appealCreditEvent(ports: CreditPorts, channel: Channel, eventId: string, grounds: string): Promise<AppealView> {
  const event = await ports.credit.getEvent(channel.channelId, eventId);
  if (!event) throw notFound('CREDIT_EVENT_NOT_FOUND', 'No ledger event with this id exists for this channel.');
  if (!APPEALABLE_KINDS.includes(event.kind)) {
    throw unprocessable('EVENT_NOT_APPEALABLE', `A ${event.kind} event is not a charge against the institution and cannot be appealed.`);
  }
  const existing = await ports.credit.getAppeal(channel.channelId, eventId);
  let appeal: CreditAppeal;
  if (existing) {
    appeal = sameAppeal(existing, grounds);
  } else {
    const created: CreditAppeal = { eventId, channelId: channel.channelId, submittedAt: ports.clock.now().toISOString(), grounds, status: 'PENDING' };
    if (await ports.credit.createAppeal(created)) appeal = created;
    else {
      const raced = await ports.credit.getAppeal(channel.channelId, eventId);
      if (!raced) throw new Error('An appeal was refused as existing and then not found');
      appeal = sameAppeal(raced, grounds);
    }
  }
  await tellChannel(
    ports,
    channel.channelId,
    'APPEAL_RECEIVED',
    { ledgerEventId: eventId, at: appeal.submittedAt, cause: `appeal:${channel.channelId}:${eventId}` },
    { actor: `channel:${channel.channelId}`, action: 'CREDIT_APPEAL_SUBMITTED', detail: { kind: event.kind, points: event.points } },
  );
  return appealView(appeal);
}

/** The recorded appeal when it is this one again (a retry), else 409. */
function sameAppeal(existing: CreditAppeal, grounds: string): CreditAppeal {
  if (existing.status === 'PENDING' && existing.grounds === grounds) return existing;
  throw conflict('APPEAL_EXISTS', 'This event has already been appealed; each ledger event may be appealed once.');
}
