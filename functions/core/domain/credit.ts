/**
 * Credit monitoring and channel shutoff (DESIGN.md §4; 002 三(一)6: 对登记不规范或存在失信行为的应关闭端口，
 * 整改合格后予以开放; 001 4.3). Pure domain: what a signal is, what the ledger holds, how score and grade are
 * derived from it, what a case, a rectification report and an appeal are, and the rules as versioned data.
 *
 * - A **signal** is something the platform noticed about a channel (an intake refusal, an out-of-scope
 *   attempt, a burst of bad signatures, a clean acceptance). Its id is derived from its cause, so a signal
 *   delivered twice is one signal.
 * - The **ledger** holds immutable point-bearing events per channel, each with the id of its cause. A
 *   reversal is a new event that cancels another; nothing is edited or deleted.
 * - The **state** of a channel (score, grade, open case, probation, counters for rates and good standing)
 *   is derived from its ledger and counters by {@link deriveStanding}; the channel's record carries a small
 *   projection of it (`Channel.standing`), which the submit path reads with the channel it authenticates.
 */
import { createHash } from 'node:crypto';
import type { InstitutionType } from './business-types';
import type { AuditDraft } from './lifecycle';
import { cstDate } from './working-days';

// ---------------------------------------------------------------------------------------------------------
// Grades, kinds, signals
// ---------------------------------------------------------------------------------------------------------

/** NORMAL → WATCH (quota, small batches, manual intake) → SHUT_OFF; PROBATION after reopening (DESIGN.md §4). */
export const CREDIT_GRADES = ['NORMAL', 'WATCH', 'SHUT_OFF', 'PROBATION'] as const;
export type CreditGrade = (typeof CREDIT_GRADES)[number];

/** Grades under which submissions are throttled (daily quota, maximum batch size) and intake is manual. */
export const RESTRICTED_GRADES: readonly CreditGrade[] = ['WATCH', 'PROBATION'];

/** Outcome-only kinds: counted (the refusal rate, the indicators, good standing), never a ledger event. */
const OUTCOMES = ['FILING_ACCEPTED', 'FILING_CORRECTED'] as const;
/** Detected kinds that carry points: each one the rules score. */
const VIOLATIONS = ['INTAKE_REFUSED', 'OUT_OF_SCOPE', 'CORRECTION_REQUIRED', 'CORRECTION_OVERDUE', 'FALSE_MATERIALS', 'SIGNATURE_FAILURES', 'RATE_LIMIT_ABUSE'] as const;

/** What the platform detects by itself (DESIGN.md §4 "Signals, detected automatically"): outcomes and violations. */
export const SIGNAL_KINDS = [...OUTCOMES, ...VIOLATIONS] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

export const OUTCOME_KINDS: readonly SignalKind[] = OUTCOMES;

