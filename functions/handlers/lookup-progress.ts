/**
 * POST /v1/public/progress: a citizen looks up a filing's progress by business number, name and ID
 * number (DESIGN.md §1 citizen; 002 二(一)4). No authentication; rate-limited per client address
 * (`PUBLIC_LOOKUP_LIMIT` per `PUBLIC_LOOKUP_WINDOW_SECONDS`, default 10 per 60 s). Any mismatch answers
 * the same 404, and malformed input is refused without echoing it.
 */
import { auditLogFromEnv } from '../adapters/dynamodb/audit-log';
import { filingRepositoryFromEnv } from '../adapters/dynamodb/filing-repository';
import { rateCounterFromEnv } from '../adapters/dynamodb/rate-counter';
import { lookupDecoy } from '../adapters/keys/decoy-vault';
import { vaultFromEnv } from '../adapters/keys/personal-data-vault';
import { unprocessable } from '../core/domain/errors';
import { lookupProgress } from '../core/use-cases/lookup-progress';
import { getNumberFromEnv } from '../shared/config';
import { publicEndpoint } from '../shared/http/public-endpoint';
import { lazy, systemClock } from '../shared/lazy';
import { fieldErrorsFromIssues } from '../../schemas/v1/filing-input';
import { MAX_PROGRESS_BODY_BYTES, progressLookupRequestSchema } from '../../schemas/v1/progress';

const LIMIT = getNumberFromEnv('PUBLIC_LOOKUP_LIMIT', 10);
const WINDOW_SECONDS = getNumberFromEnv('PUBLIC_LOOKUP_WINDOW_SECONDS', 60);

const deps = lazy(async () => ({ audit: auditLogFromEnv(), rate: rateCounterFromEnv(), clock: systemClock }));
const ports = lazy(async () => ({ filings: filingRepositoryFromEnv(), vault: await vaultFromEnv(), decoy: await lookupDecoy() }));

export const handler = publicEndpoint({
  action: 'LOOKUP_PROGRESS',
  maxBodyBytes: MAX_PROGRESS_BODY_BYTES,
  rateLimit: { scope: 'lookup', limit: LIMIT, windowSeconds: WINDOW_SECONDS },
  deps,
  run: async ({ json, target }) => {
    const parsed = progressLookupRequestSchema.safeParse(json);
    if (!parsed.success) {
      throw unprocessable('INVALID_REQUEST', 'The body must be { "businessNumber": "F…", "name": "…", "idNumber": "…" } and nothing else.', {
        // Field paths and codes only: never the submitted values.
        errors: fieldErrorsFromIssues(parsed.error.issues),
      });
    }
    const { answer, filingId } = await lookupProgress(await ports(), parsed.data);
    target(filingId);
    return { statusCode: 200, body: answer };
  },
});
