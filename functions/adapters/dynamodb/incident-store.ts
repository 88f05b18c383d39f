/**
 * Incidents on the `security` table (DESIGN.md §5; 003 第十八条), shared with the misuse detector's alerts
 * and rules (misuse-store.ts: `ALERT#…`, `MISUSE-RULES`). Item layout of incidents:
 *
 * | item | pk | sk | byStatus index |
 * |---|---|---|---|
 * | incident | `INCIDENT#<incidentId>` | `META` | `INCIDENTS#<status>` / `<next deadline or ~>#<incidentId>` (CLOSED: `<closedAt>#<incidentId>`) |
 *
 * Why this shape:
 * - One item per incident, written conditionally: created on its absence (an id derived from the dedupe
 *   key makes a second open find the first), changed on its `version`.
 * - The index sorts open incidents by their next deadline not yet escalated (the report's, then the
 *   result's), `~` when none is left: the incident watch reads only what is due (`< now`), and an
 *   escalation moves the item on to its next deadline, so each deadline escalates once. Staff lists read
 *   the same partitions: the most urgent first.
 *
 * Listings answer an opaque cursor bound to the listing (statuses, districts, overdue filter): base64url
 * JSON of the partition reached and DynamoDB's last evaluated key there; another listing's cursor, or one
 * naming another partition, is refused 400 CURSOR_INVALID.
 */
import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { IncidentStatus } from '../../core/domain/incident';
import { badRequest } from '../../core/domain/errors';
import type { Page } from '../../core/ports';
import type { IncidentQuery, IncidentRecord, IncidentStore } from '../../core/use-cases/incidents';
import { tableEnvVar } from '../../../infra/topology';
import { getStringFromEnv } from '../../shared/config';
import { dynamoDocumentClient } from '../aws-clients';
import { isConditionalCheckFailed } from './dynamo-support';

const BY_STATUS = 'byStatus';
const META = 'META';
/** Sorts after every ISO time: no deadline left to watch. */
const NONE_DUE = '~';
const KEYS = ['pk', 'sk', 'gsi1pk', 'gsi1sk'] as const;

const incidentPk = (incidentId: string): string => `INCIDENT#${incidentId}`;
const statusPk = (status: IncidentStatus): string => `INCIDENTS#${status}`;

/** The deadline the watch still has to check (report, then result), or none. */
export function nextDeadlineOf(incident: IncidentRecord): string | undefined {
  const escalated = new Set(incident.overdue ?? []);
  const due: string[] = [];
  if (incident.reportedAt === undefined && !escalated.has('REPORT')) due.push(incident.reportDueAt);
  if (incident.resultDueAt !== undefined && incident.closedAt === undefined && !escalated.has('RESULT')) due.push(incident.resultDueAt);
  return due.sort()[0];
}

const sortKeyOf = (incident: IncidentRecord): string =>
  incident.status === 'CLOSED' ? `${incident.closedAt ?? incident.openedAt}#${incident.incidentId}` : `${nextDeadlineOf(incident) ?? NONE_DUE}#${incident.incidentId}`;

function itemOf(incident: IncidentRecord): Record<string, unknown> {
  return { pk: incidentPk(incident.incidentId), sk: META, ...incident, gsi1pk: statusPk(incident.status), gsi1sk: sortKeyOf(incident) };
}

function recordOf(item: Record<string, unknown>): IncidentRecord {
  const record = { ...item };
  for (const key of KEYS) delete record[key];
  return record as unknown as IncidentRecord;
}

export interface DynamoIncidentStoreDeps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

interface Position {
  /** Index into the listing's statuses. */
  readonly p: number;
  readonly k?: Record<string, string>;
}

export class DynamoIncidentStore implements IncidentStore {
  constructor(private readonly deps: DynamoIncidentStoreDeps) {}