/** Kinds whose points the rules set: the detected violations plus the worker's own derived kinds. */
export const RULE_KINDS = [...VIOLATIONS, 'REFUSAL_RATE', 'GOOD_STANDING'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

/**
 * Every kind of ledger event: the rule kinds, a violation an officer records (`OFFICER_VIOLATION`), a
 * reversal of an event after an upheld appeal (`REVERSAL`), and the points a reopening on probation restores
 * (`REOPENED`, bringing the score up to the rules' `probation.reopenScore`).
 */
export const LEDGER_KINDS = [...RULE_KINDS, 'OFFICER_VIOLATION', 'REVERSAL', 'REOPENED'] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

/** Ids, codes and counts that show why an event exists (never personal data). */
export interface CreditEvidence {
  readonly filingIds?: readonly string[];
  /** Ids of the audit records of the cause (`<filingId>:<effect id>` for lifecycle records). */
  readonly auditIds?: readonly string[];
  readonly batchId?: string;
  /** Items of a batch concerned (submit-time out-of-scope items). */
  readonly indexes?: readonly number[];
  /** How many failures a burst counted, how many filings a rate was computed over. */
  readonly count?: number;
  /** The counting window of a burst or a rate (`<start ISO>/<end ISO>`). */
  readonly window?: string;
  /** A rate, 0..1, for REFUSAL_RATE. */
  readonly rate?: number;
  /** Free text of an officer (no personal data: the edge refuses ID and phone numbers). */
  readonly note?: string;
}

/**
 * A signal on the credit queue (schemas/messages/credit.v1.ts): ids and codes only. `signalId` is derived
 * from the cause — a lifecycle transition's is `<filingId>:<n>` (its history entry, the same as its progress
 * event), a submit-time attempt's `<batchId>:<index>`, a burst's `<kind>:<channelId>:<window start>` — so
 * the same cause signalled twice is counted once.
 */
export interface CreditSignal {
  readonly v: 1;
  readonly signalId: string;
  readonly channelId: string;
  readonly kind: SignalKind;
  readonly at: string;
  readonly reasonCode?: string;
  readonly evidence: CreditEvidence;
  /** FILING_ACCEPTED: accepted at its first intake, without a correction (counts towards good standing). */
  readonly clean?: boolean;
  /** FILING_CORRECTED: hours between the correction request and the correction. */
  readonly hoursToCorrect?: number;
}

/** Who or what created a ledger event. */
export type CreditSource =
  | { readonly type: 'AUTOMATIC'; readonly rule: LedgerKind; readonly rulesVersion: number }
  | { readonly type: 'OFFICER'; readonly staffId: string; readonly reason: string };

/** An immutable ledger event of one channel (DESIGN.md §4 "Ledger"). */
export interface LedgerEvent {
  /** `CE` + 24 hex of SM3 of the cause ({@link ledgerEventIdOf}): the same cause makes the same id. */
  readonly eventId: string;
  readonly channelId: string;
  readonly institutionId: string;
  readonly kind: LedgerKind;
  /** Negative for violations, positive for good standing, reversals and reopenings. */
  readonly points: number;
  readonly at: string;
  readonly source: CreditSource;
  readonly evidence: CreditEvidence;
  readonly reasonCode?: string;
  /** A severe violation shuts the channel off whatever the score (the rules' `severeKinds`). */
  readonly severe?: boolean;
  /** REVERSAL: the event it cancels. */
  readonly cancels?: string;
  /**
   * REOPENED: the score the reopening resets the channel to; only events after it count on top (`points` is
   * the difference it made, for display).
   */
  readonly resetTo?: number;
  /** When the platform recorded it (a signal may arrive late): a severe event recorded after a reopening acts. */
  readonly recordedAt?: string;
  /** The signal or officer request it came from (for tracing; the id is derived from it). */
  readonly cause: string;
}

/** The id of the ledger event of a cause: stable, URL-safe, revealing nothing of the cause. */
export const ledgerEventIdOf = (channelId: string, cause: string): string =>
  `CE${createHash('sm3').update(`zhitong/credit-event/v1\n${channelId}\n${cause}`, 'utf8').digest('hex').slice(0, 24).toUpperCase()}`;

/** A case number: `CS` + CST date + 8 hex of SM3 of its cause (a triggering event id, or an officer's request). */
export const caseNoOf = (cause: string, at: Date): string =>
  `CS${cstDate(at).replaceAll('-', '')}${createHash('sm3').update(`zhitong/credit-case/v1\n${cause}`, 'utf8').digest('hex').slice(0, 8).toUpperCase()}`;

// ---------------------------------------------------------------------------------------------------------
// Rules: versioned configuration data (like the checklists), edited by credit officers
// ---------------------------------------------------------------------------------------------------------

export interface CreditRulesBody {
  /** The score a channel starts at and never exceeds (100). */
  readonly startScore: number;
  /** Events count towards the score for this many days (365). */
  readonly windowDays: number;
  /** Points of each automatic kind (negative for violations; GOOD_STANDING positive). */
  readonly points: Readonly<Record<RuleKind, number>>;
  /** Points of an intake refusal by reason code, overriding `points.INTAKE_REFUSED` (e.g. 0 for a code that is nobody's fault). */
  readonly refusalPointsByReason: Readonly<Record<string, number>>;
  /** Kinds that shut the channel off at once, whatever the score (FALSE_MATERIALS). */
  readonly severeKinds: readonly LedgerKind[];
  readonly thresholds: {
    /** Below this score: WATCH. */
    readonly watchBelow: number;
    /** Below this score: SHUT_OFF (a case opens). */
    readonly shutOffBelow: number;
    /** On probation the channel is shut off again below this (stricter) score. */
    readonly probationShutOffBelow: number;
  };
  /** WATCH and PROBATION restrictions (`429 QUOTA_EXCEEDED`). */
  readonly restricted: {
    /** Filings a restricted channel may submit per CST day (every item of a batch counts). */
    readonly dailyQuota: number;
    /** Largest batch a restricted channel may submit. */
    readonly maxBatchSize: number;
  };
  readonly probation: {
    readonly days: number;
    /** Reopening restores the score up to this (a REOPENED event with the difference). */
    readonly reopenScore: number;
  };
  /** A run of this many clean filings (accepted at first intake) earns `points.GOOD_STANDING`, up to the start score. */
  readonly goodStanding: { readonly cleanFilings: number };
  /** Over `windowDays`, with at least `minFilings` decided: a refusal rate above `threshold` is one REFUSAL_RATE event per window. */
  readonly refusalRate: { readonly windowDays: number; readonly threshold: number; readonly minFilings: number };
  /** More than `burst` replayed nonces (signature), or quota refusals (rate limit), in `windowMinutes`: one event per window. */
  readonly signatureFailures: { readonly burst: number; readonly windowMinutes: number };
  readonly rateLimitAbuse: { readonly burst: number; readonly windowMinutes: number };
  /** The most an officer's violation may take (points between -max and -1). */
  readonly officerMaxPoints: number;
}

export interface CreditRules extends CreditRulesBody {
  readonly version: number;
  readonly publishedAt: string;
  /** `builtin` for version 1, `staff:<id>` after. */
  readonly publishedBy: string;
  readonly note?: string;
}

/** What a credit officer publishes: the whole body, on top of the version they last saw. */
export interface CreditRulesDraft extends CreditRulesBody {
  readonly baseVersion: number;
  readonly note?: string;
}

/** Version 1: the rules in force until an officer publishes another. */
export const BUILT_IN_CREDIT_RULES: CreditRules = {
  version: 1,
  publishedAt: '1970-01-01T00:00:00.000Z',
  publishedBy: 'builtin',
  startScore: 100,
  windowDays: 365,
  points: {
    // One refused filing is ordinary; a run of them is what the thresholds are for.
    INTAKE_REFUSED: -1,
    OUT_OF_SCOPE: -5,
    CORRECTION_REQUIRED: -1,
    CORRECTION_OVERDUE: -3,
    FALSE_MATERIALS: -40,
    SIGNATURE_FAILURES: -2,
    RATE_LIMIT_ABUSE: -3,
    REFUSAL_RATE: -5,
    GOOD_STANDING: 2,
  },
  // Another filing pending on the unit is nobody's irregularity: the filer could not know.
  refusalPointsByReason: { UNIT_DISPOSITION_PENDING: 0 },
  severeKinds: ['FALSE_MATERIALS'],
  thresholds: { watchBelow: 80, shutOffBelow: 60, probationShutOffBelow: 70 },
  restricted: { dailyQuota: 50, maxBatchSize: 20 },
  probation: { days: 90, reopenScore: 80 },
  goodStanding: { cleanFilings: 20 },
  refusalRate: { windowDays: 30, threshold: 0.3, minFilings: 20 },
  // Replayed nonces (signed with the channel's key; bad signatures are never charged: anyone can claim an id).
  signatureFailures: { burst: 20, windowMinutes: 60 },
  rateLimitAbuse: { burst: 10, windowMinutes: 60 },
  officerMaxPoints: 50,
};

/**
 * Objections to a rules body that its schema cannot see (relations between numbers); empty when it holds.
 * The staff API refuses a draft with any (422 CREDIT_RULES_INVALID).
 */
export function rulesObjections(body: CreditRulesBody): string[] {
  const objections: string[] = [];
  const { thresholds: t, startScore } = body;
  if (!(t.shutOffBelow < t.watchBelow && t.watchBelow <= startScore)) objections.push('thresholds: shutOffBelow < watchBelow <= startScore');
  if (!(t.shutOffBelow <= t.probationShutOffBelow && t.probationShutOffBelow <= startScore)) objections.push('thresholds: shutOffBelow <= probationShutOffBelow <= startScore');
  if (!(body.probation.reopenScore >= t.probationShutOffBelow && body.probation.reopenScore <= startScore)) {
    objections.push('probation.reopenScore: between thresholds.probationShutOffBelow and startScore (a reopened channel must not be shut off again at once)');
  }
  if (body.points.GOOD_STANDING < 0) objections.push('points.GOOD_STANDING: not negative');
  for (const kind of RULE_KINDS) if (kind !== 'GOOD_STANDING' && body.points[kind] > 0) objections.push(`points.${kind}: not positive (a violation)`);
  for (const [code, points] of Object.entries(body.refusalPointsByReason)) if (points > 0) objections.push(`refusalPointsByReason.${code}: not positive`);
  if (body.restricted.maxBatchSize > body.restricted.dailyQuota) objections.push('restricted.maxBatchSize: at most restricted.dailyQuota');
  return objections;
}

/** The points a signal's ledger event carries under the rules, or undefined when it makes none. */
export function pointsOf(rules: CreditRulesBody, kind: SignalKind, reasonCode?: string): number | undefined {
  if ((OUTCOME_KINDS as readonly string[]).includes(kind)) return undefined;
  const ruleKind = kind as RuleKind;
  if (ruleKind === 'INTAKE_REFUSED' && reasonCode !== undefined && rules.refusalPointsByReason[reasonCode] !== undefined) {
    return rules.refusalPointsByReason[reasonCode];
  }
  return rules.points[ruleKind];
}

export const isSevere = (rules: CreditRulesBody, kind: LedgerKind): boolean => rules.severeKinds.includes(kind);

// ---------------------------------------------------------------------------------------------------------
// Cases, rectification, appeals
// ---------------------------------------------------------------------------------------------------------

/** A sanction targets one branch's channel or the whole institution (DESIGN.md §4 "Who is scored"). */
export type SanctionScope = 'CHANNEL' | 'INSTITUTION';

/** Why a case was opened. */
export type CaseReason = 'SCORE_BELOW_THRESHOLD' | 'SEVERE_VIOLATION' | 'OFFICER_DECISION';

export type CaseStatus = 'OPEN' | 'RECTIFICATION_SUBMITTED' | 'CLOSED';

/** A rectification report (整改报告): what was wrong, what changed, evidence attachments by digest. */
export interface RectificationReport {
  readonly rectificationId: string;
  readonly channelId: string;
  readonly submittedAt: string;
  readonly whatWasWrong: string;
  readonly whatChanged: string;
  readonly attachments: readonly { readonly name: string; readonly sm3: string }[];
  readonly status: 'SUBMITTED' | 'ACCEPTED' | 'REJECTED';
  readonly decidedAt?: string;
  /** `staff:<id>`. */
  readonly decidedBy?: string;
  readonly reasons?: string;
}

/** A shutoff case (DESIGN.md §4: "each shutoff opens a case with a number"). */
export interface CreditCase {
  readonly caseNo: string;
  readonly scope: SanctionScope;
  /** The channel shut off (scope CHANNEL), or the channel whose event triggered an institution's case. */
  readonly channelId?: string;
  readonly institutionId: string;
  readonly status: CaseStatus;
  readonly reason: CaseReason;
  /** Officer's reason (OFFICER_DECISION) or the rule that fired. */
  readonly detail: string;
  readonly evidence: CreditEvidence;
  /** The ledger event that triggered an automatic case. */
  readonly triggerEventId?: string;
  readonly openedAt: string;
  /** `registry:credit` for automatic cases, `staff:<id>` for an officer's. */
  readonly openedBy: string;
  /** Reports, oldest first (bounded: at most MAX_RECTIFICATIONS). */
  readonly rectifications: readonly RectificationReport[];
  readonly closedAt?: string;
  readonly closedBy?: string;
  /** How it ended: an accepted rectification, or an officer's reopening. */
  /** How it ended: an accepted rectification, an officer's reopening, or another case held the target first (never in force). */
  readonly closedHow?: 'RECTIFICATION_ACCEPTED' | 'REOPENED_BY_OFFICER' | 'SUPERSEDED';
  /** Optimistic concurrency of case updates. */
  readonly version: number;
}

export const MAX_RECTIFICATIONS = 20;

/** An appeal of one ledger event (DESIGN.md §4 "Rectification and appeal"); one per event. */
export interface CreditAppeal {
  readonly eventId: string;
  readonly channelId: string;
  readonly submittedAt: string;
  readonly grounds: string;
  readonly status: 'PENDING' | 'UPHELD' | 'REVERSED';
  readonly decidedAt?: string;
  readonly decidedBy?: string;
  readonly reason?: string;
  /** REVERSED: the REVERSAL event that cancels the appealed one. */
  readonly reversalEventId?: string;
}

/** Kinds an institution may appeal: what the platform or an officer charged it with. */
export const APPEALABLE_KINDS: readonly LedgerKind[] = [
  'INTAKE_REFUSED',
  'OUT_OF_SCOPE',
  'CORRECTION_REQUIRED',
  'CORRECTION_OVERDUE',
  'FALSE_MATERIALS',
  'SIGNATURE_FAILURES',
  'RATE_LIMIT_ABUSE',
  'REFUSAL_RATE',
  'OFFICER_VIOLATION',
];

// ---------------------------------------------------------------------------------------------------------
// State, derivation
// ---------------------------------------------------------------------------------------------------------

/** One CST day's counts of a channel, for rates and indicators. */
export interface DayCounts {
  readonly accepted: number;
  readonly refused: number;
  readonly corrections: number;
  readonly corrected: number;
  /** Sum of hours to correct over `corrected`. */
  readonly correctionHours: number;
  readonly outOfScope: number;
}

export const NO_COUNTS: DayCounts = { accepted: 0, refused: 0, corrections: 0, corrected: 0, correctionHours: 0, outOfScope: 0 };

/** Signals whose counts were taken recently, newest last: a redelivered outcome is not counted twice. */
export const RECENT_SIGNALS_KEPT = 64;

/**
 * A channel's credit state (one item per channel): derived from its ledger and counters by the credit
 * worker, which alone writes it, conditional on `version`.
 */
export interface CreditState {
  readonly channelId: string;
  readonly institutionId: string;
  readonly institutionType: InstitutionType;
  /** The channel's branch, copied from its record so officers' lists need no read per channel. */
  readonly branchName?: string;
  readonly score: number;
  /** The channel's own grade (an institution-wide case shuts it off too: see {@link effectiveStanding}). */
  readonly grade: CreditGrade;
  /** The channel's open case (scope CHANNEL), if any. */
  readonly openCaseNo?: string;
  /** Until when the channel is on probation (set by a reopening). */
  readonly probationUntil?: string;
  readonly rulesVersion: number;
  /** Counts per CST day (`YYYY-MM-DD`), kept for the refusal-rate window. */
  readonly days: Readonly<Record<string, DayCounts>>;
  /** Clean filings since the last violation or the last good-standing event. */
  readonly cleanRun: number;
  /** Good-standing events earned so far (their ids derive from this sequence). */
  readonly goodStandingSeq: number;
  /** The last REFUSAL_RATE event's time: at most one per refusal-rate window. */
  readonly lastRefusalRateAt?: string;
  /** Causes (signal ids, officers' requests) taken into account recently, newest last (at most RECENT_SIGNALS_KEPT). */
  readonly recentSignals: readonly string[];
  /** When the channel was last reopened (severe events recorded before it were that case's). */
  readonly reopenedAt?: string;
  /** Cases the rules opened for this channel so far: the next one's number derives from it, so evaluations racing agree on it. */
  readonly shutoffs?: number;
  /**
   * What the last write still has to perform (audit records, webhook notices, the standing projection):
   * recorded with the state in one write and performed after it, again by the next evaluation if a crash
   * came between — the outbox pattern of the filing lifecycle.
   */
  readonly outbox?: CreditOutbox;
  readonly version: number;
  readonly updatedAt: string;
}

/** The follow-ups of a credit state write (all idempotent: audit ids and notice ids are derived from their cause). */
export interface CreditOutbox {
  /** Cases the write opened (created only once the write that decided them succeeded). */
  readonly cases?: readonly CreditCase[];
  /** Ledger events the write took into account (recorded once each, by id). */
  readonly events?: readonly LedgerEvent[];
  readonly audits: readonly (AuditDraft & { readonly id: string; readonly at: string })[];
  readonly notices: readonly CreditNotice[];
  readonly standing?: ChannelStanding;
}

export const initialCreditState = (channel: { channelId: string; institutionId: string; institutionType: InstitutionType }, rules: CreditRulesBody & { version: number }, at: string): CreditState => ({
  channelId: channel.channelId,
  institutionId: channel.institutionId,
  institutionType: channel.institutionType,
  score: rules.startScore,
  grade: 'NORMAL',
  rulesVersion: rules.version,
  days: {},
  cleanRun: 0,
  goodStandingSeq: 0,
  recentSignals: [],
  version: 0,
  updatedAt: at,
});

/** An institution-wide sanction (officer's), kept on the institution's own item. */
export interface InstitutionCredit {
  readonly institutionId: string;
  readonly openCaseNo?: string;
  readonly probationUntil?: string;
  readonly version: number;
  readonly updatedAt: string;
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * The score from a channel's ledger: the start score plus the points of every event within the window,
 * leaving out each cancelled event together with its REVERSAL (so a reversal restores exactly what the
 * event took). A reopening (REOPENED) resets the score to its `resetTo`: only the events recorded after the
 * latest one count on top of it; a reversal recorded after it of an event from before it gives that event's
 * points back. Never above the start score, never below 0.
 */
export function scoreOf(events: readonly LedgerEvent[], rules: Pick<CreditRulesBody, 'startScore' | 'windowDays'>, now: Date): number {
  const since = now.getTime() - rules.windowDays * DAY_MS;
  const cancelled = new Set(events.filter((e) => e.kind === 'REVERSAL' && e.cancels).map((e) => e.cancels!));
  const live = events.filter((e) => e.kind !== 'REVERSAL' && !cancelled.has(e.eventId) && Date.parse(e.at) >= since);
  const reset = live.filter((e) => e.kind === 'REOPENED' && e.resetTo !== undefined).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)).at(-1);
  let score = reset ? reset.resetTo! : rules.startScore;
  // After the reset by when it was recorded: a violation signalled late still counts against the reopened channel.
  const recorded = (e: LedgerEvent): string => e.recordedAt ?? e.at;
  for (const event of live) {
    if (event.kind === 'REOPENED') continue;
    if (reset && recorded(event) <= recorded(reset)) continue;
    score += event.points;
  }
  // An event from before the reset, reversed after it (an appeal upheld later): its points are given back on
  // top of the reset (before and after a reset alike, a reversal restores what the event took).
  if (reset) {
    for (const reversal of events.filter((e) => e.kind === 'REVERSAL' && e.cancels && recorded(e) > recorded(reset) && Date.parse(e.at) >= since)) {
      const reversed = events.find((e) => e.eventId === reversal.cancels);
      if (reversed && Date.parse(reversed.at) >= since && recorded(reversed) <= recorded(reset)) score -= reversed.points;
    }
  }
  return Math.max(0, Math.min(rules.startScore, score));
}

