/**
 * Credit standing (DESIGN.md §4; 002 三(一)6): the one mechanism that turns signals and officers' decisions
 * into ledger events, score, grade, shutoff cases and the channel's projected standing. The credit worker,
 * the channel's credit endpoints and the officers' endpoints all go through it; nothing else writes a
 * channel's credit state.
 *
 * One evaluation of a channel ({@link evaluate}):
 * 1. read the channel, its state (or the initial one), its institution's sanction and the rules in force;
 * 2. perform what the previous write left in the state's outbox (a crash between write and follow-ups);
 * 3. let the caller change the state (count a signal's outcome, open or close a case) and name the ledger
 *    events it brings; record each event unless it exists (its id derives from its cause);
 * 4. derive score and grade from the ledger ({@link deriveStanding}); open a case when one is due;
 * 5. write the state with its follow-ups in the outbox — audit records, webhook notices, the standing to
 *    project onto the channel record — conditional on the version read (a concurrent evaluation makes this
 *    one start again at 1);
 * 6. perform the outbox and clear it.
 * Every step is idempotent, and what an evaluation decides depends only on the ledger and the state it
 * read, so a retry after a crash anywhere decides the same and performs what is missing.
 */
import { createHash } from 'node:crypto';
import {
  caseNoOf,
  deriveStanding,
  effectiveStanding,
  initialCreditState,
  isSevere,
  ledgerEventIdOf,
  NO_COUNTS,
  OUTCOME_KINDS,
  pointsOf,
  pruneDays,
  RECENT_SIGNALS_KEPT,
  refusalRateOf,
  scoreOf,
  type ChannelStanding,
  type CreditCase,
  type CreditChange,
  type CreditEvidence,
  type CreditNotice,
  type CreditOutbox,
  type CreditRules,
  type CreditSignal,
  type CreditState,
  type DayCounts,
  type InstitutionCredit,
  type LedgerEvent,
  type SanctionScope,
} from '../domain/credit';
import { conflict, notFound, ZtError } from '../domain/errors';
import { cstDate } from '../domain/working-days';
import type { AuditLog, Channel, ChannelDirectory, Clock, CreditRulesStore, CreditStore, InstitutionChannels, NotificationQueue, StandingRegistry } from '../ports';

export interface CreditPorts {
  readonly credit: CreditStore;
  readonly rules: CreditRulesStore;
  readonly channels: ChannelDirectory & StandingRegistry & InstitutionChannels;
  readonly audit: AuditLog;
  readonly notifications: NotificationQueue;
  readonly clock: Clock;
}

/** The actor of automatic credit decisions. */
export const CREDIT_ACTOR = 'registry:credit';

const DAY_MS = 24 * 3600 * 1000;
/** Concurrent evaluations of one channel settle within a few rounds. */
const ATTEMPTS = 8;

type Audit = CreditOutbox['audits'][number];

/** What a caller's change of the state brings: the state as changed, the ledger events, extra follow-ups. */
interface Change {
  readonly state: CreditState;
  readonly events?: readonly LedgerEvent[];
  /** Cases the change opens: created after the write that decides them (never an orphan case). */
  readonly cases?: readonly CreditCase[];
  readonly audits?: readonly Audit[];
  readonly notices?: readonly ((standing: { score: number; grade: CreditState['grade'] }) => CreditNotice)[];
}

interface Context {
  readonly channel: Channel;
  readonly rules: CreditRules;
  readonly institution: InstitutionCredit | undefined;
  readonly now: Date;
  readonly at: string;
}

const channelNotFound = (): ZtError => notFound('CHANNEL_NOT_FOUND', 'No such channel.');

const noticeOf = (
  channel: Channel,
  change: CreditChange,
  eventId: string,
  at: string,
  standing: { score: number; grade: CreditState['grade'] },
  extra: Partial<Pick<CreditNotice, 'caseNo' | 'ledgerEventId' | 'kind' | 'points' | 'rectificationId'>> = {},
): CreditNotice => ({
  v: 1,
  type: 'CREDIT',
  eventId,
  channelId: channel.channelId,
  institutionId: channel.institutionId,
  change,
  at,
  score: standing.score,
  grade: standing.grade,
  ...extra,
});

