/**
 * PUT /v1/staff/security/misuse-rules: an administrator publishes a new version of the insider-misuse rules
 * on top of `baseVersion` (409 MISUSE_RULES_VERSION_CONFLICT otherwise; 422 MISUSE_RULES_INVALID when the
 * thresholds do not hold together). Every version is kept and audited.
 */
import { auditLogFromEnv } from '../adapters/sqs/audit-queue';
import { misuseStoreFromEnv } from '../adapters/dynamodb/misuse-store';
import { publishMisuseRules } from '../core/use-cases/misuse-rules';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { lazy, systemClock } from '../shared/lazy';
import { MAX_MISUSE_BODY_BYTES, putMisuseRulesRequestSchema } from '../../schemas/v1/misuse';

const ports = lazy(async () => ({ store: misuseStoreFromEnv(), audit: auditLogFromEnv(), clock: systemClock }));

export const handler = staffEndpoint({
  endpoint: 'putMisuseRules',
  action: 'PUT_MISUSE_RULES',
  maxBodyBytes: MAX_MISUSE_BODY_BYTES,
  deps: staffEndpointDeps,
  body: putMisuseRulesRequestSchema,
  run: async ({ staff, body, target }) => {
    target('misuse-rules');
    return { statusCode: 200, body: await publishMisuseRules(await ports(), staff, body) };
  },
});
