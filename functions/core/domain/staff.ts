/**
 * Registry staff and district tenancy (DESIGN.md §1, §5). A staff account has one role and belongs to
 * one district (区县租户); staff see and act only within their district (002 五(二)1,3), and an account
 * deactivated on leaving is refused from its next request on (000 二(三); 004 第二十五条).
 *
 * The account in the staff table is the authority: a token only says who the caller is, never what
 * they may do, so role changes and deactivations need no token revocation.
 */
import { forbidden } from './errors';

export const STAFF_ROLES = ['CLERK', 'REVIEWER', 'REGISTRAR', 'CREDIT_OFFICER', 'AUDITOR', 'ADMIN'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** LOCKED: the insider-misuse detector locked the account (004 第二十五条); an administrator of the district unlocks it. */
export const STAFF_STATUSES = ['ACTIVE', 'DEACTIVATED', 'LOCKED'] as const;
export type StaffStatus = (typeof STAFF_STATUSES)[number];

/** A district (区县) code: the 6-digit administrative division code that prefixes unit codes. */
export const DISTRICT_CODE = /^\d{6}$/;

export interface StaffAccount {
  readonly staffId: string;
  readonly username: string;
  /** Shown in the console; a staff member's name is personal data: never logged, never audited. */
  readonly displayName: string;
  readonly role: StaffRole;
  /** The district (tenant) the account works in. */
  readonly district: string;
  readonly status: StaffStatus;
  /** Why and when the account is LOCKED (ids and a rule name: no personal data). */
  readonly lock?: StaffLock;
  /** When an administrator last unlocked it: the misuse detector counts afresh from then. */
  readonly lastUnlockedAt?: string;
}

/** The misuse detector's lock on an account (functions/core/use-cases/misuse-detector.ts). */
export interface StaffLock {
  readonly at: string;
  /** The misuse rule that fired (functions/core/domain/misuse.ts). */
  readonly rule: string;
  readonly alertId: string;
  /** The data-leak incident opened for it, once the incident desk answered. */
  readonly incidentId?: string;
}

export const isStaffRole = (value: unknown): value is StaffRole => typeof value === 'string' && (STAFF_ROLES as readonly string[]).includes(value);

/** Whether the account's role is one of `allowed`. */
export function hasRole(staff: Pick<StaffAccount, 'role'>, allowed: readonly StaffRole[]): boolean {
  return allowed.includes(staff.role);
}

/** Refuses a role the endpoint does not allow (403 ROLE_FORBIDDEN). */
export function assertRole(staff: Pick<StaffAccount, 'role'>, allowed: readonly StaffRole[]): void {
  if (!hasRole(staff, allowed)) throw forbidden('ROLE_FORBIDDEN', 'Your role may not use this endpoint.');
}

/** Refuses a locked account (403 STAFF_ACCOUNT_LOCKED) and a deactivated one (403 STAFF_DEACTIVATED). */
export function assertActive(staff: Pick<StaffAccount, 'status'>): void {
  if (staff.status === 'LOCKED') throw forbidden('STAFF_ACCOUNT_LOCKED', 'This staff account is locked pending review by an administrator of its district.');
  if (staff.status !== 'ACTIVE') throw forbidden('STAFF_DEACTIVATED', 'This staff account is deactivated.');
}

/**
 * District tenancy (DESIGN.md §5; 002 五(二)1): staff act only within their own district. The tenant
 * comes from the account, never from the request; a request naming another district is refused, and
 * the refusal is audited (insider misuse: queries outside one's district raise alerts, 004 第二十五条).
 */
export function assertSameDistrict(staff: Pick<StaffAccount, 'district'>, district: string): void {
  if (district !== staff.district) throw forbidden('DISTRICT_FORBIDDEN', 'Staff may act only within their own district.');
}
