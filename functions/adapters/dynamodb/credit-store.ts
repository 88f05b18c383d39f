/**
 * Credit records on the `credit` table (DESIGN.md §4; 002 三(一)6: 对登记不规范或存在失信行为的应关闭端口，
 * 整改合格后予以开放). Item layout:
 *
 * | item | pk | sk | index keys |
 * |---|---|---|---|
 * | channel state | `CHANNEL#<channelId>` | `STATE` | byGrade `GRADE#<grade>` / `<score 4 digits>#<channelId>`; byType `TYPE#<institutionType>` / `<institutionId>#<channelId>` |
 * | ledger event | `CHANNEL#<channelId>` | `EVENT#<eventId>` | — |
 * | appeal | `CHANNEL#<channelId>` | `APPEAL#<eventId>` | byStatus `APPEALS#<status>` / `<submittedAt>#<channelId>#<eventId>` |
 * | case reference | `CHANNEL#<channelId>` and `INSTITUTION#<institutionId>` | `CASE#<caseNo>` | — |
 * | institution sanction | `INSTITUTION#<institutionId>` | `STATE` | — |
 * | case | `CASE#<caseNo>` | `META` | byStatus `CASES#<status>` / `<openedAt>#<caseNo>` |
 * | rules version / pointer | `RULES` | `V#<10 digits>` / `CURRENT` | — |
 *
 * Why this shape:
 * - A channel's state, ledger and appeals share its partition, so the worker reads its whole window with one
 *   strongly consistent query and an appeal is found by the event it names.
 * - Every write is a single-item conditional write (dynalite has no transactions): state, institution and
 *   case on their `version`, events, appeals and cases on their absence, a decision on the appeal still
 *   being PENDING. A cause recorded twice is recorded once; two writers racing on one item cannot both win.
 * - Cases by channel or institution: a case lives under its own number (officers address it by number), and
 *   small reference items (`CASE#<caseNo>`, no attributes but the number) in the channel's and institution's
 *   partitions say which cases concern them. They are written after the case, idempotently, on every
 *   `createCase` (also when the case already existed), so a crash between the two writes heals on the retry.
 *   A case's `channelId` is the channel it shuts off, or the channel whose event triggered an institution's
 *   case; every case is referenced from its institution.
 *
 * Listings answer an opaque cursor (base64url JSON of the listing it belongs to and the last index sort key
 * it returned). A cursor is refused (400 CURSOR_INVALID) unless it is one of the same listing: it can only
 * move within the partitions that listing reads, never into another's.
 */
import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  BUILT_IN_CREDIT_RULES,
  CREDIT_GRADES,
  type CreditAppeal,
  type CreditCase,
  type CreditGrade,
  type CreditRules,
  type CreditRulesDraft,
  type CreditState,
  type InstitutionCredit,
  type LedgerEvent,
} from '../../core/domain/credit';
import type { InstitutionType } from '../../core/domain/business-types';
import { badRequest, conflict } from '../../core/domain/errors';
import type { CreditRulesStore, CreditStore, Page } from '../../core/ports';
import { tableEnvVar } from '../../../infra/topology';
import { getNumberFromEnv, getStringFromEnv } from '../../shared/config';
import { dynamoDocumentClient } from '../aws-clients';
import { backoff, chunk, isConditionalCheckFailed, MAX_BATCH_ATTEMPTS, withoutKeys } from './dynamo-support';

const BY_GRADE = 'byGrade';
const BY_TYPE = 'byType';
const BY_STATUS = 'byStatus';
/** The sparse partition of the byStatus index listing states whose outbox is still pending. */
const OUTBOX_PK = 'CREDIT_OUTBOX';
const INDEX_KEYS = ['gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk'] as const;

const APPEAL_STATUSES: readonly CreditAppeal['status'][] = ['PENDING', 'UPHELD', 'REVERSED'];
const CASE_STATUSES: readonly CreditCase['status'][] = ['OPEN', 'RECTIFICATION_SUBMITTED', 'CLOSED'];