  async create(incident: IncidentRecord): Promise<{ readonly created: boolean; readonly incident: IncidentRecord }> {
    try {
      await this.deps.client.send(new PutCommand({ TableName: this.deps.tableName, Item: itemOf(incident), ConditionExpression: 'attribute_not_exists(pk)' }));
      return { created: true, incident };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    const existing = await this.get(incident.incidentId);
    if (existing === undefined) throw new Error(`Incident ${incident.incidentId} was refused as existing but cannot be read`);
    return { created: false, incident: existing };
  }

  async get(incidentId: string): Promise<IncidentRecord | undefined> {
    const { Item } = await this.deps.client.send(new GetCommand({ TableName: this.deps.tableName, Key: { pk: incidentPk(incidentId), sk: META }, ConsistentRead: true }));
    return Item === undefined ? undefined : recordOf(Item);
  }

  async put(incident: IncidentRecord, expectedVersion: number): Promise<boolean> {
    const next: IncidentRecord = { ...incident, version: expectedVersion + 1 };
    try {
      await this.deps.client.send(
        new PutCommand({
          TableName: this.deps.tableName,
          Item: itemOf(next),
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': expectedVersion },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async listDue(now: string, limit: number): Promise<IncidentRecord[]> {
    const due: IncidentRecord[] = [];
    for (const status of ['OPEN', 'REPORTED', 'HANDLED'] as const) {
      let start: Record<string, unknown> | undefined;
      do {
        const { Items, LastEvaluatedKey } = await this.deps.client.send(
          new QueryCommand({
            TableName: this.deps.tableName,
            IndexName: BY_STATUS,
            KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk < :now',
            ExpressionAttributeValues: { ':pk': statusPk(status), ':now': now },
            Limit: limit - due.length,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        due.push(...(Items ?? []).map(recordOf));
        start = LastEvaluatedKey;
      } while (start !== undefined && due.length < limit);
      if (due.length >= limit) break;
    }
    return due;
  }

  /**
   * The listing's status partitions in order, each from its most urgent incident; a page is filled across
   * partitions. `Limit` is what is still missing, so DynamoDB never evaluates past the page and its last
   * evaluated key is exactly where the next page starts.
   */
  async list(query: IncidentQuery): Promise<Page<IncidentRecord>> {
    const districts = query.districts ?? [];
    const scope = `${query.statuses.join(',')}|${[...districts].sort().join(',') || '*'}|${String(query.overdue ?? '*')}`;
    let position: Position | undefined = query.cursor === undefined ? { p: 0 } : readCursor(query.cursor, scope, query.statuses);
    const items: IncidentRecord[] = [];
    const filters: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    if (districts.length > 0) {
      filters.push(`#district IN (${districts.map((_, i) => `:d${i}`).join(', ')})`);
      names['#district'] = 'district';
      districts.forEach((district, i) => (values[`:d${i}`] = district));
    }
    if (query.overdue === true) filters.push('attribute_exists(overdue)');
    if (query.overdue === false) filters.push('attribute_not_exists(overdue)');
    while (position !== undefined && items.length < query.limit) {
      const status: IncidentStatus = query.statuses[position.p]!;
      const answer: QueryCommandOutput = await this.deps.client.send(
        new QueryCommand({
          TableName: this.deps.tableName,
          IndexName: BY_STATUS,
          KeyConditionExpression: 'gsi1pk = :pk',
          ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
          ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: { ':pk': statusPk(status), ...values },
          Limit: query.limit - items.length,
          ...(position.k ? { ExclusiveStartKey: position.k } : {}),
        }),
      );
      items.push(...(answer.Items ?? []).map(recordOf));
      if (answer.LastEvaluatedKey !== undefined) position = { p: position.p, k: answer.LastEvaluatedKey as Record<string, string> };
      else position = position.p + 1 < query.statuses.length ? { p: position.p + 1 } : undefined;
    }
    return { items, ...(position === undefined ? {} : { nextCursor: writeCursor(scope, position) }) };
  }
}

const writeCursor = (scope: string, position: Position): string => Buffer.from(JSON.stringify({ s: scope, ...position }), 'utf8').toString('base64url');

function readCursor(cursor: string, scope: string, statuses: readonly IncidentStatus[]): Position {
  const invalid = () => badRequest('CURSOR_INVALID', 'The cursor is not one this listing returned; start again without it.');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid();
  const { s, p, k, ...rest } = value as Record<string, unknown>;
  if (s !== scope || Object.keys(rest).length > 0 || typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p >= statuses.length) throw invalid();
  if (k === undefined) return { p };
  if (k === null || typeof k !== 'object' || Array.isArray(k)) throw invalid();
  const key = k as Record<string, unknown>;
  // The key must lie in the partition the cursor names, and name an incident item: nothing else of the table.
  const keys = Object.keys(key).sort();
  if (keys.join(',') !== 'gsi1pk,gsi1sk,pk,sk' || key['gsi1pk'] !== statusPk(statuses[p]!) || typeof key['pk'] !== 'string' || !/^INCIDENT#IN[0-9A-F]{24}$/.test(key['pk']) || key['sk'] !== META || typeof key['gsi1sk'] !== 'string' || key['gsi1sk'].length > 100) {
    throw invalid();
  }
  return { p, k: key as Record<string, string> };
}

export function incidentStoreFromEnv(): DynamoIncidentStore {
  return new DynamoIncidentStore({ client: dynamoDocumentClient(), tableName: getStringFromEnv(tableEnvVar('security')) });
}
