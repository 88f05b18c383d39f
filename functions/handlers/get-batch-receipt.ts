/** GET /v1/batches/{batchId}/receipt: the receipt of the channel's own batch (DESIGN.md §5), 202 PENDING until a signed head covers it. */
import { filingRepositoryFromEnv } from '../adapters/dynamodb/filing-repository';
import { getBatchReceipt, RECEIPT_RETRY_AFTER_SECONDS } from '../core/use-cases/audit-receipt';
import { auditReadPorts } from '../shared/audit-read-deps';
import { channelEndpoint } from '../shared/http/channel-endpoint';
import { endpointDeps } from '../shared/http/endpoint-deps';
import { reshapeResponse, retryAfterOn } from '../shared/http/reshape-response';
import { lazy } from '../shared/lazy';
import { batchPath } from '../../schemas/v1/path-parameters';

const ports = lazy(async () => ({ ...(await auditReadPorts()), filings: filingRepositoryFromEnv() }));

export const handler = reshapeResponse(
  channelEndpoint({
    action: 'GET_BATCH_RECEIPT',
    deps: endpointDeps,
    path: batchPath,
    run: async ({ channel, path }) => {
      const answer = await getBatchReceipt(await ports(), channel, path.batchId);
      return answer.status === 'READY' ? { statusCode: 200, body: answer.receipt } : { statusCode: 202, body: { batchId: answer.batchId, status: 'PENDING' } };
    },
  }),
  retryAfterOn(202, RECEIPT_RETRY_AFTER_SECONDS),
);
