import { describe, expect, it } from 'vitest';
import { ZtError } from '../../../functions/core/domain/errors';
import { assertActive, assertRole, assertSameDistrict, hasRole, isStaffRole, STAFF_ROLES, type StaffAccount } from '../../../functions/core/domain/staff';
import { STAFF_PERMISSIONS } from '../../../functions/shared/http/staff-permissions';

const clerk: StaffAccount = { staffId: 'stf-1', username: 'clerk.370102', displayName: '示例', role: 'CLERK', district: '370102', status: 'ACTIVE' };

const codeOf = (run: () => void): string | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof ZtError) return `${error.status} ${error.code}`;
    throw error;
  }
};

describe('district tenancy', () => {
  it('lets staff act in their own district', () => {
    expect(codeOf(() => assertSameDistrict(clerk, '370102'))).toBeUndefined();
  });

  it.each(['370103', '370102 ', '', '37010'])('refuses any other district (%j) with 403 DISTRICT_FORBIDDEN', (district) => {
    expect(codeOf(() => assertSameDistrict(clerk, district))).toBe('403 DISTRICT_FORBIDDEN');
  });
});

describe('roles', () => {
  it('knows exactly the six roles of the registry', () => {
    expect(STAFF_ROLES).toEqual(['CLERK', 'REVIEWER', 'REGISTRAR', 'CREDIT_OFFICER', 'AUDITOR', 'ADMIN']);
    expect(isStaffRole('AUDITOR')).toBe(true);
    expect(isStaffRole('auditor')).toBe(false);
    expect(isStaffRole(undefined)).toBe(false);
  });

  it('allows a listed role and refuses others with 403 ROLE_FORBIDDEN', () => {
    expect(hasRole(clerk, ['CLERK', 'REVIEWER'])).toBe(true);
    expect(codeOf(() => assertRole(clerk, ['CLERK']))).toBeUndefined();
    expect(codeOf(() => assertRole(clerk, ['REGISTRAR', 'ADMIN']))).toBe('403 ROLE_FORBIDDEN');
    expect(codeOf(() => assertRole(clerk, []))).toBe('403 ROLE_FORBIDDEN');
  });

  it('refuses a deactivated account with 403 STAFF_DEACTIVATED', () => {
    expect(codeOf(() => assertActive(clerk))).toBeUndefined();
    expect(codeOf(() => assertActive({ ...clerk, status: 'DEACTIVATED' }))).toBe('403 STAFF_DEACTIVATED');
  });
});

describe('the staff permissions table', () => {
  it('names only known roles, each once, and gives every endpoint at least one role and a reason', () => {
    for (const [endpoint, permission] of Object.entries(STAFF_PERMISSIONS)) {
      expect(permission.roles.length, endpoint).toBeGreaterThan(0);
      expect(permission.roles.every(isStaffRole), endpoint).toBe(true);
      expect(new Set(permission.roles).size, endpoint).toBe(permission.roles.length);
      expect(permission.why.length, endpoint).toBeGreaterThan(40);
    }
  });

  it('keeps credit officers out of the filing worklist (least privilege)', () => {
    expect(STAFF_PERMISSIONS.listStaffFilings.roles).not.toContain('CREDIT_OFFICER');
  });
});
