/**
 * Versioned material checklists on the `checklists` table (002 二(一)3, 五(二)2):
 * - version: pk `CHECKLIST#<businessType>`, sk `V#<10-digit version>`, attributes version, required,
 *   optional, publishedAt, publishedBy, note; written once, never changed;
 * - pointer: same pk, sk `CURRENT`, attribute version.
 *
 * Seeding is lazy and writes nothing: while a type has no `CURRENT`, its version 1 is the built-in list
 * (MATERIAL_CHECKLISTS), answered from code. So a fresh deployment needs no seeding step, the built-in
 * list cannot drift from a stale seeded copy, and the first publisher simply publishes version 2.
 *
 * Publishing is two single-item conditional writes (dynalite has no transactions): put `V#<base+1>` only
 * if absent, then move `CURRENT` from base to base+1. Of two concurrent publishers on one base, exactly
 * one creates the version; the other is refused (409). A publisher that crashed between the two writes
 * leaves a version the pointer does not name yet; the next publisher on that base rolls the pointer
 * forward, then is refused like any stale one.
 *
 * Reads are cached per process: versions forever (they never change), the current version for
 * `currentTtlMs` (30 s by default), so a publish reaches every instance within that time. A publish
 * through this process is seen by this process at once.
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BusinessType } from '../../core/domain/business-types';
import { BUILT_IN_VERSION, builtInChecklist, type ChecklistDraft, type ChecklistVersion } from '../../core/domain/checklists';
import { conflict } from '../../core/domain/errors';
import type { ChecklistStore } from '../../core/ports';
import { tableEnvVar } from '../../../infra/topology';
import { getNumberFromEnv, getStringFromEnv } from '../../shared/config';
import { dynamoDocumentClient } from '../aws-clients';
import { isConditionalCheckFailed } from './dynamo-support';

const pk = (type: BusinessType): string => `CHECKLIST#${type}`;
const versionSk = (version: number): string => `V#${String(version).padStart(10, '0')}`;
const CURRENT = 'CURRENT';
export const DEFAULT_CHECKLIST_CACHE_MS = 30_000;

export interface DynamoChecklistStoreDeps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** How long the current version of a type is cached (0 disables). */
  readonly currentTtlMs?: number;
  readonly nowMs?: () => number;
}

const staleBase = () =>
  conflict('CHECKLIST_VERSION_CONFLICT', 'The checklist has changed since baseVersion: read the current version and publish on top of it.');

export class DynamoChecklistStore implements ChecklistStore {
  private readonly ttlMs: number;
  private readonly nowMs: () => number;
  private readonly currentCache = new Map<BusinessType, { readonly value: ChecklistVersion; readonly until: number }>();
  private readonly versionCache = new Map<string, ChecklistVersion>();

  constructor(private readonly deps: DynamoChecklistStoreDeps) {
    this.ttlMs = deps.currentTtlMs ?? DEFAULT_CHECKLIST_CACHE_MS;
    this.nowMs = deps.nowMs ?? Date.now;
  }

  async current(businessType: BusinessType): Promise<ChecklistVersion> {
    const cached = this.currentCache.get(businessType);
    if (cached && cached.until > this.nowMs()) return cached.value;
    const pointer = await this.currentVersionNumber(businessType);
    const value = (await this.version(businessType, pointer)) ?? builtInChecklist(businessType);
    if (this.ttlMs > 0) this.currentCache.set(businessType, { value, until: this.nowMs() + this.ttlMs });
    return value;
  }

  async version(businessType: BusinessType, version: number): Promise<ChecklistVersion | undefined> {
    const cacheKey = `${businessType}#${version}`;
    const cached = this.versionCache.get(cacheKey);
    if (cached) return cached;
    const { Item } = await this.deps.client.send(
      new GetCommand({ TableName: this.deps.tableName, Key: { pk: pk(businessType), sk: versionSk(version) }, ConsistentRead: true }),
    );
    const found = Item ? toVersion(businessType, Item) : version === BUILT_IN_VERSION ? builtInChecklist(businessType) : undefined;
    if (found) this.versionCache.set(cacheKey, found);
    return found;
  }

