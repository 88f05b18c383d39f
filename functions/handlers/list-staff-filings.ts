/** GET /v1/staff/filings: a district's worklist by status, for registry staff of that district. */
import { filingRepositoryFromEnv } from '../adapters/dynamodb/filing-repository';
import { badRequest } from '../core/domain/errors';
import { listStaffFilings } from '../core/use-cases/list-staff-filings';
import { queryParameters } from '../shared/http/request';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { lazy } from '../shared/lazy';
import { fieldErrorsFromIssues } from '../../schemas/v1/filing-input';
import { listStaffFilingsQuerySchema } from '../../schemas/v1/staff';

const ports = lazy(async () => ({ filings: filingRepositoryFromEnv() }));

export const handler = staffEndpoint({
  endpoint: 'listStaffFilings',
  action: 'LIST_STAFF_FILINGS',
  deps: staffEndpointDeps,
  run: async ({ event, staff, target }) => {
    const { params, repeated } = queryParameters(event);
    const parsed = listStaffFilingsQuerySchema.safeParse(params);
    if (!parsed.success || repeated.length > 0) {
      const errors = [
        // Names are echoed only when they are ours: the client's own text never is.
        ...repeated.map((name) => ({ path: name in listStaffFilingsQuerySchema.shape ? name : '', code: 'REPEATED', message: 'Send each parameter once.' })),
        ...(parsed.success ? [] : fieldErrorsFromIssues(parsed.error.issues)),
      ];
      throw badRequest('INVALID_QUERY', 'The query parameters are not valid: status is required; district is 6 digits; limit is 1–200.', { errors });
    }
    const query = parsed.data;
    // The district asked for, own or not, is what the audit record names (insider-misuse detection).
    target(`district:${query.district ?? staff.district}/status:${query.status}`);
    return { statusCode: 200, body: await listStaffFilings(await ports(), staff, query) };
  },
});
