/**
 * Request validation at the edge, declared once for the three endpoint chains (channel, staff, public):
 * an endpoint names its `body`, `query` and `path` zod schemas and its use case receives the parsed
 * values. One issue → field-error mapper (`fieldErrorsFromIssues`) and one family of codes:
 *
 * - body: 422 `INVALID_BODY` with field `errors` (the JSON is well-formed but not what the endpoint takes);
 * - query: 400 `INVALID_QUERY` with field `errors` (a parameter sent twice is `REPEATED`);
 * - path: the 404 its schema declares (`FILING_NOT_FOUND`, …, schemas/v1/path-parameters.ts): an id of
 *   the wrong shape names nothing, and answers like a missing one.
 *
 * No submitted value is ever echoed: field errors carry paths and our own messages only, and unknown
 * names appear only when they look like field names.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { z } from 'zod';
import { badRequest, notFound, unprocessable, type FieldError } from '../../core/domain/errors';
import { fieldErrorsFromIssues } from '../../../schemas/v1/filing-input';
import { notFoundOf } from '../../../schemas/v1/path-parameters';
import { MAX_PROBLEM_FIELD_ERRORS } from './problem';
import { queryParameters } from './request';

/** The schemas an endpoint declares; each absent one leaves its part unchecked (`undefined` for query and path). */
export interface RequestSchemas<B, Q, P> {
  readonly body?: z.ZodType<B>;
  readonly query?: z.ZodType<Q>;
  readonly path?: z.ZodType<P>;
}

/** More than the problem shows, so that `errorsTruncated` is set, and bounded however many issues zod found. */
const fieldErrors = (issues: readonly z.core.$ZodIssue[]): FieldError[] => fieldErrorsFromIssues(issues, MAX_PROBLEM_FIELD_ERRORS + 1);

export function validBody<B>(schema: z.ZodType<B>, json: unknown): B {
  const parsed = schema.safeParse(json, { reportInput: true });
  if (parsed.success) return parsed.data;
  throw unprocessable('INVALID_BODY', 'The body does not have the shape this endpoint takes; see `errors` and the OpenAPI document.', { errors: fieldErrors(parsed.error.issues) });
}

const FIELD_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export function validQuery<Q>(schema: z.ZodType<Q>, event: APIGatewayProxyEvent): Q {
  const { params, repeated } = queryParameters(event);
  const parsed = schema.safeParse({ ...params }, { reportInput: true });
  if (parsed.success && repeated.length === 0) return parsed.data;
  const errors: FieldError[] = [
    // Names are echoed only when they look like field names: the client's own text never is.
    ...repeated.map((name) => ({ path: FIELD_NAME_RE.test(name) ? name : '', code: 'REPEATED', message: 'Send each parameter once.' })),
    ...(parsed.success ? [] : fieldErrors(parsed.error.issues)),
  ];
  throw badRequest('INVALID_QUERY', 'The query parameters are not valid; see `errors` and the OpenAPI document.', { errors: errors.slice(0, MAX_PROBLEM_FIELD_ERRORS + 1) });
}

export function validPath<P>(schema: z.ZodType<P>, event: APIGatewayProxyEvent): P {
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(event.pathParameters ?? {})) if (value !== undefined) params[name] = value;
  const parsed = schema.safeParse({ ...params });
  if (parsed.success) return parsed.data;
  const answer = notFoundOf(schema) ?? { code: 'NOT_FOUND', detail: 'Nothing exists at this path.' };
  throw notFound(answer.code, answer.detail);
}

/** The parsed parts of a request, as the endpoint's use case receives them. */
export interface ValidatedParts<B, Q, P> {
  readonly body: B;
  readonly query: Q;
  readonly path: P;
}

/** Path first (a wrong id is 404 whatever else is wrong), then query, then body. */
export function validateRequest<B, Q, P>(schemas: RequestSchemas<B, Q, P>, event: APIGatewayProxyEvent, json: unknown): ValidatedParts<B, Q, P> {
  const path = schemas.path ? validPath(schemas.path, event) : (undefined as P);
  const query = schemas.query ? validQuery(schemas.query, event) : (undefined as Q);
  const body = schemas.body ? validBody(schemas.body, json) : (json as B);
  return { body, query, path };
}
