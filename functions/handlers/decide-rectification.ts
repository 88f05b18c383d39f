/**
 * POST /v1/staff/credit/cases/{caseNo}/rectifications/{rectificationId}/decision: a credit officer accepts a
 * rectification report (the case closes, the channel reopens on probation) or rejects it with reasons.
 */
import { decideRectification } from '../core/use-cases/credit-officer';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { MAX_CREDIT_BODY_BYTES, rectificationDecisionRequestSchema } from '../../schemas/v1/credit-staff';
import { rectificationPath } from '../../schemas/v1/path-parameters';
import { creditPorts } from '../shared/credit-deps';

const ports = creditPorts;

export const handler = staffEndpoint({
  endpoint: 'decideRectification',
  action: 'DECIDE_RECTIFICATION',
  maxBodyBytes: MAX_CREDIT_BODY_BYTES,
  deps: staffEndpointDeps,
  path: rectificationPath,
  body: rectificationDecisionRequestSchema,
  run: async ({ staff, path, body, target }) => {
    target(`case:${path.caseNo}/rectification:${path.rectificationId}`);
    return { statusCode: 200, body: await decideRectification(await ports(), staff, path.caseNo, path.rectificationId, body) };
  },
});
