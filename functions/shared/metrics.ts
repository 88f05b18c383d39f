/**
 * The platform's business metrics, as CloudWatch Embedded Metric Format through Powertools Metrics
 * (namespace `POWERTOOLS_METRICS_NAMESPACE`, `Zhitong` on AWS), declared once here so that every place
 * that counts something is a one-line call:
 *
 * | metric | dimensions | counted when |
 * |---|---|---|
 * | `FilingTransitions` | `status`, `reason` | a filing's progress event is published: intake outcomes (ACCEPTED, REFUSED, CORRECTION_REQUIRED) and every later transition, with its reason code (`NONE` when it has none) |
 * | `SignatureFailures` | `reason` | a channel request fails authentication (bad signature, unknown channel, stale timestamp, reused nonce, …) |
 * | `WebhookFailures` | `reason` | a webhook delivery attempt is not answered with 2xx (`HTTP_<status>`, `TIMEOUT`, `NETWORK`, …) |
 * | `DeadLetters` | `queue` | a worker fails a message on its last allowed receive, so the queue's redrive policy dead-letters it |
 * | `IncidentOverdue` | `deadline`, `severity` | the incident watch escalates an incident past its 1-hour report (`REPORT`) or 6-hour result (`RESULT`) deadline (003 第十八条); an alarm watches it |
 *
 * Dimension values are codes and queue names, never ids or personal data. Counts are kept per
 * invocation and flushed once when it ends, by {@link flushMetricsPerInvocation} on every handler chain
 * and worker: one EMF line per metric and dimension combination, not one per event.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type middy from '@middy/core';

export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Zhitong',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'zhitong',
});

type MetricName = 'FilingTransitions' | 'SignatureFailures' | 'WebhookFailures' | 'DepartmentDeliveryFailures' | 'DeadLetters' | 'IncidentOverdue';

/**
 * Counts waiting for the end of the invocation, by metric and dimensions. On Lambda an execution
 * environment runs one invocation at a time; in the local runtime's single process a count may be
 * flushed by a concurrent invocation, which changes no total.
 */
const pending = new Map<string, { readonly name: MetricName; readonly dimensions: Readonly<Record<string, string>>; count: number }>();

function count(name: MetricName, dimensions: Readonly<Record<string, string>>, by = 1): void {
  const key = JSON.stringify([name, dimensions]);
  const entry = pending.get(key);
  if (entry) entry.count += by;
  else pending.set(key, { name, dimensions, count: by });
}

/** A dimension value: a code (`[A-Z0-9_]`, at most 64 characters), never free text. */
const code = (value: string | undefined, fallback = 'NONE'): string => (value !== undefined && /^[A-Za-z0-9_.-]{1,64}$/.test(value) ? value : fallback);

/** A filing moved to `status` (its progress event was published), for `reasonCode` if it has one. */
export function countFilingTransition(status: string, reasonCode?: string): void {
  count('FilingTransitions', { status: code(status, 'UNKNOWN'), reason: code(reasonCode) });
}

/** A channel request was refused by authentication, with the refusal's code (AUTH_BAD_SIGNATURE, …). */
export function countSignatureFailure(reasonCode: string): void {
  count('SignatureFailures', { reason: code(reasonCode, 'UNKNOWN') });
}

/** A webhook delivery attempt failed, with its reason (HTTP_503, TIMEOUT, NETWORK, …). */
export function countWebhookFailure(reason: string): void {
  count('WebhookFailures', { reason: code(reason, 'UNKNOWN') });
}

/** A delivery to a department failed, with its reason (HTTP_503, TIMEOUT, NETWORK, …): an alarm can watch it. */
export function countDepartmentDeliveryFailure(reason: string): void {
  count('DepartmentDeliveryFailures', { reason: code(reason, 'UNKNOWN') });
}

/** Messages of `queue` failed on their last allowed receive: the redrive policy moves them to the DLQ. */
export function countDeadLetters(queue: string, messages: number): void {
  if (messages > 0) count('DeadLetters', { queue: code(queue, 'UNKNOWN') }, messages);
}

/** The incident watch escalated an incident for a missed deadline (003 第十八条): the alarm on this metric calls an operator. */
export function countIncidentOverdue(deadline: 'REPORT' | 'RESULT', severity: string): void {
  count('IncidentOverdue', { deadline, severity: code(severity, 'UNKNOWN') });
}

/** Publishes what this invocation counted: one EMF document per metric and dimension combination. */
export function publishMetrics(): void {
  const entries = [...pending.values()];
  pending.clear();
  for (const { name, dimensions, count: value } of entries) {
    const single = metrics.singleMetric();
    single.addDimensions({ ...dimensions });
    single.addMetric(name, MetricUnit.Count, value);
  }
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}

interface SqsLikeEvent {
  readonly Records?: readonly { readonly messageId: string; readonly eventSourceARN?: string; readonly attributes?: { readonly ApproximateReceiveCount?: string } }[];
}
interface BatchLikeResponse {
  readonly batchItemFailures?: readonly { readonly itemIdentifier: string }[];
}

export interface FlushOptions {
  /**
   * For queue workers: the source queue's maxReceiveCount (infra/topology.ts). A message reported failed
   * (or in a batch that failed as a whole) on that receive is counted as a dead letter.
   */
  readonly maxReceiveCount?: number;
}

/**
 * For `.catch` on channel authentication (channel-endpoint.ts): counts a 401 refusal by its code and
 * rethrows it unchanged.
 */
export function countAuthFailureAndRethrow(error: unknown): never {
  const { status, code: refusal } = (error ?? {}) as { status?: unknown; code?: unknown };
  if (status === 401 && typeof refusal === 'string') countSignatureFailure(refusal);
  throw error;
}

/**
 * Middy middleware that flushes the invocation's metrics when it ends, answered or failed. Registered
 * last, closest to the handler: its `onError` then runs first, before a problem mapper answers (which
 * ends middy's onError chain). Anything left over by an invocation that ended early (an early response
 * skips every `after`) is flushed when the next one begins, so no count is lost.
 */
export function flushMetricsPerInvocation(options: FlushOptions = {}): middy.MiddlewareObj {
  const deadLetters = (event: unknown, failedIds: ReadonlySet<string> | 'all'): void => {
    if (options.maxReceiveCount === undefined) return;
    const byQueue = new Map<string, number>();
    for (const record of (event as SqsLikeEvent).Records ?? []) {
      if (failedIds !== 'all' && !failedIds.has(record.messageId)) continue;
      if (Number(record.attributes?.ApproximateReceiveCount ?? 0) < options.maxReceiveCount) continue;
      const queue = record.eventSourceARN?.split(':').at(-1) ?? 'unknown';
      byQueue.set(queue, (byQueue.get(queue) ?? 0) + 1);
    }
    for (const [queue, messages] of byQueue) countDeadLetters(queue, messages);
  };
  return {
    before: () => publishMetrics(),
    after: (request) => {
      const failures = (request.response as BatchLikeResponse | undefined)?.batchItemFailures ?? [];
      deadLetters(request.event, new Set(failures.map((f) => f.itemIdentifier)));
      publishMetrics();
    },
    onError: (request) => {
      deadLetters(request.event, 'all');
      publishMetrics();
    },
  };
}
