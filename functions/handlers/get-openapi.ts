/** GET /openapi.json: the OpenAPI 3.1 document generated from the zod schemas (built once per process). */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { buildOpenApiDocument } from '../../schemas/openapi';

const document = JSON.stringify(buildOpenApiDocument());

export const handler = async (): Promise<APIGatewayProxyResult> => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'public, max-age=300' },
  body: document,
});
