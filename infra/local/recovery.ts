/**
 * local-aws-sqs keeps messages in memory only, so a restart of `npm start` loses whatever was on the
 * intake queue. On start, the local runtime re-enqueues every filing still waiting in SUBMITTED; intake
 * is idempotent, so a filing enqueued twice is decided once. (On AWS, SQS is durable; the scheduled
 * sweeper of roadmap step 2 covers stranded filings there.)
 */
import { paginateScan } from '@aws-sdk/lib-dynamodb';
import { dynamoDocumentClient } from '../../functions/adapters/aws-clients';
import { intakeQueueFromEnv } from '../../functions/adapters/sqs/intake-queue';
import type { IntakeMessage } from '../../functions/core/ports';
import { getStringFromEnv } from '../../functions/shared/config';
import { tableEnvVar } from '../topology';

export async function reenqueueStrandedFilings(): Promise<number> {
  const messages: IntakeMessage[] = [];
  const pages = paginateScan(
    { client: dynamoDocumentClient() },
    {
      TableName: getStringFromEnv(tableEnvVar('filings')),
      FilterExpression: 'begins_with(pk, :filing) AND #status = :submitted',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':filing': 'FILING#', ':submitted': 'SUBMITTED' },
      ProjectionExpression: 'filingId',
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) messages.push({ v: 1, filingId: String(item.filingId) });
  }
  await intakeQueueFromEnv().enqueue(messages);
  return messages.length;
}
