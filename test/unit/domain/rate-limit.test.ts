import { describe, expect, it } from 'vitest';
import { rateWindowOf, withinLimit } from '../../../functions/core/domain/rate-limit';

describe('fixed rate-limit windows', () => {
  it('puts every instant of one minute in the same window, and the next minute in the next one', () => {
    const start = rateWindowOf(new Date('2026-11-23T09:00:00.000Z'), 60);
    const end = rateWindowOf(new Date('2026-11-23T09:00:59.999Z'), 60);
    const next = rateWindowOf(new Date('2026-11-23T09:01:00.000Z'), 60);
    expect(end.window).toBe(start.window);
    expect(next.window).toBe(start.window + 1);
    expect(start.endsAt).toBe(Date.parse('2026-11-23T09:01:00.000Z') / 1000);
  });

  it('says to retry when the window ends, rounded up, and never less than 1 s', () => {
    expect(rateWindowOf(new Date('2026-11-23T09:00:00.000Z'), 60).retryAfterSeconds).toBe(60);
    expect(rateWindowOf(new Date('2026-11-23T09:00:15.400Z'), 60).retryAfterSeconds).toBe(45);
    expect(rateWindowOf(new Date('2026-11-23T09:00:59.999Z'), 60).retryAfterSeconds).toBe(1);
  });

  it('aligns windows of other lengths on the epoch', () => {
    const w = rateWindowOf(new Date(3_600_000 + 10_000), 3600);
    expect(w).toEqual({ window: 1, endsAt: 7200, retryAfterSeconds: 3590 });
  });

  it('refuses a window that is not a positive whole number of seconds', () => {
    expect(() => rateWindowOf(new Date(), 0)).toThrow(RangeError);
    expect(() => rateWindowOf(new Date(), 1.5)).toThrow(RangeError);
  });

  it('admits exactly `limit` requests per window', () => {
    expect(withinLimit(10, 10)).toBe(true);
    expect(withinLimit(11, 10)).toBe(false);
  });
});
