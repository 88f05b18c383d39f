/**
 * Insider-misuse rules (DESIGN.md §5; 000 二(三); 004 第二十五条): thresholds over one staff member's
 * activity, kept as versioned data like the credit rules (never code), and what each authenticated staff
 * call tells the detector. A rule fires on every call that finds its count in its window ABOVE its threshold
 * while the account is still open: the account is locked at once, the call is refused, and a data-leak
 * incident opened (functions/core/use-cases/misuse-detector.ts). Counting restarts after an unlock.
 *
 * Windows are China Standard Time (UTC+8, no daylight saving): hours and days as the registry works them.
 */
import { createHash } from 'node:crypto';

export const MISUSE_RULE_NAMES = ['UNMASKING_RATE', 'LOOKUP_RATE', 'OUT_OF_HOURS', 'CROSS_DISTRICT', 'PERSON_CENTRED'] as const;
export type MisuseRuleName = (typeof MISUSE_RULE_NAMES)[number];

export interface MisuseThresholds {
  /** Unmaskings of personal data per staff member per hour. */
  readonly unmaskingsPerHour: number;
  /** Lookups (staff filing reads, worklist queries, unmaskings) per staff member per hour. */
  readonly lookupsPerHour: number;
  /** Working hours, CST: [startHour, endHour) on the listed ISO weekdays (1 = Monday … 7 = Sunday). */
  readonly workingHours: { readonly startHour: number; readonly endHour: number; readonly weekdays: readonly number[] };
  /** Requests outside working hours per staff member per CST day. */
  readonly outOfHoursPerDay: number;
  /** Attempts on another district (DISTRICT_FORBIDDEN refusals, another district's filing answered 404) per day. */
  readonly crossDistrictPerDay: number;
  /** Distinct filings one person's blind index was seen on, by one staff member, per day. */
  readonly personFilingsPerDay: number;
}

export interface MisuseRulesDraft extends MisuseThresholds {
  /** The version this draft is published on top of (optimistic concurrency). */
  readonly baseVersion: number;
}

export interface MisuseRules extends MisuseThresholds {
  readonly version: number;
  readonly publishedAt: string;
  /** `staff:<id>` or `built-in`. */
  readonly publishedBy: string;
}

/** Version 1: the defaults of DESIGN.md §5, answered from code while nobody has published another. */
export const BUILT_IN_MISUSE_RULES: MisuseRules = {
  version: 1,
  publishedAt: '2026-01-01T00:00:00.000Z',
  publishedBy: 'built-in',
  unmaskingsPerHour: 10,
  lookupsPerHour: 200,
  workingHours: { startHour: 8, endHour: 20, weekdays: [1, 2, 3, 4, 5] },
  outOfHoursPerDay: 20,
  crossDistrictPerDay: 3,
  personFilingsPerDay: 5,
};

/** What does not hold together in a draft (`path: why`); empty when it can be published. */
export function misuseRulesObjections(draft: MisuseThresholds): string[] {
  const objections: string[] = [];
  const { startHour, endHour, weekdays } = draft.workingHours;
  if (startHour >= endHour) objections.push('workingHours.endHour: must be after startHour');
  if (new Set(weekdays).size !== weekdays.length) objections.push('workingHours.weekdays: each weekday at most once');
  if (draft.unmaskingsPerHour > draft.lookupsPerHour) objections.push('unmaskingsPerHour: unmaskings are lookups too, so it cannot exceed lookupsPerHour');
  return objections;
}

/** Staff endpoints whose calls are lookups of filings (the LOOKUP_RATE rule). */
export const LOOKUP_ENDPOINTS: ReadonlySet<string> = new Set(['getStaffFiling', 'listStaffFilings', 'unmaskFiling']);

/** What one authenticated staff call tells the detector. Ids and blind indexes only: never personal data. */
export interface StaffActivity {
  readonly staffId: string;
  readonly district: string;
  readonly endpoint: string;
  readonly at: Date;
  readonly statusCode: number;
  readonly code?: string;
  /** The filing the use case read, and the blind indexes of the people on it. */
  readonly filingId?: string;
  readonly personIndexes?: readonly string[];
  /** The use case found the filing in another district (answered 404 like a missing one). */
  readonly crossDistrict?: boolean;
  /** Personal data was unmasked (the answer carried plaintext). */
  readonly unmasked?: boolean;
  /**
   * When an administrator last unlocked the account (StaffAccount `lastUnlockedAt`): counting starts afresh
   * from then, in counters of their own, so a reviewed and unlocked account is judged again from zero — and a
   * rule fires again when it goes above its threshold after the unlock.
   */
  readonly countingSince?: string;
}

/** What a use case learnt about the filing it touched, for the detector (StaffActivity's filing fields). */
export type FilingObservation = Pick<StaffActivity, 'filingId' | 'personIndexes' | 'crossDistrict' | 'unmasked'>;

const CST_OFFSET_MS = 8 * 3600_000;

