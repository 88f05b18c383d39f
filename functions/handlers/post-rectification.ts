/** POST /v1/channel/rectifications: a rectification report for the open case of the channel or its institution (DESIGN.md §4). */
import { submitRectification } from '../core/use-cases/channel-credit';
import { channelEndpoint } from '../shared/http/channel-endpoint';
import { endpointDeps } from '../shared/http/endpoint-deps';
import { MAX_CREDIT_REQUEST_BYTES, rectificationRequestSchema } from '../../schemas/v1/credit';
import { creditPorts } from '../shared/credit-deps';

const ports = creditPorts;

export const handler = channelEndpoint({
  action: 'POST_RECTIFICATION',
  maxBodyBytes: MAX_CREDIT_REQUEST_BYTES,
  idempotent: true,
  deps: endpointDeps,
  body: rectificationRequestSchema,
  // Allowed while shut off: this is how a shut-off institution asks to be reopened (002 三(一)6).
  run: async ({ channel, body }) => ({ statusCode: 201, body: await submitRectification(await ports(), channel, body) }),
});