const channelPk = (channelId: string): string => `CHANNEL#${channelId}`;
const institutionPk = (institutionId: string): string => `INSTITUTION#${institutionId}`;
const casePk = (caseNo: string): string => `CASE#${caseNo}`;
const STATE = 'STATE';
const META = 'META';
const eventSk = (eventId: string): string => `EVENT#${eventId}`;
const appealSk = (eventId: string): string => `APPEAL#${eventId}`;
const caseRefSk = (caseNo: string): string => `CASE#${caseNo}`;

const gradePk = (grade: CreditGrade): string => `GRADE#${grade}`;
/** Scores lie in 0..startScore (100 built in); four digits leave room for a larger start score. */
const gradeSk = (state: Pick<CreditState, 'score' | 'channelId'>): string => `${String(Math.max(0, Math.round(state.score))).padStart(4, '0')}#${state.channelId}`;
const typePk = (type: InstitutionType): string => `TYPE#${type}`;
const typeSk = (state: Pick<CreditState, 'institutionId' | 'channelId'>): string => `${state.institutionId}#${state.channelId}`;
const appealsPk = (status: CreditAppeal['status']): string => `APPEALS#${status}`;
const appealSortKey = (appeal: Pick<CreditAppeal, 'submittedAt' | 'channelId' | 'eventId'>): string => `${appeal.submittedAt}#${appeal.channelId}#${appeal.eventId}`;
const casesPk = (status: CreditCase['status']): string => `CASES#${status}`;
const caseSortKey = (creditCase: Pick<CreditCase, 'openedAt' | 'caseNo'>): string => `${creditCase.openedAt}#${creditCase.caseNo}`;

export interface DynamoCreditStoreDeps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

export class DynamoCreditStore implements CreditStore {
  constructor(private readonly deps: DynamoCreditStoreDeps) {}

  // ------------------------------------------------------------------------------------------------------
  // Channel states
  // ------------------------------------------------------------------------------------------------------

  async getState(channelId: string): Promise<CreditState | undefined> {
    const item = await this.getItem(channelPk(channelId), STATE);
    return item === undefined ? undefined : (strip(item) as unknown as CreditState);
  }

  /**
   * The state is written with `version` = expected + 1 whatever the caller set, so the item's version always
   * counts its writes and the next writer's condition names what this one wrote.
   */
  async putState(state: CreditState, expectedVersion: number): Promise<boolean> {
    const next: CreditState = { ...state, version: expectedVersion + 1 };
    return this.putVersioned(
      {
        pk: channelPk(state.channelId),
        sk: STATE,
        ...next,
        gsi1pk: gradePk(next.grade),
        gsi1sk: gradeSk(next),
        gsi2pk: typePk(next.institutionType),
        gsi2sk: typeSk(next),
        // Sparse: a state with follow-ups still to perform is listed for the sweeper until they are done.
        ...(next.outbox ? { gsi3pk: OUTBOX_PK, gsi3sk: `${next.updatedAt}#${next.channelId}` } : {}),
      },
      expectedVersion,
    );
  }

  async listPendingOutboxes(before: string, limit: number): Promise<string[]> {
    const { Items } = await this.deps.client.send(
      new QueryCommand({
        TableName: this.deps.tableName,
        IndexName: BY_STATUS,
        KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk < :before',
        ExpressionAttributeValues: { ':pk': OUTBOX_PK, ':before': before },
        Limit: limit,
      }),
    );
    return (Items ?? []).map((item) => String(item['channelId']));
  }