/** What {@link deriveStanding} decides. */
export interface StandingDecision {
  readonly score: number;
  readonly grade: CreditGrade;
  /** Set when a case must be opened now: why, and the event that triggered it. */
  readonly open?: { readonly reason: Exclude<CaseReason, 'OFFICER_DECISION'>; readonly triggerEventId: string };
}

/**
 * The channel's score and grade (DESIGN.md §4 "Score and grade"):
 * 1. an open case (the channel's, or its institution's) keeps it SHUT_OFF until an officer reopens it;
 * 2. a severe event (not cancelled) since the channel was last reopened opens a case;
 * 3. a score below the shutoff threshold — the stricter one while on probation — opens a case, triggered by
 *    the newest negative event;
 * 4. on probation: PROBATION; below the watch threshold: WATCH; otherwise NORMAL.
 * Derived from the ledger alone (not from "what is new"), so evaluating again after a crash decides the same.
 */
export function deriveStanding(input: {
  readonly events: readonly LedgerEvent[];
  readonly rules: CreditRulesBody;
  readonly openCaseNo?: string;
  readonly institutionOpenCaseNo?: string;
  readonly probationUntil?: string;
  /** When the channel was last reopened: severe events before it were dealt with by that case. */
  readonly reopenedAt?: string;
  readonly now: Date;
}): StandingDecision {
  const { events, rules, now } = input;
  const score = scoreOf(events, rules, now);
  if (input.openCaseNo !== undefined || input.institutionOpenCaseNo !== undefined) return { score, grade: 'SHUT_OFF' };
  const cancelled = new Set(events.filter((e) => e.kind === 'REVERSAL' && e.cancels).map((e) => e.cancels!));
  const since = input.reopenedAt === undefined ? -Infinity : Date.parse(input.reopenedAt);
  const windowStart = now.getTime() - rules.windowDays * DAY_MS;
  const live = events.filter((e) => !cancelled.has(e.eventId) && e.kind !== 'REVERSAL' && Date.parse(e.at) >= windowStart);
  // By when it was recorded: a severe violation signalled late, after a reopening, still acts.
  const severe = live.find((e) => (e.severe === true || isSevere(rules, e.kind)) && Date.parse(e.recordedAt ?? e.at) > since);
  if (severe) return { score, grade: 'SHUT_OFF', open: { reason: 'SEVERE_VIOLATION', triggerEventId: severe.eventId } };
  const onProbation = input.probationUntil !== undefined && now.getTime() < Date.parse(input.probationUntil);
  const shutOffBelow = onProbation ? rules.thresholds.probationShutOffBelow : rules.thresholds.shutOffBelow;
  if (score < shutOffBelow) {
    const newest = live.filter((e) => e.points < 0).sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0))[0];
    if (newest) return { score, grade: 'SHUT_OFF', open: { reason: 'SCORE_BELOW_THRESHOLD', triggerEventId: newest.eventId } };
  }
  if (onProbation) return { score, grade: 'PROBATION' };
  return { score, grade: score < rules.thresholds.watchBelow ? 'WATCH' : 'NORMAL' };
}

