/**
 * Filings, batches and per-unit active-filing locks on the `filings` table:
 * - filing: pk `FILING#<filingId>`, sk `META`, attributes = the FilingRecord;
 * - batch: pk `BATCH#<batchId>`, sk `META`, attributes = the BatchRecord (items gzip-compressed when large);
 * - lock: pk `UNIT#<unitCode>`, sk `ACTIVE#<businessType>`, attribute filingId.
 * Every write is a single-item conditional write (STYLE.md habit 5), so workers can repeat any step.
 */
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { BusinessType } from '../../core/domain/business-types';
import type { BatchItem, BatchRecord, FilingRecord } from '../../core/domain/filing';
import type { FilingRepository, PutFilingResult, TransitionRequest } from '../../core/ports';
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
const MANAGED_ATTRIBUTES = new Set(['pk', 'sk', 'filingId', 'status', 'updatedAt', 'history']);

const filingKey = (filingId: string) => ({ pk: `FILING#${filingId}`, sk: 'META' });
const batchKey = (batchId: string) => ({ pk: `BATCH#${batchId}`, sk: 'META' });
const lockKey = (unitCode: string, businessType: BusinessType) => ({ pk: `UNIT#${unitCode}`, sk: `ACTIVE#${businessType}` });

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
          Item: { ...filingKey(filing.filingId), ...filing },
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
    const names: Record<string, string> = { '#status': 'status', '#updatedAt': 'updatedAt', '#history': 'history' };
    const values: Record<string, unknown> = {
      ':from': request.from,
      ':to': request.to,
      ':at': request.entry.at,
      ':entry': [request.entry],
    };
    const sets = ['#status = :to', '#updatedAt = :at', '#history = list_append(#history, :entry)'];
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
          ConditionExpression: '#status = :from',
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

  /**
   * Frees the per-unit lock when its filing is no longer active (refused, withdrawn, …); a no-op when
   * another filing holds it. Not on the port yet: intake's terminal transitions will need it.
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
  return withoutKeys(item) as unknown as FilingRecord;
}

export function filingRepositoryFromEnv(): DynamoFilingRepository {
  return new DynamoFilingRepository({ client: dynamoDocumentClient(), tableName: getStringFromEnv(tableEnvVar('filings')) });
}
