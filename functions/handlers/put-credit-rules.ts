/**
 * PUT /v1/staff/credit/rules: a credit officer publishes a new version of the credit rules on top of
 * `baseVersion` (409 CREDIT_RULES_VERSION_CONFLICT if it is no longer current; 422 CREDIT_RULES_INVALID when
 * the numbers do not hold together). The credit worker applies it to the signals it handles from then on.
 */
import { auditLogFromEnv } from '../adapters/sqs/audit-queue';
import { creditRulesStoreFromEnv } from '../adapters/dynamodb/credit-store';
import { publishCreditRules } from '../core/use-cases/credit-rules';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { lazy, systemClock } from '../shared/lazy';
import { MAX_CREDIT_BODY_BYTES, putCreditRulesRequestSchema } from '../../schemas/v1/credit-staff';

const ports = lazy(async () => ({ rules: creditRulesStoreFromEnv(), audit: auditLogFromEnv(), clock: systemClock }));

export const handler = staffEndpoint({
  endpoint: 'putCreditRules',
  action: 'PUT_CREDIT_RULES',
  maxBodyBytes: MAX_CREDIT_BODY_BYTES,
  deps: staffEndpointDeps,
  body: putCreditRulesRequestSchema,
  run: async ({ staff, body, target }) => {
    target('credit-rules');
    return { statusCode: 200, body: await publishCreditRules(await ports(), staff, body) };
  },
});
