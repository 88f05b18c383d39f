/**
 * POST /v1/staff/credit/channels/{channelId}/events/{eventId}/appeal/decision: a credit officer upholds an
 * appealed ledger event, or reverses it (a new REVERSAL event cancels it and its points are restored).
 */
import { decideAppeal } from '../core/use-cases/credit-officer';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { appealDecisionRequestSchema, MAX_CREDIT_BODY_BYTES } from '../../schemas/v1/credit-staff';
import { creditAppealPath } from '../../schemas/v1/path-parameters';
import { creditPorts } from '../shared/credit-deps';

const ports = creditPorts;

export const handler = staffEndpoint({
  endpoint: 'decideCreditAppeal',
  action: 'DECIDE_CREDIT_APPEAL',
  maxBodyBytes: MAX_CREDIT_BODY_BYTES,
  deps: staffEndpointDeps,
  path: creditAppealPath,
  body: appealDecisionRequestSchema,
  run: async ({ staff, path, body, target }) => {
    target(`channel:${path.channelId}/event:${path.eventId}`);
    return { statusCode: 200, body: await decideAppeal(await ports(), staff, path.channelId, path.eventId, body) };
  },
});