/**
 * What the channel record carries of its credit (`Channel.standing`): read with the channel on every signed
 * request, so the submit gate costs no read of its own and a shutoff acts on the very next request.
 */
export interface ChannelStanding {
  readonly grade: CreditGrade;
  readonly score: number;
  /** The open case shutting the channel off (its own, or its institution's). */
  readonly caseNo?: string;
  readonly scope?: SanctionScope;
  readonly probationUntil?: string;
  readonly since: string;
  /** The state version it was derived at: an older projection never overwrites a newer one. */
  readonly version?: number;
}

/** The standing the gate applies: an institution's open case shuts every one of its channels off. */
export function effectiveStanding(state: Pick<CreditState, 'grade' | 'score' | 'openCaseNo' | 'probationUntil'>, institution: Pick<InstitutionCredit, 'openCaseNo' | 'probationUntil'> | undefined, since: string): ChannelStanding {
  if (state.openCaseNo !== undefined) return { grade: 'SHUT_OFF', score: state.score, caseNo: state.openCaseNo, scope: 'CHANNEL', since };
  if (institution?.openCaseNo !== undefined) return { grade: 'SHUT_OFF', score: state.score, caseNo: institution.openCaseNo, scope: 'INSTITUTION', since };
  const probationUntil = [state.probationUntil, institution?.probationUntil].filter((p): p is string => p !== undefined && Date.parse(since) < Date.parse(p)).sort().at(-1);
  if (probationUntil !== undefined && (state.grade === 'NORMAL' || state.grade === 'WATCH' || state.grade === 'PROBATION')) {
    return { grade: 'PROBATION', score: state.score, probationUntil, since };
  }
  return { grade: state.grade, score: state.score, ...(state.probationUntil ? { probationUntil: state.probationUntil } : {}), since };
}

