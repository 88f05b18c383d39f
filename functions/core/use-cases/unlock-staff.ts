import { conflict, forbidden, notFound } from '../domain/errors';
import { refuseNamesIn } from '../domain/free-text';
import type { FilingObservation } from '../domain/misuse';
import type { StaffAccount } from '../domain/staff';
import type { AuditLog, Clock, StaffDirectory, StaffLocks } from '../ports';

export interface UnlockResult {
  readonly staffId: string;
  readonly status: 'ACTIVE';
  readonly unlockedAt: string;
  /** The alert whose lock was lifted. */
  readonly alertId?: string;
}

/**
 * An administrator of the account's district unlocks an account the misuse detector locked (DESIGN.md §5:
 * "only an administrator of another account can unlock it, with a reason").
 *
 * 1. Refuse the holder (403 SELF_UNLOCK_FORBIDDEN) whatever their role — before anything else is read.
 * 2. Load the account; none, or another district's → 404 STAFF_NOT_FOUND alike (no probing other districts'
 *    staff ids); the other district's is reported to the misuse detector as a cross-district attempt.
 * 3. Refuse a reason naming the account's holder or the administrator (422, the reason's
 *    `PERSONAL_DATA_IN_TEXT`; display names are personal data, and the reason is audited).
 * 4. Unlock conditionally on LOCKED (and on the lock read): of two administrators racing, one wins; the other,
 *    and an account that is not locked, get 409 STAFF_NOT_LOCKED.
 * 5. Audit `STAFF_UNLOCKED` with the alert, the rule and the reason (checked at the edge to carry no personal data).
 */
export async function unlockStaff(
  ports: { staff: StaffDirectory; locks: StaffLocks; audit: AuditLog; clock: Clock },
  admin: StaffAccount,
  staffId: string,
  reason: string,
  observe: (seen: FilingObservation) => void = () => undefined,
): Promise<UnlockResult> {
  if (staffId === admin.staffId) throw forbidden('SELF_UNLOCK_FORBIDDEN', 'Nobody may unlock their own account; another administrator of the district must.');
  const account = await ports.staff.get(staffId);
  const noSuchAccount = () => notFound('STAFF_NOT_FOUND', 'No staff account of your district has this id.');
  if (!account) throw noSuchAccount();
  if (account.district !== admin.district) {
    observe({ crossDistrict: true });
    throw noSuchAccount();
  }
  const notLocked = () => conflict('STAFF_NOT_LOCKED', 'The account is not locked (or was unlocked meanwhile).');
  if (account.status !== 'LOCKED') throw notLocked();
  refuseNamesIn({ reason }, [account.displayName, admin.displayName]);
  const at = ports.clock.now().toISOString();
  const by = `staff:${admin.staffId}`;
  const alertId = account.lock?.alertId;
  if (!(await ports.locks.unlock(staffId, { by, at, ...(alertId === undefined ? {} : { alertId }) }))) throw notLocked();
  await ports.audit.record({
    tenant: admin.district,
    actor: by,
    action: 'STAFF_UNLOCKED',
    outcome: 'SUCCESS',
    target: `staff:${staffId}`,
    retention: 'INCIDENT',
    detail: { reason, ...(alertId === undefined ? {} : { alertId }), ...(account.lock?.rule === undefined ? {} : { rule: account.lock.rule }), ...(account.lock?.incidentId === undefined ? {} : { incidentId: account.lock.incidentId }) },
  });
  return { staffId, status: 'ACTIVE', unlockedAt: at, ...(alertId === undefined ? {} : { alertId }) };
}
