/**
 * The middleware chain of public endpoints (no authentication; the citizen progress lookup), the
 * counterpart of channel-endpoint.ts and staff-endpoint.ts: structured logging → problem+json error
 * mapping → audit of every call → rate limit per client address → body limits, content type and JSON
 * syntax (json-body.ts) → the endpoint's use case.
 *
 * The rate limit comes first, so malformed requests count too. Audit records go to the tenant `public`
 * with the actor `citizen:<hash of the client address>`; the address is pseudonymised, not anonymised
 * (an IPv4 space can be enumerated), and nothing of the body is ever audited or logged.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { rateWindowOf, withinLimit } from '../../core/domain/rate-limit';
import { ZtError } from '../../core/domain/errors';
import type { AuditLog, Clock, RateCounter } from '../../core/ports';
import { sm3Hex } from '../crypto/sm3';
import { logger } from '../logger';
import { checkJsonBody, parseJsonBody } from './json-body';
import { errorToProblem, jsonResponse } from './problem';
import { callAuditing, type AuditedContext } from './call-audit';
import { flushMetricsPerInvocation } from '../metrics';

export interface PublicEndpointDeps {
  readonly audit: AuditLog;
  readonly rate: RateCounter;
  readonly clock: Clock;
}

export interface RateLimit {
  /** Names the counter, e.g. `lookup`. */
  readonly scope: string;
  /** Requests allowed per window and client address. */
  readonly limit: number;
  readonly windowSeconds: number;
}

export interface PublicEndpointRequest {
  readonly event: APIGatewayProxyEvent;
  readonly json: unknown;
  /** Names what the call acted on (an id, never personal data) in its audit record. */
  target(target: string): void;
}

export interface PublicEndpointOptions {
  /** Name used in logs and in the audit action, e.g. `LOOKUP_PROGRESS`. */
  readonly action: string;
  readonly maxBodyBytes: number;
  readonly rateLimit: RateLimit;
  readonly deps: () => Promise<PublicEndpointDeps>;
  readonly run: (request: PublicEndpointRequest) => Promise<{ readonly statusCode: number; readonly body: unknown }>;
}

export const PUBLIC_TENANT = 'public';

/** The client address as API Gateway saw it (the TCP peer, not a forgeable X-Forwarded-For). */
export const clientAddressOf = (event: APIGatewayProxyEvent): string => event.requestContext?.identity?.sourceIp || 'unknown';

/** `citizen:<16 hex>`: a stable pseudonym of the client address for the audit log. */
export const citizenActor = (address: string): string => `citizen:${sm3Hex(`zhitong/public-client/v1\n${address}`).slice(0, 16)}`;

export const rateLimited = (retryAfterSeconds: number): ZtError =>
  new ZtError(429, 'RATE_LIMITED', 'Too many requests', `Too many requests from this address; retry after ${retryAfterSeconds} s.`, { retryAfterSeconds });

type PublicContext = AuditedContext<never>;

export function publicEndpoint(options: PublicEndpointOptions) {
  const { action, maxBodyBytes, rateLimit } = options;

  const auditing = callAuditing<never, PublicContext>(action, (_call, event) => ({ tenant: PUBLIC_TENANT, actor: citizenActor(clientAddressOf(event)) }));

  const problems: middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, PublicContext> = {
    onError: (request) => {
      const response = errorToProblem(request.error, request.context.awsRequestId);
      const error = request.error;
      if (error instanceof ZtError && error.status === 429) {
        response.headers = { ...response.headers, 'retry-after': String(error.extras['retryAfterSeconds']) };
      }
      request.response = response;
      return response;
    },
  };

  return middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, PublicContext>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(problems)
    .use(auditing)
    .use(flushMetricsPerInvocation())
    .handler(async (event, context) => {
      const deps = await options.deps();
      context.call.audit = deps.audit;
      const window = rateWindowOf(deps.clock.now(), rateLimit.windowSeconds);
      const count = await deps.rate.increment(`${rateLimit.scope}#${clientAddressOf(event)}#${window.window}`, window.endsAt);
      if (!withinLimit(count, rateLimit.limit)) throw rateLimited(window.retryAfterSeconds);
      const json = parseJsonBody(checkJsonBody(event, maxBodyBytes));
      const result = await options.run({
        event,
        json,
        target: (target) => {
          context.call.target = target;
        },
      });
      return jsonResponse(result.statusCode, result.body);
    });
}
