/** GET /health: liveness of the API (no dependencies touched, no authentication). */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { jsonResponse } from '../shared/http/problem';

export const handler = async (): Promise<APIGatewayProxyResult> => jsonResponse(200, { status: 'ok', service: 'zhitong' });
