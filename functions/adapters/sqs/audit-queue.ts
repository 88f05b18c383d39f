/**
 * The audit port on SQS (DESIGN.md §5): `record` is one SendMessage to the `audit` FIFO queue — message
 * group = the tenant (one appender per tenant's log, in order), deduplication id = SM3(tenant ‖ key) hex, so
 * the same record sent twice within SQS's five-minute window is one message, and the appender's key markers
 * catch any later repeat. The key is the record's `id` (a lifecycle effect's) or a random 128-bit one. When
 * `record` resolves, the record is durably queued; a refused record or a failed send rejects.
 */
import { randomBytes } from 'node:crypto';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { TENANT } from '../../core/domain/audit-log';
import type { AuditLog, AuditRecord } from '../../core/ports';
import { queueEnvVar } from '../../../infra/topology';
import { getStringFromEnv } from '../../shared/config';
import { sm3Hex } from '../../shared/crypto/sm3';
import { formatAuditMessage, MAX_AUDIT_MESSAGE_BYTES } from '../../../schemas/messages/audit.v1';
import { sqs } from '../aws-clients';

export interface SqsAuditLogDeps {
  readonly client: SQSClient;
  readonly queueUrl: string;
  readonly now?: () => Date;
}

/** The FIFO deduplication id of a record: SM3 over tenant, a separator no tenant holds, and key. */
export const auditDeduplicationId = (tenant: string, key: string): string => sm3Hex(`${tenant}\n${key}`);

export class SqsAuditLog implements AuditLog {
  private readonly now: () => Date;

  constructor(private readonly deps: SqsAuditLogDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async record(entry: AuditRecord): Promise<void> {
    if (!TENANT.test(entry.tenant)) throw new Error('Audit record refused: the tenant is not a log name');
    const key = entry.id ?? randomBytes(16).toString('hex');
    const at = entry.at ?? this.now().toISOString();
    let body: string;
    try {
      body = formatAuditMessage(entry, key, at);
    } catch {
      // Named by action only: the record's fields are not repeated into an error.
      throw new Error(`Audit record refused: it does not match audit.v1 (action ${entry.action.slice(0, 80)})`);
    }
    if (Buffer.byteLength(body, 'utf8') > MAX_AUDIT_MESSAGE_BYTES) throw new Error(`Audit record refused: larger than ${MAX_AUDIT_MESSAGE_BYTES} bytes`);
    await this.deps.client.send(
      new SendMessageCommand({
        QueueUrl: this.deps.queueUrl,
        MessageBody: body,
        MessageGroupId: entry.tenant,
        MessageDeduplicationId: auditDeduplicationId(entry.tenant, key),
      }),
    );
  }
}

export function auditLogFromEnv(): SqsAuditLog {
  return new SqsAuditLog({ client: sqs(), queueUrl: getStringFromEnv(queueEnvVar('audit')) });
}