  /**
   * Lowest score first. With no grade, the four grade partitions are merged: each is read from just after
   * the cursor's sort key for `limit + 1` items, which is enough to tell the page and whether another
   * follows (the next item, wherever it is, is among the first `limit + 1` of its own partition).
   */
  async listStates(query: { readonly grade?: CreditGrade; readonly limit: number; readonly cursor?: string }): Promise<Page<CreditState>> {
    const grades = query.grade === undefined ? CREDIT_GRADES : [query.grade];
    const scope = `states:${query.grade ?? '*'}`;
    const after = query.cursor === undefined ? undefined : readCursor(query.cursor, scope);
    const page = await this.mergedIndexPage({
      index: BY_GRADE,
      pkAttribute: 'gsi1pk',
      skAttribute: 'gsi1sk',
      partitions: grades.map(gradePk),
      ascending: true,
      limit: query.limit,
      after,
    });
    return {
      items: page.items.map((item) => strip(item) as unknown as CreditState),
      ...(page.lastSortKey === undefined ? {} : { nextCursor: writeCursor(scope, page.lastSortKey) }),
    };
  }

  async statesOfType(institutionType: InstitutionType, institutionId?: string): Promise<CreditState[]> {
    const items = await this.queryAll({
      IndexName: BY_TYPE,
      KeyConditionExpression: institutionId === undefined ? 'gsi2pk = :pk' : 'gsi2pk = :pk AND begins_with(gsi2sk, :prefix)',
      ExpressionAttributeValues: { ':pk': typePk(institutionType), ...(institutionId === undefined ? {} : { ':prefix': `${institutionId}#` }) },
    });
    return items.map((item) => strip(item) as unknown as CreditState);
  }

  // ------------------------------------------------------------------------------------------------------
  // Ledger
  // ------------------------------------------------------------------------------------------------------

  /** DESIGN.md §4 "Ledger": immutable, and a cause recorded twice (same event id) is recorded once. */
  async putEvent(event: LedgerEvent): Promise<{ readonly created: boolean; readonly event: LedgerEvent }> {
    if (await this.putIfAbsent({ pk: channelPk(event.channelId), sk: eventSk(event.eventId), ...event })) return { created: true, event };
    const existing = await this.getEvent(event.channelId, event.eventId);
    if (existing === undefined) throw new Error(`Ledger event ${event.eventId} was refused as existing but cannot be read`);
    return { created: false, event: existing };
  }

  async getEvent(channelId: string, eventId: string): Promise<LedgerEvent | undefined> {
    const item = await this.getItem(channelPk(channelId), eventSk(eventId));
    return item === undefined ? undefined : (strip(item) as unknown as LedgerEvent);
  }

