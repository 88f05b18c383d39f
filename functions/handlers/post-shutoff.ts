/**
 * POST /v1/staff/credit/shutoffs: a credit officer shuts a channel or a whole institution off with reason and
 * evidence, opening a case (002 三(一)6). 409 ALREADY_SHUT_OFF, with its caseNo, when already under an open case.
 */
import { shutOffTarget } from '../core/use-cases/credit-officer';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { MAX_CREDIT_BODY_BYTES, postShutoffRequestSchema } from '../../schemas/v1/credit-staff';
import { creditPorts } from '../shared/credit-deps';

const ports = creditPorts;

export const handler = staffEndpoint({
  endpoint: 'postShutoff',
  action: 'POST_SHUTOFF',
  maxBodyBytes: MAX_CREDIT_BODY_BYTES,
  deps: staffEndpointDeps,
  body: postShutoffRequestSchema,
  run: async ({ staff, body, target }) => {
    target(body.scope === 'CHANNEL' ? `channel:${body.channelId}` : `institution:${body.institutionId}`);
    return { statusCode: 201, body: await shutOffTarget(await ports(), staff, body) };
  },
});
