/**
 * The department connectors' HTTP port (DESIGN.md §7b): the webhooks' sender (webhook-sender.ts) — every
 * connected address checked at connection time, no redirects, a bounded wait (5 s), the answer's body
 * drained and dropped — pointed at department endpoints. The endpoints are configuration, not a URL an
 * outsider chose, but the same guard costs nothing and keeps a mistyped endpoint from reaching the
 * function's own network; the local runtime's `ZT_ALLOW_LOCAL_WEBHOOKS=true` lets it reach the loopback
 * simulators, and nothing deployed sets it. Failed attempts are counted as `DepartmentDeliveryFailures`
 * (not as webhook failures), besides being recorded on the filing.
 */
import type { WebhookSender } from '../../core/ports';
import { countDepartmentDeliveryFailure } from '../../shared/metrics';
import { webhookUrlPolicyFromEnv } from '../../shared/webhook-policy';
import { HttpWebhookSender, WEBHOOK_TIMEOUT_MS } from './webhook-sender';

export const DEPARTMENT_TIMEOUT_MS = WEBHOOK_TIMEOUT_MS;
const USER_AGENT = 'Zhitong-Department-Connector/1';


export function departmentSender(options: { readonly timeoutMs?: number } = {}): WebhookSender & { close(): void } {
  return new HttpWebhookSender({ policy: webhookUrlPolicyFromEnv(), timeoutMs: options.timeoutMs ?? DEPARTMENT_TIMEOUT_MS, userAgent: USER_AGENT, countFailure: countDepartmentDeliveryFailure });
}
