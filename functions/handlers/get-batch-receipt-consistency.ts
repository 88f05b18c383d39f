/** GET /v1/batches/{batchId}/receipt/consistency?from=<treeSize>: the log kept everything an earlier head (the institution holds) covered. */
import { filingRepositoryFromEnv } from '../adapters/dynamodb/filing-repository';
import { getReceiptConsistency } from '../core/use-cases/audit-receipt';
import { auditReadPorts } from '../shared/audit-read-deps';
import { channelEndpoint } from '../shared/http/channel-endpoint';
import { endpointDeps } from '../shared/http/endpoint-deps';
import { lazy } from '../shared/lazy';
import { receiptConsistencyQuerySchema } from '../../schemas/v1/audit';
import { batchPath } from '../../schemas/v1/path-parameters';

const ports = lazy(async () => ({ ...(await auditReadPorts()), filings: filingRepositoryFromEnv() }));

export const handler = channelEndpoint({
  action: 'GET_BATCH_RECEIPT_CONSISTENCY',
  deps: endpointDeps,
  path: batchPath,
  query: receiptConsistencyQuerySchema,
  run: async ({ channel, path, query }) => ({ statusCode: 200, body: await getReceiptConsistency(await ports(), channel, path.batchId, query.from) }),
});
