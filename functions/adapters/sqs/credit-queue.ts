/**
 * The credit queue on SQS (DESIGN.md §4): one message per credit signal, the strict credit.v1 body (ids and
 * codes only), sent in batches by {@link sendBodies}. A signal that does not fit the schema is refused
 * before anything is sent; whatever still fails after the retries is reported by count, never by content.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { CreditQueue, CreditSignal } from '../../core/ports';
import { queueEnvVar } from '../../../infra/topology';
import { getStringFromEnv } from '../../shared/config';
import { sqs } from '../aws-clients';
import { sendBodies } from './batch-sender';
import { formatCreditMessage } from '../../../schemas/messages/credit.v1';

export interface SqsCreditQueueDeps {
  readonly client: SQSClient;
  readonly queueUrl: string;
  /** Base of the exponential backoff between attempts (ms). */
  readonly backoffMs?: number;
}

export class SqsCreditQueue implements CreditQueue {
  constructor(private readonly deps: SqsCreditQueueDeps) {}

  async send(signals: readonly CreditSignal[]): Promise<void> {
    let bodies: string[];
    try {
      bodies = signals.map(formatCreditMessage);
    } catch {
      throw new Error('A credit signal does not match credit.v1; nothing was sent');
    }
    const failed = await sendBodies(this.deps, bodies);
    if (failed > 0) throw new Error(`Failed to send ${failed} of ${signals.length} credit signals`);
  }
}

export function creditQueueFromEnv(): SqsCreditQueue {
  return new SqsCreditQueue({ client: sqs(), queueUrl: getStringFromEnv(queueEnvVar('credit')) });
}
