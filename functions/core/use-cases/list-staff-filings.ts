import type { FilingStatus } from '../domain/filing';
import { assertSameDistrict, type StaffAccount } from '../domain/staff';
import type { FilingRepository, FilingSummary } from '../ports';

export interface StaffFilingsQuery {
  readonly status: FilingStatus;
  /** Defaults to the caller's own district. */
  readonly district?: string;
  readonly limit: number;
  readonly cursor?: string;
}

export interface StaffFilingListView {
  readonly district: string;
  readonly status: FilingStatus;
  readonly items: readonly Omit<FilingSummary, 'district'>[];
  readonly nextCursor?: string;
}

/**
 * A district's worklist for registry staff (002 五(二)1): its filings in one status, oldest change first.
 *
 * 1. The district is the caller's own; naming another is refused with DISTRICT_FORBIDDEN (DESIGN.md §5
 *    tenancy), and the staff chain audits the refusal.
 * 2. Read one page of the district's filings in that status from the worklist index.
 * 3. Answer summaries only — ids, type, unit, institution, status, time — never personal data; a
 *    summary of another district (which the index key rules out) would still be dropped.
 */
export async function listStaffFilings(ports: { filings: FilingRepository }, staff: StaffAccount, query: StaffFilingsQuery): Promise<StaffFilingListView> {
  const district = query.district ?? staff.district;
  assertSameDistrict(staff, district);
  const page = await ports.filings.listByDistrictStatus(district, query.status, { limit: query.limit, cursor: query.cursor });
  const items = page.items
    .filter((item) => item.district === district)
    .map(({ filingId, businessType, unitCode, institutionId, status, updatedAt, urgent, flaggedForStaff }) => ({
      filingId,
      businessType,
      unitCode,
      institutionId,
      status,
      updatedAt,
      urgent,
      flaggedForStaff,
    }));
  return { district, status: query.status, items, nextCursor: page.nextCursor };
}
