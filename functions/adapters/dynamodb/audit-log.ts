/**
 * The audit log store (DESIGN.md §5) on the `audit` table, one partition per tenant (`pk LOG#<tenant>`):
 * - `HEAD`: tree size, frontier, root, version, `pending` (the last commit until materialised), the signed
 *   size, the last checkpoint request, and — while unsigned entries exist — the sparse `byUnsigned` keys
 *   (`upk UNSIGNED#<shard 0..15 of the tenant>`, so the registry is no hot partition);
 * - `E#<seq 12 digits>`: an entry (its canonical JSON, leaf hash, retention, `expiresAt` = the table's TTL,
 *   the fields auditors search by and the keys of byTenantTime, byActor, byTarget);
 * - `N#<level 2>#<index 12>`: the hash of a perfect subtree (level 0: leaf hashes, which outlive the
 *   entries' content); `K#<key>`: a deduplication key → seq; `STH#<treeSize 12>`: a signed tree head.
 * The appender's commit is HEAD's conditional write; everything else is idempotent materialisation.
 */
import { BatchGetCommand, BatchWriteCommand, GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sm3Hex } from '../../shared/crypto/sm3';
import { getStringFromEnv } from '../../shared/config';
import { tableEnvVar } from '../../../infra/topology';
import { badRequest } from '../../core/domain/errors';
import { expiryOf, logIdOf, type LogEntry, type RetentionClass, type SignedTreeHead } from '../../core/domain/audit-log';
import type { Frontier, NodeReader } from '../../core/domain/merkle';
import type { AuditLogReader, AuditSearch, LogHead, Page, StoredLogEntry } from '../../core/ports';
import type { AuditLogStore, HeadState, PendingCommit } from '../../core/use-cases/append-audit';
import type { CheckpointStore } from '../../core/use-cases/checkpoint-audit';
import { dynamoDocumentClient } from '../aws-clients';
import { backoff, chunk, epochSeconds, isConditionalCheckFailed, MAX_BATCH_ATTEMPTS } from './dynamo-support';

const pkOf = (tenant: string): string => `LOG#${tenant}`;
const HEAD = 'HEAD';
const pad = (n: number): string => String(n).padStart(12, '0');
const entrySk = (seq: number): string => `E#${pad(seq)}`;
const nodeSk = (level: number, index: number): string => `N#${String(level).padStart(2, '0')}#${pad(index)}`;
const keySk = (key: string): string => `K#${key}`;
const sthSk = (treeSize: number): string => `STH#${pad(treeSize)}`;
export const UNSIGNED_SHARDS = 16;
const unsignedShardOf = (tenant: string): string => `UNSIGNED#${parseInt(sm3Hex(tenant).slice(0, 2), 16) % UNSIGNED_SHARDS}`;

type Item = Record<string, unknown>;

/** The institution an entry is about: its subject's, or the tenant's own when the tenant is not a district or a named log. */
const institutionOf = (entry: LogEntry): string | undefined =>
  entry.subject?.institutionId ?? (/^\d{6}$/.test(entry.tenant) || /^(public|unauthenticated|security|department:.*)$/.test(entry.tenant) ? undefined : entry.tenant);

export interface DynamoAuditLogStoreDeps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly now?: () => Date;
}

interface Cursor {
  readonly i: number;
  readonly k?: Item;
}

/** One index partition a search reads: the index, its key attributes, the partition's value. */
interface SearchPartition {
  readonly index: string;
  readonly pk: string;
  readonly sk: string;
  readonly value: string;
}

const encodeCursor = (cursor: Cursor): string => Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');

/**
 * A cursor this very search answered, or 400 CURSOR_INVALID: valid base64url JSON, a partition index of this
 * search's list, and a key of exactly that index's attributes, inside that partition and naming an entry item —
 * so an edited cursor can neither crash the query nor start it in another tenant's partition or another index.
 */
