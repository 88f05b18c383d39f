/**
 * Filings, batches and per-unit active-filing locks on the `filings` table:
 * - filing: pk `FILING#<filingId>`, sk `META`, attributes = the FilingRecord;
 * - batch: pk `BATCH#<batchId>`, sk `META`, attributes = the BatchRecord (items gzip-compressed when large);
 * - lock: pk `UNIT#<unitCode>`, sk `ACTIVE#<businessType>`, attribute filingId.
 * A filing also carries the keys of the `byDistrictStatus` index (staff worklists): gsi1pk
 * `<district>#<status>`, gsi1sk `<updatedAt>#<filingId>`, written by the same single-item write that
 * sets its status, so the worklist never disagrees with the filing (beyond the index's eventual consistency).
 * Every write is a single-item conditional write (STYLE.md habit 5), so workers can repeat any step.
 */
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { BusinessType } from '../../core/domain/business-types';
import { badRequest } from '../../core/domain/errors';
import type { BatchItem, BatchRecord, FilingRecord, FilingStatus } from '../../core/domain/filing';
import type { FilingRepository, FilingSummary, FilingSummaryPage, MarkUrgentRequest, PutFilingResult, TransitionRequest } from '../../core/ports';
import { tableEnvVar } from '../../../infra/topology';
import { getStringFromEnv } from '../../shared/config';
import { dynamoDocumentClient } from '../aws-clients';
import { MAX_BATCH_ATTEMPTS, backoff, chunk, isConditionalCheckFailed, withoutKeys } from './dynamo-support';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** BatchGetItem takes at most 100 keys per call. */
const BATCH_GET_LIMIT = 100;
/** Batch items whose JSON exceeds this are stored compressed, to stay clear of the 400 KB item limit. */
const PLAIN_BATCH_ITEMS_MAX_BYTES = 256 * 1024;
/** Attributes a transition manages itself; `set` may not touch them. */
const MANAGED_ATTRIBUTES = new Set(['pk', 'sk', 'filingId', 'status', 'updatedAt', 'history', 'district', 'gsi1pk', 'gsi1sk', 'approvalStartedAt']);
/** The staff worklist index (infra/topology.ts) and its key attributes. */
const WORKLIST_INDEX = 'byDistrictStatus';
const WORKLIST_KEY_ATTRIBUTES = ['gsi1pk', 'gsi1sk'] as const;
/** What a worklist reads of a filing: never the sealed personal data. */
const SUMMARY_ATTRIBUTES = ['filingId', 'businessType', 'unitCode', 'institutionId', 'district', 'status', 'updatedAt', 'urgent'] as const;

const filingKey = (filingId: string) => ({ pk: `FILING#${filingId}`, sk: 'META' });
const batchKey = (batchId: string) => ({ pk: `BATCH#${batchId}`, sk: 'META' });
const lockKey = (unitCode: string, businessType: BusinessType) => ({ pk: `UNIT#${unitCode}`, sk: `ACTIVE#${businessType}` });
const worklistPk = (district: string, status: FilingStatus) => `${district}#${status}`;
const worklistKey = (district: string, status: FilingStatus, updatedAt: string, filingId: string) => ({
  gsi1pk: worklistPk(district, status),
  gsi1sk: `${updatedAt}#${filingId}`,
});

export interface DynamoFilingRepositoryDeps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

export class DynamoFilingRepository implements FilingRepository {
  constructor(private readonly deps: DynamoFilingRepositoryDeps) {}

