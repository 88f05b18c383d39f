/**
 * Audit checkpoint (DESIGN.md §5): signs tenants' tree heads with the log signing key — the only function
 * granted it (topology `logKey: 'sign'`; kms:Sign on the log key in CDK, the variable locally). Invoked by
 * checkpoint requests (`{tenant}` on `auditCheckpoints`, from the appender) and every minute by the
 * schedule, which sweeps the heads still holding unsigned entries (the sparse byUnsigned index), so a
 * request lost after a crash delays a signature by a minute at most.
 *
 * A head that does not extend the last signed one (stored nodes that do not give its root, or a failed
 * consistency proof) is never signed: it is logged as an error with the metric `AuditLogInconsistent`,
 * which an alarm watches — that is a rewritten or forked log, for an operator and an incident.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ScheduledEvent, SQSBatchItemFailure, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { TENANT } from '../core/domain/audit-log';
import { checkpointAudit, type CheckpointOutcome, type CheckpointPorts } from '../core/use-cases/checkpoint-audit';
import { auditLogStoreFromEnv } from '../adapters/dynamodb/audit-log';
import { logSignerFromEnv } from '../adapters/keys/log-signer';
import { logger } from '../shared/logger';
import { flushMetricsPerInvocation, metrics } from '../shared/metrics';
import { lazy } from '../shared/lazy';
import { queues } from '../../infra/topology';

const ports = lazy(async (): Promise<CheckpointPorts> => {
  const store = auditLogStoreFromEnv();
  return { store, reader: store, signer: await logSignerFromEnv(), clock: { now: () => new Date() } };
});

const requestSchema = z.strictObject({ tenant: z.string().regex(TENANT) });

const errorFields = (error: unknown): { errorName: string; errorMessage?: string } =>
  error instanceof Error ? { errorName: error.name, errorMessage: error.message } : { errorName: 'UnknownError' };

/** Checkpoints one tenant; an inconsistent log is reported (and not signed), not thrown: retrying changes nothing. */
export async function checkpointTenant(deps: CheckpointPorts, tenant: string): Promise<CheckpointOutcome> {
  const outcome = await checkpointAudit(deps, tenant);
  if (outcome.kind === 'inconsistent') {
    logger.error('Audit log inconsistent with its last signed tree head: not signed', { tenant, reason: outcome.reason, fromSize: outcome.fromSize, toSize: outcome.toSize });
    metrics.addMetric('AuditLogInconsistent', MetricUnit.Count, 1);
  } else if (outcome.kind === 'signed') {
    logger.info('Audit tree head signed', { tenant, treeSize: outcome.treeHead.treeSize });
  }
  return outcome;
}

const isSqsEvent = (event: unknown): event is SQSEvent => typeof event === 'object' && event !== null && Array.isArray((event as SQSEvent).Records);

export async function processCheckpoints(event: SQSEvent | ScheduledEvent, resolved?: CheckpointPorts): Promise<SQSBatchResponse> {
  const deps = resolved ?? (await ports());
  if (!isSqsEvent(event)) {
    // The minute sweep: every log with unsigned entries.
    const tenants = await deps.store.unsignedTenants();
    let failed = 0;
    for (const tenant of tenants) {
      try {
        await checkpointTenant(deps, tenant);
      } catch (error) {
        failed += 1;
        logger.error('Audit checkpoint failed', { tenant, ...errorFields(error) });
      }
    }
    logger.info('Audit checkpoint sweep done', { tenants: tenants.length, failed });
    if (failed > 0) throw new Error(`Audit checkpoint sweep: ${failed} of ${tenants.length} logs failed`);
    return { batchItemFailures: [] };
  }
  const failures: SQSBatchItemFailure[] = [];
  const byTenant = new Map<string, string[]>();
  for (const record of event.Records) {
    const parsed = (() => {
      try {
        return requestSchema.safeParse(JSON.parse(record.body));
      } catch {
        return undefined;
      }
    })();
    if (!parsed?.success) {
      logger.error('Audit checkpoint request refused', { messageId: record.messageId });
      failures.push({ itemIdentifier: record.messageId });
      continue;
    }
    byTenant.set(parsed.data.tenant, [...(byTenant.get(parsed.data.tenant) ?? []), record.messageId]);
  }
  // Several requests of one tenant make one signature.
  for (const [tenant, messageIds] of byTenant) {
    try {
      await checkpointTenant(deps, tenant);
    } catch (error) {
      logger.error('Audit checkpoint failed', { tenant, ...errorFields(error) });
      for (const itemIdentifier of messageIds) failures.push({ itemIdentifier });
    }
  }
  return { batchItemFailures: failures };
}

export const handler = middy<SQSEvent | ScheduledEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(flushMetricsPerInvocation({ maxReceiveCount: queues.auditCheckpoints.maxReceiveCount }))
  .handler(async (event) => processCheckpoints(event));
