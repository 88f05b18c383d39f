/** GET /v1/filings/{filingId}/certificate: the signed e-certificate of the channel's own certified filing. */
import { auditLogFromEnv } from '../adapters/sqs/audit-queue';
import { certificateStoreFromEnv } from '../adapters/dynamodb/certificate-store';
import { filingRepositoryFromEnv } from '../adapters/dynamodb/filing-repository';
import { getCertificate } from '../core/use-cases/certificates';
import { channelEndpoint } from '../shared/http/channel-endpoint';
import { endpointDeps } from '../shared/http/endpoint-deps';
import { lazy } from '../shared/lazy';
import { certificateOfFilingPath } from '../../schemas/v1/path-parameters';

const ports = lazy(async () => ({ filings: filingRepositoryFromEnv(), certificates: certificateStoreFromEnv(), audit: auditLogFromEnv() }));

export const handler = channelEndpoint({
  action: 'GET_CERTIFICATE',
  deps: endpointDeps,
  path: certificateOfFilingPath,
  run: async ({ channel, path }) => ({ statusCode: 200, body: await getCertificate(await ports(), channel, path.filingId) }),
});
