/** POST /v1/batches: submit up to N filings from an authenticated channel (DESIGN.md §7). */
import { auditLogFromEnv } from '../adapters/sqs/audit-queue';
import { checklistStoreFromEnv } from '../adapters/dynamodb/checklist-store';
import { filingRepositoryFromEnv } from '../adapters/dynamodb/filing-repository';
import { vaultFromEnv } from '../adapters/keys/personal-data-vault';
import { intakeQueueFromEnv } from '../adapters/sqs/intake-queue';
import { creditQueueFromEnv } from '../adapters/sqs/credit-queue';
import { creditRulesStoreFromEnv } from '../adapters/dynamodb/credit-store';
import { rateCounterFromEnv } from '../adapters/dynamodb/rate-counter';
import { submitBatch } from '../core/use-cases/submit-batch';
import { getNumberFromEnv } from '../shared/config';
import { channelEndpoint } from '../shared/http/channel-endpoint';
import { endpointDeps } from '../shared/http/endpoint-deps';
import { lazy, systemClock } from '../shared/lazy';
import { sm3Hex } from '../shared/crypto/sm3';
import { rawBody } from '../shared/http/request';
import { MAX_FILINGS_PER_BATCH_DEFAULT, submitBatchRequestSchema } from '../../schemas/v1/batch';
import { validateFilingInput } from '../../schemas/v1/filing-input';

const MAX_FILINGS = getNumberFromEnv('MAX_FILINGS_PER_BATCH', MAX_FILINGS_PER_BATCH_DEFAULT);
/** 500 filings take well under 1 MiB; 5 MiB stays under Lambda's 6 MB synchronous payload limit. */
const MAX_BODY_BYTES = getNumberFromEnv('MAX_BATCH_BODY_BYTES', 5 * 1024 * 1024);
const envelope = submitBatchRequestSchema(MAX_FILINGS);

const ports = lazy(async () => ({
  filings: filingRepositoryFromEnv(),
  vault: await vaultFromEnv(),
  queue: intakeQueueFromEnv(),
  audit: auditLogFromEnv(),
  clock: systemClock,
  validate: validateFilingInput,
  checklists: checklistStoreFromEnv(),
  // DESIGN.md §4: the credit gate reads the rules only for a restricted channel; the quota is a guards counter.
  rules: creditRulesStoreFromEnv(),
  quota: rateCounterFromEnv(),
  credit: creditQueueFromEnv(),
}));

export const handler = channelEndpoint({
  action: 'SUBMIT_BATCH',
  maxBodyBytes: MAX_BODY_BYTES,
  idempotent: true,
  deps: endpointDeps,
  // The envelope only (`{ filings: [1..MAX] }`, too many: `filings` TOO_MANY); each filing is validated on its own by the use case.
  body: envelope,
  // The receipt entry commits to the bytes the channel signed: SM3 of the raw body, as its signature covers it.
  run: async ({ channel, body, event }) => ({ statusCode: 202, body: await submitBatch(await ports(), channel, body.filings, { bodySm3: sm3Hex(rawBody(event)) }) }),
});