/** The refusal rate over the last `windowDays` CST days (today included), and how many filings it counts. */
export function refusalRateOf(days: Readonly<Record<string, DayCounts>>, windowDays: number, now: Date): { rate: number; decided: number } {
  const from = cstDate(new Date(now.getTime() - (windowDays - 1) * DAY_MS));
  let accepted = 0;
  let refused = 0;
  for (const [day, counts] of Object.entries(days)) {
    if (day < from) continue;
    accepted += counts.accepted;
    refused += counts.refused;
  }
  const decided = accepted + refused;
  return { rate: decided === 0 ? 0 : refused / decided, decided };
}

/** Days older than the window are dropped from the counts. */
export function pruneDays(days: Readonly<Record<string, DayCounts>>, windowDays: number, now: Date): Record<string, DayCounts> {
  const from = cstDate(new Date(now.getTime() - (windowDays - 1) * DAY_MS));
  return Object.fromEntries(Object.entries(days).filter(([day]) => day >= from));
}

/** A channel's indicators (DESIGN.md §4 "Peer comparison") over the counts kept. */
export interface CreditIndicators {
  /** Refused / (accepted + refused). */
  readonly refusalRate: number;
  /** Correction requests / (accepted + refused + correction requests). */
  readonly correctionRate: number;
  /** Mean hours from a correction request to the correction (absent when none was corrected). */
  readonly hoursToCorrect?: number;
  readonly outOfScopeAttempts: number;
  /** Filings decided at intake in the window. */
  readonly decided: number;
}

