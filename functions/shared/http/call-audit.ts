/**
 * The audit of every API call, allowed or denied (002 五(二)4: operations, interface calls and errors),
 * as one middy middleware that the endpoint chains share. A call whose audit record cannot be written
 * fails (500) rather than go unrecorded; a failed call is still recorded, and a failure to record it is
 * logged without hiding the call's own error.
 */
import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { ZtError } from '../../core/domain/errors';
import type { AuditLog } from '../../core/ports';
import { logger } from '../logger';

/** What the endpoint learns during the call that its audit record needs. */
export interface CallRecord<Actor> {
  audit?: AuditLog;
  actor?: Actor;
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
  const record = async (request: middy.Request<APIGatewayProxyEvent, APIGatewayProxyResult, Error, C>, statusCode: number, code?: string) => {
    const call = request.context.call;
    if (!call?.audit) return;
    await call.audit.record({
      ...whoCalled(call, request.event),
      action: `API_${action}`,
      outcome: statusCode < 400 ? 'SUCCESS' : statusCode < 500 ? 'DENIED' : 'ERROR',
      target: call.target,
      // The path without its query string: queries may one day carry what is not ours to log.
      detail: { method: request.event.httpMethod, path: request.event.path, status: statusCode, ...(code ? { code } : {}), requestId: request.context.awsRequestId },
    });
  };
  return {
    before: (request) => {
      request.context.call = {};
    },
    after: async (request) => {
      if (request.response) await record(request, request.response.statusCode);
    },
    onError: async (request) => {
      const error = request.error;
      const status = error instanceof ZtError ? error.status : 500;
      await record(request, status, error instanceof ZtError ? error.code : 'INTERNAL_ERROR').catch((auditError: unknown) =>
        logger.error('Audit write failed', { errorName: auditError instanceof Error ? auditError.name : 'unknown' }),
      );
    },
  };
}