/** The CST hour (`YYYYMMDDHH`), day (`YYYYMMDD`), hour of day and ISO weekday of an instant. */
export function chinaTimeOf(at: Date): { readonly hourKey: string; readonly dayKey: string; readonly hour: number; readonly weekday: number; readonly hourEndsAt: number; readonly dayEndsAt: number } {
  const cst = new Date(at.getTime() + CST_OFFSET_MS);
  const iso = cst.toISOString();
  const dayKey = iso.slice(0, 10).replaceAll('-', '');
  const hour = cst.getUTCHours();
  const hourStart = Math.floor(at.getTime() / 3600_000) * 3600_000;
  const dayStart = Math.floor((at.getTime() + CST_OFFSET_MS) / 86_400_000) * 86_400_000 - CST_OFFSET_MS;
  return { hourKey: `${dayKey}${String(hour).padStart(2, '0')}`, dayKey, hour, weekday: cst.getUTCDay() === 0 ? 7 : cst.getUTCDay(), hourEndsAt: (hourStart + 3600_000) / 1000, dayEndsAt: (dayStart + 86_400_000) / 1000 };
}

export function isOutOfHours(rules: MisuseThresholds, at: Date): boolean {
  const { hour, weekday } = chinaTimeOf(at);
  const { startHour, endHour, weekdays } = rules.workingHours;
  return !weekdays.includes(weekday) || hour < startHour || hour >= endHour;
}

/** One counter a call adds to, and the threshold above which its rule fires. */
export interface MisuseCount {
  readonly rule: MisuseRuleName;
  /** RateCounter key: staff and window named, nothing personal (a blind index is keyed, not personal data in the clear). */
  readonly key: string;
  /** Epoch seconds: the end of the window. */
  readonly windowEndsAt: number;
  readonly threshold: number;
  /** Counted only if this marker is new (distinct counting: one person across distinct filings). */
  readonly distinctMarker?: string;
}

/** The counters one call adds to under `rules`. */
export function misuseCountsOf(rules: MisuseThresholds, activity: StaffActivity): MisuseCount[] {
  const { hourKey: hour, dayKey: day, hourEndsAt, dayEndsAt } = chinaTimeOf(activity.at);
  // After an unlock, the windows' counters (and so their alerts) are new ones: `<window>~<unlock instant>`.
  const since = activity.countingSince === undefined ? '' : `~${Date.parse(activity.countingSince).toString(36)}`;
  const hourKey = `${hour}${since}`;
  const dayKey = `${day}${since}`;
  const who = activity.staffId;
  const counts: MisuseCount[] = [];
  if (activity.unmasked) counts.push({ rule: 'UNMASKING_RATE', key: `misuse#unmask#${who}#${hourKey}`, windowEndsAt: hourEndsAt, threshold: rules.unmaskingsPerHour });
  if (LOOKUP_ENDPOINTS.has(activity.endpoint)) counts.push({ rule: 'LOOKUP_RATE', key: `misuse#lookup#${who}#${hourKey}`, windowEndsAt: hourEndsAt, threshold: rules.lookupsPerHour });
  if (isOutOfHours(rules, activity.at)) counts.push({ rule: 'OUT_OF_HOURS', key: `misuse#offhours#${who}#${dayKey}`, windowEndsAt: dayEndsAt, threshold: rules.outOfHoursPerDay });
  if (activity.code === 'DISTRICT_FORBIDDEN' || activity.crossDistrict) {
    counts.push({ rule: 'CROSS_DISTRICT', key: `misuse#district#${who}#${dayKey}`, windowEndsAt: dayEndsAt, threshold: rules.crossDistrictPerDay });
  }
  if (activity.filingId !== undefined && !activity.crossDistrict) {
    for (const index of new Set(activity.personIndexes ?? [])) {
      const person = digest(index);
      counts.push({
        rule: 'PERSON_CENTRED',
        key: `misuse#person#${who}#${dayKey}#${person}`,
        windowEndsAt: dayEndsAt,
        threshold: rules.personFilingsPerDay,
        distinctMarker: `misuse#seen#${who}#${dayKey}#${person}#${activity.filingId}`,
      });
    }
  }
  return counts;
}

/** A short digest (the counter keys need not carry the blind index itself). */
const digest = (value: string): string => createHash('sha256').update(value).digest('hex').slice(0, 24);

/** One alert per staff member, rule and window (since the last unlock): a re-run after a crash finds the same alert. */
export const alertIdOf = (staffId: string, count: Pick<MisuseCount, 'key'>): string => `AL${createHash('sha256').update(`${staffId}\n${count.key}`).digest('hex').slice(0, 22).toUpperCase()}`;

/** A misuse alert as stored in the `security` table and listed to administrators and auditors. */
export interface MisuseAlert {
  readonly alertId: string;
  readonly rule: MisuseRuleName;
  readonly staffId: string;
  readonly district: string;
  readonly at: string;
  /** The count that crossed the threshold, the threshold and the rules version. */
  readonly count: number;
  readonly threshold: number;
  readonly rulesVersion: number;
  /** The endpoint of the call that crossed it, and the filing when there was one. */
  readonly endpoint: string;
  readonly filingId?: string;
  readonly incidentId?: string;
}
