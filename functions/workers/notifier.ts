/**
 * Notifier worker (DESIGN.md §3 Progress, §4 credit notices): fed by the notifications queue in batches;
 * delivers each event — a filing's progress or a credit notice — to its institution's webhook, SM2-signed
 * by the platform, and reports partial batch failures so that only failed events are retried.
 *
 * Backoff rides on SQS itself: before reporting a failed event, the worker hides its message for
 * min(2^receiveCount × 10 s, 15 min) with ChangeMessageVisibility. Neither Lambda's event source mapping
 * nor the local queue poller touches the visibility of a message reported as failed, so it reappears
 * exactly then; after the queue's maxReceiveCount (8) the redrive policy moves it to the DLQ, whose
 * alarm calls an operator. The consumer grant of the event source covers GetQueueUrl and
 * ChangeMessageVisibility on this queue. (The local emulator, local-aws-sqs, also counts each
 * ChangeMessageVisibility as a receive: locally an event is dead-lettered after 4 attempts, not 8.)
 */
import middy from '@middy/core';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { postpone } from '../adapters/sqs/postpone';
import { auditLogFromEnv } from '../adapters/sqs/audit-queue';
import { channelDirectoryFromEnv } from '../adapters/dynamodb/channel-directory';
import { HttpWebhookSender } from '../adapters/http/webhook-sender';
import { platformSignerFromEnv } from '../adapters/keys/platform-signer-from-env';
import { deliverProgress, isCreditNotice, RETRY_BASE_SECONDS, retryDelaySeconds } from '../core/use-cases/deliver-progress';
import { getNumberFromEnv } from '../shared/config';
import { lazy, systemClock } from '../shared/lazy';
import { logger } from '../shared/logger';
import { flushMetricsPerInvocation } from '../shared/metrics';
import { queues } from '../../infra/topology';
import { webhookUrlPolicyFromEnv } from '../shared/webhook-policy';
import { parseNotificationMessage } from '../../schemas/messages/notification.v1';

/** Base of the retry backoff; 10 s in production, smaller in tests that watch a retry happen. */
const RETRY_BASE = getNumberFromEnv('NOTIFIER_RETRY_BASE_SECONDS', RETRY_BASE_SECONDS);
const policy = webhookUrlPolicyFromEnv();

const ports = lazy(async () => ({
  channels: channelDirectoryFromEnv(),
  sender: new HttpWebhookSender({ policy }),
  signer: await platformSignerFromEnv(),
  clock: systemClock,
  audit: auditLogFromEnv(),
  policy,
}));

const processor = new BatchProcessor(EventType.SQS);

class DeliveryFailedError extends Error {
  override readonly name = 'DeliveryFailedError';
}

async function recordHandler(record: SQSRecord): Promise<void> {
  const attempt = Number(record.attributes.ApproximateReceiveCount) || 1;
  let failure: string;
  try {
    const event = parseNotificationMessage(record.body);
    const result = await deliverProgress(await ports(), event, attempt);
    // Ids and outcomes only: no URL (it may carry the institution's tokens), no body.
    logger.info(isCreditNotice(event) ? 'Credit notice delivery' : 'Progress delivery', {
      eventId: event.eventId,
      ...(isCreditNotice(event) ? { creditChange: event.change } : { filingId: event.filingId }),
      channelId: event.channelId,
      attempt,
      result: result.kind,
      ...(result.kind === 'skipped' ? { reason: result.reason } : {}),
      ...(result.kind === 'failed' ? { reason: result.reason } : {}),
      ...(result.kind !== 'skipped' && result.httpStatus !== undefined ? { httpStatus: result.httpStatus } : {}),
    });
    if (result.kind !== 'failed') return;
    failure = result.reason;
  } catch (error) {
    // Anything else (a malformed message, the channel table or KMS unavailable) is retried the same way.
    // Name and message only: our messages and the SDK's carry no message body and no personal data.
    failure = error instanceof Error ? error.name : 'UnknownError';
    logger.error('Webhook delivery could not be attempted', {
      messageId: record.messageId,
      attempt,
      errorName: failure,
      errorMessage: error instanceof Error ? error.message : undefined,
    });
  }
  const delay = retryDelaySeconds(attempt, RETRY_BASE);
  await postpone(record, delay);
  throw new DeliveryFailedError(`Delivery attempt ${attempt} failed (${failure}); next attempt in ${delay} s`);
}

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(flushMetricsPerInvocation({ maxReceiveCount: queues.notifications.maxReceiveCount }))
  .handler(async (event: SQSEvent, context: Context) =>
    // A batch whose every delivery failed (one receiver down) is still a normal answer, not an invocation
    // error: throwing would skip the per-message backoff accounting and page the worker-errors alarm for
    // an institution's outage. The DLQ alarm is what calls an operator.
    processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false }),
  );