  async putIfAbsent(filing: FilingRecord): Promise<PutFilingResult> {
    try {
      await this.deps.client.send(
        new PutCommand({
          TableName: this.deps.tableName,
          Item: { ...filingKey(filing.filingId), ...filing, ...worklistKey(filing.district, filing.status, filing.updatedAt, filing.filingId) },
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

  async transition(request: TransitionRequest): Promise<boolean> {
    const { gsi1pk, gsi1sk } = worklistKey(request.district, request.to, request.entry.at, request.filingId);
    const names: Record<string, string> = { '#status': 'status', '#updatedAt': 'updatedAt', '#history': 'history', '#gpk': 'gsi1pk', '#gsk': 'gsi1sk' };
    const values: Record<string, unknown> = {
      ':from': request.from,
      ':to': request.to,
      ':at': request.entry.at,
      ':entry': [request.entry],
      ':gpk': gsi1pk,
      ':gsk': gsi1sk,
    };
    const sets = ['#status = :to', '#updatedAt = :at', '#history = list_append(#history, :entry)', '#gpk = :gpk', '#gsk = :gsk'];
    const removes: string[] = [];
    Object.entries(request.set ?? {}).forEach(([attribute, value], i) => {
      if (MANAGED_ATTRIBUTES.has(attribute)) throw new Error(`A transition may not set ${attribute}`);
      names[`#a${i}`] = attribute;
      // An attribute set to undefined is removed (e.g. the correction list once corrected).
      if (value === undefined) {
        removes.push(`#a${i}`);
      } else {
        values[`:a${i}`] = value;
        sets.push(`#a${i} = :a${i}`);
      }
    });
    const update = `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`;
    try {
      await this.deps.client.send(
        new UpdateCommand({
          TableName: this.deps.tableName,
          Key: filingKey(request.filingId),
          UpdateExpression: update,
          ConditionExpression: request.unlessApprovalStarted ? '#status = :from AND attribute_not_exists(approvalStartedAt)' : '#status = :from',
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

  async lockActive(unitCode: string, businessType: BusinessType, filingId: string): Promise<boolean> {
    try {
      await this.deps.client.send(
        new PutCommand({
          TableName: this.deps.tableName,
          Item: { ...lockKey(unitCode, businessType), filingId },
          ConditionExpression: 'attribute_not_exists(pk) OR filingId = :me',
          ExpressionAttributeValues: { ':me': filingId },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async activeFilingId(unitCode: string, businessType: BusinessType): Promise<string | undefined> {
    const { Item } = await this.deps.client.send(new GetCommand({ TableName: this.deps.tableName, Key: lockKey(unitCode, businessType), ConsistentRead: true }));
    return typeof Item?.filingId === 'string' ? Item.filingId : undefined;
  }

  /**
   * Frees the per-unit lock when its filing is no longer active (refused, withdrawn, …); a no-op when
   * another filing holds it.
   */
  async releaseActive(unitCode: string, businessType: BusinessType, filingId: string): Promise<void> {
    try {
      await this.deps.client.send(
        new DeleteCommand({
          TableName: this.deps.tableName,
          Key: lockKey(unitCode, businessType),
          ConditionExpression: 'filingId = :me',
          ExpressionAttributeValues: { ':me': filingId },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  async startApproval(filingId: string, status: FilingStatus, at: string): Promise<boolean> {
    try {
      await this.deps.client.send(
        new UpdateCommand({
          TableName: this.deps.tableName,
          Key: filingKey(filingId),
          UpdateExpression: 'SET approvalStartedAt = if_not_exists(approvalStartedAt, :at)',
          ConditionExpression: '#status = :status',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':at': at, ':status': status },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async markUrgent(request: MarkUrgentRequest): Promise<boolean> {
    try {
      await this.deps.client.send(
        new UpdateCommand({
          TableName: this.deps.tableName,
          Key: filingKey(request.filingId),
          UpdateExpression: 'SET #urgent = :true, #reason = :reason, #by = :by',
          ConditionExpression: '#status = :status',
          ExpressionAttributeNames: { '#urgent': 'urgent', '#reason': 'urgentReason', '#by': 'urgentBy', '#status': 'status' },
          ExpressionAttributeValues: { ':true': true, ':reason': request.reason, ':by': request.by, ':status': request.status },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async listByDistrictStatus(district: string, status: FilingStatus, page: { readonly limit: number; readonly cursor?: string }): Promise<FilingSummaryPage> {
    const partition = worklistPk(district, status);
    const names = Object.fromEntries(SUMMARY_ATTRIBUTES.map((a, i) => [`#p${i}`, a]));
    const { Items, LastEvaluatedKey } = await this.deps.client.send(
      new QueryCommand({
        TableName: this.deps.tableName,
        IndexName: WORKLIST_INDEX,
        KeyConditionExpression: '#gpk = :gpk',
        ExpressionAttributeNames: { ...names, '#gpk': 'gsi1pk' },
        ExpressionAttributeValues: { ':gpk': partition },
        ProjectionExpression: Object.keys(names).join(', '),
        Limit: page.limit,
        ExclusiveStartKey: page.cursor === undefined ? undefined : decodeCursor(page.cursor, partition),
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
  return withoutKeys(item, ...WORKLIST_KEY_ATTRIBUTES) as unknown as FilingRecord;
}

/** The index's LastEvaluatedKey (table and index keys, all strings), as an opaque base64url cursor. */
function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * Reads a cursor back, refusing anything but a key of this very worklist partition: a cursor edited to
 * point into another district's (or status's) partition must not become a way around tenancy.
 */
function decodeCursor(cursor: string, partition: string): Record<string, string> {
  const invalid = () => badRequest('CURSOR_INVALID', 'The cursor is not one this worklist returned; start again without it.');
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (key === null || typeof key !== 'object' || Array.isArray(key)) throw invalid();
  const entries = Object.entries(key);
  const expected = ['gsi1pk', 'gsi1sk', 'pk', 'sk'];
  if (entries.length !== expected.length || !entries.every(([name, value]) => expected.includes(name) && typeof value === 'string')) throw invalid();
  const fields = Object.fromEntries(entries) as Record<string, string>;
  if (fields.gsi1pk !== partition || fields.sk !== 'META' || !fields.pk!.startsWith('FILING#')) throw invalid();
  return fields;
}

export function filingRepositoryFromEnv(): DynamoFilingRepository {
  return new DynamoFilingRepository({ client: dynamoDocumentClient(), tableName: getStringFromEnv(tableEnvVar('filings')) });
}
