import { describe, expect, it } from 'vitest';
import { addWorkingDays, cstDate } from '../../../functions/core/domain/working-days';

describe('correction deadlines in working days (China Standard Time)', () => {
  it('counts the CST date, not the UTC date', () => {
    // 2026-11-23 17:00 UTC is already 2026-11-24 01:00 in Beijing.
    expect(cstDate(new Date('2026-11-23T17:00:00Z'))).toBe('2026-11-24');
    expect(cstDate(new Date('2026-11-23T15:59:59Z'))).toBe('2026-11-23');
  });

  it('skips weekends: 5 working days from a Monday is the next Monday', () => {
    expect(addWorkingDays(new Date('2026-11-23T02:00:00Z'), 5)).toBe('2026-11-30');
  });

  it('from a Friday, 1 working day is the Monday', () => {
    expect(addWorkingDays(new Date('2026-11-27T02:00:00Z'), 1)).toBe('2026-11-30');
  });

  it('from a Saturday, 5 working days ends on the next Friday', () => {
    expect(addWorkingDays(new Date('2026-11-28T02:00:00Z'), 5)).toBe('2026-12-04');
  });
});