const auditOf = (channel: Channel, id: string, at: string, actor: string, action: string, target: string, detail: Record<string, string | number | boolean>, outcome: Audit['outcome'] = 'SUCCESS'): Audit => ({
  id,
  at,
  tenant: channel.institutionId,
  actor,
  action,
  outcome,
  target,
  detail: { channelId: channel.channelId, ...detail },
});

/**
 * Performs an outbox: the cases and ledger events the write decided, then the standing projection (what the
 * submit gate reads: first, so that a failing queue cannot leave a shut-off channel open), then audits and
 * notices. Idempotent: cases and events by their ids, the projection by its version, audits by their ids;
 * a notice published again carries the same event id.
 */
async function perform(ports: CreditPorts, channelId: string, outbox: CreditOutbox): Promise<void> {
  for (const creditCase of outbox.cases ?? []) await ports.credit.createCase(creditCase);
  for (const event of outbox.events ?? []) await ports.credit.putEvent(event);
  if (outbox.standing) await ports.channels.setStanding(channelId, outbox.standing);
  for (const record of outbox.audits) await ports.audit.record(record);
  if (outbox.notices.length > 0) await ports.notifications.publish(outbox.notices);
}

const sameStanding = (a: ChannelStanding | undefined, b: ChannelStanding): boolean =>
  a !== undefined && a.grade === b.grade && a.score === b.score && a.caseNo === b.caseNo && a.scope === b.scope && a.probationUntil === b.probationUntil;

/**
 * One evaluation of a channel (steps in the module TSDoc). `change` may be called more than once (a
 * concurrent write makes the evaluation start again) and must depend only on what it is given.
 */
