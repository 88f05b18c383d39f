/** POST /v1/channel/credit/events/{eventId}/appeal: the channel appeals one of its ledger events (DESIGN.md §4). */
import { appealCreditEvent } from '../core/use-cases/channel-credit';
import { channelEndpoint } from '../shared/http/channel-endpoint';
import { endpointDeps } from '../shared/http/endpoint-deps';
import { appealRequestSchema, MAX_CREDIT_REQUEST_BYTES } from '../../schemas/v1/credit';
import { channelCreditEventPath } from '../../schemas/v1/path-parameters';
import { creditPorts } from '../shared/credit-deps';

const ports = creditPorts;

export const handler = channelEndpoint({
  action: 'POST_CREDIT_APPEAL',
  maxBodyBytes: MAX_CREDIT_REQUEST_BYTES,
  idempotent: true,
  deps: endpointDeps,
  // The event id's format is checked before any read: a malformed one answers the 404 of a missing one.
  path: channelCreditEventPath,
  body: appealRequestSchema,
  run: async ({ channel, path, body }) => ({ statusCode: 201, body: await appealCreditEvent(await ports(), channel, path.eventId, body.grounds) }),
});