export function indicatorsOf(daysList: readonly Readonly<Record<string, DayCounts>>[], windowDays: number, now: Date): CreditIndicators {
  const from = cstDate(new Date(now.getTime() - (windowDays - 1) * DAY_MS));
  const sum = { ...NO_COUNTS } as { -readonly [K in keyof DayCounts]: number };
  for (const days of daysList) {
    for (const [day, counts] of Object.entries(days)) {
      if (day < from) continue;
      for (const key of Object.keys(sum) as (keyof DayCounts)[]) sum[key] += counts[key];
    }
  }
  const decided = sum.accepted + sum.refused;
  const withCorrections = decided + sum.corrections;
  return {
    refusalRate: decided === 0 ? 0 : round4(sum.refused / decided),
    correctionRate: withCorrections === 0 ? 0 : round4(sum.corrections / withCorrections),
    ...(sum.corrected > 0 ? { hoursToCorrect: Math.round((sum.correctionHours / sum.corrected) * 10) / 10 } : {}),
    outOfScopeAttempts: sum.outOfScope,
    decided,
  };
}

const round4 = (n: number): number => Math.round(n * 10_000) / 10_000;

/** Fewer institutions of a type than this and no distribution is shown: with a handful, quartiles would be a peer's own figures. */
export const MIN_PEER_GROUP = 5;

