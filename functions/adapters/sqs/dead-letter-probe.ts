/**
 * How deep each dead-letter queue of the topology is (GetQueueAttributes `ApproximateNumberOfMessages`; never
 * a receive, so looking changes nothing). The same code on AWS and on the local SQS emulator: the URLs come
 * in {@link deadLetterQueueEnvVar}, set on functions declared `watchesDeadLetters`.
 */
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { deadLetterQueueEnvVar, queues, type QueueName } from '../../../infra/topology';
import { getStringFromEnv } from '../../shared/config';
import type { DeadLetterQueueProbe } from '../../core/use-cases/watch-incidents';
import { sqs } from '../aws-clients';

export function deadLetterProbe(client: SQSClient, queue: string, queueUrl: string): DeadLetterQueueProbe {
  return {
    queue,
    depth: async () => {
      const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
      const depth = Number(Attributes?.ApproximateNumberOfMessages ?? 0);
      return Number.isFinite(depth) ? depth : 0;
    },
  };
}

/** A probe per queue of the topology: a missing URL fails at once (a DLQ nobody watches is an alarm nobody gets). */
export function deadLetterProbesFromEnv(): DeadLetterQueueProbe[] {
  const client = sqs();
  return (Object.keys(queues) as QueueName[]).map((name) => deadLetterProbe(client, name, getStringFromEnv(deadLetterQueueEnvVar(name))));
}
