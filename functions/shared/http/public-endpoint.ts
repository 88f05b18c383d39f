/**
 * The middleware chain of public endpoints (no authentication: the citizen progress lookup, certificate
 * verification), the counterpart of channel-endpoint.ts and staff-endpoint.ts: structured logging →
 * problem+json error mapping → audit of every call → rate limit per client address → body limits,
 * content type and JSON syntax (json-body.ts; endpoints with a body) → the endpoint's `path`, `query`
 * and `body` schemas (request-validation.ts) → the endpoint's use case.
 *
 * The rate limit comes first, so malformed requests count too. Audit records go to the tenant `public`
 * with the actor `citizen:<hash of the client address>`; the address is pseudonymised, not anonymised
 * (an IPv4 space can be enumerated), and nothing of the body is ever audited or logged. Every caller is
 * unauthenticated, so denied calls are aggregated per source and minute (call-audit.ts).
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { rateLimited as rateLimitedError, rateWindowOf, withinLimit } from '../../core/domain/rate-limit';
import type { ZtError } from '../../core/domain/errors';
import type { AuditLog, Clock, RateCounter, RateCounterReader } from '../../core/ports';
import { logger } from '../logger';
import { checkJsonBody, parseJsonBody } from './json-body';
import { jsonResponse } from './problem';
import { flushMetricsPerInvocation } from '../metrics';
import { problems } from './problems';
import { addressPseudonym, callAuditing, clientAddressOf, type AuditedContext } from './call-audit';
import { validateRequest, type RequestSchemas, type ValidatedParts } from './request-validation';

export { clientAddressOf };

export interface PublicEndpointDeps {
  readonly audit: AuditLog;
  readonly rate: RateCounter & RateCounterReader;
  readonly clock: Clock;
}

export interface RateLimit {
  /** Names the counter, e.g. `lookup`. */
  readonly scope: string;
  /** Requests allowed per window and client address. */
  readonly limit: number;
  readonly windowSeconds: number;
}

export interface PublicEndpointRequest<B = unknown, Q = undefined, P = undefined, D extends PublicEndpointDeps = PublicEndpointDeps> extends ValidatedParts<B, Q, P> {
  readonly event: APIGatewayProxyEvent;
  readonly deps: D;
  /** Names what the call acted on (an id, never personal data) in its audit record. */
  target(target: string): void;
}

export interface PublicEndpointOptions<B = unknown, Q = undefined, P = undefined, D extends PublicEndpointDeps = PublicEndpointDeps> extends RequestSchemas<B, Q, P> {
  /** Name used in logs and in the audit action, e.g. `LOOKUP_PROGRESS`. */
  readonly action: string;
  /** Endpoints with a JSON body take up to this many bytes; without it, the endpoint takes no body. */
  readonly maxBodyBytes?: number;
  readonly rateLimit: RateLimit;
  /**
   * Whether an answered call is audited by the chain (default true); false when the use case audits
   * what it answered itself. Refused calls are always audited (aggregated).
   */
  readonly auditAnswered?: boolean;
  readonly deps: () => Promise<D>;
  readonly run: (request: PublicEndpointRequest<B, Q, P, D>) => Promise<{ readonly statusCode: number; readonly body: unknown }>;
}

export const PUBLIC_TENANT = 'public';

/** `citizen:<16 hex>`: a stable pseudonym of the client address for the audit log. */
export const citizenActor = (address: string): string => `citizen:${addressPseudonym(address)}`;

export const rateLimited = (retryAfterSeconds: number): ZtError =>
  rateLimitedError(retryAfterSeconds, `Too many requests from this address; retry after ${retryAfterSeconds} s.`);

type PublicContext = AuditedContext<never>;

export function publicEndpoint<B = unknown, Q = undefined, P = undefined, D extends PublicEndpointDeps = PublicEndpointDeps>(options: PublicEndpointOptions<B, Q, P, D>) {
  const { action, maxBodyBytes, rateLimit, auditAnswered = true } = options;

  const auditing = callAuditing<never, PublicContext>(action, (_call, event) => ({ tenant: PUBLIC_TENANT, actor: citizenActor(clientAddressOf(event)) }));
  // The use case audits what it answered: the chain's record of an answered call would be a second one.
  const skipAnswered: middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, PublicContext> = {
    after: (request) => {
      if (!auditAnswered && request.response && request.response.statusCode < 400) request.context.call.audit = undefined;
    },
  };

  return middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, PublicContext>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(problems<PublicContext>())
    .use(auditing)
    .use(skipAnswered)
    .use(flushMetricsPerInvocation())
    .handler(async (event, context) => {
      const deps = await options.deps();
      context.call.audit = deps.audit;
      context.call.denials = deps;
      const window = rateWindowOf(deps.clock.now(), rateLimit.windowSeconds);
      const count = await deps.rate.increment(`${rateLimit.scope}#${clientAddressOf(event)}#${window.window}`, window.endsAt);
      if (!withinLimit(count, rateLimit.limit)) throw rateLimited(window.retryAfterSeconds);
      const json = maxBodyBytes === undefined ? undefined : parseJsonBody(checkJsonBody(event, maxBodyBytes));
      const parts = validateRequest(options, event, json);
      const result = await options.run({
        event,
        deps,
        ...parts,
        target: (target) => {
          context.call.target = target;
        },
      });
      return jsonResponse(result.statusCode, result.body);
    });
}
