/**
 * POST /v1/staff/credit/channels/{channelId}/violations: a credit officer records a violation with evidence.
 * The same violation sent twice is one ledger event (its id derives from the officer and the body).
 */
import { recordViolation } from '../core/use-cases/credit-officer';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { MAX_CREDIT_BODY_BYTES, postViolationRequestSchema } from '../../schemas/v1/credit-staff';
import { creditChannelPath } from '../../schemas/v1/path-parameters';
import { creditPorts } from '../shared/credit-deps';

const ports = creditPorts;

export const handler = staffEndpoint({
  endpoint: 'postCreditViolation',
  action: 'POST_CREDIT_VIOLATION',
  maxBodyBytes: MAX_CREDIT_BODY_BYTES,
  deps: staffEndpointDeps,
  path: creditChannelPath,
  body: postViolationRequestSchema,
  run: async ({ staff, path, body, target }) => {
    target(`channel:${path.channelId}`);
    return { statusCode: 201, body: await recordViolation(await ports(), staff, path.channelId, body) };
  },
});
