/**
 * The submit gate (DESIGN.md §4 "Shut off means", "WATCH"; 002 三(一)6: 对登记不规范或存在失信行为的应关闭端口):
 * what `POST /v1/batches` does with a channel's credit standing. Pure: it decides from the standing the
 * channel record carries (`Channel.standing`, read with the channel by authentication), the rules'
 * restrictions and the quota count; the use case does the I/O.
 *
 * - SHUT_OFF: every new submission is refused, `403 CHANNEL_SHUT_OFF` with the case number and what to do.
 *   Filings already accepted continue; reads, the credit record and rectification stay open.
 * - WATCH and PROBATION: a batch above `restricted.maxBatchSize`, or more filings than are left of
 *   `restricted.dailyQuota` today (a CST day; every item counts), is refused `429 QUOTA_EXCEEDED`; the
 *   filings let through are stored for manual intake (never auto-accepted).
 * - NORMAL (or no standing at all): open, and nothing more is read — the fast path.
 */
import type { ChannelStanding, CreditGrade, CreditRulesBody, SanctionScope } from './credit';
import { ZtError } from './errors';
import { cstDate } from './working-days';

/** What the standing alone decides. */
export type StandingGate =
  | { readonly kind: 'OPEN' }
  | { readonly kind: 'SHUT_OFF'; readonly caseNo?: string; readonly scope: SanctionScope }
  | { readonly kind: 'RESTRICTED'; readonly grade: RestrictedGrade };

export type RestrictedGrade = Extract<CreditGrade, 'WATCH' | 'PROBATION'>;

const OPEN: StandingGate = { kind: 'OPEN' };

/**
 * The gate of a channel's projected standing: absent or NORMAL is open (no rules read), SHUT_OFF refuses,
 * WATCH and PROBATION are restricted (see {@link expiredProbation} for a probation that has ended).
 */
export function standingGate(standing: ChannelStanding | undefined): StandingGate {
  if (standing === undefined) return OPEN;
  switch (standing.grade) {
    case 'NORMAL':
      return OPEN;
    case 'SHUT_OFF':
      return { kind: 'SHUT_OFF', scope: standing.scope ?? 'CHANNEL', ...(standing.caseNo !== undefined ? { caseNo: standing.caseNo } : {}) };
    case 'WATCH':
    case 'PROBATION':
      return { kind: 'RESTRICTED', grade: standing.grade };
  }
}

/**
 * A PROBATION projection whose `probationUntil` has passed (the worker re-projects on the channel's next
 * signal; until then the gate must not keep restricting a channel whose probation is over): the grade its
 * score alone gives under the rules, or undefined when it is still on probation (or not on probation).
 */
export function expiredProbation(standing: ChannelStanding, rules: Pick<CreditRulesBody, 'thresholds'>, now: Date): 'NORMAL' | 'WATCH' | undefined {
  if (standing.grade !== 'PROBATION' || standing.probationUntil === undefined) return undefined;
  if (now.getTime() < Date.parse(standing.probationUntil)) return undefined;
  return standing.score < rules.thresholds.watchBelow ? 'WATCH' : 'NORMAL';
}

/** The quota as an institution is shown it (the 429's `quota` member, and `GET /v1/channel/credit`). */
export interface QuotaView {
  readonly dailyQuota: number;
  readonly usedToday: number;
  readonly maxBatchSize: number;
}

/** The counter of a channel's filings on the CST day of `now`, and when it may expire (a day after the day ends). */
export function quotaCounterOf(channelId: string, now: Date): { readonly key: string; readonly expiresAt: number; readonly retryAfterSeconds: number } {
  const day = cstDate(now);
  // The CST day ends at 16:00 UTC of its UTC date.
  const endsAtMs = Date.parse(`${day}T16:00:00.000Z`);
  return {
    key: `credit-quota#${channelId}#${day}`,
    expiresAt: Math.floor(endsAtMs / 1000) + 24 * 3600,
    retryAfterSeconds: Math.max(1, Math.ceil((endsAtMs - now.getTime()) / 1000)),
  };
}

/** A batch larger than a restricted channel may send: refused before anything is counted. */
export function batchTooLarge(restricted: CreditRulesBody['restricted'], batchSize: number): boolean {
  return batchSize > restricted.maxBatchSize;
}

/** With the batch counted in, `total` filings today: whether that is more than the daily quota. */
export function overDailyQuota(restricted: CreditRulesBody['restricted'], total: number): boolean {
  return total > restricted.dailyQuota;
}

const WHAT_TO_DO =
  'Submit a rectification report with POST /v1/channel/rectifications; GET /v1/channel/credit shows the case and its evidence. ' +
  'Filings already accepted continue, and reads of filings, batches and certificates stay open.';

/** 403 CHANNEL_SHUT_OFF (002 三(一)6), with the case number and what to do. */
export function channelShutOff(gate: { readonly caseNo?: string; readonly scope: SanctionScope }): ZtError {
  const whose = gate.scope === 'INSTITUTION' ? "This channel's institution is shut off" : 'This channel is shut off';
  const underCase = gate.caseNo !== undefined ? ` under credit case ${gate.caseNo}` : '';
  return new ZtError(403, 'CHANNEL_SHUT_OFF', 'Channel shut off', `${whose}${underCase}: new submissions are refused. ${WHAT_TO_DO}`, {
    ...(gate.caseNo !== undefined ? { caseNo: gate.caseNo } : {}),
    scope: gate.scope,
  });
}

/**
 * 429 QUOTA_EXCEEDED. Over the daily quota: `retryAfterSeconds` (and `Retry-After`) until CST midnight. A
 * batch that is only too large can be split and sent at once, so it carries no `retryAfterSeconds`.
 */
export function quotaExceeded(reason: 'BATCH_TOO_LARGE' | 'DAILY_QUOTA', grade: RestrictedGrade, quota: QuotaView, retryAfterSeconds?: number): ZtError {
  const on = grade === 'WATCH' ? 'on watch' : 'on probation';
  const detail =
    reason === 'BATCH_TOO_LARGE'
      ? `This channel is ${on}: a batch may hold at most ${quota.maxBatchSize} filings. Split the batch and send it again.`
      : `This channel is ${on}: it may submit ${quota.dailyQuota} filings a day (CST) and has submitted ${quota.usedToday} today, too few left for this batch. Send fewer filings, or retry after CST midnight.`;
  return new ZtError(429, 'QUOTA_EXCEEDED', 'Quota exceeded', detail, { quota, ...(reason === 'DAILY_QUOTA' && retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) });
}
