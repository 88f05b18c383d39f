/**
 * Backoff on SQS itself, for queue workers that report partial batch failures (the notifier's scheme,
 * functions/workers/notifier.ts): before a failed message is reported, it is hidden for its retry delay
 * with ChangeMessageVisibility. Neither Lambda's event source mapping nor the local queue poller touches
 * the visibility of a message reported as failed, so it reappears exactly then; after the queue's
 * maxReceiveCount the redrive policy moves it to the DLQ, whose alarm calls an operator. The consumer
 * grant of the event source covers GetQueueUrl and ChangeMessageVisibility on the worker's own queue.
 */
import { ChangeMessageVisibilityCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { logger } from '../../shared/logger';
import { sqs } from '../aws-clients';

/** Queue URLs by ARN, resolved once: the event names its source by ARN, ChangeMessageVisibility needs the URL. */
const queueUrls = new Map<string, Promise<string>>();

function queueUrlOf(arn: string): Promise<string> {
  let url = queueUrls.get(arn);
  if (!url) {
    const [, , , , account, queueName] = arn.split(':');
    url = sqs()
      .send(new GetQueueUrlCommand({ QueueName: queueName, QueueOwnerAWSAccountId: account }))
      .then(({ QueueUrl }) => {
        if (!QueueUrl) throw new Error(`No URL for queue ${queueName ?? arn}`);
        return QueueUrl;
      });
    url.catch(() => queueUrls.delete(arn));
    queueUrls.set(arn, url);
  }
  return url;
}

/** Hides the message until its next attempt is due; a failure here only means the queue's default delay. */
export async function postpone(record: SQSRecord, seconds: number): Promise<void> {
  try {
    const queueUrl = await queueUrlOf(record.eventSourceARN);
    await sqs().send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: record.receiptHandle, VisibilityTimeout: seconds }));
  } catch (error) {
    logger.warn('Could not postpone a failed message; it is retried after the queue visibility timeout', {
      messageId: record.messageId,
      errorName: error instanceof Error ? error.name : typeof error,
    });
  }
}
