/** GET /v1/staff/filings: a district's worklist by status, for registry staff of that district. */
import { filingRepositoryFromEnv } from '../adapters/dynamodb/filing-repository';
import { listStaffFilings } from '../core/use-cases/list-staff-filings';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { lazy } from '../shared/lazy';
import { listStaffFilingsQuerySchema } from '../../schemas/v1/staff';

const ports = lazy(async () => ({ filings: filingRepositoryFromEnv() }));

export const handler = staffEndpoint({
  endpoint: 'listStaffFilings',
  action: 'LIST_STAFF_FILINGS',
  deps: staffEndpointDeps,
  query: listStaffFilingsQuerySchema,
  run: async ({ staff, query, target }) => {
    // The district asked for, own or not, is what the audit record names (insider-misuse detection).
    target(`district:${query.district ?? staff.district}/status:${query.status}`);
    return { statusCode: 200, body: await listStaffFilings(await ports(), staff, query) };
  },
});
