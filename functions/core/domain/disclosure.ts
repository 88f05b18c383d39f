/**
 * Audited unmasking (DESIGN.md §5; 001 4.2.10–11): staff of a role that allows it may see one filing's
 * personal data in the clear for a stated purpose. Each disclosure is recorded on the filing — role,
 * purpose, time and the staff member's audit id, never a name — so the data subject sees it in the
 * progress lookup (without the staff id), and the act is audited and counted by the misuse detector.
 */

/** The declared purposes of an unmasking, with the labels citizens and staff see. */
export const UNMASKING_PURPOSES = {
  IDENTITY_VERIFICATION: '核验申请人身份',
  REVIEW_OF_MATERIALS: '审核登记材料',
  DISPUTE_HANDLING: '处理异议/纠纷',
  JUDICIAL_ASSISTANCE: '司法协助查询',
  CORRECTION: '更正登记',
  SUPERVISION: '监督检查',
} as const;
export type UnmaskingPurpose = keyof typeof UNMASKING_PURPOSES;
export const UNMASKING_PURPOSE_CODES = Object.keys(UNMASKING_PURPOSES) as [UnmaskingPurpose, ...UnmaskingPurpose[]];

/** The personal-data fields an unmasking reveals. */
export const UNMASKED_FIELDS = ['name', 'idNumber', 'phone'] as const;

/** One disclosure, as recorded on the filing. */
export interface Disclosure {
  readonly at: string;
  readonly role: string;
  readonly purpose: UnmaskingPurpose;
  /** `staff:<id>`: the audit log's actor, for auditors; never shown to the citizen. */
  readonly actor: string;
}

/** A filing keeps its last disclosures (and counts them all), so the item stays bounded. */
export const MAX_DISCLOSURES_KEPT = 100;

/** What a filing record carries of its disclosures (attributes next to the FilingRecord's). */
export interface FilingDisclosureRecord {
  readonly disclosures?: readonly Disclosure[];
  readonly disclosureCount?: number;
}

/** What the data subject sees of a disclosure: when, which role, for what — not who. */
export interface DisclosureView {
  readonly at: string;
  readonly role: string;
  readonly purpose: UnmaskingPurpose;
  readonly purposeLabel: string;
}

export const disclosureViewsOf = (record: FilingDisclosureRecord): DisclosureView[] =>
  (record.disclosures ?? []).map(({ at, role, purpose }) => ({ at, role, purpose, purposeLabel: UNMASKING_PURPOSES[purpose] }));
