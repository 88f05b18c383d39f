/** Reading an API Gateway REST event the way API Gateway hands it over. */
import type { APIGatewayProxyEvent } from 'aws-lambda';

/** Header lookup ignoring case (API Gateway keeps the case the client sent). */
export function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}

/** The raw body bytes, exactly as signed by the client. */
export function rawBody(event: APIGatewayProxyEvent): Buffer {
  if (event.body === null || event.body === undefined) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

/**
 * Path and query as the client sent them, for the signed string. API Gateway's REST event has no raw
 * query string, so it is rebuilt from the multi-value parameters in the order received; clients sign
 * the query in the order they send it (DESIGN.md §7).
 */
export function pathAndQuery(event: APIGatewayProxyEvent): string {
  const params = event.multiValueQueryStringParameters;
  if (!params || Object.keys(params).length === 0) return event.path;
  const parts: string[] = [];
  for (const [key, values] of Object.entries(params)) {
    for (const value of values ?? []) parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(value)}`);
  }
  return `${event.path}?${parts.join('&')}`;
}

/**
 * Query parameters, one value each: a parameter sent twice is refused by the caller's schema rather than
 * silently taking the first or last value (`repeated` lists such names).
 */
export function queryParameters(event: APIGatewayProxyEvent): { params: Record<string, string>; repeated: string[] } {
  const params: Record<string, string> = {};
  const repeated: string[] = [];
  for (const [key, values] of Object.entries(event.multiValueQueryStringParameters ?? {})) {
    if ((values?.length ?? 0) > 1) repeated.push(key);
    else if (values?.[0] !== undefined) params[key] = values[0];
  }
  for (const [key, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (!(key in params) && !repeated.includes(key) && value !== undefined) params[key] = value;
  }
  return { params, repeated };
}
