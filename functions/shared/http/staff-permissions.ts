/**
 * Who may call each staff endpoint, declared once as data (STYLE.md habit 6). The staff endpoint chain
 * reads it to refuse other roles (403 ROLE_FORBIDDEN), and the role × endpoint × district test matrix
 * (test/integration/staff-api.test.ts) is generated from it, so an endpoint added here joins the matrix
 * and an endpoint missing here cannot be built (`staffEndpoint` takes its name from this table).
 */
import type { FunctionName } from '../../../infra/topology';
import type { StaffRole } from '../../core/domain/staff';

export interface StaffPermission {
  /** Roles that may call the endpoint. */
  readonly roles: readonly StaffRole[];
  /**
   * `district`: the endpoint acts within one district, which must be the caller's own
   * (403 DISTRICT_FORBIDDEN otherwise; DESIGN.md §5 tenancy, 002 五(二)1,3).
   */
  readonly scope: 'district';
  /** Why these roles and no others (least privilege, in words a reviewer can check). */
  readonly why: string;
}

export const STAFF_PERMISSIONS = {
  listStaffFilings: {
    roles: ['CLERK', 'REVIEWER', 'REGISTRAR', 'AUDITOR', 'ADMIN'],
    scope: 'district',
    why:
      "Clerks, reviewers and registrars work the district's filings (accept, review, record: 002 五(二)1); auditors check " +
      'that they are handled in time and in order (002 五(二)4); the district administrator supervises the queue. ' +
      'Credit officers judge institutions, not districts: they get per-institution credit endpoints (roadmap step 4) ' +
      'and have no need to browse filings, so they are left out (least privilege, 004 第二十五条).',
  },
} as const satisfies Partial<Record<FunctionName, StaffPermission>>;

export type StaffEndpointName = keyof typeof STAFF_PERMISSIONS;

export const staffEndpointNames = (): StaffEndpointName[] => Object.keys(STAFF_PERMISSIONS) as StaffEndpointName[];
