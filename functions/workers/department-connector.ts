/**
 * The department connectors (DESIGN.md §7b; 002 三(一)3): one worker per department kind, each fed by its
 * own queue (infra/topology.ts: taxRequests → taxConnector, tradingRequests → tradingConnector), built by
 * this one factory. Each message names a filing and a request; the use case (deliver-to-department.ts)
 * reads the filing, delivers to the department, and records the outcome on the filing through the lifecycle.
 *
 * Failures are reported per message (Powertools BatchProcessor, partial batch responses), each hidden for
 * its backoff delay first (functions/adapters/sqs/postpone.ts; the notifier's retryDelaySeconds: 20 s
 * doubling to 15 min), and dead-lettered after the queue's maxReceiveCount; the DLQ's alarm calls an
 * operator and the filing stays visibly waiting, its request showing the last failure. Nothing is lost:
 * the sweeper re-sends requests never delivered (RESEND_REQUESTS).
 */
import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { auditLogFromEnv } from '../adapters/sqs/audit-queue';
import { certificateStoreFromEnv } from '../adapters/dynamodb/certificate-store';
import { filingRepositoryFromEnv } from '../adapters/dynamodb/filing-repository';
import { departmentDirectoryFromEnv } from '../adapters/config/department-directory';
import { departmentSender } from '../adapters/http/department-sender';
import { vaultFromEnv } from '../adapters/keys/personal-data-vault';
import { platformSignerFromEnv } from '../adapters/keys/platform-signer-from-env';
import { postpone } from '../adapters/sqs/postpone';
import type { DepartmentKind } from '../core/domain/coordination';
import { RETRY_BASE_SECONDS, retryDelaySeconds } from '../core/use-cases/deliver-progress';
import { deliverToDepartment, type DeliverToDepartmentPorts } from '../core/use-cases/deliver-to-department';
import { getNumberFromEnv } from '../shared/config';
import { notificationQueueFromEnv } from '../adapters/sqs/notification-queue';
import { statisticsQueueFromEnv } from '../adapters/sqs/statistics-queue';
import { logEffectsPending } from '../shared/effects-reporter';
import { errorForLog } from '../shared/error-log';
import { lazy, systemClock } from '../shared/lazy';
import { logger } from '../shared/logger';
import { flushMetricsPerInvocation } from '../shared/metrics';
import { DEPARTMENT_QUEUES, queues, RESULTS_URL_ENV } from '../../infra/topology';
import { parseDepartmentMessage } from '../../schemas/messages/department.v1';

class DeliveryFailedError extends Error {
  override readonly name = 'DeliveryFailedError';
}

/** The connector worker of one department kind, fed by its queue (DEPARTMENT_QUEUES in the topology). */
export function departmentConnector(kind: DepartmentKind) {
  const queue = DEPARTMENT_QUEUES[kind];
  /** Base of the retry backoff; 10 s in production, smaller in tests that watch a retry happen. */
  const retryBase = getNumberFromEnv('CONNECTOR_RETRY_BASE_SECONDS', RETRY_BASE_SECONDS);
  const ports = lazy(
    async (): Promise<DeliverToDepartmentPorts> => ({
      filings: filingRepositoryFromEnv(),
      audit: auditLogFromEnv(),
      // Their own transitions publish nothing, but the effects runner also performs what another transition
      // left pending on the filing (a department answer's progress event, say), which needs the queue.
      notifications: notificationQueueFromEnv(),
      statistics: statisticsQueueFromEnv(),
      clock: systemClock,
      onEffectsPending: logEffectsPending,
      directory: departmentDirectoryFromEnv(),
      vault: await vaultFromEnv(),
      certificates: certificateStoreFromEnv(),
      signer: await platformSignerFromEnv(),
      sender: departmentSender(),
      ...(process.env[RESULTS_URL_ENV]?.trim() ? { resultsUrl: process.env[RESULTS_URL_ENV].trim() } : {}),
    }),
  );
  const processor = new BatchProcessor(EventType.SQS);

  async function recordHandler(record: SQSRecord): Promise<void> {
    const attempt = Number(record.attributes.ApproximateReceiveCount) || 1;
    let failure: string;
    try {
      const message = parseDepartmentMessage(record.body);
      const result = await deliverToDepartment(await ports(), message);
      // Ids, codes and statuses only: never the endpoint, a response body or anything of the parties.
      logger.info('Department delivery', {
        departmentKind: kind,
        type: message.type,
        filingId: message.filingId,
        requestId: message.requestId,
        attempt,
        result: result.kind,
        ...(result.kind === 'skipped' ? { reason: result.reason } : {}),
        ...(result.kind === 'failed' ? { reason: result.reason } : {}),
        ...(result.kind !== 'skipped' && result.departmentId !== undefined ? { departmentId: result.departmentId } : {}),
        ...(result.kind !== 'skipped' && result.httpStatus !== undefined ? { httpStatus: result.httpStatus } : {}),
      });
      if (result.kind !== 'failed') return;
      failure = result.reason;
    } catch (error) {
      // Anything else (a malformed message, a table, the vault or KMS unavailable) is retried the same way.
      failure = error instanceof Error ? error.name : 'UnknownError';
      logger.error('Department delivery could not be attempted', { departmentKind: kind, messageId: record.messageId, attempt, ...errorForLog(error) });
    }
    const delay = retryDelaySeconds(attempt, retryBase);
    await postpone(record, delay);
    throw new DeliveryFailedError(`Delivery attempt ${attempt} failed (${failure}); next attempt in ${delay} s`);
  }

  return middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(flushMetricsPerInvocation({ maxReceiveCount: queues[queue].maxReceiveCount }))
    .handler(async (event: SQSEvent, context: Context) =>
      // A department that is down fails every message of the batch: still a normal answer, not an invocation
      // error, so the per-message backoff holds and the DLQ alarm (not the errors alarm) calls an operator.
      processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false }),
    );
}
