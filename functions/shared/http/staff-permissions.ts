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
   * (403 DISTRICT_FORBIDDEN otherwise; DESIGN.md §5 tenancy, 002 五(二)1,3). `city`: the endpoint acts on
   * city-wide data that belongs to no district (e.g. material checklists), the same for staff of every district.
   */
  readonly scope: 'district' | 'city';
  /** Why these roles and no others (least privilege, in words a reviewer can check). */
  readonly why: string;
}

/** Reading credit records: credit officers and auditors, city-wide. */
const CREDIT_READ: StaffPermission = {
  roles: ['CREDIT_OFFICER', 'AUDITOR'],
  scope: 'city',
  why:
    "Credit officers watch each channel's behaviour (002 三(一)6) and auditors audit it (002 五(二)4; DESIGN.md §1): both read credit records, " +
    'which hold ids, codes and points, never personal data. Staff who work filings do not judge institutions (least privilege).',
};

/** Reading incidents: administrators and auditors, of their own district and the city-wide ones. */
const INCIDENT_READ: StaffPermission = {
  roles: ['ADMIN', 'AUDITOR'],
  scope: 'district',
  why:
    "Incidents are handled by the district's administrator and audited by its auditors (003 第十八条; 004 第二十五条); a leak's record " +
    "names staff ids and evidence, so those who work filings do not browse them. Another district's incident answers 404 like a missing one.",
};

/**
 * Reading the audit logs (002 五(二)4: 查询、追溯、统计; DESIGN.md §5): auditors, their own district's log and every
 * non-district log city-wide; a district administrator, their own district's log. Another district's log is
 * 403 DISTRICT_FORBIDDEN (audited, and counted by the misuse detector). Nobody else reads who did what.
 */
const AUDIT_READ: StaffPermission = {
  roles: ['AUDITOR', 'ADMIN'],
  scope: 'district',
  why:
    'Auditing the registry is the auditors\' duty (002 五(二)4), and the district administrator answers for their district\'s operations; ' +
    'staff who work filings or judge institutions are the subjects of the log and do not read it (separation of duties, 004 第二十五条).',
};