async function evaluate(ports: CreditPorts, channelId: string, change: (state: CreditState, context: Context) => Change | Promise<Change>): Promise<CreditState> {
  const channel = await ports.channels.get(channelId);
  if (!channel) throw channelNotFound();
  const rules = await ports.rules.current();
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const now = ports.clock.now();
    const at = now.toISOString();
    const stored = await ports.credit.getState(channelId);
    // 2. A crash after the previous write: its follow-ups first (all idempotent).
    if (stored?.outbox) await perform(ports, channelId, stored.outbox);
    const prior = stored ?? initialCreditState(channel, rules, at);
    const institution = await ports.credit.getInstitution(channel.institutionId);
    const context: Context = { channel, rules, institution, now, at };
    // 3. The caller's change. Its events are recorded after the write (in the outbox): an attempt that loses
    // the write to a concurrent evaluation leaves nothing behind.
    const changed = await change({ ...prior, outbox: undefined }, context);
    // 4. Score and grade from the ledger and the new events.
    const windowStart = new Date(now.getTime() - rules.windowDays * DAY_MS).toISOString();
    const recorded = await ports.credit.listEvents(channelId, windowStart);
    const known = new Set(recorded.map((e) => e.eventId));
    const events = dedupeEvents(changed.events ?? []).filter((e) => !known.has(e.eventId)).map((e) => ({ ...e, recordedAt: e.recordedAt ?? at }));
    let state = changed.state;
    // Good standing (DESIGN.md §4): a run of clean filings earns points back, never above the start score.
    if (state.cleanRun >= rules.goodStanding.cleanFilings && rules.points.GOOD_STANDING > 0) {
      const seq = state.goodStandingSeq + 1;
      const before = scoreOf([...recorded, ...events], rules, now);
      if (before < rules.startScore) {
        const points = Math.min(rules.points.GOOD_STANDING, rules.startScore - before);
        events.push({ ...automaticEvent(channel, rules, 'GOOD_STANDING', `GOOD_STANDING:${seq}`, points, at, { count: state.cleanRun }), recordedAt: at });
        state = { ...state, goodStandingSeq: seq };
      }
      state = { ...state, cleanRun: 0 };
    }
    const ledger = [...recorded, ...events];
    const probationUntil = latest(state.probationUntil, institution?.probationUntil);
    const decision = deriveStanding({
      events: ledger,
      rules,
      openCaseNo: state.openCaseNo,
      institutionOpenCaseNo: institution?.openCaseNo,
      probationUntil,
      reopenedAt: state.reopenedAt,
      now,
    });
    const audits: Audit[] = [...(changed.audits ?? [])];
    const cases: CreditCase[] = [...(changed.cases ?? [])];
    const standingOf = { score: decision.score, grade: decision.grade };
    const notices: CreditNotice[] = (changed.notices ?? []).map((make) => make(standingOf));
    let openCaseNo = state.openCaseNo;
    if (decision.open) {
      // A case opened by the rules (score under the threshold, a severe violation), numbered from the channel's
      // count of such cases: evaluations racing on one channel derive the same number, and the case item is
      // created only once the write that opens it has succeeded.
      const trigger = ledger.find((e) => e.eventId === decision.open!.triggerEventId)!;
      const shutoffs = (state.shutoffs ?? 0) + 1;
      const caseNo = caseNoOf(`${channelId}:SHUTOFF:${shutoffs}`, now);
      cases.push({
        caseNo,
        scope: 'CHANNEL',
        channelId,
        institutionId: channel.institutionId,
        status: 'OPEN',
        reason: decision.open.reason,
        detail:
          decision.open.reason === 'SEVERE_VIOLATION'
            ? `A severe violation (${trigger.kind}) shuts the channel off (credit rules v${rules.version}).`
            : `The score ${decision.score} fell below ${probationUntil && now < new Date(probationUntil) ? rules.thresholds.probationShutOffBelow : rules.thresholds.shutOffBelow} (credit rules v${rules.version}).`,
        evidence: trigger.evidence,
        triggerEventId: trigger.eventId,
        openedAt: at,
        openedBy: CREDIT_ACTOR,
        rectifications: [],
        version: 1,
      });
      state = { ...state, shutoffs };
      openCaseNo = caseNo;
      audits.push(auditOf(channel, `credit:${caseNo}:opened:${channelId}`, at, CREDIT_ACTOR, 'CHANNEL_SHUT_OFF', caseNo, { scope: 'CHANNEL', reason: decision.open.reason, triggerEventId: trigger.eventId, score: decision.score }, 'DENIED'));
      notices.push(noticeOf(channel, 'CASE_OPENED', `credit:${caseNo}:opened:${channelId}`, at, standingOf, { caseNo }));
    }
    for (const event of events) {
      audits.push(
        auditOf(channel, `credit:${event.eventId}`, event.at, event.source.type === 'OFFICER' ? `staff:${event.source.staffId}` : CREDIT_ACTOR, 'CREDIT_EVENT_RECORDED', event.eventId, {
          kind: event.kind,
          points: event.points,
          source: event.source.type,
          ...(event.reasonCode ? { reasonCode: event.reasonCode } : {}),
          ...(event.cancels ? { cancels: event.cancels } : {}),
          ...(event.resetTo !== undefined ? { resetTo: event.resetTo } : {}),
          ...(event.evidence.filingIds?.length ? { filingIds: event.evidence.filingIds.slice(0, 10).join(',') } : {}),
        }),
      );
      notices.push(noticeOf(channel, 'LEDGER_EVENT', `credit:${event.eventId}`, event.at, standingOf, { ledgerEventId: event.eventId, kind: event.kind, points: event.points }));
    }
    const version = prior.version + 1;
    if (decision.grade !== prior.grade) {
      audits.push(auditOf(channel, `credit:${channelId}:grade:${version}`, at, CREDIT_ACTOR, 'CREDIT_GRADE_CHANGED', channelId, { from: prior.grade, to: decision.grade, score: decision.score }));
      notices.push(noticeOf(channel, 'GRADE_CHANGED', `credit:${channelId}:grade:${version}`, at, standingOf, openCaseNo ? { caseNo: openCaseNo } : {}));
    }
    const next: CreditState = {
      ...state,
      institutionId: channel.institutionId,
      institutionType: channel.institutionType,
      ...(channel.branchName !== undefined ? { branchName: channel.branchName } : {}),
      score: decision.score,
      grade: decision.grade,
      ...(openCaseNo !== undefined ? { openCaseNo } : {}),
      rulesVersion: rules.version,
      version,
      updatedAt: at,
    };
    if (openCaseNo === undefined) delete (next as { openCaseNo?: string }).openCaseNo;
    const standing = { ...effectiveStanding(next, institution, at), version };
    const outbox: CreditOutbox = {
      ...(cases.length > 0 ? { cases } : {}),
      ...(events.length > 0 ? { events } : {}),
      audits,
      notices,
      ...(sameStanding(channel.standing, standing) ? {} : { standing: { ...standing, since: channel.standing && channel.standing.grade === standing.grade ? channel.standing.since : at } }),
    };
    const hasFollowUps = outbox.audits.length > 0 || outbox.notices.length > 0 || outbox.standing !== undefined || cases.length > 0 || events.length > 0;
    // 5. One conditional write: the state and its follow-ups.
    if (!(await ports.credit.putState({ ...next, ...(hasFollowUps ? { outbox } : {}) }, prior.version))) continue;
    // 6. The follow-ups, then the outbox cleared (if another evaluation wrote meanwhile, it performed them).
    if (!hasFollowUps) return next;
    await perform(ports, channelId, outbox);
    const cleared = await ports.credit.putState({ ...next, version: version + 1 }, version);
    return cleared ? { ...next, version: version + 1 } : next;
  }
  throw new Error(`Credit state of ${channelId} kept changing`);
}