  async history(businessType: BusinessType): Promise<ChecklistVersion[]> {
    const versions: ChecklistVersion[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.deps.client.send(
        new QueryCommand({
          TableName: this.deps.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
          ExpressionAttributeValues: { ':pk': pk(businessType), ':v': 'V#' },
          ScanIndexForward: false,
          ConsistentRead: true,
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) versions.push(toVersion(businessType, item));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    if (!versions.some((v) => v.version === BUILT_IN_VERSION)) versions.push(builtInChecklist(businessType));
    return versions;
  }

  async publish(businessType: BusinessType, draft: ChecklistDraft, publishedBy: string, at: Date): Promise<ChecklistVersion> {
    const next: ChecklistVersion = {
      businessType,
      version: draft.baseVersion + 1,
      required: [...draft.required],
      optional: [...draft.optional],
      publishedAt: at.toISOString(),
      publishedBy,
      ...(draft.note === undefined ? {} : { note: draft.note }),
    };
    if ((await this.currentVersionNumber(businessType)) !== draft.baseVersion) throw staleBase();
    try {
      await this.deps.client.send(
        new PutCommand({
          TableName: this.deps.tableName,
          Item: { pk: pk(businessType), sk: versionSk(next.version), ...next },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      // Someone published this version first; if they crashed before moving the pointer, move it for them.
      await this.movePointer(businessType, draft.baseVersion, next.version).catch(() => undefined);
      throw staleBase();
    }
    await this.movePointer(businessType, draft.baseVersion, next.version);
    this.currentCache.delete(businessType);
    this.versionCache.set(`${businessType}#${next.version}`, next);
    return next;
  }

  /** Moves CURRENT from `from` to `to`; refused (409) when it no longer names `from`. */
  private async movePointer(businessType: BusinessType, from: number, to: number): Promise<void> {
    try {
      await this.deps.client.send(
        new UpdateCommand({
          TableName: this.deps.tableName,
          Key: { pk: pk(businessType), sk: CURRENT },
          UpdateExpression: 'SET version = :to',
          // An absent pointer means version 1 (the built-in list). Already at `to`: a concurrent publisher that
          // collided with our version rolled the pointer forward for us (see publish), which is success.
          ConditionExpression: from === BUILT_IN_VERSION ? 'attribute_not_exists(pk) OR version IN (:from, :to)' : 'version IN (:from, :to)',
          ExpressionAttributeValues: { ':to': to, ':from': from },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw staleBase();
      throw error;
    }
  }

  private async currentVersionNumber(businessType: BusinessType): Promise<number> {
    const { Item } = await this.deps.client.send(
      new GetCommand({ TableName: this.deps.tableName, Key: { pk: pk(businessType), sk: CURRENT }, ConsistentRead: true }),
    );
    return typeof Item?.version === 'number' ? Item.version : BUILT_IN_VERSION;
  }
}

function toVersion(businessType: BusinessType, item: Record<string, unknown>): ChecklistVersion {
  return {
    businessType,
    version: Number(item['version']),
    required: (item['required'] ?? []) as string[],
    optional: (item['optional'] ?? []) as string[],
    publishedAt: String(item['publishedAt']),
    publishedBy: String(item['publishedBy']),
    ...(typeof item['note'] === 'string' ? { note: item['note'] } : {}),
  };
}

let shared: DynamoChecklistStore | undefined;

/**
 * The process's one checklist store (one cache per process, shared by every handler it runs): the
 * `checklists` table; `CHECKLIST_CACHE_SECONDS` (default 30) bounds how stale the current version may be.
 */
export function checklistStoreFromEnv(): DynamoChecklistStore {
  shared ??= new DynamoChecklistStore({
    client: dynamoDocumentClient(),
    tableName: getStringFromEnv(tableEnvVar('checklists')),
    currentTtlMs: getNumberFromEnv('CHECKLIST_CACHE_SECONDS', DEFAULT_CHECKLIST_CACHE_MS / 1000) * 1000,
  });
  return shared;
}
