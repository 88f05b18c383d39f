/**
 * POST /v1/public/progress: a citizen looks up a filing's progress by business number, name and ID
 * number (DESIGN.md §1 citizen; 002 二(一)4). No authentication; rate-limited per client address
 * (`PUBLIC_LOOKUP_LIMIT` per `PUBLIC_LOOKUP_WINDOW_SECONDS`, default 10 per 60 s) and, so that many
 * addresses cannot together guess the people on one filing, failures are limited per business number
 * (`PUBLIC_LOOKUP_FAILURES_PER_NUMBER` per `PUBLIC_LOOKUP_FAILURE_WINDOW_SECONDS`, default 20 per hour;
 * counted for any number, filed or not, so the limit tells nothing of which exist). Any mismatch answers
 * the same 404, and malformed input is refused without echoing it.
 */
import { auditLogFromEnv } from '../adapters/sqs/audit-queue';
import { filingRepositoryFromEnv } from '../adapters/dynamodb/filing-repository';
import { rateCounterFromEnv } from '../adapters/dynamodb/rate-counter';
import { lookupDecoy } from '../adapters/keys/decoy-vault';
import { vaultFromEnv } from '../adapters/keys/personal-data-vault';
import { ZtError } from '../core/domain/errors';
import type { FailureLimit } from '../core/domain/rate-limit';
import { lookupProgress } from '../core/use-cases/lookup-progress';
import { getNumberFromEnv } from '../shared/config';
import { checkFailures, countFailure } from '../shared/http/failure-limit';
import { publicEndpoint } from '../shared/http/public-endpoint';
import { lazy, systemClock } from '../shared/lazy';
import { MAX_PROGRESS_BODY_BYTES, progressLookupRequestSchema } from '../../schemas/v1/progress';

const LIMIT = getNumberFromEnv('PUBLIC_LOOKUP_LIMIT', 10);
const WINDOW_SECONDS = getNumberFromEnv('PUBLIC_LOOKUP_WINDOW_SECONDS', 60);
const perNumber: FailureLimit = {
  scope: 'lookup-failures',
  limit: getNumberFromEnv('PUBLIC_LOOKUP_FAILURES_PER_NUMBER', 20),
  windowSeconds: getNumberFromEnv('PUBLIC_LOOKUP_FAILURE_WINDOW_SECONDS', 3600),
};

const deps = lazy(async () => ({ audit: auditLogFromEnv(), rate: rateCounterFromEnv(), clock: systemClock }));
const ports = lazy(async () => ({ filings: filingRepositoryFromEnv(), vault: await vaultFromEnv(), decoy: await lookupDecoy() }));

export const handler = publicEndpoint({
  action: 'LOOKUP_PROGRESS',
  maxBodyBytes: MAX_PROGRESS_BODY_BYTES,
  rateLimit: { scope: 'lookup', limit: LIMIT, windowSeconds: WINDOW_SECONDS },
  body: progressLookupRequestSchema,
  deps,
  run: async ({ body, deps, target }) => {
    // The business number is not personal data (schemas/v1/progress.ts): it may name the counter.
    await checkFailures(deps, perNumber, body.businessNumber, 'Too many failed lookups of this business number; retry later.');
    try {
      const { answer, filingId } = await lookupProgress(await ports(), body);
      target(filingId);
      return { statusCode: 200, body: answer };
    } catch (error) {
      if (error instanceof ZtError && error.status === 404) await countFailure(deps, perNumber, body.businessNumber);
      throw error;
    }
  },
});
