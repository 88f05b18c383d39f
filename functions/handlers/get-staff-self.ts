/**
 * GET /v1/staff/me: the caller's own account — id, username, display name, role, district — as the staff
 * endpoint chain has just read it from the staff table (so a role changed or an account locked shows at once).
 * The console asks it after signing in, on AWS as locally: Cognito's tokens say who, not what they may do.
 */
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import type { StaffSelf } from '../../schemas/v1/staff';

export const handler = staffEndpoint({
  endpoint: 'getStaffSelf',
  action: 'GET_STAFF_SELF',
  deps: staffEndpointDeps,
  run: async ({ staff, target }) => {
    target(`staff:${staff.staffId}`);
    const body: StaffSelf = { staffId: staff.staffId, username: staff.username, displayName: staff.displayName, role: staff.role, district: staff.district, status: 'ACTIVE' };
    return { statusCode: 200, body };
  },
});
