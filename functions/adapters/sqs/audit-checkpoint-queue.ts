/**
 * Checkpoint requests on SQS (DESIGN.md §5): `{tenant}` to the standard `auditCheckpoints` queue, delayed a
 * few seconds so that one signature covers the entries that arrive meanwhile.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { CheckpointRequests } from '../../core/use-cases/append-audit';
import { queueEnvVar } from '../../../infra/topology';
import { getStringFromEnv } from '../../shared/config';
import { sqs } from '../aws-clients';

export class SqsCheckpointRequests implements CheckpointRequests {
  constructor(private readonly deps: { readonly client: SQSClient; readonly queueUrl: string }) {}

  async request(tenant: string, delaySeconds: number): Promise<void> {
    await this.deps.client.send(
      new SendMessageCommand({ QueueUrl: this.deps.queueUrl, MessageBody: JSON.stringify({ tenant }), DelaySeconds: Math.max(0, Math.min(900, Math.round(delaySeconds))) }),
    );
  }
}

export function checkpointRequestsFromEnv(): SqsCheckpointRequests {
  return new SqsCheckpointRequests({ client: sqs(), queueUrl: getStringFromEnv(queueEnvVar('auditCheckpoints')) });
}