function decodeCursor(value: string | undefined, partitions: readonly SearchPartition[], range: { readonly from: string; readonly to: string }): Cursor {
  if (value === undefined) return { i: 0 };
  const invalid = () => badRequest('CURSOR_INVALID', 'The cursor is not one this search returned; start again without it.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid();
  const { i, k, ...rest } = parsed as { i?: unknown; k?: unknown };
  if (Object.keys(rest).length > 0 || typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= partitions.length) throw invalid();
  if (k === undefined) return { i };
  const partition = partitions[i]!;
  if (k === null || typeof k !== 'object' || Array.isArray(k)) throw invalid();
  const key = k as Record<string, unknown>;
  const expected = [...new Set(['pk', 'sk', partition.pk, partition.sk])].sort();
  const names = Object.keys(key).sort();
  if (names.length !== expected.length || names.some((name, n) => name !== expected[n])) throw invalid();
  if (Object.values(key).some((v) => typeof v !== 'string' || v.length === 0 || v.length > 2_048)) throw invalid();
  if (key[partition.pk] !== partition.value) throw invalid();
  const pk = key['pk'] as string;
  if (!pk.startsWith('LOG#') || !(key['sk'] as string).startsWith('E#')) throw invalid();
  if (partition.index === 'byTenantTime' && pk !== pkOf(partition.value)) throw invalid();
  // Sort keys are `<at>#…`: a start outside the search's time range is one DynamoDB refuses (a 500).
  const at = (key[partition.sk] as string).split('#', 1)[0]!;
  if (at < range.from || at > range.to) throw invalid();
  return { i, k: key as Item };
}

export class DynamoAuditLogStore implements AuditLogStore, CheckpointStore, AuditLogReader {
  private readonly now: () => Date;

  constructor(private readonly deps: DynamoAuditLogStoreDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  // ---- write side (appender, checkpoint) -----------------------------------------------------------

  async readHead(tenant: string): Promise<HeadState | undefined> {
    const { Item: item } = await this.deps.client.send(new GetCommand({ TableName: this.deps.tableName, Key: { pk: pkOf(tenant), sk: HEAD }, ConsistentRead: true }));
    if (item === undefined) return undefined;
    return {
      tenant,
      version: item['version'] as number,
      treeSize: item['treeSize'] as number,
      frontier: item['frontier'] as Frontier,
      rootHash: item['rootHash'] as string,
      updatedAt: item['updatedAt'] as string,
      pending: item['pending'] as PendingCommit | undefined,
      signedSize: (item['signedSize'] as number | undefined) ?? 0,
      checkpointRequestedAt: item['checkpointRequestedAt'] as string | undefined,
      checkpointRequestedSize: item['checkpointRequestedSize'] as number | undefined,
    };
  }

  async commit(next: HeadState, expectedVersion: number): Promise<boolean> {
    const values: Item = {
      ':tenant': next.tenant,
      ':version': next.version,
      ':treeSize': next.treeSize,
      ':frontier': next.frontier,
      ':rootHash': next.rootHash,
      ':updatedAt': next.updatedAt,
      ':pending': next.pending,
      ':zero': 0,
      ':upk': unsignedShardOf(next.tenant),
      ':usk': next.tenant,
    };
    let set = 'SET tenant = :tenant, version = :version, treeSize = :treeSize, frontier = :frontier, rootHash = :rootHash, updatedAt = :updatedAt, signedSize = if_not_exists(signedSize, :zero), upk = :upk, usk = :usk';
    set += next.pending === undefined ? '' : ', pending = :pending';
    if (next.pending === undefined) delete values[':pending'];
    if (next.checkpointRequestedAt !== undefined) {
      set += ', checkpointRequestedAt = :cpAt, checkpointRequestedSize = :cpSize';
      values[':cpAt'] = next.checkpointRequestedAt;
      values[':cpSize'] = next.checkpointRequestedSize ?? 0;
    }
    if (expectedVersion !== 0) values[':expected'] = expectedVersion;
    try {
      await this.deps.client.send(
        new UpdateCommand({
          TableName: this.deps.tableName,
          Key: { pk: pkOf(next.tenant), sk: HEAD },
          UpdateExpression: set,
          ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(pk)' : 'version = :expected',
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async materialise(tenant: string, pending: PendingCommit): Promise<void> {
    const pk = pkOf(tenant);
    const items: Item[] = [];
    const leafFacts = new Map<number, { retention: RetentionClass; entryExpiresAt: number }>();
    for (const committed of pending.entries) {
      const entry = JSON.parse(committed.entry) as LogEntry;
      const expiresAt = expiryOf(entry.retention, entry.at);
      leafFacts.set(committed.seq, { retention: entry.retention, entryExpiresAt: expiresAt });
      const institutionId = institutionOf(entry);
      const seq = pad(committed.seq);
      items.push({
        pk,
        sk: entrySk(committed.seq),
        entry: committed.entry,
        leafHash: committed.leafHash,
        retention: entry.retention,
        expiresAt,
        tenant,
        seq: committed.seq,
        at: entry.at,
        actor: entry.actor,
        action: entry.action,
        outcome: entry.outcome,
        ...(entry.target === undefined ? {} : { target: entry.target, gpk: entry.target, gsk: `${entry.at}#${tenant}#${seq}` }),
        ...(institutionId === undefined ? {} : { institutionId }),
        tpk: tenant,
        tsk: `${entry.at}#${seq}`,
        apk: entry.actor,
        ask: `${entry.at}#${tenant}#${seq}`,
      });
      items.push({ pk, sk: keySk(committed.key), seq: committed.seq, expiresAt });
    }
    for (const node of pending.nodes) {
      // Tree nodes never expire: proofs outlive the entries' content. Leaves also say what the entry was kept for.
      items.push({ pk, sk: nodeSk(node.level, node.index), hash: node.hash, ...(node.level === 0 ? leafFacts.get(node.index) : {}) });
    }
    await this.batchWrite(items);
  }

  private async batchWrite(items: readonly Item[]): Promise<void> {
    for (const group of chunk(items, 25)) {
      let requests = group.map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt >= MAX_BATCH_ATTEMPTS) throw new Error(`Audit log: ${requests.length} items unwritten after ${MAX_BATCH_ATTEMPTS} attempts`);
        if (attempt > 0) await backoff(attempt);
        const { UnprocessedItems } = await this.deps.client.send(new BatchWriteCommand({ RequestItems: { [this.deps.tableName]: requests } }));
        requests = (UnprocessedItems?.[this.deps.tableName] ?? []) as typeof requests;
      }
    }
  }

  async clearPending(tenant: string, version: number): Promise<void> {
    try {
      await this.deps.client.send(
        new UpdateCommand({
          TableName: this.deps.tableName,
          Key: { pk: pkOf(tenant), sk: HEAD },
          UpdateExpression: 'REMOVE pending',
          ConditionExpression: 'version = :v',
          ExpressionAttributeValues: { ':v': version },
        }),
      );
    } catch (error) {
      // A later commit replaced `pending` already: nothing of this version is left to clear.
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  async existingKeys(tenant: string, keys: readonly string[]): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    for (const group of chunk([...new Set(keys)], 100)) {
      let pending: Item[] = group.map((key) => ({ pk: pkOf(tenant), sk: keySk(key) }));
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt >= MAX_BATCH_ATTEMPTS) throw new Error('Audit log: key markers unread after retries');
        if (attempt > 0) await backoff(attempt);
        const { Responses, UnprocessedKeys } = await this.deps.client.send(
          new BatchGetCommand({ RequestItems: { [this.deps.tableName]: { Keys: pending, ConsistentRead: true } } }),
        );
        for (const item of Responses?.[this.deps.tableName] ?? []) found.set((item['sk'] as string).slice(2), item['seq'] as number);
        pending = (UnprocessedKeys?.[this.deps.tableName]?.Keys ?? []) as Item[];
      }
    }
    return found;
  }

  async putTreeHead(tenant: string, sth: SignedTreeHead): Promise<void> {
    try {
      await this.deps.client.send(
        new UpdateCommand({
          TableName: this.deps.tableName,
          Key: { pk: pkOf(tenant), sk: sthSk(sth.treeHead.treeSize) },
          UpdateExpression: 'SET treeHead = :h, signature = :s, keyId = :k',
          ConditionExpression: 'attribute_not_exists(pk)',
          ExpressionAttributeValues: { ':h': sth.treeHead, ':s': sth.signature, ':k': sth.keyId },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  async markSigned(tenant: string, treeSize: number): Promise<void> {
    const key = { pk: pkOf(tenant), sk: HEAD };
    try {
      await this.deps.client.send(
        new UpdateCommand({
          TableName: this.deps.tableName,
          Key: key,
          UpdateExpression: 'SET signedSize = :s',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(signedSize) OR signedSize < :s)',
          ExpressionAttributeValues: { ':s': treeSize },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    try {
      // Out of the unsigned registry only if no commit came in meanwhile (the appender puts it back on each).
      await this.deps.client.send(
        new UpdateCommand({
          TableName: this.deps.tableName,
          Key: key,
          UpdateExpression: 'REMOVE upk, usk',
          ConditionExpression: 'treeSize = :s AND signedSize = :s',
          ExpressionAttributeValues: { ':s': treeSize },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  async unsignedTenants(): Promise<string[]> {
    const tenants: string[] = [];
    for (let shard = 0; shard < UNSIGNED_SHARDS; shard++) {
      let start: Item | undefined;
      do {
        const page = await this.deps.client.send(
          new QueryCommand({
            TableName: this.deps.tableName,
            IndexName: 'byUnsigned',
            KeyConditionExpression: 'upk = :p',
            ExpressionAttributeValues: { ':p': `UNSIGNED#${shard}` },
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) tenants.push(item['usk'] as string);
        start = page.LastEvaluatedKey;
      } while (start !== undefined);
    }
    return tenants;
  }

  // ---- read side (AuditLogReader) ------------------------------------------------------------------

  async head(tenant: string): Promise<LogHead | undefined> {
    const head = await this.readHead(tenant);
    if (head === undefined) return undefined;
    return { tenant, logId: logIdOf(tenant), treeSize: head.treeSize, rootHash: head.rootHash, frontier: head.frontier, updatedAt: head.updatedAt };
  }

  async entries(tenant: string, fromSeq: number, toSeq: number): Promise<StoredLogEntry[]> {
    const head = await this.readHead(tenant);
    const end = Math.min(toSeq, head?.treeSize ?? 0);
    if (head === undefined || fromSeq >= end) return [];
    const nowSeconds = epochSeconds(this.now());
    const bySeq = new Map<number, StoredLogEntry>();
    let start: Item | undefined;
    do {
      const page = await this.deps.client.send(
        new QueryCommand({
          TableName: this.deps.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :a AND :b',
          ExpressionAttributeValues: { ':pk': pkOf(tenant), ':a': entrySk(fromSeq), ':b': entrySk(end - 1) },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) bySeq.set(item['seq'] as number, this.stored(item, nowSeconds));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    // Committed but not yet materialised: the commit itself holds them.
    for (const committed of head.pending?.entries ?? []) {
      if (committed.seq < fromSeq || committed.seq >= end || bySeq.has(committed.seq)) continue;
      const entry = JSON.parse(committed.entry) as LogEntry;
      const expiresAt = expiryOf(entry.retention, entry.at);
      bySeq.set(committed.seq, { seq: committed.seq, leafHash: committed.leafHash, retention: entry.retention, expiresAt, ...(expiresAt < nowSeconds ? {} : { entry: committed.entry }) });
    }
    // An entry item gone (TTL deleted it) leaves its leaf: hash and retention without content.
    for (let seq = fromSeq; seq < end; seq++) {
      if (bySeq.has(seq)) continue;
      const { Item: leaf } = await this.deps.client.send(new GetCommand({ TableName: this.deps.tableName, Key: { pk: pkOf(tenant), sk: nodeSk(0, seq) }, ConsistentRead: true }));
      if (leaf === undefined) throw new Error(`Audit log ${tenant}: leaf ${seq} of the committed tree is missing`);
      bySeq.set(seq, { seq, leafHash: leaf['hash'] as string, retention: (leaf['retention'] as RetentionClass | undefined) ?? 'OPERATIONS', expiresAt: (leaf['entryExpiresAt'] as number | undefined) ?? 0 });
    }
    return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  }

  private stored(item: Item, nowSeconds: number): StoredLogEntry {
    const expiresAt = item['expiresAt'] as number;
    return {
      seq: item['seq'] as number,
      leafHash: item['leafHash'] as string,
      retention: item['retention'] as RetentionClass,
      expiresAt,
      // Past its retention the content is treated as gone, whether or not TTL has deleted it yet.
      ...(expiresAt < nowSeconds ? {} : { entry: item['entry'] as string }),
    };
  }

  async seqOfKey(tenant: string, key: string): Promise<number | undefined> {
    const head = await this.readHead(tenant);
    if (head === undefined) return undefined;
    const pending = head.pending?.entries.find((e) => e.key === key);
    if (pending !== undefined) return pending.seq;
    const { Item: item } = await this.deps.client.send(new GetCommand({ TableName: this.deps.tableName, Key: { pk: pkOf(tenant), sk: keySk(key) }, ConsistentRead: true }));
    const seq = item?.['seq'] as number | undefined;
    return seq !== undefined && seq < head.treeSize ? seq : undefined;
  }

  nodes(tenant: string): NodeReader {
    let head: Promise<HeadState | undefined> | undefined;
    return async (level, index) => {
      head ??= this.readHead(tenant);
      const state = await head;
      const size = state?.treeSize ?? 0;
      if (!Number.isInteger(level) || !Number.isInteger(index) || level < 0 || index < 0 || (index + 1) * 2 ** level > size) {
        throw new RangeError(`Node ${level}/${index} lies outside the committed tree of ${size} entries`);
      }
      const pending = state?.pending?.nodes.find((n) => n.level === level && n.index === index);
      if (pending !== undefined) return pending.hash;
      const { Item: item } = await this.deps.client.send(new GetCommand({ TableName: this.deps.tableName, Key: { pk: pkOf(tenant), sk: nodeSk(level, index) } }));
      if (item === undefined) throw new Error(`Audit log ${tenant}: node ${level}/${index} of the committed tree is missing`);
      return item['hash'] as string;
    };
  }

  async latestTreeHead(tenant: string): Promise<SignedTreeHead | undefined> {
    const { Items } = await this.deps.client.send(
      new QueryCommand({
        TableName: this.deps.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': pkOf(tenant), ':p': 'STH#' },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    return Items?.[0] === undefined ? undefined : sthOf(Items[0]);
  }

  async treeHeadOfSize(tenant: string, treeSize: number): Promise<SignedTreeHead | undefined> {
    const { Item: item } = await this.deps.client.send(new GetCommand({ TableName: this.deps.tableName, Key: { pk: pkOf(tenant), sk: sthSk(treeSize) }, ConsistentRead: true }));
    return item === undefined ? undefined : sthOf(item);
  }

  async treeHeads(tenant: string, range: { readonly fromSize: number; readonly toSize: number; readonly limit: number }): Promise<SignedTreeHead[]> {
    const heads: SignedTreeHead[] = [];
    let start: Item | undefined;
    do {
      const page = await this.deps.client.send(
        new QueryCommand({
          TableName: this.deps.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :a AND :b',
          ExpressionAttributeValues: { ':pk': pkOf(tenant), ':a': sthSk(range.fromSize), ':b': sthSk(range.toSize) },
          Limit: range.limit - heads.length,
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) heads.push(sthOf(item));
      start = page.LastEvaluatedKey;
    } while (start !== undefined && heads.length < range.limit);
    return heads;
  }

  /**
   * Search (002 五(二)4): by target, else actor, else tenant(s) — the most selective index first — with
   * filters on action, outcome, institution and the other keys; `from` ≤ at < `to`. The cursor is the
   * position (which tenant of the list, and the last key read), base64url.
   */
  async search(query: AuditSearch): Promise<Page<StoredLogEntry & { readonly tenant: string }>> {
    const partitions: SearchPartition[] =
      query.target !== undefined
        ? [{ index: 'byTarget', pk: 'gpk', sk: 'gsk', value: query.target }]
        : query.actor !== undefined
          ? [{ index: 'byActor', pk: 'apk', sk: 'ask', value: query.actor }]
          : (query.tenants ?? []).map((tenant) => ({ index: 'byTenantTime', pk: 'tpk', sk: 'tsk', value: tenant }));
    if (partitions.length === 0) throw new RangeError('An audit search names a target, an actor or tenants');
    const cursor = decodeCursor(query.cursor, partitions, query);
    const filters: string[] = [];
    const values: Item = { ':from': query.from, ':to': query.to };
    const names: Record<string, string> = { '#pk': '', '#sk': '' };
    const filter = (expression: string, name: string, value: unknown, attribute?: string): void => {
      filters.push(expression);
      values[name] = value;
      if (attribute !== undefined) names[`#${attribute}`] = attribute;
    };
    if (query.action !== undefined) filter('#action = :action', ':action', query.action, 'action');
    if (query.outcome !== undefined) filter('outcome = :outcome', ':outcome', query.outcome);
    if (query.institutionId !== undefined) filter('institutionId = :inst', ':inst', query.institutionId);
    if (query.actor !== undefined && query.target !== undefined) filter('actor = :actor', ':actor', query.actor);
    if (query.tenants !== undefined && partitions[0]!.index !== 'byTenantTime') {
      const list = query.tenants.map((t, i) => ((values[`:t${i}`] = t), `:t${i}`));
      if (list.length > 0) filters.push(`tenant IN (${list.join(', ')})`);
    }
    const nowSeconds = epochSeconds(this.now());
    const items: (StoredLogEntry & { tenant: string })[] = [];
    let position: Cursor = cursor;
    while (position.i < partitions.length) {
      const partition = partitions[position.i]!;
      names['#pk'] = partition.pk;
      names['#sk'] = partition.sk;
      const page = await this.deps.client.send(
        new QueryCommand({
          TableName: this.deps.tableName,
          IndexName: partition.index,
          // Sort keys are `<at>#…`: BETWEEN from AND to keeps at ≥ from and at < to (`<to>#…` sorts after `to`).
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
          FilterExpression: filters.length > 0 ? filters.join(' AND ') : undefined,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ...values, ':pk': partition.value },
          ExclusiveStartKey: position.k,
          Limit: Math.max(query.limit, 25),
        }),
      );
      let last: Item | undefined;
      for (const item of page.Items ?? []) {
        items.push({ ...this.stored(item, nowSeconds), tenant: item['tenant'] as string });
        last = item;
        if (items.length >= query.limit) break;
      }
      if (items.length >= query.limit && last !== undefined) {
        const more = last !== page.Items?.at(-1) || page.LastEvaluatedKey !== undefined || position.i + 1 < partitions.length;
        const key = { pk: last['pk'], sk: last['sk'], [partition.pk]: last[partition.pk], [partition.sk]: last[partition.sk] };
        const next: Cursor = last === page.Items?.at(-1) && page.LastEvaluatedKey === undefined ? { i: position.i + 1 } : { i: position.i, k: key };
        return { items, ...(more ? { nextCursor: encodeCursor(next) } : {}) };
      }
      position = page.LastEvaluatedKey === undefined ? { i: position.i + 1 } : { i: position.i, k: page.LastEvaluatedKey };
    }
    return { items };
  }
}

function sthOf(item: Item): SignedTreeHead {
  return { treeHead: item['treeHead'] as SignedTreeHead['treeHead'], signature: item['signature'] as string, keyId: item['keyId'] as string };
}

export function auditLogStoreFromEnv(): DynamoAuditLogStore {
  return new DynamoAuditLogStore({ client: dynamoDocumentClient(), tableName: getStringFromEnv(tableEnvVar('audit')) });
}

/** The read side of the log (rooms A2, B, C use it through the AuditLogReader port). */
export const auditLogReaderFromEnv = (): AuditLogReader => auditLogStoreFromEnv();
