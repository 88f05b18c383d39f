/**
 * Audit appender (DESIGN.md §5): fed by the `audit` FIFO queue, one message group per tenant. Each tenant's
 * records of the batch go, in order, to {@link appendAudit} (one HEAD commit per tenant and batch); tenants
 * are independent and run in parallel.
 *
 * Partial batch failure the FIFO way (Lambda's rule for FIFO sources, Powertools' SqsFifoPartialProcessor
 * with skipGroupOnError): once a message of a group fails, it and every later message of that group are
 * reported failed, so nothing of a tenant is appended out of order. A message that does not parse as
 * audit.v1 fails with everything after it in its group, until the queue dead-letters it (an operator's
 * alarm). Redelivery is harmless: keys already in the log are dropped (append-audit.ts).
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { appendAudit, type AppendAuditPorts, type QueuedRecord } from '../core/use-cases/append-audit';
import { auditLogStoreFromEnv } from '../adapters/dynamodb/audit-log';
import { checkpointRequestsFromEnv } from '../adapters/sqs/audit-checkpoint-queue';
import { logger } from '../shared/logger';
import { flushMetricsPerInvocation } from '../shared/metrics';
import { lazy } from '../shared/lazy';
import { queues } from '../../infra/topology';
import { parseAuditMessage } from '../../schemas/messages/audit.v1';

const ports = lazy(async (): Promise<AppendAuditPorts> => ({ store: auditLogStoreFromEnv(), checkpoints: checkpointRequestsFromEnv(), clock: { now: () => new Date() } }));

const errorFields = (error: unknown): { errorName: string; errorMessage?: string } =>
  error instanceof Error ? { errorName: error.name, errorMessage: error.message } : { errorName: 'UnknownError' };

interface GroupRun {
  readonly records: { readonly messageId: string; readonly record: QueuedRecord }[];
  /** Message ids from the first unparseable message of the group on: they fail, in order. */
  readonly blocked: string[];
}

/** The batch by message group, in order; a group stops at its first bad message. */
function groupsOf(records: readonly SQSRecord[]): Map<string, GroupRun> {
  const groups = new Map<string, GroupRun>();
  for (const message of records) {
    const groupId = message.attributes.MessageGroupId ?? '';
    let group = groups.get(groupId);
    if (group === undefined) groups.set(groupId, (group = { records: [], blocked: [] }));
    if (group.blocked.length > 0) {
      group.blocked.push(message.messageId);
      continue;
    }
    try {
      const record = parseAuditMessage(message.body);
      // The group is the tenant: a record claiming another tenant's log is refused, not appended there.
      if (groupId !== '' && record.tenant !== groupId) throw new Error('Audit message tenant differs from its message group');
      group.records.push({ messageId: message.messageId, record });
    } catch (error) {
      logger.error('Audit message refused', { messageId: message.messageId, attempt: Number(message.attributes.ApproximateReceiveCount) || 1, ...errorFields(error) });
      group.blocked.push(message.messageId);
    }
  }
  return groups;
}

export async function processAuditBatch(event: SQSEvent, resolved?: AppendAuditPorts): Promise<SQSBatchResponse> {
  const failures: SQSBatchItemFailure[] = [];
  const groups = groupsOf(event.Records);
  const deps = resolved ?? (await ports());
  await Promise.all(
    [...groups.values()].map(async (group) => {
      // A group of several tenants cannot happen (the group is the tenant), except with no group id at all.
      const byTenant = new Map<string, QueuedRecord[]>();
      for (const { record } of group.records) byTenant.set(record.tenant, [...(byTenant.get(record.tenant) ?? []), record]);
      let failed = false;
      for (const [tenant, records] of byTenant) {
        try {
          const outcome = await appendAudit(deps, tenant, records);
          logger.info('Audit records appended', { tenant, ...outcome });
        } catch (error) {
          logger.error('Audit records could not be appended', { tenant, records: records.length, ...errorFields(error) });
          failed = true;
        }
      }
      if (failed) for (const { messageId } of group.records) failures.push({ itemIdentifier: messageId });
      for (const messageId of group.blocked) failures.push({ itemIdentifier: messageId });
    }),
  );
  // Reported in batch order, as Lambda reads them.
  const order = new Map(event.Records.map((r, i) => [r.messageId, i]));
  failures.sort((a, b) => (order.get(a.itemIdentifier) ?? 0) - (order.get(b.itemIdentifier) ?? 0));
  return { batchItemFailures: failures };
}

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(flushMetricsPerInvocation({ maxReceiveCount: queues.audit.maxReceiveCount }))
  .handler(async (event: SQSEvent) => processAuditBatch(event));
