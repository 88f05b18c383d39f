/** Staff checklist requests built from the real-shaped fixtures events/apigw/{get,put}-checklist.json. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';

const root = resolve(import.meta.dirname, '../..');
const load = (name: string) => JSON.parse(readFileSync(resolve(root, 'events/apigw', `${name}.json`), 'utf8')) as APIGatewayProxyEvent;
const fixtures = { get: load('get-checklist'), put: load('put-checklist') };

function withAuth(event: APIGatewayProxyEvent, token: string): APIGatewayProxyEvent {
  event.headers = { ...event.headers, Authorization: `Bearer ${token}` };
  event.multiValueHeaders = Object.fromEntries(Object.entries(event.headers).map(([k, v]) => [k, [v ?? '']]));
  return event;
}

function onType(event: APIGatewayProxyEvent, businessType: string): APIGatewayProxyEvent {
  event.path = `/v1/staff/checklists/${businessType}`;
  event.requestContext.path = `/prod${event.path}`;
  event.pathParameters = { businessType };
  return event;
}

export const getChecklistEvent = (token: string, businessType = 'MORTGAGE_CREATE'): APIGatewayProxyEvent =>
  withAuth(onType(structuredClone(fixtures.get), businessType), token);

/** A PUT of `body` (an object is sent as JSON; the fixture's own body when omitted). */
export function putChecklistEvent(token: string, businessType = 'MORTGAGE_CREATE', body?: unknown): APIGatewayProxyEvent {
  const event = withAuth(onType(structuredClone(fixtures.put), businessType), token);
  if (body !== undefined) event.body = typeof body === 'string' ? body : JSON.stringify(body);
  return event;
}
