/**
 * The insider-misuse records on the `security` table (DESIGN.md §5; 004 第二十五条):
 * | item | pk | sk | gsi1pk / gsi1sk (byStatus) |
 * |---|---|---|---|
 * | rules version / pointer | `MISUSE-RULES` | `V#<10 digits>` / `CURRENT` | — |
 * | alert | `ALERT#<alertId>` | `META` | `ALERTS#<district>` / `<at>#<alertId>` (newest first) |
 * Incidents (incident-store.ts) live in the same table under their own keys. Rules are versioned exactly as the credit
 * rules are (credit-store.ts): version items written once, a pointer moved conditionally, version 1 in code.
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { badRequest, conflict } from '../../core/domain/errors';
import { BUILT_IN_MISUSE_RULES, type MisuseAlert, type MisuseRules, type MisuseRulesDraft } from '../../core/domain/misuse';
import type { MisuseStore, Page } from '../../core/ports';
import { tableEnvVar } from '../../../infra/topology';
import { getNumberFromEnv, getStringFromEnv } from '../../shared/config';
import { dynamoDocumentClient } from '../aws-clients';
import { isConditionalCheckFailed, withoutKeys } from './dynamo-support';

const RULES_PK = 'MISUSE-RULES';
const RULES_CURRENT = 'CURRENT';
const rulesVersionSk = (version: number): string => `V#${String(version).padStart(10, '0')}`;
const alertKey = (alertId: string) => ({ pk: `ALERT#${alertId}`, sk: 'META' });
const alertsPk = (district: string) => `ALERTS#${district}`;
const INDEX = 'byStatus';

const staleRulesBase = () => conflict('MISUSE_RULES_VERSION_CONFLICT', 'The misuse rules have changed since baseVersion: read the current rules and publish on top of them.');

export interface DynamoMisuseStoreDeps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** How long the current rules are cached (0 disables): every staff call reads them. */
  readonly currentTtlMs?: number;
}

export class DynamoMisuseStore implements MisuseStore {
  private cache: { readonly value: MisuseRules; readonly until: number } | undefined;

  constructor(private readonly deps: DynamoMisuseStoreDeps) {}

  async currentRules(): Promise<MisuseRules> {
    if (this.cache && this.cache.until > Date.now()) return this.cache.value;
    const version = await this.currentVersionNumber();
    const { Item } = await this.deps.client.send(new GetCommand({ TableName: this.deps.tableName, Key: { pk: RULES_PK, sk: rulesVersionSk(version) }, ConsistentRead: true }));
    const value = Item ? (withoutKeys(Item) as unknown as MisuseRules) : BUILT_IN_MISUSE_RULES;
    const ttl = this.deps.currentTtlMs ?? 30_000;
    if (ttl > 0) this.cache = { value, until: Date.now() + ttl };
    return value;
  }

