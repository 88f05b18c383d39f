/** GET /v1/batches/{batchId}: the channel's own batch with each filing's current status. */
import { auditLogFromEnv } from '../adapters/sqs/audit-queue';
import { filingRepositoryFromEnv } from '../adapters/dynamodb/filing-repository';
import { getBatch } from '../core/use-cases/get-batch';
import { channelEndpoint } from '../shared/http/channel-endpoint';
import { endpointDeps } from '../shared/http/endpoint-deps';
import { lazy } from '../shared/lazy';
import { batchPath } from '../../schemas/v1/path-parameters';

const ports = lazy(async () => ({ filings: filingRepositoryFromEnv(), audit: auditLogFromEnv() }));

export const handler = channelEndpoint({
  action: 'GET_BATCH',
  deps: endpointDeps,
  path: batchPath,
  run: async ({ channel, path }) => ({ statusCode: 200, body: await getBatch(await ports(), channel, path.batchId) }),
});