const latest = (...times: (string | undefined)[]): string | undefined => times.filter((t): t is string => t !== undefined).sort().at(-1);

function automaticEvent(channel: Channel, rules: CreditRules, kind: LedgerEvent['kind'], cause: string, points: number, at: string, evidence: CreditEvidence, reasonCode?: string): LedgerEvent {
  return {
    eventId: ledgerEventIdOf(channel.channelId, cause),
    channelId: channel.channelId,
    institutionId: channel.institutionId,
    kind,
    points,
    at,
    source: { type: 'AUTOMATIC', rule: kind, rulesVersion: rules.version },
    evidence,
    ...(reasonCode !== undefined ? { reasonCode } : {}),
    ...(isSevere(rules, kind) ? { severe: true } : {}),
    cause,
  };
}

const remember = (recent: readonly string[], causes: readonly string[]): string[] => [...recent, ...causes].slice(-RECENT_SIGNALS_KEPT);

/** How a signal changes a day's counts and the run of clean filings (DESIGN.md §4 indicators, good standing). */
function count(days: Record<string, DayCounts>, cleanRun: number, signal: CreditSignal): number {
  const day = cstDate(new Date(signal.at));
  const counts = { ...(days[day] ?? NO_COUNTS) };
  const atSubmission = signal.evidence.batchId !== undefined && signal.evidence.filingIds === undefined;
  switch (signal.kind) {
    case 'FILING_ACCEPTED':
      counts.accepted += 1;
      break;
    case 'FILING_CORRECTED':
      counts.corrected += 1;
      counts.correctionHours += signal.hoursToCorrect ?? 0;
      break;
    case 'INTAKE_REFUSED':
    case 'CORRECTION_OVERDUE':
      counts.refused += 1;
      break;
    case 'OUT_OF_SCOPE':
      counts.outOfScope += 1;
      // Refused at intake (another bank's mortgage, another developer's project) is a decided filing too.
      if (!atSubmission) counts.refused += 1;
      break;
    case 'CORRECTION_REQUIRED':
      counts.corrections += 1;
      break;
    default:
      break;
  }
  days[day] = counts;
  if (signal.kind === 'FILING_ACCEPTED') return signal.clean === true ? cleanRun + 1 : cleanRun;
  if (signal.kind === 'FILING_CORRECTED') return cleanRun;
  // Any violation ends the run of clean filings.
  return 0;
}

/**
 * The credit worker's use case: the signals of one channel (a batch may hold several). Counts each outcome
 * once, records point-bearing signals as ledger events (ids from their causes, so a signal delivered five
 * times counts once), derives a REFUSAL_RATE event when the rate in its window passes the threshold (at most
 * one per window) and GOOD_STANDING after a run of clean filings, then re-derives score and grade.
 */