/** A credit officer's action (`what` they do), city-wide; nobody else's. */
const creditAction = (what: string): StaffPermission => ({
  roles: ['CREDIT_OFFICER'],
  scope: 'city',
  why:
    `Only credit officers ${what} (002 三(一)6: 关闭端口，整改合格后予以开放); auditors observe, and staff who work filings must not ` +
    'sanction the institutions whose filings they decide (separation of duties).',
});

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
  markUrgent: {
    roles: ['CLERK', 'REVIEWER', 'REGISTRAR', 'ADMIN'],
    scope: 'district',
    why:
      'Those who work the district\'s filings (clerks, reviewers, registrars) and the district administrator decide what is ' +
      'urgent (003 第十三条); auditors and credit officers observe and do not steer the work, so they may not (least privilege).',
  },
  getChecklist: {
    roles: ['CLERK', 'REVIEWER', 'REGISTRAR', 'CREDIT_OFFICER', 'AUDITOR', 'ADMIN'],
    scope: 'city',
    why: 'Every role needs to know which materials a filing must carry (intake, review, audit, judging institutions); the checklist holds no personal data.',
  },
  putChecklist: {
    roles: ['ADMIN'],
    scope: 'city',
    why: 'What every filing must carry is registry policy (002 二(一)3, 五(二)2): only administrators publish it; every version is kept and audited.',
  },
  getStaffFiling: {
    roles: ['CLERK', 'REVIEWER', 'REGISTRAR', 'AUDITOR', 'ADMIN'],
    scope: 'district',
    why:
      'Those who may see the worklist may open a filing of it, personal data masked (002 五(一)); another district\'s ' +
      'filing is answered 404 like a missing one. Credit officers judge institutions, not filings (least privilege).',
  },
  reviewFiling: {
    roles: ['REVIEWER', 'REGISTRAR'],
    scope: 'district',
    why:
      'Review and recording in the register (审核, 登簿) are the reviewers\' and registrars\' duty (002 五(二)1,3); clerks ' +
      'accept, auditors and credit officers observe, and administrators manage accounts: none of them decides a registration.',
  },
  decideIntakeReview: {
    roles: ['CLERK', 'REVIEWER', 'REGISTRAR'],
    scope: 'district',
    why:
      'A filing of a channel on WATCH or PROBATION is never accepted by the machine (DESIGN.md §4): the staff who accept and review the ' +
      "district's filings decide it (002 五(二)1). Credit officers sanction institutions and do not decide their filings; auditors observe.",
  },
  listCreditChannels: CREDIT_READ,
  getCreditChannel: CREDIT_READ,
  listCreditCases: CREDIT_READ,
  getCreditCase: CREDIT_READ,
  listCreditAppeals: CREDIT_READ,
  getStaffSelf: {
    roles: ['CLERK', 'REVIEWER', 'REGISTRAR', 'CREDIT_OFFICER', 'AUDITOR', 'ADMIN'],
    scope: 'city',
    why: "Every signed-in staff member may read their own account (id, role, district, status): the console shows only the pages that role may use. It names nobody else.",
  },
  getCreditRules: { roles: ['CREDIT_OFFICER', 'AUDITOR', 'ADMIN'], scope: 'city', why: 'The rules that score institutions are registry policy that officers apply, auditors check and administrators oversee; they hold no personal data.' },
  putCreditRules: creditAction('set the points, thresholds and restrictions, as versioned data; every version is kept and audited'),
  postCreditViolation: creditAction('record violations against a channel, with evidence'),
  postShutoff: creditAction('shut a channel or an institution off, with reason and evidence'),
  decideRectification: creditAction('accept or reject a rectification report'),
  reopenCase: creditAction('reopen a shut-off channel'),
  decideCreditAppeal: creditAction('uphold or reverse an appealed ledger event'),
  // Incidents (003 第十八条) and the risk-assessment data section (004 第二十五条).
  postIncident: {
    roles: ['CLERK', 'REVIEWER', 'REGISTRAR', 'CREDIT_OFFICER', 'AUDITOR', 'ADMIN'],
    scope: 'district',
    why:
      'Whoever meets an incident at the counter or on screen reports it at once (003 第十八条: 1 小时内报送): every role may open one, ' +
      'of their own district; handling it is for administrators and auditors.',
  },
  listIncidents: INCIDENT_READ,
  getIncident: INCIDENT_READ,
  postIncidentAction: {
    roles: ['ADMIN', 'AUDITOR'],
    scope: 'district',
    why:
      "The district administrator handles incidents and reports them to the provincial bureau; auditors (the security officers of 004 " +
      '第二十五条) do the same for data incidents. Those who work filings or judge institutions report incidents but do not close them.',
  },
  getRiskAssessment: {
    roles: ['ADMIN', 'AUDITOR'],
    scope: 'city',
    why:
      'The yearly risk assessment (004 第二十五条) is the security officers\' and administrators\' report: counts of data and activities ' +
      'city-wide, no personal data. Other roles have no part in it (least privilege).',
  },
  unmaskFiling: {
    roles: ['REVIEWER', 'REGISTRAR'],
    scope: 'district',
    why:
      'Only those who decide registrations may need a party in the clear (identity checks, materials, disputes: 001 4.2.10–11); clerks accept on ' +
      'masked data, auditors audit the act rather than see the data, administrators manage accounts (least privilege, 002 五(一)). ' +
      "Another district's filing is answered 404 like a missing one and counts as an attempt on another district.",
  },
  getMisuseRules: {
    roles: ['ADMIN', 'AUDITOR'],
    scope: 'city',
    why: 'The insider-misuse thresholds are security policy (004 第二十五条): administrators set them and auditors check them; those watched need not read them.',
  },
  putMisuseRules: {
    roles: ['ADMIN'],
    scope: 'city',
    why: 'Only administrators set the thresholds that lock accounts; every version is kept and audited. Auditors observe.',
  },
  listSecurityAlerts: {
    roles: ['ADMIN', 'AUDITOR'],
    scope: 'district',
    why: "The district's administrator acts on misuse alerts (unlocks after review) and auditors trace them (004 第二十五条); staff watched do not see them.",
  },
  unlockStaff: {
    roles: ['ADMIN'],
    scope: 'district',
    why: "Only an administrator of the account's own district lifts a lock, with a reason, and never on their own account (DESIGN.md §5).",
  },
  listAuditEntries: AUDIT_READ,
  getAuditTrace: AUDIT_READ,
  getAuditStatistics: AUDIT_READ,
  getAuditTreeHead: AUDIT_READ,
  listAuditTreeHeads: AUDIT_READ,
  getAuditInclusion: AUDIT_READ,
  getAuditConsistency: AUDIT_READ,
  postAuditExport: AUDIT_READ,
  getAuditExport: AUDIT_READ,
  getFilingStatistics: {
    roles: ['CLERK', 'REVIEWER', 'REGISTRAR', 'AUDITOR', 'ADMIN', 'CREDIT_OFFICER'],
    scope: 'city',
    why:
      'Statistics by district, time and business type are for everyone who manages the registry\'s work (002 五(二)4: 统计分析, "to see at a glance"): ' +
      'counts only, no personal data. Staff who work filings and administrators see their own district (another is 403 DISTRICT_FORBIDDEN, ' +
      'counted by the misuse detector); auditors and credit officers, who watch the city\'s institutions, every district.',
  },
  getChannelStatistics: CREDIT_READ,
} as const satisfies Partial<Record<FunctionName, StaffPermission>>;

export type StaffEndpointName = keyof typeof STAFF_PERMISSIONS;

export const staffEndpointNames = (): StaffEndpointName[] => Object.keys(STAFF_PERMISSIONS) as StaffEndpointName[];