/** An anonymised distribution of one indicator over peers (no institution named). */
export interface Distribution {
  readonly min: number;
  readonly p25: number;
  readonly median: number;
  readonly p75: number;
  readonly max: number;
}

export function distributionOf(values: readonly number[]): Distribution | undefined {
  if (values.length < MIN_PEER_GROUP) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => {
    const position = (sorted.length - 1) * q;
    const low = Math.floor(position);
    const high = Math.ceil(position);
    return round4(sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low));
  };
  return { min: sorted[0]!, p25: at(0.25), median: at(0.5), p75: at(0.75), max: sorted[sorted.length - 1]! };
}

// ---------------------------------------------------------------------------------------------------------
// Webhook notices of credit changes
// ---------------------------------------------------------------------------------------------------------

/** What changed, as told to the institution's webhook. */
export const CREDIT_CHANGES = [
  'LEDGER_EVENT',
  'GRADE_CHANGED',
  'CASE_OPENED',
  'RECTIFICATION_RECEIVED',
  'RECTIFICATION_REJECTED',
  'CASE_CLOSED',
  'APPEAL_RECEIVED',
  'APPEAL_UPHELD',
  'APPEAL_REVERSED',
] as const;
export type CreditChange = (typeof CREDIT_CHANGES)[number];

/**
 * A credit notice pushed to the channel's webhook (DESIGN.md §4: "every step ... pushed to the institution's
 * webhook"), through the same notifications queue and signature as progress events. Ids, codes and numbers
 * only. `eventId` is derived from the change's cause, so a redelivered notice carries the same id.
 */
export interface CreditNotice {
  readonly v: 1;
  readonly type: 'CREDIT';
  readonly eventId: string;
  readonly channelId: string;
  readonly institutionId: string;
  readonly change: CreditChange;
  readonly at: string;
  readonly score: number;
  readonly grade: CreditGrade;
  readonly caseNo?: string;
  readonly ledgerEventId?: string;
  readonly kind?: LedgerKind;
  readonly points?: number;
  readonly rectificationId?: string;
}
