/**
 * GET /v1/certificates/{certificateNo}/verification?digest=<hex>: public, no authentication. Answers
 * whether the number with this digest is a genuine, current certificate, and nothing of its content.
 *
 * Not on the public chain (public-endpoint.ts) because that chain takes a JSON body; this is a GET.
 * The use case audits every answered check; problems are mapped here.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { auditLogFromEnv } from '../adapters/dynamodb/audit-log';
import { certificateStoreFromEnv } from '../adapters/dynamodb/certificate-store';
import { platformSignerFromEnv } from '../adapters/keys/platform-signer-from-env';
import { badRequest } from '../core/domain/errors';
import { verifyCertificate } from '../core/use-cases/certificates';
import { errorToProblem, jsonResponse } from '../shared/http/problem';
import { queryParameters } from '../shared/http/request';
import { lazy } from '../shared/lazy';
import { verifyCertificateQuerySchema } from '../../schemas/v1/certificate';

const ports = lazy(async () => ({ certificates: certificateStoreFromEnv(), signer: await platformSignerFromEnv(), audit: auditLogFromEnv() }));

export const handler = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
  try {
    const { params, repeated } = queryParameters(event);
    const parsed = verifyCertificateQuerySchema.safeParse(params);
    if (!parsed.success || repeated.length > 0) throw badRequest('INVALID_QUERY', 'Send the query `digest` once: the 64 hex characters of the SM3 digest.');
    const certificateNo = event.pathParameters?.certificateNo ?? '';
    return jsonResponse(200, await verifyCertificate(await ports(), certificateNo, parsed.data.digest));
  } catch (error) {
    return errorToProblem(error, context.awsRequestId);
  }
};