export async function applySignals(ports: CreditPorts, channelId: string, signals: readonly CreditSignal[]): Promise<CreditState> {
  return evaluate(ports, channelId, (state, { channel, rules, now, at }) => {
    const fresh = dedupe(signals).filter((s) => !state.recentSignals.includes(s.signalId));
    if (fresh.length === 0) return { state };
    const days = { ...state.days };
    let cleanRun = state.cleanRun;
    const events: LedgerEvent[] = [];
    for (const signal of fresh) {
      const points = pointsOf(rules, signal.kind, signal.reasonCode);
      // A refusal the rules score 0 (another filing pending on the unit: nobody's irregularity) is not counted
      // as a refusal either: it neither raises the refusal rate nor ends a run of clean filings.
      if (signal.kind === 'INTAKE_REFUSED' && points === 0) continue;
      cleanRun = count(days, cleanRun, signal);
      if ((OUTCOME_KINDS as readonly string[]).includes(signal.kind)) continue;
      const kind = signal.kind as LedgerEvent['kind'];
      if (points === undefined || (points === 0 && !isSevere(rules, kind))) continue;
      events.push({ ...automaticEvent(channel, rules, kind, signal.signalId, points, signal.at, signal.evidence, signal.reasonCode), ...(isSevere(rules, kind) ? { severe: true } : {}) });
    }
    const pruned = pruneDays(days, Math.max(rules.refusalRate.windowDays, 1), now);
    let lastRefusalRateAt = state.lastRefusalRateAt;
    // DESIGN.md §4: a refusal rate over the threshold in a rolling window, at most one event per window.
    const refusals = fresh.some((s) => s.kind === 'INTAKE_REFUSED' || s.kind === 'CORRECTION_OVERDUE' || (s.kind === 'OUT_OF_SCOPE' && s.evidence.filingIds !== undefined));
    if (refusals && rules.points.REFUSAL_RATE !== 0) {
      const { rate, decided } = refusalRateOf(pruned, rules.refusalRate.windowDays, now);
      const due = lastRefusalRateAt === undefined || now.getTime() - Date.parse(lastRefusalRateAt) >= rules.refusalRate.windowDays * DAY_MS;
      if (decided >= rules.refusalRate.minFilings && rate > rules.refusalRate.threshold && due) {
        const from = new Date(now.getTime() - rules.refusalRate.windowDays * DAY_MS).toISOString();
        events.push(automaticEvent(channel, rules, 'REFUSAL_RATE', `REFUSAL_RATE:${cstDate(now)}`, rules.points.REFUSAL_RATE, at, { count: decided, rate: Math.round(rate * 10_000) / 10_000, window: `${from}/${at}` }));
        lastRefusalRateAt = at;
      }
    }
    return {
      state: { ...state, days: pruned, cleanRun, ...(lastRefusalRateAt ? { lastRefusalRateAt } : {}), recentSignals: remember(state.recentSignals, fresh.map((s) => s.signalId)) },
      events,
    };
  });
}

const dedupeEvents = (events: readonly LedgerEvent[]): LedgerEvent[] => [...new Map(events.map((e) => [e.eventId, e] as const)).values()];

/** A batch may carry the same signal more than once (SQS duplicates): the first of each id. */
const dedupe = (signals: readonly CreditSignal[]): CreditSignal[] => [...new Map(signals.map((s) => [s.signalId, s] as const)).values()];

/**
 * Officers' events (a violation recorded with evidence, the REVERSAL of an event whose appeal was upheld):
 * recorded once each (their ids derive from the officer's request) and the channel re-derived. An event
 * whose cause was already taken into account changes nothing.
 */
export async function recordOfficerEvents(ports: CreditPorts, channelId: string, events: readonly LedgerEvent[], _actor: string): Promise<CreditState> {
  return evaluate(ports, channelId, (state) => {
    const fresh = events.filter((e) => !state.recentSignals.includes(e.cause));
    if (fresh.length === 0) return { state };
    return { state: { ...state, recentSignals: remember(state.recentSignals, fresh.map((e) => e.cause)) }, events: fresh };
  });
}

/**
 * An officer shuts a channel, or a whole institution, off (DESIGN.md §4: "manually by a credit officer with
 * reason and evidence; each shutoff opens a case"). The case number derives from `requestKey` (the officer's
 * request), so a retried request opens one case. A target already under another open case is refused with
 * 409 ALREADY_SHUT_OFF naming that case — decided inside the target's own conditional write, so an automatic
 * case opened a moment before wins and no second case stays open.
 */
