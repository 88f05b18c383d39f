/** The misuse rules' windows and working hours (functions/core/domain/misuse.ts): China Standard Time, UTC+8. */
import { describe, expect, it } from 'vitest';
import { BUILT_IN_MISUSE_RULES, chinaTimeOf, isOutOfHours, misuseCountsOf, misuseRulesObjections } from '../../../functions/core/domain/misuse';

describe('working hours (08:00–20:00 CST, Monday to Friday)', () => {
  it.each([
    ['2026-12-01T23:59:59.999Z', 'Wed 07:59:59 CST', true],
    ['2026-12-02T00:00:00.000Z', 'Wed 08:00 CST', false],
    ['2026-12-02T11:59:59.999Z', 'Wed 19:59:59 CST', false],
    ['2026-12-02T12:00:00.000Z', 'Wed 20:00 CST', true],
    ['2026-12-04T02:00:00.000Z', 'Fri 10:00 CST', false],
    ['2026-12-05T02:00:00.000Z', 'Sat 10:00 CST', true],
    ['2026-12-06T02:00:00.000Z', 'Sun 10:00 CST', true],
    ['2026-12-06T16:00:00.000Z', 'Mon 00:00 CST (Sun 16:00 UTC)', true],
    ['2026-12-07T00:30:00.000Z', 'Mon 08:30 CST', false],
  ])('%s (%s) is outside: %s', (iso, _label, outside) => {
    expect(isOutOfHours(BUILT_IN_MISUSE_RULES, new Date(iso))).toBe(outside);
  });
});

describe('windows', () => {
  it('a CST day runs from 16:00 UTC to 16:00 UTC, and its counters expire at its end', () => {
    expect(chinaTimeOf(new Date('2026-12-02T15:59:59.000Z'))).toMatchObject({ dayKey: '20261202', hour: 23, weekday: 3, dayEndsAt: Date.parse('2026-12-02T16:00:00.000Z') / 1000 });
    expect(chinaTimeOf(new Date('2026-12-02T16:00:00.000Z'))).toMatchObject({ dayKey: '20261203', hour: 0, weekday: 4, hourKey: '2026120300', hourEndsAt: Date.parse('2026-12-02T17:00:00.000Z') / 1000 });
  });

  it('counter keys name the staff member and the window, never a blind index in the clear', () => {
    const counts = misuseCountsOf(BUILT_IN_MISUSE_RULES, { staffId: 'stf-1', district: '370102', endpoint: 'getStaffFiling', at: new Date('2026-12-02T02:00:00.000Z'), statusCode: 200, filingId: 'F1', personIndexes: ['bi:secret-index'] });
    expect(counts.map((c) => c.rule)).toEqual(['LOOKUP_RATE', 'PERSON_CENTRED']);
    expect(JSON.stringify(counts)).not.toContain('bi:secret-index');
    expect(counts[0]!.key).toBe('misuse#lookup#stf-1#2026120210');
  });
});

describe('rules objections', () => {
  it('refuses working hours that end before they start, a repeated weekday, and more unmaskings than lookups', () => {
    expect(misuseRulesObjections(BUILT_IN_MISUSE_RULES)).toEqual([]);
    expect(misuseRulesObjections({ ...BUILT_IN_MISUSE_RULES, workingHours: { startHour: 20, endHour: 8, weekdays: [1, 1] }, unmaskingsPerHour: 300 })).toEqual([
      'workingHours.endHour: must be after startHour',
      'workingHours.weekdays: each weekday at most once',
      'unmaskingsPerHour: unmaskings are lookups too, so it cannot exceed lookupsPerHour',
    ]);
  });
});
