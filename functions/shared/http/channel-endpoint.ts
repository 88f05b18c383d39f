/**
 * The middleware chain every channel endpoint shares, declared once so that no handler copies
 * validation or error handling (STYLE.md): structured logging → problem+json error mapping → body
 * limits and content type → SM2 channel authentication → JSON syntax → the endpoint's `path`, `query`
 * and `body` schemas (request-validation.ts) → Idempotency-Key → the endpoint's use case.
 * Every call, allowed or denied, is audited as an interface call; denied calls of callers that did not
 * authenticate are aggregated per source and minute (call-audit.ts).
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { badRequest, conflict, unprocessable } from '../../core/domain/errors';
import type { AuditLog, Channel, IdempotencyStore, RateCounter } from '../../core/ports';
import { sm3Hex } from '../crypto/sm3';
import { logger } from '../logger';
import { authenticateChannel, type ChannelAuthDeps } from './channel-auth';
import { countAuthFailureAndRethrow, flushMetricsPerInvocation } from '../metrics';
import { checkJsonBody, parseJsonBody } from './json-body';
import { recordCall, recordFailedCall } from './call-audit';
import { jsonResponse } from './problem';
import { problems } from './problems';
import { header, pathAndQuery } from './request';
import { validateRequest, type RequestSchemas, type ValidatedParts } from './request-validation';

export interface EndpointDeps extends ChannelAuthDeps {
  readonly audit: AuditLog;
  readonly idempotency: IdempotencyStore;
  /** Counts denied calls of unauthenticated callers (call-audit.ts). */
  readonly rate: RateCounter;
}

export interface EndpointRequest<B = unknown, Q = undefined, P = undefined> extends ValidatedParts<B, Q, P> {
  readonly event: APIGatewayProxyEvent;
  readonly channel: Channel;
}

/**
 * `body`, `query` and `path` are the endpoint's request schemas; the use case gets what they parsed.
 * Without a `body` schema, `body` is the parsed JSON as sent (POST endpoints) for a use case that
 * validates it itself.
 */
export interface EndpointOptions<B = unknown, Q = undefined, P = undefined> extends RequestSchemas<B, Q, P> {
  /** Name used in logs and in the audit action, e.g. `SUBMIT_BATCH`. */
  readonly action: string;
  /** POST endpoints take a JSON body up to this many bytes. */
  readonly maxBodyBytes?: number;
  /** Honour the Idempotency-Key header (POST). */
  readonly idempotent?: boolean;
  /** Dependencies, built lazily once per process (clients are created at first use, not per call). */
  readonly deps: () => Promise<EndpointDeps>;
  readonly run: (request: EndpointRequest<B, Q, P>) => Promise<{ statusCode: number; body: unknown }>;
}

/** Idempotency records live 24 h: long enough for any client retry loop. */
const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,128}$/;

/** The Lambda context, extended by the guard with the authenticated channel and the parsed request. */
interface ChannelContext extends Context {
  channel: Channel;
  parts: ValidatedParts<unknown, unknown, unknown>;
}

interface Internal extends Record<string, unknown> {
  channel?: Channel;
  idempotency?: { scope: string; key: string; hash: string };
  deps?: EndpointDeps;
}

export function channelEndpoint<B = unknown, Q = undefined, P = undefined>(options: EndpointOptions<B, Q, P>) {
  const { action, maxBodyBytes, idempotent = false } = options;
  const isPost = maxBodyBytes !== undefined;

  type Request = middy.Request<APIGatewayProxyEvent, APIGatewayProxyResult, Error, ChannelContext, Internal>;
  const whoCalled = (request: Request) => {
    const channel = request.internal.channel;
    const claimed = channel?.channelId ?? /channel="([A-Za-z0-9._-]{1,64})"/.exec(header(request.event, 'authorization') ?? '')?.[1];
    return {
      tenant: channel?.institutionId ?? 'unauthenticated',
      actor: claimed ? `channel:${claimed}` : 'anonymous',
      action,
      authenticated: channel !== undefined,
      event: request.event,
      requestId: request.context.awsRequestId,
    };
  };

  const guard: middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, ChannelContext, Internal> = {
    before: async (request) => {
      const deps = await options.deps();
      request.internal.deps = deps;
      const event = request.event;
      const body = isPost ? checkJsonBody(event, maxBodyBytes) : undefined;
      const channel = await authenticateChannel(event, deps).catch(countAuthFailureAndRethrow);
      request.internal.channel = channel;
      request.context.channel = channel;
      logger.appendKeys({ channelId: channel.channelId });
      request.context.parts = validateRequest<unknown, unknown, unknown>(options, event, body ? parseJsonBody(body) : undefined);
      if (!body || !idempotent) return undefined;
      const key = header(event, 'idempotency-key');
      if (key === undefined) return undefined;
      if (!IDEMPOTENCY_KEY.test(key)) throw badRequest('IDEMPOTENCY_KEY_INVALID', 'The Idempotency-Key must be 1–128 characters of [A-Za-z0-9._:-].');
      const hash = sm3Hex(`${event.httpMethod}\n${pathAndQuery(event)}\n${sm3Hex(body)}`);
      const scope = channel.channelId;
      const claim = await deps.idempotency.claim(scope, key, hash, IDEMPOTENCY_TTL_SECONDS);
      switch (claim.kind) {
        case 'claimed':
          request.internal.idempotency = { scope, key, hash };
          return undefined;
        case 'replay':
          return {
            statusCode: claim.response.statusCode,
            headers: { 'content-type': 'application/json; charset=utf-8', 'idempotent-replayed': 'true' },
            body: claim.response.body,
          };
        case 'mismatch':
          throw unprocessable('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request.');
        case 'inProgress':
          throw conflict('IDEMPOTENCY_IN_PROGRESS', 'A request with this Idempotency-Key is still being processed; retry shortly.');
      }
    },
    after: async (request) => {
      const claim = request.internal.idempotency;
      const response = request.response;
      if (claim && response && request.internal.deps) {
        await request.internal.deps.idempotency.complete(claim.scope, claim.key, claim.hash, { statusCode: response.statusCode, body: response.body }, IDEMPOTENCY_TTL_SECONDS);
      }
      if (response && request.internal.deps) await recordCall(request.internal.deps.audit, request.internal.deps, { ...whoCalled(request), statusCode: response.statusCode });
    },
    onError: async (request) => {
      const claim = request.internal.idempotency;
      // A failed request leaves nothing behind: release the key so that a retry runs again.
      if (claim && request.internal.deps) await request.internal.deps.idempotency.release(claim.scope, claim.key).catch(() => undefined);
      if (request.internal.deps) await recordFailedCall(request.internal.deps.audit, request.internal.deps, request.error, whoCalled(request));
    },
  };

  return middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, ChannelContext, Internal>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(problems<ChannelContext, Internal>())
    .use(guard)
    .use(flushMetricsPerInvocation())
    .handler(async (event, context) => {
      const parts = context.parts as ValidatedParts<B, Q, P>;
      const result = await options.run({ event, channel: context.channel, body: parts.body, query: parts.query, path: parts.path });
      return jsonResponse(result.statusCode, result.body);
    });
}
