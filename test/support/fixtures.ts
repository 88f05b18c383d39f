/**
 * Loading the real-shaped event fixtures of `events/` and filling in what differs per test: the body
 * and a genuine ZT-SM2 signature made with the institution-side client module.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { APIGatewayProxyEvent, Context, SQSEvent } from 'aws-lambda';
import { signRequest } from '../../client/zt-client';

const root = resolve(import.meta.dirname, '../..');
const load = <T>(path: string): T => JSON.parse(readFileSync(resolve(root, 'events', path), 'utf8')) as T;
const cache = new Map<string, unknown>();
const fixture = <T>(path: string): T => {
  if (!cache.has(path)) cache.set(path, load<T>(path));
  return structuredClone(cache.get(path)) as T;
};

export const apigwFixture = (
  name:
    | 'submit-batch'
    | 'get-batch'
    | 'get-filing'
    | 'get-webhook'
    | 'put-webhook'
    | 'correct-filing'
    | 'withdraw-filing'
    | 'post-department-result'
    | 'get-channel-credit'
    | 'post-rectification'
    | 'post-credit-appeal',
): APIGatewayProxyEvent => fixture(`apigw/${name}.json`);
export const sqsFixture = (name: 'intake' | 'notification' | 'credit'): SQSEvent => fixture(`sqs/${name}.json`);

export interface Signer {
  readonly channelId: string;
  readonly privateKey: string;
  /** A department system signs with `department=` (DESIGN.md §7b). */
  readonly as?: 'channel' | 'department';
}

/** Sets method, path, body and a valid Authorization header on a copy of an API Gateway fixture. */
export function signedEvent(
  base: APIGatewayProxyEvent,
  signer: Signer,
  options: { body?: string; path?: string; pathParameters?: Record<string, string>; timestamp?: number; nonce?: string; headers?: Record<string, string> } = {},
): APIGatewayProxyEvent {
  const event = structuredClone(base);
  if (options.path) {
    event.path = options.path;
    event.requestContext.path = `/prod${options.path}`;
  }
  if (options.pathParameters) event.pathParameters = options.pathParameters;
  event.body = options.body ?? (event.httpMethod === 'GET' ? null : event.body);
  const { authorization } = signRequest({
    channelId: signer.channelId,
    as: signer.as,
    privateKeyHex: signer.privateKey,
    method: event.httpMethod,
    pathAndQuery: event.path,
    body: event.body ?? '',
    timestamp: options.timestamp,
    nonce: options.nonce,
  });
  event.headers = { ...event.headers, Authorization: authorization, ...options.headers };
  event.multiValueHeaders = Object.fromEntries(Object.entries(event.headers).map(([k, v]) => [k, [v ?? '']]));
  return event;
}

let requestCounter = 0;
export function lambdaContext(functionName: string): Context {
  requestCounter += 1;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:cn-north-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: `test-${requestCounter}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
