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

/** RFC 3986 percent-encoding of one query name or value: unreserved characters as they are, the rest `%XX` upper case. */
export const rfc3986 = (text: string): string =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * `CANONICAL_QUERY` (DESIGN.md §7), as AWS SigV4 builds it: every parameter decoded (API Gateway hands
 * them over decoded), name and value RFC 3986-encoded, pairs sorted by name then value, `name=value`
 * joined with `&`; a parameter without a value is `name=`. Empty when there are no parameters.
 */
export function canonicalQuery(params: Readonly<Record<string, readonly (string | undefined)[] | undefined>> | null | undefined): string {
  const pairs: [string, string][] = [];
  for (const [name, values] of Object.entries(params ?? {})) {
    for (const value of values ?? []) pairs.push([rfc3986(name), rfc3986(value ?? '')]);
  }
  // Encoded text is ASCII: comparing UTF-16 code units is comparing bytes, as SigV4 does.
  pairs.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

/** `PATH_AND_QUERY` of the signed string: the path as sent, and `?CANONICAL_QUERY` when there is a query. */
export function pathAndQuery(event: APIGatewayProxyEvent): string {
  const query = canonicalQuery(event.multiValueQueryStringParameters ?? singleToMulti(event.queryStringParameters));
  return query === '' ? event.path : `${event.path}?${query}`;
}

const singleToMulti = (params: APIGatewayProxyEvent['queryStringParameters']): Record<string, string[]> | undefined =>
  params ? Object.fromEntries(Object.entries(params).flatMap(([k, v]) => (v === undefined ? [] : [[k, [v]]]))) : undefined;

/**
 * Query parameters, one value each: a parameter sent twice is refused by the caller's schema rather than
 * silently taking the first or last value (`repeated` lists such names). The map has no prototype, so a
 * parameter named `constructor` or `__proto__` is only a name.
 */
export function queryParameters(event: APIGatewayProxyEvent): { params: Record<string, string>; repeated: string[] } {
  const params = Object.create(null) as Record<string, string>;
  const repeated: string[] = [];
  for (const [key, values] of Object.entries(event.multiValueQueryStringParameters ?? {})) {
    if ((values?.length ?? 0) > 1) repeated.push(key);
    else if (values?.[0] !== undefined) params[key] = values[0];
  }
  for (const [key, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (!Object.hasOwn(params, key) && !repeated.includes(key) && value !== undefined) params[key] = value;
  }
  return { params, repeated };
}
