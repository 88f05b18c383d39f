/** GET /v1/filings/{filingId}: the channel's own filing with its history, personal data masked. */
import { auditLogFromEnv } from '../adapters/sqs/audit-queue';
import { filingRepositoryFromEnv } from '../adapters/dynamodb/filing-repository';
import { vaultFromEnv } from '../adapters/keys/personal-data-vault';
import { getFiling } from '../core/use-cases/get-filing';
import { channelEndpoint } from '../shared/http/channel-endpoint';
import { endpointDeps } from '../shared/http/endpoint-deps';
import { lazy } from '../shared/lazy';
import { filingPath } from '../../schemas/v1/path-parameters';

const ports = lazy(async () => ({ filings: filingRepositoryFromEnv(), vault: await vaultFromEnv(), audit: auditLogFromEnv() }));

export const handler = channelEndpoint({
  action: 'GET_FILING',
  deps: endpointDeps,
  path: filingPath,
  run: async ({ channel, path }) => ({ statusCode: 200, body: await getFiling(await ports(), channel, path.filingId) }),
});
