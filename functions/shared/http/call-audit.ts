/**
 * The audit of every API call, allowed or denied (002 五(二)4: operations, interface calls and errors),
 * shared by the endpoint chains. A call whose audit record cannot be written fails (500) rather than go
 * unrecorded; a failed call is still recorded, and a failure to record it is logged without hiding the
 * call's own error.
 *
 * Denied calls of callers nobody authenticated (no signature, a bad token, a flood of lookups) are
 * aggregated: per action, code, source address and minute, the first is audited in full and names the
 * counter (`deniedCounter`) that counts it and every later one of that minute — one counter item per source and
 * minute in the guards table, instead of one audit item per call into the one `unauthenticated` (or
 * `public`) log, where a flood would make a hot partition and an unbounded log.
 */
import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { rateWindowOf } from '../../core/domain/rate-limit';
import { auditCodeOf, ZtError } from '../../core/domain/errors';
import type { AuditLog, Clock, RateCounter } from '../../core/ports';
import { sm3Hex } from '../crypto/sm3';
import { logger } from '../logger';

/** Where denied unauthenticated calls are counted; without it, each is audited on its own. */
export interface DenialCounter {
  readonly rate: RateCounter;
  readonly clock: Clock;
}

/** The counters of a minute outlive it: interface-call records are kept at least a year (004 第二十三条). */
const DENIAL_COUNTER_RETENTION_SECONDS = 400 * 24 * 3600;

/** The client address as API Gateway saw it (the TCP peer, not a forgeable X-Forwarded-For). */
export const clientAddressOf = (event: APIGatewayProxyEvent): string => event.requestContext?.identity?.sourceIp || 'unknown';

/** A stable pseudonym of a client address (16 hex): pseudonymised, not anonymised (an IPv4 space can be enumerated). */
export const addressPseudonym = (address: string): string => sm3Hex(`zhitong/public-client/v1\n${address}`).slice(0, 16);

export interface CallOutcome {
  readonly tenant: string;
  readonly actor: string;
  readonly action: string;
  readonly statusCode: number;
  readonly code?: string;
  readonly target?: string;
  /** The caller was authenticated (a channel, a staff member): its denials are audited one by one. */
  readonly authenticated: boolean;
  readonly event: APIGatewayProxyEvent;
  readonly requestId: string;
}

/** Records one call: in full, or — a denied call of an unauthenticated caller — counted in its minute. */
export async function recordCall(audit: AuditLog, counter: DenialCounter | undefined, call: CallOutcome): Promise<void> {
  const outcome = call.statusCode < 400 ? 'SUCCESS' : call.statusCode < 500 ? 'DENIED' : 'ERROR';
  // The path without its query string: queries may one day carry what is not ours to log.
  const detail: Record<string, string | number | boolean> = {
    method: call.event.httpMethod,
    // The route template, never the raw path: a caller can put anything in a path (an ID number, a name).
    path: call.event.resource,
    status: call.statusCode,
    ...(call.code ? { code: call.code } : {}),
    requestId: call.requestId,
  };
  if (outcome === 'DENIED' && !call.authenticated && counter) {
    const minute = rateWindowOf(counter.clock.now(), 60);
    const source = addressPseudonym(clientAddressOf(call.event));
    const key = `denied#API_${call.action}#${call.code ?? call.statusCode}#${source}#${minute.window}`;
    const count = await counter.rate.increment(key, minute.endsAt + DENIAL_COUNTER_RETENTION_SECONDS);
    if (count > 1) return;
    detail['source'] = source;
    detail['deniedCounter'] = key;
    detail['minuteStart'] = new Date((minute.endsAt - 60) * 1000).toISOString();
  }
  await audit.record({ tenant: call.tenant, actor: call.actor, action: `API_${call.action}`, outcome, target: call.target, detail });
}

/** Records the call of a failed request, never hiding the request's own error. */
export const recordFailedCall = (audit: AuditLog, counter: DenialCounter | undefined, error: unknown, call: Omit<CallOutcome, 'statusCode' | 'code'>): Promise<void> =>
  recordCall(audit, counter, {
    ...call,
    statusCode: error instanceof ZtError ? error.status : 500,
    code: error instanceof ZtError ? auditCodeOf(error) : 'INTERNAL_ERROR',
  }).catch((auditError: unknown) => logger.error('Audit write failed', { errorName: auditError instanceof Error ? auditError.name : 'unknown' }));

/** What the endpoint learns during the call that its audit record needs. */
export interface CallRecord<Actor> {
  audit?: AuditLog;
  denials?: DenialCounter;
  actor?: Actor;
  /** Set once the caller is authenticated. */
  authenticated?: boolean;
  target?: string;
}

export interface AuditedContext<Actor> extends Context {
  call: CallRecord<Actor>;
}

/**
 * @param action the audit action, recorded as `API_<action>`
 * @param whoCalled the tenant and actor of the record, from what the call learnt (or the request itself)
 */
export function callAuditing<Actor, C extends AuditedContext<Actor>>(
  action: string,
  whoCalled: (call: CallRecord<Actor>, event: APIGatewayProxyEvent) => { tenant: string; actor: string },
): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, C> {
  const common = (request: middy.Request<APIGatewayProxyEvent, APIGatewayProxyResult, Error, C>) => {
    const call = request.context.call;
    return { ...whoCalled(call, request.event), action, target: call.target, authenticated: call.authenticated === true, event: request.event, requestId: request.context.awsRequestId };
  };
  return {
    before: (request) => {
      request.context.call = {};
    },
    after: async (request) => {
      const call = request.context.call;
      if (request.response && call?.audit) await recordCall(call.audit, call.denials, { ...common(request), statusCode: request.response.statusCode });
    },
    onError: async (request) => {
      const call = request.context.call;
      if (call?.audit) await recordFailedCall(call.audit, call.denials, request.error, common(request));
    },
  };
}
