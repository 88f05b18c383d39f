/** The webhook URL policy from configuration, read once per process (STYLE.md habit 4). */
import type { WebhookUrlPolicy } from '../core/domain/webhook-url';

/**
 * `true` allows webhooks on localhost and non-public addresses (and plain http to them). The local
 * runtime sets it by default; nothing deployed should (the CDK stacks never do).
 */
export const ALLOW_LOCAL_WEBHOOKS_ENV = 'ZT_ALLOW_LOCAL_WEBHOOKS';

export function webhookUrlPolicyFromEnv(): WebhookUrlPolicy {
  const raw = process.env[ALLOW_LOCAL_WEBHOOKS_ENV]?.trim().toLowerCase();
  if (raw !== undefined && raw !== '' && raw !== 'true' && raw !== 'false') {
    throw new Error(`${ALLOW_LOCAL_WEBHOOKS_ENV} must be 'true' or 'false'`);
  }
  return { allowLocal: raw === 'true' };
}