export async function shutOff(
  ports: CreditPorts,
  input: { scope: SanctionScope; channelId?: string; institutionId?: string; detail: string; evidence: CreditEvidence; actor: string; requestKey: string },
): Promise<CreditCase> {
  const now = ports.clock.now();
  const at = now.toISOString();
  const caseNo = caseNoOf(`OFFICER:${input.requestKey}`, now);
  const draft = (institutionId: string, channelId?: string): CreditCase => ({
    caseNo,
    scope: input.scope,
    ...(channelId !== undefined ? { channelId } : {}),
    institutionId,
    status: 'OPEN',
    reason: 'OFFICER_DECISION',
    detail: input.detail,
    evidence: input.evidence,
    openedAt: at,
    openedBy: input.actor,
    rectifications: [],
    version: 1,
  });
  const existing = await ports.credit.getCase(caseNo);
  if (existing?.status === 'CLOSED') {
    if (existing.closedHow === 'SUPERSEDED') throw alreadyShutOff(existing.detail.match(/CS\d{8}[0-9A-F]{8}/)?.[0] ?? caseNo);
    throw conflict('CASE_NOT_OPEN', 'This request opened a case that has been closed since.', { caseNo });
  }
  if (input.scope === 'CHANNEL') {
    const channel = input.channelId === undefined ? undefined : await ports.channels.get(input.channelId);
    if (!channel) throw channelNotFound();
    const creditCase = existing ?? draft(channel.institutionId, channel.channelId);
    await evaluate(ports, channel.channelId, (state, { institution, at: when }) => {
      const holding = state.openCaseNo ?? institution?.openCaseNo;
      if (holding !== undefined && holding !== caseNo) throw alreadyShutOff(holding);
      if (state.openCaseNo === caseNo) return { state };
      const opened = { score: state.score, grade: 'SHUT_OFF' as const };
      return {
        state: { ...state, openCaseNo: caseNo },
        cases: [creditCase],
        audits: [auditOf(channel, `credit:${caseNo}:opened:${channel.channelId}`, when, input.actor, 'CHANNEL_SHUT_OFF', caseNo, { scope: 'CHANNEL', reason: 'OFFICER_DECISION' }, 'DENIED')],
        notices: [(standing) => noticeOf(channel, 'CASE_OPENED', `credit:${caseNo}:opened:${channel.channelId}`, when, { ...opened, ...standing }, { caseNo })],
      };
    });
    return (await ports.credit.getCase(caseNo)) ?? creditCase;
  }
  if (input.institutionId === undefined) throw notFound('INSTITUTION_NOT_FOUND', 'No such institution.');
  const institutionId = input.institutionId;
  const channelIds = await ports.channels.channelIdsOf(institutionId);
  if (channelIds.length === 0) throw notFound('INSTITUTION_NOT_FOUND', 'No such institution (it has no channel).');
  // The case first (so that the institution never names a case that does not exist), then the institution's
  // conditional write decides; a case that lost to another is closed as superseded at once.
  const { creditCase } = await ports.credit.createCase(existing ?? draft(institutionId));
  try {
    await setInstitution(ports, institutionId, (current) => {
      if (current.openCaseNo !== undefined && current.openCaseNo !== caseNo) throw alreadyShutOff(current.openCaseNo);
      return { ...current, openCaseNo: caseNo };
    });
  } catch (error) {
    if (error instanceof ZtError && error.code === 'ALREADY_SHUT_OFF') {
      const holding = String((error.extras as { caseNo?: string }).caseNo);
      await ports.credit.updateCase({ ...creditCase, status: 'CLOSED', closedAt: at, closedBy: input.actor, closedHow: 'SUPERSEDED', detail: `${creditCase.detail} (superseded: the institution was under ${holding})`, version: creditCase.version + 1 }, creditCase.version);
    }
    throw error;
  }
  for (const channelId of channelIds) {
    await evaluate(ports, channelId, (state, { channel, at: when }) => {
      const opened = { score: state.score, grade: 'SHUT_OFF' as const };
      return {
        state,
        audits: [auditOf(channel, `credit:${caseNo}:opened:${channelId}`, when, input.actor, 'CHANNEL_SHUT_OFF', caseNo, { scope: 'INSTITUTION', reason: 'OFFICER_DECISION' }, 'DENIED')],
        notices: [(standing) => noticeOf(channel, 'CASE_OPENED', `credit:${caseNo}:opened:${channelId}`, when, { ...opened, ...standing }, { caseNo })],
      };
    });
  }
  return creditCase;
}

