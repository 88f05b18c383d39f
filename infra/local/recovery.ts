/**
 * local-aws-sqs keeps messages in memory only, so a restart of `npm start` loses whatever was on the
 * intake and connector queues. On start, the local runtime re-enqueues every filing still waiting in
 * SUBMITTED, and the department requests of filings AWAITING_COORDINATION that were never delivered;
 * intake and the connectors are idempotent, so a message sent twice acts once. (On AWS, SQS is durable;
 * the scheduled sweeper covers stranded filings and undelivered requests there.)
 */
import { paginateScan } from '@aws-sdk/lib-dynamodb';
import { dynamoDocumentClient } from '../../functions/adapters/aws-clients';
import { intakeQueueFromEnv } from '../../functions/adapters/sqs/intake-queue';
import { departmentQueuesFromEnv } from '../../functions/adapters/sqs/department-queue';
import { openRequests, type Coordination } from '../../functions/core/domain/coordination';
import type { DepartmentMessage, IntakeMessage } from '../../functions/core/ports';
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

/** The REQUEST messages of undelivered open requests of filings waiting on departments, sent again. */
export async function resendUndeliveredRequests(): Promise<number> {
  const queues = departmentQueuesFromEnv();
  let sent = 0;
  const pages = paginateScan(
    { client: dynamoDocumentClient() },
    {
      TableName: getStringFromEnv(tableEnvVar('filings')),
      FilterExpression: 'begins_with(pk, :filing) AND #status = :waiting',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':filing': 'FILING#', ':waiting': 'AWAITING_COORDINATION' },
      ProjectionExpression: 'filingId, coordination',
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      for (const request of openRequests(item.coordination as Coordination | undefined).filter((r) => r.deliveredAt === undefined)) {
        const message: DepartmentMessage = { v: 1, type: 'REQUEST', filingId: String(item.filingId), requestId: request.requestId };
        await queues[request.departmentKind].send([message]);
        sent += 1;
      }
    }
  }
  return sent;
}
