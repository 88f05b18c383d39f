/**
 * The middleware chain every channel endpoint shares, declared once so that no handler copies
 * validation or error handling (STYLE.md): structured logging → problem+json error mapping → body
 * limits and content type → SM2 channel authentication → JSON syntax → the endpoint's `path`, `query`
 * and `body` schemas (request-validation.ts) → Idempotency-Key → the endpoint's use case.
 * Every call, allowed or denied, is audited as an interface call; denied calls of callers that did not
 * authenticate are aggregated per source and minute (call-audit.ts). For channels, bad signatures,
 * replays and quota answers are also counted towards the channel's credit (credit-bursts.ts).
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { badRequest, conflict, unprocessable } from '../../core/domain/errors';
import type { AuditLog, Channel, Clock, IdempotencyStore, RateCounter } from '../../core/ports';
import { sm3Hex } from '../crypto/sm3';
import { logger } from '../logger';
import { authenticateChannel, type ChannelAuthDeps } from './channel-auth';
import { countCreditBurst, type CreditBurstDeps } from './credit-bursts';
import { countAuthFailureAndRethrow, flushMetricsPerInvocation } from '../metrics';
import { checkJsonBody, parseJsonBody } from './json-body';
import { recordCall, recordFailedCall } from './call-audit';
import { jsonResponse } from './problem';
import { problems } from './problems';
import { header, pathAndQuery } from './request';
import { validateRequest, type RequestSchemas, type ValidatedParts } from './request-validation';

/** What every signed endpoint needs besides the way it authenticates its signer. */
export interface SignedEndpointDeps {
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly idempotency: IdempotencyStore;
  /** Counts denied calls of unauthenticated callers (call-audit.ts). */
  readonly rate: RateCounter;
}

/** A channel endpoint's: authentication, the chain's own, and the credit queue and rules for edge bursts (built lazily). */
export interface EndpointDeps extends ChannelAuthDeps, SignedEndpointDeps, CreditBurstDeps {}

export interface EndpointRequest<B = unknown, Q = undefined, P = undefined> extends ValidatedParts<B, Q, P> {
  readonly event: APIGatewayProxyEvent;
  readonly channel: Channel;
}

/**
 * Who signs an endpoint's requests and how they are checked: a channel (institutions) or a department
 * system (DESIGN.md §7b). The rest of the chain is the same for both.
 */
export interface SignerKind<S, D> {
  /** The parameter naming the signer in the Authorization header (`channel`, `department`). */
  readonly param: string;
  authenticate(event: APIGatewayProxyEvent, deps: D): Promise<S>;
  /** Whose audit log a call goes to, the actor, the Idempotency-Key scope and the log keys. */
  describe(signer: S): { readonly tenant: string; readonly actor: string; readonly scope: string; readonly logKeys: Record<string, string> };
  /** What else a refused request does (channels: count it towards a credit burst); must not throw. */
  onDenied?(error: unknown, event: APIGatewayProxyEvent, signer: S | undefined, deps: D): Promise<void>;
}

const channelSigner: SignerKind<Channel, EndpointDeps> = {
  param: 'channel',
  authenticate: authenticateChannel,
  describe: (channel) => ({ tenant: channel.institutionId, actor: `channel:${channel.channelId}`, scope: channel.channelId, logKeys: { channelId: channel.channelId } }),
  // DESIGN.md §4: signature and replay failures beyond a burst, and rate-limit abuse, are credit signals.
  onDenied: (error, event, channel, deps) =>
    countCreditBurst(deps, error, event, channel?.channelId, (failure) =>
      logger.error('Credit burst not counted', { errorName: failure instanceof Error ? failure.name : 'unknown' }),
    ),
};

/**
 * `body`, `query` and `path` are the endpoint's request schemas; the use case gets what they parsed.
 * Without a `body` schema, `body` is the parsed JSON as sent (POST endpoints) for a use case that
 * validates it itself.
 */
export interface SignedEndpointOptions<S, D, B = unknown, Q = undefined, P = undefined> extends RequestSchemas<B, Q, P> {
  /** Name used in logs and in the audit action, e.g. `SUBMIT_BATCH`. */
  readonly action: string;
  /** POST endpoints take a JSON body up to this many bytes. */
  readonly maxBodyBytes?: number;
  /** Honour the Idempotency-Key header (POST). */
  readonly idempotent?: boolean;
  /** Dependencies, built lazily once per process (clients are created at first use, not per call). */
  readonly deps: () => Promise<D>;
  readonly run: (request: ValidatedParts<B, Q, P> & { readonly event: APIGatewayProxyEvent; readonly signer: S }) => Promise<{ statusCode: number; body: unknown }>;
}

