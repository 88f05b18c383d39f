/**
 * Edge bursts (DESIGN.md §4 "Signals": signature and replay failures beyond a burst; rate-limit abuse),
 * counted in the channel endpoint chain: per claimed channel and fixed window of the rules
 * (`signatureFailures.windowMinutes` for replayed nonces, `AUTH_NONCE_REUSED`,
 * `rateLimitAbuse.windowMinutes` for `QUOTA_EXCEEDED` answers), one atomic counter in the guards table.
 * The (burst + 1)-th failure of a window — exactly one request, whatever the concurrency, since the
 * counter hands out each count once — sends one credit signal, `<KIND>:<channelId>:<window start ISO>`,
 * so even a redelivered or re-sent signal is one ledger event per window.
 *
 * Who can cause this: only failures that prove the caller holds the channel's key are charged. A replayed
 * nonce (`AUTH_NONCE_REUSED`) carries a signature the channel really made; a QUOTA_EXCEEDED answer, the
 * channel's own signature. A bad signature (`AUTH_BAD_SIGNATURE`) needs nothing but a channel id, which
 * anyone can put in an Authorization header: charging it would let a spoofer shut a channel off over a few
 * weeks, so it is audited (aggregated per source and minute) and counted in the metrics, never charged.
 * A failure that counts costs one counter write (and the rules, cached per process); only the signal
 * itself builds and uses the queue.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { rateWindowOf } from '../../core/domain/rate-limit';
import { auditCodeOf, ZtError } from '../../core/domain/errors';
import type { CreditSignal } from '../../core/domain/credit';
import type { Clock, CreditQueue, CreditRulesStore, RateCounter } from '../../core/ports';
import { parseAuthorization } from '../crypto/request-signature';
import { header } from './request';

export type BurstKind = Extract<CreditSignal['kind'], 'SIGNATURE_FAILURES' | 'RATE_LIMIT_ABUSE'>;

/** What counting bursts needs; the queue and the rules are built on the first failure that counts. */
export interface CreditBurstDeps {
  readonly rate: RateCounter;
  readonly clock: Clock;
  readonly creditQueue: () => Promise<CreditQueue>;
  readonly creditRules: () => Promise<CreditRulesStore>;
}

/** Refusals of a request signed with the channel's own key that replays a nonce (see the module TSDoc for why bad signatures are not). */
const SIGNATURE_CODES: ReadonlySet<string> = new Set(['AUTH_NONCE_REUSED']);

/**
 * The burst an error counts towards, and the channel it counts for: the channel of the Authorization
 * header as authentication parsed it (for a signature failure: authentication found that channel before
 * the signature failed), or the authenticated channel (a quota answer).
 */
export function burstOf(error: unknown, event: APIGatewayProxyEvent, authenticatedChannelId: string | undefined): { kind: BurstKind; channelId: string } | undefined {
  if (!(error instanceof ZtError)) return undefined;
  const code = auditCodeOf(error);
  if (code === 'QUOTA_EXCEEDED' && authenticatedChannelId !== undefined) return { kind: 'RATE_LIMIT_ABUSE', channelId: authenticatedChannelId };
  if (!SIGNATURE_CODES.has(code)) return undefined;
  const parsed = parseAuthorization(header(event, 'authorization'), 'channel');
  return parsed.ok ? { kind: 'SIGNATURE_FAILURES', channelId: parsed.value.channelId } : undefined;
}

/** Counts one failure of `kind` for the channel; the (burst + 1)-th of the window sends the signal. */
export async function countBurst(deps: CreditBurstDeps, kind: BurstKind, channelId: string): Promise<void> {
  const rules = await (await deps.creditRules()).current();
  const { burst, windowMinutes } = kind === 'SIGNATURE_FAILURES' ? rules.signatureFailures : rules.rateLimitAbuse;
  const windowSeconds = Math.max(1, Math.round(windowMinutes * 60));
  const now = deps.clock.now();
  const window = rateWindowOf(now, windowSeconds);
  const start = new Date((window.endsAt - windowSeconds) * 1000).toISOString();
  const end = new Date(window.endsAt * 1000).toISOString();
  // The window length is in the key: a change of rules mid-window starts counting afresh, never mixes windows.
  const count = await deps.rate.increment(`credit-burst#${kind}#${windowSeconds}#${channelId}#${window.window}`, window.endsAt);
  if (count !== burst + 1) return;
  const signal: CreditSignal = { v: 1, signalId: `${kind}:${channelId}:${start}`, channelId, kind, at: now.toISOString(), evidence: { count, window: `${start}/${end}` } };
  await (await deps.creditQueue()).send([signal]);
}

/** Counts the error if it is part of a burst; never throws (the request's own answer must not change). */
export async function countCreditBurst(
  deps: CreditBurstDeps,
  error: unknown,
  event: APIGatewayProxyEvent,
  authenticatedChannelId: string | undefined,
  onFailure: (failure: unknown) => void,
): Promise<void> {
  const burst = burstOf(error, event, authenticatedChannelId);
  if (!burst) return;
  await countBurst(deps, burst.kind, burst.channelId).catch(onFailure);
}
