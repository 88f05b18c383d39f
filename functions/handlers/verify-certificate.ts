/**
 * GET /v1/certificates/{certificateNo}/verification?digest=<hex>: public, no authentication. Answers
 * whether the number with this digest is a genuine, current certificate, and nothing of its content.
 *
 * On the public chain (public-endpoint.ts): rate-limited per client address
 * (`CERTIFICATE_VERIFY_LIMIT` per `CERTIFICATE_VERIFY_WINDOW_SECONDS`, default 60 per 60 s), refusals
 * audited (aggregated); the use case audits every answered check itself.
 */
import { auditLogFromEnv } from '../adapters/sqs/audit-queue';
import { certificateStoreFromEnv } from '../adapters/dynamodb/certificate-store';
import { rateCounterFromEnv } from '../adapters/dynamodb/rate-counter';
import { platformSignerFromEnv } from '../adapters/keys/platform-signer-from-env';
import { verifyCertificate } from '../core/use-cases/certificates';
import { getNumberFromEnv } from '../shared/config';
import { publicEndpoint } from '../shared/http/public-endpoint';
import { lazy, systemClock } from '../shared/lazy';
import { verifyCertificateQuerySchema } from '../../schemas/v1/certificate';
import { certificatePath } from '../../schemas/v1/path-parameters';

const LIMIT = getNumberFromEnv('CERTIFICATE_VERIFY_LIMIT', 60);
const WINDOW_SECONDS = getNumberFromEnv('CERTIFICATE_VERIFY_WINDOW_SECONDS', 60);

const deps = lazy(async () => ({ audit: auditLogFromEnv(), rate: rateCounterFromEnv(), clock: systemClock }));
const ports = lazy(async () => ({ certificates: certificateStoreFromEnv(), signer: await platformSignerFromEnv(), audit: auditLogFromEnv() }));

export const handler = publicEndpoint({
  action: 'VERIFY_CERTIFICATE',
  rateLimit: { scope: 'verify', limit: LIMIT, windowSeconds: WINDOW_SECONDS },
  auditAnswered: false,
  path: certificatePath,
  query: verifyCertificateQuerySchema,
  deps,
  run: async ({ path, query }) => ({ statusCode: 200, body: await verifyCertificate(await ports(), path.certificateNo, query.digest) }),
});
