/** POST /v1/staff/credit/cases/{caseNo}/reopening: a credit officer closes a case and reopens its channels on probation. */
import { reopenCase } from '../core/use-cases/credit-officer';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { MAX_CREDIT_BODY_BYTES, reopenRequestSchema } from '../../schemas/v1/credit-staff';
import { creditCasePath } from '../../schemas/v1/path-parameters';
import { creditPorts } from '../shared/credit-deps';

const ports = creditPorts;

export const handler = staffEndpoint({
  endpoint: 'reopenCase',
  action: 'REOPEN_CASE',
  maxBodyBytes: MAX_CREDIT_BODY_BYTES,
  deps: staffEndpointDeps,
  path: creditCasePath,
  body: reopenRequestSchema,
  run: async ({ staff, path, body, target }) => {
    target(`case:${path.caseNo}`);
    return { statusCode: 200, body: await reopenCase(await ports(), staff, path.caseNo, body) };
  },
});
