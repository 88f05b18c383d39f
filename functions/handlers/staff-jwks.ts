/**
 * GET /v1/staff/jwks.json: the local token issuer's public keys (local runtime only; on AWS, Cognito
 * publishes the user pool's JWKS). Staff handlers do not fetch this: they read the same key file.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { LocalStaffIssuer } from '../adapters/identity/local-issuer';
import { LOCAL_KEYRING_DIR_ENV } from '../../infra/topology';
import { getStringFromEnv } from '../shared/config';
import { errorToProblem } from '../shared/http/problem';
import { lazy } from '../shared/lazy';

const jwks = lazy(async () => JSON.stringify((await LocalStaffIssuer.open(getStringFromEnv(LOCAL_KEYRING_DIR_ENV))).jwks()));

export const handler = async (): Promise<APIGatewayProxyResult> => {
  try {
    return { statusCode: 200, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'public, max-age=300' }, body: await jwks() };
  } catch (error) {
    return errorToProblem(error);
  }
};