  async rulesHistory(): Promise<MisuseRules[]> {
    const versions: MisuseRules[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.deps.client.send(
        new QueryCommand({
          TableName: this.deps.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
          ExpressionAttributeValues: { ':pk': RULES_PK, ':v': 'V#' },
          ScanIndexForward: false,
          ConsistentRead: true,
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) versions.push(withoutKeys(item) as unknown as MisuseRules);
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    if (!versions.some((v) => v.version === BUILT_IN_MISUSE_RULES.version)) versions.push(BUILT_IN_MISUSE_RULES);
    return versions;
  }

  /** Two conditional writes: the version item if absent, then the pointer from base to base + 1. */
  async publishRules(draft: MisuseRulesDraft, publishedBy: string, at: Date): Promise<MisuseRules> {
    const { baseVersion, ...thresholds } = draft;
    const next: MisuseRules = { ...thresholds, version: baseVersion + 1, publishedAt: at.toISOString(), publishedBy };
    if ((await this.currentVersionNumber()) !== baseVersion) throw staleRulesBase();
    try {
      await this.deps.client.send(
        new PutCommand({ TableName: this.deps.tableName, Item: { pk: RULES_PK, sk: rulesVersionSk(next.version), ...next }, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      await this.movePointer(baseVersion, next.version).catch(() => undefined);
      throw staleRulesBase();
    }
    await this.movePointer(baseVersion, next.version);
    this.cache = undefined;
    return next;
  }

  async putAlert(alert: MisuseAlert): Promise<{ readonly alert: MisuseAlert; readonly created: boolean }> {
    try {
      await this.deps.client.send(
        new PutCommand({
          TableName: this.deps.tableName,
          Item: { ...alertKey(alert.alertId), ...alert, gsi1pk: alertsPk(alert.district), gsi1sk: `${alert.at}#${alert.alertId}` },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { alert, created: true };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    const { Item } = await this.deps.client.send(new GetCommand({ TableName: this.deps.tableName, Key: alertKey(alert.alertId), ConsistentRead: true }));
    return { alert: toAlert(Item!), created: false };
  }

  async noteAlertIncident(alertId: string, incidentId: string): Promise<void> {
    await this.deps.client.send(
      new UpdateCommand({
        TableName: this.deps.tableName,
        Key: alertKey(alertId),
        UpdateExpression: 'SET incidentId = :incident',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':incident': incidentId },
      }),
    );
  }

  async listAlerts(district: string, page: { readonly limit: number; readonly cursor?: string }): Promise<Page<MisuseAlert>> {
    const { Items, LastEvaluatedKey } = await this.deps.client.send(
      new QueryCommand({
        TableName: this.deps.tableName,
        IndexName: INDEX,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': alertsPk(district) },
        ScanIndexForward: false,
        Limit: page.limit,
        ExclusiveStartKey: page.cursor === undefined ? undefined : decodeCursor(page.cursor, alertsPk(district)),
      }),
    );
    return {
      items: (Items ?? []).map(toAlert),
      ...(LastEvaluatedKey === undefined ? {} : { nextCursor: Buffer.from(JSON.stringify(LastEvaluatedKey), 'utf8').toString('base64url') }),
    };
  }

  private async movePointer(from: number, to: number): Promise<void> {
    try {
      await this.deps.client.send(
        new UpdateCommand({
          TableName: this.deps.tableName,
          Key: { pk: RULES_PK, sk: RULES_CURRENT },
          UpdateExpression: 'SET version = :to',
          ConditionExpression: from === BUILT_IN_MISUSE_RULES.version ? 'attribute_not_exists(pk) OR version IN (:from, :to)' : 'version IN (:from, :to)',
          ExpressionAttributeValues: { ':to': to, ':from': from },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw staleRulesBase();
      throw error;
    }
  }

  private async currentVersionNumber(): Promise<number> {
    const { Item } = await this.deps.client.send(new GetCommand({ TableName: this.deps.tableName, Key: { pk: RULES_PK, sk: RULES_CURRENT }, ConsistentRead: true }));
    return typeof Item?.['version'] === 'number' ? Item['version'] : BUILT_IN_MISUSE_RULES.version;
  }
}

const toAlert = (item: Record<string, unknown>): MisuseAlert => withoutKeys(item, 'gsi1pk', 'gsi1sk') as unknown as MisuseAlert;

/** A cursor of this very district's alert list, nothing else (an edited cursor is no way into another district). */
function decodeCursor(cursor: string, partition: string): Record<string, string> {
  const invalid = () => badRequest('CURSOR_INVALID', 'The cursor is not one this list returned; start again without it.');
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (key === null || typeof key !== 'object' || Array.isArray(key)) throw invalid();
  const fields = key as Record<string, unknown>;
  const names = Object.keys(fields).sort();
  if (names.join() !== 'gsi1pk,gsi1sk,pk,sk' || !Object.values(fields).every((v) => typeof v === 'string')) throw invalid();
  if (fields['gsi1pk'] !== partition || !(fields['pk'] as string).startsWith('ALERT#')) throw invalid();
  return fields as Record<string, string>;
}

let shared: DynamoMisuseStore | undefined;

/** The process's one misuse store (one rules cache per process); `MISUSE_RULES_CACHE_SECONDS` (default 30). */
export function misuseStoreFromEnv(): DynamoMisuseStore {
  shared ??= new DynamoMisuseStore({
    client: dynamoDocumentClient(),
    tableName: getStringFromEnv(tableEnvVar('security')),
    currentTtlMs: getNumberFromEnv('MISUSE_RULES_CACHE_SECONDS', 30) * 1000,
  });
  return shared;
}
