/** GET /v1/audit/log-key: public; the SM2 key that verifies the audit log's signed tree heads (what institutions pin). */
import { auditLogFromEnv } from '../adapters/sqs/audit-queue';
import { rateCounterFromEnv } from '../adapters/dynamodb/rate-counter';
import { logPublicKey } from '../core/use-cases/audit-receipt';
import { logPublicKeyFromEnv } from '../shared/audit-read-deps';
import { publicEndpoint } from '../shared/http/public-endpoint';
import { lazy, systemClock } from '../shared/lazy';

const deps = lazy(async () => ({ audit: auditLogFromEnv(), rate: rateCounterFromEnv(), clock: systemClock }));
const logKey = lazy(logPublicKeyFromEnv);

export const handler = publicEndpoint({
  action: 'GET_AUDIT_LOG_KEY',
  rateLimit: { scope: 'logkey', limit: 120, windowSeconds: 60 },
  deps,
  run: async () => ({ statusCode: 200, body: await logPublicKey(await logKey()) }),
});
