/**
 * Fixed-window rate limits (public endpoints, per client address). Time is cut into windows of
 * `windowSeconds` aligned on the epoch; each window has its own counter, which expires with it. A fixed
 * window admits at most 2 × limit in any rolling span of one window (a burst across the boundary):
 * acceptable for a lookup whose real protection is that it answers nothing without name and ID number.
 */
import { ZtError } from './errors';
export interface RateWindow {
  /** Index of the window: floor(epoch seconds / windowSeconds). */
  readonly window: number;
  /** Epoch seconds at which the window ends (and its counter stops counting). */
  readonly endsAt: number;
  /** Whole seconds until the window ends, at least 1: the `Retry-After` of a refused request. */
  readonly retryAfterSeconds: number;
}

export function rateWindowOf(now: Date, windowSeconds: number): RateWindow {
  if (!Number.isInteger(windowSeconds) || windowSeconds < 1) throw new RangeError('windowSeconds must be a positive integer');
  const nowMs = now.getTime();
  const window = Math.floor(nowMs / 1000 / windowSeconds);
  const endsAt = (window + 1) * windowSeconds;
  return { window, endsAt, retryAfterSeconds: Math.max(1, Math.ceil(endsAt - nowMs / 1000)) };
}

/** Whether the `count`-th request of a window (1-based, this one included) is within the limit. */
export const withinLimit = (count: number, limit: number): boolean => count <= limit;

/** 429 RATE_LIMITED with `retryAfterSeconds` (the chains send it as `Retry-After` too). */
export const rateLimited = (retryAfterSeconds: number, detail = `Too many requests; retry after ${retryAfterSeconds} s.`): ZtError =>
  new ZtError(429, 'RATE_LIMITED', 'Too many requests', detail, { retryAfterSeconds });

/**
 * A limit on failures (wrong passwords, lookups that match nothing) per subject — a username, an
 * address, a business number — in fixed windows: checked before an attempt, counted only when it fails.
 */
export interface FailureLimit {
  /** Names the counter, e.g. `login-user`. */
  readonly scope: string;
  readonly limit: number;
  readonly windowSeconds: number;
}

/** The counter key of `subject`'s failures in the window of `now`. The subject must not be personal data in the clear. */
export const failureKey = (limit: FailureLimit, subject: string, now: Date): { key: string; window: RateWindow } => {
  const window = rateWindowOf(now, limit.windowSeconds);
  return { key: `${limit.scope}#${subject}#${window.window}`, window };
};
