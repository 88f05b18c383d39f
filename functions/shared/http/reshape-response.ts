/**
 * Answers the endpoint chains do not shape themselves (they answer JSON): a header added to a status
 * (`Retry-After` on a 202), or a body served as it is in another content type (an export's JSON Lines).
 * Wraps the finished chain, so the call is audited and errors are mapped exactly as for every endpoint.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';


export const reshapeResponse =
  <C extends Context>(handler: (event: APIGatewayProxyEvent, context: C, ...rest: never[]) => Promise<APIGatewayProxyResult>, reshape: (result: APIGatewayProxyResult) => APIGatewayProxyResult) =>
  async (event: APIGatewayProxyEvent, context: C): Promise<APIGatewayProxyResult> =>
    reshape(await handler(event, context));

/** Adds `Retry-After: <seconds>` to answers of `status`. */
export const retryAfterOn = (status: number, seconds: number) => (result: APIGatewayProxyResult): APIGatewayProxyResult =>
  result.statusCode === status ? { ...result, headers: { ...result.headers, 'retry-after': String(seconds) } } : result;

/** A 200 whose JSON body is one string is served as that string, in `contentType`. */
export const rawBodyOn200 = (contentType: string) => (result: APIGatewayProxyResult): APIGatewayProxyResult =>
  result.statusCode === 200 ? { ...result, headers: { ...result.headers, 'content-type': contentType }, body: JSON.parse(result.body) as string } : result;
