/**
 * Limits on failures (functions/core/domain/rate-limit.ts `FailureLimit`) over the RateCounter port:
 * `check` refuses (429 RATE_LIMITED) a subject that already failed `limit` times in the window, before
 * any work is done for it; `fail` counts one failure.
 */
import { failureKey, rateLimited, type FailureLimit } from '../../core/domain/rate-limit';
import type { Clock, RateCounter, RateCounterReader } from '../../core/ports';

export interface FailureLimiterDeps {
  readonly rate: RateCounter & RateCounterReader;
  readonly clock: Clock;
}

export async function checkFailures(deps: FailureLimiterDeps, limit: FailureLimit, subject: string, detail: string): Promise<void> {
  const { key, window } = failureKey(limit, subject, deps.clock.now());
  if ((await deps.rate.current(key)) >= limit.limit) throw rateLimited(window.retryAfterSeconds, detail);
}

export async function countFailure(deps: FailureLimiterDeps, limit: FailureLimit, subject: string): Promise<void> {
  const { key, window } = failureKey(limit, subject, deps.clock.now());
  await deps.rate.increment(key, window.endsAt);
}