export interface EndpointOptions<B = unknown, Q = undefined, P = undefined> extends Omit<SignedEndpointOptions<Channel, EndpointDeps, B, Q, P>, 'run'> {
  readonly run: (request: EndpointRequest<B, Q, P>) => Promise<{ statusCode: number; body: unknown }>;
}

/** Idempotency records live 24 h: long enough for any client retry loop. */
const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,128}$/;

/** The Lambda context, extended by the guard with the authenticated signer and the parsed request. */
interface SignedContext<S> extends Context {
  signer: S;
  parts: ValidatedParts<unknown, unknown, unknown>;
}

interface Internal<S, D> extends Record<string, unknown> {
  signer?: S;
  idempotency?: { scope: string; key: string; hash: string };
  deps?: D;
}

/** A channel endpoint: signed by an institution's channel (DESIGN.md §7). */
export function channelEndpoint<B = unknown, Q = undefined, P = undefined>(options: EndpointOptions<B, Q, P>) {
  return signedEndpoint(channelSigner, { ...options, run: ({ signer, ...rest }) => options.run({ ...rest, channel: signer }) });
}

/** The chain of an endpoint whose every request is ZT-SM2 signed by `kind` of signer. */
export function signedEndpoint<S, D extends SignedEndpointDeps, B = unknown, Q = undefined, P = undefined>(kind: SignerKind<S, D>, options: SignedEndpointOptions<S, D, B, Q, P>) {
  const { action, maxBodyBytes, idempotent = false } = options;
  const isPost = maxBodyBytes !== undefined;
  const claimedPattern = new RegExp(`${kind.param}="([A-Za-z0-9._-]{1,64})"`);
  type ChannelContext = SignedContext<S>;
  type InternalState = Internal<S, D>;

  type Request = middy.Request<APIGatewayProxyEvent, APIGatewayProxyResult, Error, ChannelContext, InternalState>;
  const whoCalled = (request: Request) => {
    const signer = request.internal.signer;
    const described = signer === undefined ? undefined : kind.describe(signer);
    const claimed = claimedPattern.exec(header(request.event, 'authorization') ?? '')?.[1];
    return {
      tenant: described?.tenant ?? 'unauthenticated',
      actor: described?.actor ?? (claimed ? `${kind.param}:${claimed}` : 'anonymous'),
      action,
      authenticated: signer !== undefined,
      event: request.event,
      requestId: request.context.awsRequestId,
    };
  };

  const guard: middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, ChannelContext, InternalState> = {
    before: async (request) => {
      const deps = await options.deps();
      request.internal.deps = deps;
      const event = request.event;
      const body = isPost ? checkJsonBody(event, maxBodyBytes) : undefined;
      const signer = await kind.authenticate(event, deps).catch(countAuthFailureAndRethrow);
      request.internal.signer = signer;
      request.context.signer = signer;
      const described = kind.describe(signer);
      logger.appendKeys(described.logKeys);
      request.context.parts = validateRequest<unknown, unknown, unknown>(options, event, body ? parseJsonBody(body) : undefined);
      if (!body || !idempotent) return undefined;
      const key = header(event, 'idempotency-key');
      if (key === undefined) return undefined;
      if (!IDEMPOTENCY_KEY.test(key)) throw badRequest('IDEMPOTENCY_KEY_INVALID', 'The Idempotency-Key must be 1–128 characters of [A-Za-z0-9._:-].');
      const hash = sm3Hex(`${event.httpMethod}\n${pathAndQuery(event)}\n${sm3Hex(body)}`);
      const scope = described.scope;
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
      if (request.internal.deps) {
        await recordFailedCall(request.internal.deps.audit, request.internal.deps, request.error, whoCalled(request));
        await kind.onDenied?.(request.error, request.event, request.internal.signer, request.internal.deps);
      }
    },
  };

  return middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, ChannelContext, InternalState>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(problems<ChannelContext, InternalState>())
    .use(guard)
    .use(flushMetricsPerInvocation())
    .handler(async (event, context) => {
      const parts = context.parts as ValidatedParts<B, Q, P>;
      const result = await options.run({ event, signer: context.signer, body: parts.body, query: parts.query, path: parts.path });
      return jsonResponse(result.statusCode, result.body);
    });
}