const alreadyShutOff = (caseNo: string): ZtError => conflict('ALREADY_SHUT_OFF', `Already shut off under case ${caseNo}.`, { caseNo });

/** Writes the institution's sanction item with a change, conditional on its version (retried on a race). */
async function setInstitution(ports: CreditPorts, institutionId: string, change: (current: InstitutionCredit) => InstitutionCredit): Promise<void> {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const current = (await ports.credit.getInstitution(institutionId)) ?? { institutionId, version: 0, updatedAt: ports.clock.now().toISOString() };
    const next = { ...change(current), version: current.version + 1, updatedAt: ports.clock.now().toISOString() };
    if (await ports.credit.putInstitution(next, current.version)) return;
  }
  throw new Error(`Credit of institution ${institutionId} kept changing`);
}

/**
 * Ends an open case and reopens its target on PROBATION (DESIGN.md §4: "acceptance reopens the channel on
 * probation"): each channel's score is brought up to the rules' `probation.reopenScore` by a REOPENED event
 * (so a reopened channel is not shut off again at once) and it is on probation for `probation.days`. The
 * channels are reopened first and the case closed last, so a crash between leaves the case open for a
 * retry to finish; every step is idempotent.
 */
export async function reopen(ports: CreditPorts, caseNo: string, how: 'RECTIFICATION_ACCEPTED' | 'REOPENED_BY_OFFICER', actor: string): Promise<CreditCase> {
  const creditCase = await ports.credit.getCase(caseNo);
  if (!creditCase) throw notFound('CASE_NOT_FOUND', 'No such case.');
  if (creditCase.status === 'CLOSED') throw conflict('CASE_NOT_OPEN', 'This case is closed.', { caseNo });
  const rules = await ports.rules.current();
  const now = ports.clock.now();
  const at = now.toISOString();
  const probationUntil = new Date(now.getTime() + rules.probation.days * DAY_MS).toISOString();
  const channelIds = creditCase.scope === 'CHANNEL' ? [creditCase.channelId!] : await ports.channels.channelIdsOf(creditCase.institutionId);
  if (creditCase.scope === 'INSTITUTION') {
    // An institution case that no longer holds its institution (another case does) reopens nothing.
    const holder = (await ports.credit.getInstitution(creditCase.institutionId))?.openCaseNo;
    if (holder !== undefined && holder !== caseNo) channelIds.splice(0);
    await setInstitution(ports, creditCase.institutionId, (current) => {
      const { openCaseNo: _closed, ...rest } = current;
      return current.openCaseNo === caseNo ? { ...rest, probationUntil } : current;
    });
  }
  for (const channelId of channelIds) {
    await evaluate(ports, channelId, (state, context) => {
      const cause = `REOPENED:${caseNo}`;
      if (state.recentSignals.includes(cause)) return { state };
      // A channel case that no longer holds its channel (another case does, or none) is closed without reopening anything;
      // a branch under a case of its own stays as it is when its institution's case closes.
      if (creditCase.scope === 'CHANNEL' && state.openCaseNo !== caseNo) return { state };
      if (creditCase.scope === 'INSTITUTION' && state.openCaseNo !== undefined) return { state };
      const { openCaseNo, ...rest } = state;
      const reopened: CreditState = {
        ...rest,
        ...(openCaseNo !== undefined && openCaseNo !== caseNo ? { openCaseNo } : {}),
        probationUntil,
        reopenedAt: at,
        recentSignals: remember(state.recentSignals, [cause]),
      };
      // The score restarts at the reopening score (never lowered by it): what went before was this case's.
      const resetTo = Math.max(rules.probation.reopenScore, state.score);
      const event: LedgerEvent = {
        eventId: ledgerEventIdOf(channelId, cause),
        channelId,
        institutionId: context.channel.institutionId,
        kind: 'REOPENED',
        points: resetTo - state.score,
        resetTo,
        at,
        source: { type: 'OFFICER', staffId: actor.replace(/^staff:/, ''), reason: how },
        evidence: { note: `Case ${caseNo} closed (${how}); on probation until ${probationUntil}.` },
        cause,
      };
      return {
        state: reopened,
        events: [event],
        audits: [auditOf(context.channel, `credit:${caseNo}:closed:${channelId}`, at, actor, 'CHANNEL_REOPENED', caseNo, { how, probationUntil, resetTo })],
        notices: [(standing) => noticeOf(context.channel, 'CASE_CLOSED', `credit:${caseNo}:closed:${channelId}`, at, standing, { caseNo })],
      };
    });
  }
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const current = await ports.credit.getCase(caseNo);
    if (!current) throw notFound('CASE_NOT_FOUND', 'No such case.');
    if (current.status === 'CLOSED') return current;
    const closed: CreditCase = { ...current, status: 'CLOSED', closedAt: at, closedBy: actor, closedHow: how, version: current.version + 1 };
    if (await ports.credit.updateCase(closed, current.version)) return closed;
  }
  throw new Error(`Case ${caseNo} kept changing`);
}