  /** The window's events, oldest first (ties by id, so the order is stable); the whole query is paged through. */
  async listEvents(channelId: string, sinceIso: string): Promise<LedgerEvent[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      FilterExpression: '#at >= :since',
      ExpressionAttributeNames: { '#at': 'at' },
      ExpressionAttributeValues: { ':pk': channelPk(channelId), ':prefix': 'EVENT#', ':since': sinceIso },
      ConsistentRead: true,
    });
    return items
      .map((item) => strip(item) as unknown as LedgerEvent)
      .sort((a, b) => compare(a.at, b.at) || compare(a.eventId, b.eventId));
  }

  // ------------------------------------------------------------------------------------------------------
  // Institutions
  // ------------------------------------------------------------------------------------------------------

  async getInstitution(institutionId: string): Promise<InstitutionCredit | undefined> {
    const item = await this.getItem(institutionPk(institutionId), STATE);
    return item === undefined ? undefined : (strip(item) as unknown as InstitutionCredit);
  }

  async putInstitution(institution: InstitutionCredit, expectedVersion: number): Promise<boolean> {
    return this.putVersioned({ pk: institutionPk(institution.institutionId), sk: STATE, ...institution, version: expectedVersion + 1 }, expectedVersion);
  }

  // ------------------------------------------------------------------------------------------------------
  // Cases
  // ------------------------------------------------------------------------------------------------------

  async getCase(caseNo: string): Promise<CreditCase | undefined> {
    const item = await this.getItem(casePk(caseNo), META);
    return item === undefined ? undefined : (strip(item) as unknown as CreditCase);
  }

  async createCase(creditCase: CreditCase): Promise<{ readonly created: boolean; readonly creditCase: CreditCase }> {
    const created = await this.putIfAbsent(caseItem(creditCase));
    const inForce = created ? creditCase : await this.getCase(creditCase.caseNo);
    if (inForce === undefined) throw new Error(`Case ${creditCase.caseNo} was refused as existing but cannot be read`);
    // The references follow the case in force, on every call: a crash after the case write heals on the retry.
    await this.putCaseReferences(inForce);
    return { created, creditCase: inForce };
  }

  async updateCase(creditCase: CreditCase, expectedVersion: number): Promise<boolean> {
    return this.putVersioned(caseItem({ ...creditCase, version: expectedVersion + 1 }), expectedVersion);
  }

  /**
   * Newest first. By channel or institution: its references, the cases they name (strongly consistent),
   * filtered by status when asked. By status alone: that status's partition of byStatus. Neither: the three
   * status partitions merged.
   *
   * What "a channel's cases" means: cases whose `channelId` is the channel — the ones shutting it off, and
   * an institution-wide case its own event triggered. An officer's institution-wide case names no channel:
   * ask by `institutionId` for it (every case of the institution, any scope). Given both ids, the channel's
   * cases within that institution.
   */
  async listCases(query: {
    readonly status?: CreditCase['status'];
    readonly channelId?: string;
    readonly institutionId?: string;
    readonly limit: number;
    readonly cursor?: string;
  }): Promise<Page<CreditCase>> {
    const owner = query.channelId !== undefined ? channelPk(query.channelId) : query.institutionId !== undefined ? institutionPk(query.institutionId) : undefined;
    const scope = `cases:${owner ?? '*'}:${query.status ?? '*'}`;
    const after = query.cursor === undefined ? undefined : readCursor(query.cursor, scope);
    if (owner !== undefined) {
      const refs = await this.queryAll({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': owner, ':prefix': 'CASE#' },
        ConsistentRead: true,
      });
      const cases = (await this.batchGet(refs.map((ref) => ({ pk: casePk(String(ref['caseNo'])), sk: META })))).map((item) => strip(item) as unknown as CreditCase);
      const matching = cases
        .filter((c) => (query.status === undefined || c.status === query.status) && (query.channelId === undefined || query.institutionId === undefined || c.institutionId === query.institutionId))
        .sort((a, b) => compare(caseSortKey(b), caseSortKey(a)));
      return pageOf(matching, caseSortKey, query.limit, after, false, scope);
    }
    const page = await this.mergedIndexPage({
      index: BY_STATUS,
      pkAttribute: 'gsi3pk',
      skAttribute: 'gsi3sk',
      partitions: (query.status === undefined ? CASE_STATUSES : [query.status]).map(casesPk),
      ascending: false,
      limit: query.limit,
      after,
    });
    return {
      items: page.items.map((item) => strip(item) as unknown as CreditCase),
      ...(page.lastSortKey === undefined ? {} : { nextCursor: writeCursor(scope, page.lastSortKey) }),
    };
  }

  // ------------------------------------------------------------------------------------------------------
  // Appeals
  // ------------------------------------------------------------------------------------------------------

  async getAppeal(channelId: string, eventId: string): Promise<CreditAppeal | undefined> {
    const item = await this.getItem(channelPk(channelId), appealSk(eventId));
    return item === undefined ? undefined : (strip(item) as unknown as CreditAppeal);
  }

  /** One appeal per event (DESIGN.md §4 "Rectification and appeal"). */
  async createAppeal(appeal: CreditAppeal): Promise<boolean> {
    return this.putIfAbsent(appealItem(appeal));
  }

  /** Only a PENDING appeal is decided, so two officers deciding at once leave one decision. */
  async decideAppeal(appeal: CreditAppeal): Promise<boolean> {
    try {
      await this.deps.client.send(
        new PutCommand({
          TableName: this.deps.tableName,
          Item: appealItem(appeal),
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': 'PENDING' },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async listAppeals(query: { readonly status?: CreditAppeal['status']; readonly channelId?: string; readonly limit: number; readonly cursor?: string }): Promise<Page<CreditAppeal>> {
    const scope = `appeals:${query.channelId === undefined ? '*' : channelPk(query.channelId)}:${query.status ?? '*'}`;
    const after = query.cursor === undefined ? undefined : readCursor(query.cursor, scope);
    if (query.channelId !== undefined) {
      // A channel's appeals are few (at most one per ledger event): read them all from its partition.
      const items = await this.queryAll({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': channelPk(query.channelId), ':prefix': 'APPEAL#' },
        ConsistentRead: true,
      });
      const appeals = items
        .map((item) => strip(item) as unknown as CreditAppeal)
        .filter((a) => query.status === undefined || a.status === query.status)
        .sort((a, b) => compare(appealSortKey(b), appealSortKey(a)));
      return pageOf(appeals, appealSortKey, query.limit, after, false, scope);
    }
    const page = await this.mergedIndexPage({
      index: BY_STATUS,
      pkAttribute: 'gsi3pk',
      skAttribute: 'gsi3sk',
      partitions: (query.status === undefined ? APPEAL_STATUSES : [query.status]).map(appealsPk),
      ascending: false,
      limit: query.limit,
      after,
    });
    return {
      items: page.items.map((item) => strip(item) as unknown as CreditAppeal),
      ...(page.lastSortKey === undefined ? {} : { nextCursor: writeCursor(scope, page.lastSortKey) }),
    };
  }

  // ------------------------------------------------------------------------------------------------------
  // Storage primitives
  // ------------------------------------------------------------------------------------------------------

  private async putCaseReferences(creditCase: CreditCase): Promise<void> {
    const owners = [institutionPk(creditCase.institutionId), ...(creditCase.channelId === undefined ? [] : [channelPk(creditCase.channelId)])];
    await Promise.all(
      owners.map((owner) =>
        this.deps.client.send(new PutCommand({ TableName: this.deps.tableName, Item: { pk: owner, sk: caseRefSk(creditCase.caseNo), caseNo: creditCase.caseNo } })),
      ),
    );
  }

  private async getItem(pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
    // Strongly consistent: the worker and officers decide on what they read, and write conditionally on it.
    const { Item } = await this.deps.client.send(new GetCommand({ TableName: this.deps.tableName, Key: { pk, sk }, ConsistentRead: true }));
    return Item;
  }

  /** Puts the item unless one with its key exists; false when it does. */
  private async putIfAbsent(item: Record<string, unknown>): Promise<boolean> {
    try {
      await this.deps.client.send(new PutCommand({ TableName: this.deps.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /** Puts the item if the stored one is still at `expectedVersion` (0: absent); false otherwise. */
  private async putVersioned(item: Record<string, unknown>, expectedVersion: number): Promise<boolean> {
    try {
      await this.deps.client.send(
        new PutCommand({
          TableName: this.deps.tableName,
          Item: item,
          ...(expectedVersion === 0
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: '#version = :expected', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':expected': expectedVersion } }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  private async queryAll(input: {
    readonly IndexName?: string;
    readonly KeyConditionExpression: string;
    readonly FilterExpression?: string;
    readonly ExpressionAttributeNames?: Record<string, string>;
    readonly ExpressionAttributeValues: Record<string, unknown>;
    readonly ConsistentRead?: boolean;
  }): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.deps.client.send(new QueryCommand({ TableName: this.deps.tableName, ...input, ExclusiveStartKey }));
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }

  /**
   * One page over one or more partitions of an index, merged by the index sort key (unique across them:
   * it ends with the item's own ids). `lastSortKey` is set when another page follows.
   */
  private async mergedIndexPage(input: {
    readonly index: string;
    readonly pkAttribute: 'gsi1pk' | 'gsi3pk';
    readonly skAttribute: 'gsi1sk' | 'gsi3sk';
    readonly partitions: readonly string[];
    readonly ascending: boolean;
    readonly limit: number;
    readonly after: string | undefined;
  }): Promise<{ readonly items: Record<string, unknown>[]; readonly lastSortKey?: string }> {
    const limit = Math.max(1, Math.floor(input.limit));
    const pages = await Promise.all(
      input.partitions.map(async (partition) => {
        const { Items } = await this.deps.client.send(
          new QueryCommand({
            TableName: this.deps.tableName,
            IndexName: input.index,
            KeyConditionExpression: input.after === undefined ? '#pk = :pk' : `#pk = :pk AND #sk ${input.ascending ? '>' : '<'} :after`,
            ExpressionAttributeNames: { '#pk': input.pkAttribute, ...(input.after === undefined ? {} : { '#sk': input.skAttribute }) },
            ExpressionAttributeValues: { ':pk': partition, ...(input.after === undefined ? {} : { ':after': input.after }) },
            ScanIndexForward: input.ascending,
            Limit: limit + 1,
          }),
        );
        return Items ?? [];
      }),
    );
    const sortKey = (item: Record<string, unknown>): string => String(item[input.skAttribute]);
    const merged = pages.flat().sort((a, b) => (input.ascending ? compare(sortKey(a), sortKey(b)) : compare(sortKey(b), sortKey(a))));
    const items = merged.slice(0, limit);
    return merged.length > limit ? { items, lastSortKey: sortKey(items[items.length - 1]!) } : { items };
  }

  /** BatchGetItem in chunks of 100, strongly consistent, retrying unprocessed keys with backoff. */
  private async batchGet(keys: readonly { pk: string; sk: string }[]): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    for (const part of chunk(keys, 100)) {
      let pending: Record<string, unknown>[] = part;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt >= MAX_BATCH_ATTEMPTS) throw new Error(`BatchGetItem left ${pending.length} credit items unprocessed`);
        if (attempt > 0) await backoff(attempt);
        const { Responses, UnprocessedKeys } = await this.deps.client.send(
          new BatchGetCommand({ RequestItems: { [this.deps.tableName]: { Keys: pending, ConsistentRead: true } } }),
        );
        items.push(...(Responses?.[this.deps.tableName] ?? []));
        pending = UnprocessedKeys?.[this.deps.tableName]?.Keys ?? [];
      }
    }
    return items;
  }
}

function caseItem(creditCase: CreditCase): Record<string, unknown> {
  return { pk: casePk(creditCase.caseNo), sk: META, ...creditCase, gsi3pk: casesPk(creditCase.status), gsi3sk: caseSortKey(creditCase) };
}

function appealItem(appeal: CreditAppeal): Record<string, unknown> {
  return { pk: channelPk(appeal.channelId), sk: appealSk(appeal.eventId), ...appeal, gsi3pk: appealsPk(appeal.status), gsi3sk: appealSortKey(appeal) };
}

const strip = (item: Record<string, unknown>): Record<string, unknown> => withoutKeys(item, ...INDEX_KEYS);

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A page of a listing read whole and already sorted (a channel's appeals, a channel's or institution's cases). */
function pageOf<T>(sorted: readonly T[], sortKey: (item: T) => string, limit: number, after: string | undefined, ascending: boolean, scope: string): Page<T> {
  const size = Math.max(1, Math.floor(limit));
  const rest = after === undefined ? sorted : sorted.filter((item) => (ascending ? sortKey(item) > after : sortKey(item) < after));
  const items = rest.slice(0, size);
  return rest.length > size ? { items, nextCursor: writeCursor(scope, sortKey(items[items.length - 1]!)) } : { items };
}

// ---------------------------------------------------------------------------------------------------------
// Cursors
// ---------------------------------------------------------------------------------------------------------

/** Sort keys are built from ids (`[A-Za-z0-9._:#-]`), ISO times and digits: nothing else is a key of ours. */
const SORT_KEY = /^[A-Za-z0-9._:#+-]{1,400}$/;

function writeCursor(scope: string, after: string): string {
  return Buffer.from(JSON.stringify({ s: scope, a: after }), 'utf8').toString('base64url');
}

/**
 * The sort key a cursor resumes after, refusing anything but a cursor of this very listing (same kind,
 * same grade, status, channel or institution): an edited cursor must not read another listing's partitions.
 */
function readCursor(cursor: string, scope: string): string {
  const invalid = () => badRequest('CURSOR_INVALID', 'The cursor is not one this listing returned; start again without it.');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid();
  const entries = Object.entries(value);
  if (entries.length !== 2) throw invalid();
  const fields = Object.fromEntries(entries) as Record<string, unknown>;
  const after = fields['a'];
  if (fields['s'] !== scope || typeof after !== 'string' || !SORT_KEY.test(after)) throw invalid();
  return after;
}

// ---------------------------------------------------------------------------------------------------------
// Rules: versioned configuration data (DESIGN.md §4 "configuration as versioned data, like checklists")
// ---------------------------------------------------------------------------------------------------------

const RULES_PK = 'RULES';
const rulesVersionSk = (version: number): string => `V#${String(version).padStart(10, '0')}`;
const RULES_CURRENT = 'CURRENT';
export const DEFAULT_CREDIT_RULES_CACHE_MS = 30_000;

export interface DynamoCreditRulesStoreDeps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** How long the current rules are cached (0 disables). */
  readonly currentTtlMs?: number;
  readonly nowMs?: () => number;
}

const staleRulesBase = () =>
  conflict('CREDIT_RULES_VERSION_CONFLICT', 'The credit rules have changed since baseVersion: read the current rules and publish on top of them.');

/**
 * The credit rules, as the checklist store keeps checklists (checklist-store.ts): version items
 * `RULES`/`V#<10 digits>`, written once and never changed, and a pointer `RULES`/`CURRENT`. While no pointer
 * exists, version 1 is {@link BUILT_IN_CREDIT_RULES}, answered from code: nothing to seed, nothing to drift.
 *
 * Publishing is two single-item conditional writes (no transactions on dynalite): the version item only if
 * absent, then the pointer from base to base + 1. Of two officers publishing on one base, one wins and the
 * other is refused with 409; a publisher that crashed between the writes is rolled forward by the next.
 *
 * `current()` is cached per process for `currentTtlMs` (30 s by default): the worker reads the rules for
 * every batch and the submit gate for every batch submitted, and a change of rules may take that long to
 * reach every instance. A publish through this process is seen by it at once. Versions are cached forever.
 */
export class DynamoCreditRulesStore implements CreditRulesStore {
  private readonly ttlMs: number;
  private readonly nowMs: () => number;
  private currentCache: { readonly value: CreditRules; readonly until: number } | undefined;
  private readonly versionCache = new Map<number, CreditRules>();

  constructor(private readonly deps: DynamoCreditRulesStoreDeps) {
    this.ttlMs = deps.currentTtlMs ?? DEFAULT_CREDIT_RULES_CACHE_MS;
    this.nowMs = deps.nowMs ?? Date.now;
  }

  async current(): Promise<CreditRules> {
    const cached = this.currentCache;
    if (cached && cached.until > this.nowMs()) return cached.value;
    const value = (await this.version(await this.currentVersionNumber())) ?? BUILT_IN_CREDIT_RULES;
    if (this.ttlMs > 0) this.currentCache = { value, until: this.nowMs() + this.ttlMs };
    return value;
  }

  async version(version: number): Promise<CreditRules | undefined> {
    const cached = this.versionCache.get(version);
    if (cached) return cached;
    const { Item } = await this.deps.client.send(
      new GetCommand({ TableName: this.deps.tableName, Key: { pk: RULES_PK, sk: rulesVersionSk(version) }, ConsistentRead: true }),
    );
    const found = Item ? toRules(Item) : version === BUILT_IN_CREDIT_RULES.version ? BUILT_IN_CREDIT_RULES : undefined;
    if (found) this.versionCache.set(version, found);
    return found;
  }

  async history(): Promise<CreditRules[]> {
    const versions: CreditRules[] = [];
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
      for (const item of page.Items ?? []) versions.push(toRules(item));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    if (!versions.some((v) => v.version === BUILT_IN_CREDIT_RULES.version)) versions.push(BUILT_IN_CREDIT_RULES);
    return versions;
  }

  /** Validation (schema, {@link rulesObjections}) belongs to the staff endpoint; this only versions. */
  async publish(draft: CreditRulesDraft, publishedBy: string, at: Date): Promise<CreditRules> {
    const { baseVersion, note, ...body } = draft;
    const next: CreditRules = {
      ...body,
      version: baseVersion + 1,
      publishedAt: at.toISOString(),
      publishedBy,
      ...(note === undefined ? {} : { note }),
    };
    if ((await this.currentVersionNumber()) !== baseVersion) throw staleRulesBase();
    try {
      await this.deps.client.send(
        new PutCommand({
          TableName: this.deps.tableName,
          Item: { pk: RULES_PK, sk: rulesVersionSk(next.version), ...next },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      // Someone published this version first; if they crashed before moving the pointer, move it for them.
      await this.movePointer(baseVersion, next.version).catch(() => undefined);
      throw staleRulesBase();
    }
    await this.movePointer(baseVersion, next.version);
    this.currentCache = undefined;
    this.versionCache.set(next.version, next);
    return next;
  }

  /** Moves CURRENT from `from` to `to`; refused (409) when it no longer names `from`. */
  private async movePointer(from: number, to: number): Promise<void> {
    try {
      await this.deps.client.send(
        new UpdateCommand({
          TableName: this.deps.tableName,
          Key: { pk: RULES_PK, sk: RULES_CURRENT },
          UpdateExpression: 'SET version = :to',
          // Absent pointer: version 1 (built in). Already at `to`: a colliding publisher rolled it forward for us.
          ConditionExpression: from === BUILT_IN_CREDIT_RULES.version ? 'attribute_not_exists(pk) OR version IN (:from, :to)' : 'version IN (:from, :to)',
          ExpressionAttributeValues: { ':to': to, ':from': from },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw staleRulesBase();
      throw error;
    }
  }

  private async currentVersionNumber(): Promise<number> {
    const { Item } = await this.deps.client.send(
      new GetCommand({ TableName: this.deps.tableName, Key: { pk: RULES_PK, sk: RULES_CURRENT }, ConsistentRead: true }),
    );
    return typeof Item?.['version'] === 'number' ? Item['version'] : BUILT_IN_CREDIT_RULES.version;
  }
}

const toRules = (item: Record<string, unknown>): CreditRules => withoutKeys(item) as unknown as CreditRules;

export function creditStoreFromEnv(): DynamoCreditStore {
  return new DynamoCreditStore({ client: dynamoDocumentClient(), tableName: getStringFromEnv(tableEnvVar('credit')) });
}

let sharedRules: DynamoCreditRulesStore | undefined;

/**
 * The process's one rules store (one cache per process, shared by every handler it runs): the `credit`
 * table; `CREDIT_RULES_CACHE_SECONDS` (default 30) bounds how stale the current rules may be.
 */
export function creditRulesStoreFromEnv(): DynamoCreditRulesStore {
  sharedRules ??= new DynamoCreditRulesStore({
    client: dynamoDocumentClient(),
    tableName: getStringFromEnv(tableEnvVar('credit')),
    currentTtlMs: getNumberFromEnv('CREDIT_RULES_CACHE_SECONDS', DEFAULT_CREDIT_RULES_CACHE_MS / 1000) * 1000,
  });
  return sharedRules;
}
