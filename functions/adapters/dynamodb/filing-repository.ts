/**
 * Filings, batches and per-unit active-filing locks on the `filings` table:
 * - filing: pk `FILING#<filingId>`, sk `META`, attributes = the FilingRecord;
 * - batch: pk `BATCH#<batchId>`, sk `META`, attributes = the BatchRecord (items gzip-compressed when large);
 * - disposition lock: pk `UNIT#<unitCode>`, sk `DISPOSITION`, attributes holders (filing id → business
 *   type) and version (functions/core/domain/disposition.ts).
 * A filing also carries the keys of the `byDistrictStatus` index (staff worklists): gsi1pk
 * `<district>#<status>`, gsi1sk `<updatedAt>#<filingId>`, written by the same single-item write that
 * sets its status, so the worklist never disagrees with the filing (beyond the index's eventual consistency);
 * and, while its outbox holds pending effects, the keys of the sparse `byPendingEffects` index: gsi2pk
 * `PENDING#<district>`, gsi2sk `<at>#<filingId>`, which the sweeper reads to heal them.
 * Every write is a single-item conditional write (STYLE.md habit 5), so workers can repeat any step.
 */
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { BusinessType } from '../../core/domain/business-types';
import type { DispositionLock } from '../../core/domain/disposition';
import { badRequest } from '../../core/domain/errors';
import type { BatchItem, BatchRecord, FilingRecord, FilingStatus } from '../../core/domain/filing';
import { MAX_DISCLOSURES_KEPT, type Disclosure } from '../../core/domain/disclosure';
import type { DisclosureRecorder, FilingCommit, FilingRepository, FilingSummary, FilingSummaryPage, PutFilingResult } from '../../core/ports';
import { tableEnvVar, tables } from '../../../infra/topology';
import { getStringFromEnv } from '../../shared/config';
import { dynamoDocumentClient } from '../aws-clients';
import { MAX_BATCH_ATTEMPTS, backoff, chunk, isConditionalCheckFailed, withoutKeys } from './dynamo-support';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** BatchGetItem takes at most 100 keys per call. */
const BATCH_GET_LIMIT = 100;
/** Batch items whose JSON exceeds this are stored compressed, to stay clear of the 400 KB item limit. */
const PLAIN_BATCH_ITEMS_MAX_BYTES = 256 * 1024;
/** Attributes a lifecycle write manages itself; `set` may not touch them. */
const MANAGED_ATTRIBUTES = new Set(['pk', 'sk', 'filingId', 'status', 'updatedAt', 'history', 'district', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'revision', 'outbox']);
/** The staff worklist index (infra/topology.ts) and its key attributes. */
const WORKLIST_INDEX = 'byDistrictStatus';
/** The sparse index of filings with pending effects (infra/topology.ts). */
const PENDING_INDEX = 'byPendingEffects';
const INDEX_KEY_ATTRIBUTES = ['gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk'] as const;
/** What the index copies of a filing, as declared in infra/topology.ts: never the sealed personal data. */
const indexAttributes = (name: string): readonly string[] => tables.filings.globalIndexes.find((i) => i.name === name)!.include;
/** What a worklist reads of a filing. */
const SUMMARY_ATTRIBUTES = indexAttributes(WORKLIST_INDEX);
/** What the pending-effects index holds of a filing: the sweeper reads each filing itself. */
const PENDING_ATTRIBUTES = indexAttributes(PENDING_INDEX);

const filingKey = (filingId: string) => ({ pk: `FILING#${filingId}`, sk: 'META' });
const batchKey = (batchId: string) => ({ pk: `BATCH#${batchId}`, sk: 'META' });
const dispositionKey = (unitCode: string) => ({ pk: `UNIT#${unitCode}`, sk: 'DISPOSITION' });
const pendingPk = (district: string) => `PENDING#${district}`;
const worklistPk = (district: string, status: FilingStatus) => `${district}#${status}`;
const worklistKey = (district: string, status: FilingStatus, updatedAt: string, filingId: string) => ({
  gsi1pk: worklistPk(district, status),
  gsi1sk: `${updatedAt}#${filingId}`,
});