/**
 * Tells the channel of a step that changes no score (a rectification report received or rejected, an appeal
 * received or upheld): an audit record and a webhook notice, both with ids derived from `extra.cause`, so a
 * retried step tells once.
 */
export async function tellChannel(
  ports: CreditPorts,
  channelId: string,
  change: CreditChange,
  extra: { caseNo?: string; ledgerEventId?: string; rectificationId?: string; at: string; cause: string },
  audit: { actor: string; action: string; detail?: Record<string, string | number | boolean> },
): Promise<void> {
  const channel = await ports.channels.get(channelId);
  if (!channel) throw channelNotFound();
  const state = (await stateOf(ports, channelId))!;
  const id = `credit:${createHash('sm3').update(extra.cause, 'utf8').digest('hex').slice(0, 24)}`;
  const target = extra.caseNo ?? extra.ledgerEventId ?? channelId;
  await ports.audit.record(
    auditOf(channel, id, extra.at, audit.actor, audit.action, target, {
      change,
      ...(extra.caseNo ? { caseNo: extra.caseNo } : {}),
      ...(extra.ledgerEventId ? { ledgerEventId: extra.ledgerEventId } : {}),
      ...(extra.rectificationId ? { rectificationId: extra.rectificationId } : {}),
      ...audit.detail,
    }),
  );
  await ports.notifications.publish([
    noticeOf(channel, change, id, extra.at, { score: state.score, grade: state.grade }, {
      ...(extra.caseNo ? { caseNo: extra.caseNo } : {}),
      ...(extra.ledgerEventId ? { ledgerEventId: extra.ledgerEventId } : {}),
      ...(extra.rectificationId ? { rectificationId: extra.rectificationId } : {}),
    }),
  ]);
}

/** A channel's state, or its initial state (score at the start value, NORMAL) when nothing was recorded yet; undefined for no such channel. */
export async function stateOf(ports: Pick<CreditPorts, 'credit' | 'rules' | 'channels' | 'clock'>, channelId: string): Promise<CreditState | undefined> {
  const stored = await ports.credit.getState(channelId);
  if (stored) return stored;
  const channel = await ports.channels.get(channelId);
  if (!channel) return undefined;
  return initialCreditState(channel, await ports.rules.current(), ports.clock.now().toISOString());
}

/**
 * The sweeper's part of credit (DESIGN.md §4, like the lifecycle's pending effects): channels whose state
 * still holds follow-ups written more than `olderThanSeconds` ago — a worker or an officer's request that
 * failed after its write, and no later evaluation of the channel since — are evaluated again, which performs
 * the outbox (cases, events, the standing the gate reads, audits, notices). Answers how many were healed.
 */
export async function healCreditOutboxes(ports: CreditPorts, options: { readonly olderThanSeconds: number; readonly limit: number }): Promise<number> {
  const before = new Date(ports.clock.now().getTime() - options.olderThanSeconds * 1000).toISOString();
  const channelIds = await ports.credit.listPendingOutboxes(before, options.limit);
  for (const channelId of channelIds) await evaluate(ports, channelId, (state) => ({ state }));
  return channelIds.length;
}
