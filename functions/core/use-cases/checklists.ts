import type { BusinessType } from '../domain/business-types';
import type { ChecklistDraft, ChecklistVersion } from '../domain/checklists';
import type { StaffAccount } from '../domain/staff';
import type { ChecklistStore, Clock } from '../ports';

export interface ChecklistView {
  readonly businessType: BusinessType;
  readonly current: Omit<ChecklistVersion, 'businessType'>;
  readonly versions: readonly Omit<ChecklistVersion, 'businessType'>[];
}

const shown = ({ businessType: _type, ...rest }: ChecklistVersion): Omit<ChecklistVersion, 'businessType'> => rest;

/** The version in force of a business type's checklist, and all its versions, newest first. */
export async function getChecklist(ports: { checklists: ChecklistStore }, businessType: BusinessType): Promise<ChecklistView> {
  const [current, versions] = await Promise.all([ports.checklists.current(businessType), ports.checklists.history(businessType)]);
  return { businessType, current: shown(current), versions: versions.map(shown) };
}

/**
 * An administrator publishes a new version of a business type's checklist (002 二(一)3, 五(二)2).
 *
 * 1. Publish `baseVersion + 1`, refused (409 CHECKLIST_VERSION_CONFLICT) unless `baseVersion` is current.
 * 2. Answer the checklist with its history. Filings submitted from now on record and follow the new
 *    version; filings already submitted keep theirs.
 */
export async function publishChecklist(
  ports: { checklists: ChecklistStore; clock: Clock },
  staff: Pick<StaffAccount, 'staffId'>,
  businessType: BusinessType,
  draft: ChecklistDraft,
): Promise<ChecklistView> {
  await ports.checklists.publish(businessType, draft, `staff:${staff.staffId}`, ports.clock.now());
  return getChecklist(ports, businessType);
}