export interface DynamoFilingRepositoryDeps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

export class DynamoFilingRepository implements FilingRepository, DisclosureRecorder {
  constructor(private readonly deps: DynamoFilingRepositoryDeps) {}

  async putIfAbsent(filing: FilingRecord): Promise<PutFilingResult> {
    try {
      await this.deps.client.send(
        new PutCommand({
          TableName: this.deps.tableName,
          Item: {
            ...filingKey(filing.filingId),
            ...filing,
            revision: filing.revision ?? 1,
            outbox: filing.outbox ?? {},
            ...worklistKey(filing.district, filing.status, filing.updatedAt, filing.filingId),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { kind: 'created' };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    const existing = await this.get(filing.filingId);
    // Filings are never deleted, so the one that refused our put must still be there.
    if (existing === undefined) throw new Error(`Filing ${filing.filingId} refused as existing but not found`);
    return { kind: 'exists', existing };
  }

  /**
   * Records an unmasking on the filing (audited unmasking, DESIGN.md §5): the last
   * {@link MAX_DISCLOSURES_KEPT} disclosures and a count of all. Conditional on the count read, so two
   * racing unmaskings are both kept (the loser re-reads and retries); no lifecycle attribute is touched.
   */
  async recordDisclosure(filingId: string, disclosure: Disclosure): Promise<boolean> {
    for (let attempt = 0; attempt < MAX_BATCH_ATTEMPTS; attempt++) {
      if (attempt > 0) await backoff(attempt);
      const { Item } = await this.deps.client.send(
        new GetCommand({ TableName: this.deps.tableName, Key: filingKey(filingId), ConsistentRead: true, ProjectionExpression: 'pk, disclosures, disclosureCount' }),
      );
      if (Item === undefined) return false;
      const count = typeof Item.disclosureCount === 'number' ? Item.disclosureCount : 0;
      const kept = [...((Item.disclosures as Disclosure[] | undefined) ?? []), disclosure].slice(-MAX_DISCLOSURES_KEPT);
      try {
        await this.deps.client.send(
          new UpdateCommand({
            TableName: this.deps.tableName,
            Key: filingKey(filingId),
            UpdateExpression: 'SET disclosures = :kept, disclosureCount = :next',
            ConditionExpression: count === 0 ? 'attribute_exists(pk) AND attribute_not_exists(disclosureCount)' : 'disclosureCount = :count',
            ExpressionAttributeValues: { ':kept': kept, ':next': count + 1, ...(count === 0 ? {} : { ':count': count }) },
          }),
        );
        return true;
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
      }
    }
    throw new Error(`Disclosure on ${filingId} lost the race ${MAX_BATCH_ATTEMPTS} times`);
  }

  async get(filingId: string): Promise<FilingRecord | undefined> {
    const { Item } = await this.deps.client.send(
      new GetCommand({ TableName: this.deps.tableName, Key: filingKey(filingId), ConsistentRead: true }),
    );
    return Item === undefined ? undefined : toFiling(Item);
  }

  /** Records in the order of `filingIds`; ids with no filing are left out. */
  async getMany(filingIds: readonly string[]): Promise<FilingRecord[]> {
    const unique = [...new Set(filingIds)];
    const found = new Map<string, FilingRecord>();
    const chunks = chunk(unique, BATCH_GET_LIMIT);
    await Promise.all(
      chunks.map(async (ids) => {
        for (const record of await this.batchGet(ids)) found.set(record.filingId, record);
      }),
    );
    return filingIds.flatMap((id) => {
      const record = found.get(id);
      return record === undefined ? [] : [record];
    });
  }

  async commit(commit: FilingCommit): Promise<boolean> {
    const names: Record<string, string> = { '#revision': 'revision', '#outbox': 'outbox' };
    const values: Record<string, unknown> = { ':revision': commit.expectedRevision + 1 };
    const sets = ['#revision = :revision'];
    const removes: string[] = [];
    if (commit.entry) {
      const { gsi1pk, gsi1sk } = worklistKey(commit.district, commit.status, commit.entry.at, commit.filingId);
      Object.assign(names, { '#status': 'status', '#updatedAt': 'updatedAt', '#history': 'history', '#gpk': 'gsi1pk', '#gsk': 'gsi1sk' });
      Object.assign(values, { ':status': commit.status, ':at': commit.entry.at, ':entry': [commit.entry], ':gpk': gsi1pk, ':gsk': gsi1sk });
      sets.push('#status = :status', '#updatedAt = :at', '#history = list_append(#history, :entry)', '#gpk = :gpk', '#gsk = :gsk');
    }
    Object.entries(commit.set ?? {}).forEach(([attribute, value], i) => {
      if (MANAGED_ATTRIBUTES.has(attribute)) throw new Error(`A lifecycle write may not set ${attribute}`);
      names[`#a${i}`] = attribute;
      // An attribute set to undefined is removed (e.g. the correction list once corrected).
      if (value === undefined) {
        removes.push(`#a${i}`);
      } else {
        values[`:a${i}`] = value;
        sets.push(`#a${i} = :a${i}`);
      }
    });
    if (commit.hadOutbox) {
      commit.effects.forEach((effect, i) => {
        names[`#e${i}`] = effect.id;
        values[`:e${i}`] = effect;
        sets.push(`#outbox.#e${i} = :e${i}`);
      });
      (commit.completes ?? []).forEach((id, i) => {
        names[`#c${i}`] = id;
        removes.push(`#outbox.#c${i}`);
      });
    } else {
      // A filing stored before outboxes existed gets its outbox with its first lifecycle write.
      values[':outbox'] = Object.fromEntries(commit.effects.map((effect) => [effect.id, effect]));
      sets.push('#outbox = :outbox');
    }
    if (commit.effects.length > 0) {
      Object.assign(names, { '#ppk': 'gsi2pk', '#psk': 'gsi2sk' });
      Object.assign(values, { ':ppk': pendingPk(commit.district), ':psk': `${commit.at}#${commit.filingId}` });
      sets.push('#ppk = :ppk', '#psk = :psk');
    }
    const conditions = [commit.expectedRevision === 0 ? 'attribute_exists(pk) AND attribute_not_exists(#revision)' : '#revision = :expected'];
    if (commit.expectedRevision !== 0) values[':expected'] = commit.expectedRevision;
    conditions.push(commit.hadOutbox ? 'attribute_exists(#outbox)' : 'attribute_not_exists(#outbox)');
    try {
      await this.deps.client.send(
        new UpdateCommand({
          TableName: this.deps.tableName,
          Key: filingKey(commit.filingId),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async completeEffects(filingId: string, effectIds: readonly string[], clearPendingAt?: number): Promise<void> {
    // DynamoDB refuses a name the expression does not use: `#outbox` only when there is something to remove.
    const names: Record<string, string> = effectIds.length > 0 ? { '#outbox': 'outbox' } : {};
    effectIds.forEach((id, i) => (names[`#e${i}`] = id));
    const removes = effectIds.map((_, i) => `#outbox.#e${i}`);
    const update = (extra: string[], condition: string, values?: Record<string, unknown>, extraNames?: Record<string, string>) =>
      this.deps.client.send(
        new UpdateCommand({
          TableName: this.deps.tableName,
          Key: filingKey(filingId),
          UpdateExpression: `REMOVE ${[...removes, ...extra].join(', ')}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: { ...names, ...extraNames },
          ...(values ? { ExpressionAttributeValues: values } : {}),
        }),
      );
    if (clearPendingAt !== undefined) {
      try {
        // Off the pending index only if no transition recorded new effects since (it would be at a later revision).
        await update(['#ppk', '#psk'], clearPendingAt === 0 ? 'attribute_not_exists(#revision)' : '#revision = :r', clearPendingAt === 0 ? undefined : { ':r': clearPendingAt }, {
          '#ppk': 'gsi2pk',
          '#psk': 'gsi2sk',
          '#revision': 'revision',
        });
        return;
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
      }
    }
    if (effectIds.length === 0) return;
    try {
      await update([], 'attribute_exists(#outbox)');
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  async listPendingEffects(district: string, before: string, page: { readonly limit: number; readonly cursor?: string }): Promise<FilingSummaryPage> {
    return this.querySummaries(PENDING_INDEX, 'gsi2pk', pendingPk(district), page, before, PENDING_ATTRIBUTES);
  }

  async putBatch(batch: BatchRecord): Promise<void> {
    const json = JSON.stringify(batch.items);
    const { items, ...rest } = batch;
    const stored =
      Buffer.byteLength(json, 'utf8') <= PLAIN_BATCH_ITEMS_MAX_BYTES
        ? { ...rest, items }
        : { ...rest, itemsGzip: new Uint8Array(await gzipAsync(Buffer.from(json, 'utf8'))) };
    await this.deps.client.send(new PutCommand({ TableName: this.deps.tableName, Item: { ...batchKey(batch.batchId), ...stored } }));
  }

  async getBatch(batchId: string): Promise<BatchRecord | undefined> {
    const { Item } = await this.deps.client.send(
      new GetCommand({ TableName: this.deps.tableName, Key: batchKey(batchId), ConsistentRead: true }),
    );
    if (Item === undefined) return undefined;
    const { itemsGzip, ...rest } = withoutKeys(Item);
    if (itemsGzip instanceof Uint8Array) {
      const items = JSON.parse((await gunzipAsync(itemsGzip)).toString('utf8')) as BatchItem[];
      return { ...rest, items } as unknown as BatchRecord;
    }
    return rest as unknown as BatchRecord;
  }

  async readDisposition(unitCode: string): Promise<DispositionLock> {
    const { Item } = await this.deps.client.send(new GetCommand({ TableName: this.deps.tableName, Key: dispositionKey(unitCode), ConsistentRead: true }));
    return {
      unitCode,
      version: typeof Item?.version === 'number' ? Item.version : 0,
      holders: (Item?.holders ?? {}) as Record<string, BusinessType>,
    };
  }

  async writeDisposition(expected: DispositionLock, holders: Readonly<Record<string, BusinessType>>): Promise<boolean> {
    try {
      await this.deps.client.send(
        new PutCommand({
          TableName: this.deps.tableName,
          Item: { ...dispositionKey(expected.unitCode), unitCode: expected.unitCode, holders, version: expected.version + 1 },
          ConditionExpression: expected.version === 0 ? 'attribute_not_exists(pk)' : 'version = :v',
          ...(expected.version === 0 ? {} : { ExpressionAttributeValues: { ':v': expected.version } }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /** Frees the filing's place in its unit's lock (withdrawn, refused, certified, …); a no-op when it holds none. */
  async releaseDisposition(unitCode: string, filingId: string): Promise<void> {
    try {
      await this.deps.client.send(
        new UpdateCommand({
          TableName: this.deps.tableName,
          Key: dispositionKey(unitCode),
          UpdateExpression: 'REMOVE #holders.#me ADD #version :one',
          ConditionExpression: 'attribute_exists(#holders.#me)',
          ExpressionAttributeNames: { '#holders': 'holders', '#me': filingId, '#version': 'version' },
          ExpressionAttributeValues: { ':one': 1 },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  async listByDistrictStatus(district: string, status: FilingStatus, page: { readonly limit: number; readonly cursor?: string }): Promise<FilingSummaryPage> {
    return this.querySummaries(WORKLIST_INDEX, 'gsi1pk', worklistPk(district, status), page);
  }

  private async querySummaries(
    index: string,
    keyAttribute: 'gsi1pk' | 'gsi2pk',
    partition: string,
    page: { readonly limit: number; readonly cursor?: string },
    sortBefore?: string,
    attributes: readonly string[] = SUMMARY_ATTRIBUTES,
  ): Promise<FilingSummaryPage> {
    const names: Record<string, string> = Object.fromEntries(attributes.map((a, i) => [`#p${i}`, a]));
    const projection = Object.keys(names).join(', ');
    const values: Record<string, unknown> = { ':gpk': partition };
    if (sortBefore !== undefined) {
      names['#gsk'] = keyAttribute === 'gsi1pk' ? 'gsi1sk' : 'gsi2sk';
      values[':before'] = sortBefore;
    }
    const { Items, LastEvaluatedKey } = await this.deps.client.send(
      new QueryCommand({
        TableName: this.deps.tableName,
        IndexName: index,
        KeyConditionExpression: sortBefore === undefined ? '#gpk = :gpk' : '#gpk = :gpk AND #gsk < :before',
        ExpressionAttributeNames: { ...names, '#gpk': keyAttribute },
        ExpressionAttributeValues: values,
        ProjectionExpression: projection,
        Limit: page.limit,
        ExclusiveStartKey: page.cursor === undefined ? undefined : decodeCursor(page.cursor, keyAttribute, partition),
      }),
    );
    return {
      items: (Items ?? []).map((item) => item as FilingSummary),
      nextCursor: LastEvaluatedKey === undefined ? undefined : encodeCursor(LastEvaluatedKey),
    };
  }

  /** One BatchGetItem of at most 100 keys, retrying unprocessed keys with backoff. */
  private async batchGet(filingIds: readonly string[]): Promise<FilingRecord[]> {
    const records: FilingRecord[] = [];
    let keys: Record<string, unknown>[] = filingIds.map(filingKey);
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt >= MAX_BATCH_ATTEMPTS) throw new Error(`BatchGetItem left ${keys.length} filings unprocessed`);
      if (attempt > 0) await backoff(attempt);
      const { Responses, UnprocessedKeys } = await this.deps.client.send(
        new BatchGetCommand({ RequestItems: { [this.deps.tableName]: { Keys: keys, ConsistentRead: true } } }),
      );
      for (const item of Responses?.[this.deps.tableName] ?? []) records.push(toFiling(item));
      keys = UnprocessedKeys?.[this.deps.tableName]?.Keys ?? [];
    }
    return records;
  }
}

function toFiling(item: Record<string, unknown>): FilingRecord {
  return withoutKeys(item, ...INDEX_KEY_ATTRIBUTES) as unknown as FilingRecord;
}

/** The index's LastEvaluatedKey (table and index keys, all strings), as an opaque base64url cursor. */
function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * Reads a cursor back, refusing anything but a key of this very worklist partition: a cursor edited to
 * point into another district's (or status's) partition must not become a way around tenancy.
 */
function decodeCursor(cursor: string, keyAttribute: 'gsi1pk' | 'gsi2pk', partition: string): Record<string, string> {
  const invalid = () => badRequest('CURSOR_INVALID', 'The cursor is not one this worklist returned; start again without it.');
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (key === null || typeof key !== 'object' || Array.isArray(key)) throw invalid();
  const entries = Object.entries(key);
  const sortAttribute = keyAttribute === 'gsi1pk' ? 'gsi1sk' : 'gsi2sk';
  const expected = [keyAttribute, sortAttribute, 'pk', 'sk'];
  if (entries.length !== expected.length || !entries.every(([name, value]) => expected.includes(name) && typeof value === 'string')) throw invalid();
  const fields = Object.fromEntries(entries) as Record<string, string>;
  if (fields[keyAttribute] !== partition || fields.sk !== 'META' || !fields.pk!.startsWith('FILING#')) throw invalid();
  return fields;
}

export function filingRepositoryFromEnv(): DynamoFilingRepository {
  return new DynamoFilingRepository({ client: dynamoDocumentClient(), tableName: getStringFromEnv(tableEnvVar('filings')) });
}
