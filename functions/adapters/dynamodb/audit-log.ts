/**
 * The audit log (002 五(二)4; 004 第二十三条) on the `audit` table: pk `AUDIT#<tenant>#<yyyy-mm-dd>` (UTC
 * day), sk `<ISO timestamp>#<12 random hex>`, so a tenant's day reads back in time order with one Query.
 * A record is never silently lost: a failed write rejects, and a (vanishingly unlikely) key collision is
 * retried under a fresh suffix instead of overwriting. The hash chain comes later (roadmap step 5).
 */
import { randomBytes } from 'node:crypto';
import { paginateQuery, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditLog, AuditRecord } from '../../core/ports';
import { tableEnvVar } from '../../../infra/topology';
import { getStringFromEnv } from '../../shared/config';
import { dynamoDocumentClient } from '../aws-clients';
import { isConditionalCheckFailed, withoutKeys } from './dynamo-support';

/** An audit record as stored, with the time it was written. */
export type AuditEntry = AuditRecord & { readonly at: string };

const auditPk = (tenant: string, day: string): string => `AUDIT#${tenant}#${day}`;
const COLLISION_ATTEMPTS = 3;

export interface DynamoAuditLogDeps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly now?: () => Date;
}

export class DynamoAuditLog implements AuditLog {
  private readonly now: () => Date;

  constructor(private readonly deps: DynamoAuditLogDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async record(entry: AuditRecord): Promise<void> {
    const at = entry.at ?? this.now().toISOString();
    // Only the declared fields are stored, so a caller's stray property (possibly personal data) never is.
    const item = {
      tenant: entry.tenant,
      actor: entry.actor,
      action: entry.action,
      outcome: entry.outcome,
      target: entry.target,
      detail: entry.detail,
      // The retention class (DESIGN.md §5): operations ≥ 1 year, data provided to other departments ≥ 3 years.
      retention: entry.retention ?? 'OPERATIONS',
      at,
      ...(entry.id === undefined ? {} : { id: entry.id }),
    };
    if (entry.id !== undefined) {
      // A record with an id (a lifecycle effect) is kept at most once: its key is derived from the id.
      try {
        await this.deps.client.send(
          new PutCommand({
            TableName: this.deps.tableName,
            Item: { pk: auditPk(entry.tenant, at.slice(0, 10)), sk: `${at}#${entry.id}`, ...item },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
      }
      return;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await this.deps.client.send(
          new PutCommand({
            TableName: this.deps.tableName,
            Item: { pk: auditPk(entry.tenant, at.slice(0, 10)), sk: `${at}#${randomBytes(6).toString('hex')}`, ...item },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return;
      } catch (error) {
        if (!isConditionalCheckFailed(error) || attempt >= COLLISION_ATTEMPTS) throw error;
      }
    }
  }

  /** The tenant's records of one UTC day (`yyyy-mm-dd`), oldest first. */
  async listAudit(tenant: string, day: string): Promise<AuditEntry[]> {
    const entries: AuditEntry[] = [];
    const pages = paginateQuery(
      { client: this.deps.client },
      { TableName: this.deps.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': auditPk(tenant, day) } },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) entries.push(withoutKeys(item) as unknown as AuditEntry);
    }
    return entries;
  }
}

export function auditLogFromEnv(): DynamoAuditLog {
  return new DynamoAuditLog({ client: dynamoDocumentClient(), tableName: getStringFromEnv(tableEnvVar('audit')) });
}
