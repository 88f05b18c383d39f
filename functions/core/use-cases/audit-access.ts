/**
 * Whose logs a staff member may read (DESIGN.md §5 tenancy; 002 五(二)4): a district's log only by staff of
 * that district; every non-district log (institutions, `public`, `unauthenticated`, `department:*`,
 * `security`) city-wide — but only by auditors. An administrator reads their own district's log alone.
 */
import { forbidden } from '../domain/errors';
import { hasRole, type StaffAccount } from '../domain/staff';

/** District tenants are 6-digit administrative codes (GB/T 2260). */
export const isDistrictTenant = (tenant: string): boolean => /^\d{6}$/.test(tenant);

export function assertMayReadLog(staff: Pick<StaffAccount, 'district' | 'role'>, tenant: string): void {
  if (isDistrictTenant(tenant)) {
    if (tenant !== staff.district) throw forbidden('DISTRICT_FORBIDDEN', "Staff may read only their own district's audit log.");
    return;
  }
  // A role refusal, not an attempt on another district: the misuse detector counts only the latter.
  if (!hasRole(staff, ['AUDITOR'])) throw forbidden('ROLE_FORBIDDEN', 'Only auditors read the city-wide audit logs.');
}

/** The logs a staff member may read among `tenants` (trace and statistics read across logs). */
export const readableLogs = (staff: Pick<StaffAccount, 'district' | 'role'>, tenants: readonly string[]): string[] =>
  tenants.filter((tenant) => {
    try {
      assertMayReadLog(staff, tenant);
      return true;
    } catch {
      return false;
    }
  });
