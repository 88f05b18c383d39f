/**
 * The one error-mapping middleware of the three endpoint chains: registered first, so that it runs last
 * on error and turns whatever was thrown into problem+json (problem.ts).
 */
import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { errorToProblem } from './problem';

export function problems<C extends Context, I extends Record<string, unknown> = Record<string, unknown>>(options: { readonly bearer?: boolean } = {}): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, C, I> {
  return {
    onError: (request) => {
      request.response = errorToProblem(request.error, request.context.awsRequestId, options);
      return request.response;
    },
  };
}
