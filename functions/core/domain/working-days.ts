/**
 * Correction deadlines are counted in working days in the registry's time zone (China Standard Time,
 * UTC+8, no daylight saving). Weekends are skipped; the public-holiday calendar is data that staff will
 * maintain (roadmap step 2) and is not applied yet.
 */
const CST_OFFSET_MS = 8 * 3600 * 1000;

/** The calendar date (YYYY-MM-DD) in China Standard Time of an instant. */
export function cstDate(instant: Date): string {
  return new Date(instant.getTime() + CST_OFFSET_MS).toISOString().slice(0, 10);
}

/** The date `days` working days after the CST date of `from` (Saturday and Sunday skipped). */
export function addWorkingDays(from: Date, days: number): string {
  const cursor = new Date(`${cstDate(from)}T00:00:00Z`);
  let remaining = days;
  while (remaining > 0) {
    cursor.setUTCDate(cursor.getUTCDate() + 1);
    const weekday = cursor.getUTCDay();
    if (weekday !== 0 && weekday !== 6) remaining -= 1;
  }
  return cursor.toISOString().slice(0, 10);
}
