/**
 * Requests of the credit officers' endpoints and the intake review, built from the real-shaped staff fixture
 * events/apigw/review-filing.json with the method, resource and path of the endpoint's route in the topology
 * (so a test calls each handler exactly as API Gateway would route to it).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { functions, type FunctionDecl } from '../../infra/topology';
import type { StaffEndpointName } from '../../functions/shared/http/staff-permissions';

const root = resolve(import.meta.dirname, '../..');
const base = JSON.parse(readFileSync(resolve(root, 'events/apigw/review-filing.json'), 'utf8')) as APIGatewayProxyEvent;
const decls: Record<string, FunctionDecl> = functions;

export interface StaffRequest {
  readonly token: string;
  readonly path?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string>>;
  /** An object is sent as JSON, a string as it is. */
  readonly body?: unknown;
}

export function staffRequest(endpoint: StaffEndpointName, request: StaffRequest): APIGatewayProxyEvent {
  const route = decls[endpoint]?.route;
  if (!route) throw new Error(`${endpoint} has no route`);
  const event = structuredClone(base);
  const params = request.path ?? {};
  event.httpMethod = route.method;
  event.requestContext.httpMethod = route.method;
  event.resource = route.path;
  event.requestContext.resourcePath = route.path;
  event.path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
  event.requestContext.path = `/${event.requestContext.stage}${event.path}`;
  event.pathParameters = Object.keys(params).length > 0 ? { ...params } : null;
  const query = request.query ?? {};
  event.queryStringParameters = Object.keys(query).length > 0 ? { ...query } : null;
  event.multiValueQueryStringParameters = Object.keys(query).length > 0 ? Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]])) : null;
  event.body = request.body === undefined ? null : typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
  const headers: Record<string, string> = { ...(event.headers as Record<string, string>), Authorization: `Bearer ${request.token}` };
  if (request.body === undefined) delete headers['Content-Type'];
  event.headers = headers;
  event.multiValueHeaders = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]]));
  return event;
}
