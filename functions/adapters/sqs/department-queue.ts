/** A department connector's queue on SQS (one per department kind): ids only, sent in batches. */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DepartmentKind } from '../../core/domain/coordination';
import type { DepartmentMessage, DepartmentQueue } from '../../core/ports';
import { DEPARTMENT_QUEUES, queueEnvVar } from '../../../infra/topology';
import { formatDepartmentMessage } from '../../../schemas/messages/department.v1';
import { getStringFromEnv } from '../../shared/config';
import { sqs } from '../aws-clients';
import { sendBodies } from './batch-sender';


export class SqsDepartmentQueue implements DepartmentQueue {
  constructor(private readonly deps: { readonly client: SQSClient; readonly queueUrl: string; readonly backoffMs?: number }) {}

  async send(messages: readonly DepartmentMessage[]): Promise<void> {
    const failed = await sendBodies(this.deps, messages.map(formatDepartmentMessage));
    if (failed > 0) throw new Error(`Failed to enqueue ${failed} of ${messages.length} department messages`);
  }
}

/** Both connectors' queues, for functions whose transitions ask, cancel or inform departments. */
export function departmentQueuesFromEnv(): Record<DepartmentKind, SqsDepartmentQueue> {
  return {
    TAX: new SqsDepartmentQueue({ client: sqs(), queueUrl: getStringFromEnv(queueEnvVar(DEPARTMENT_QUEUES.TAX)) }),
    TRADING: new SqsDepartmentQueue({ client: sqs(), queueUrl: getStringFromEnv(queueEnvVar(DEPARTMENT_QUEUES.TRADING)) }),
  };
}
