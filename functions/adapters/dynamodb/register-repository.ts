/**
 * The register (登记簿) on the `register` table: one item per unit (pk `UNIT#<unitCode>`, sk `META`)
 * holding its facts, owners, mortgages, seizures and advance notices, a `version`, and the filings
 * recorded on it (`appliedFilings`). Intake and approval read a unit with one strongly consistent GetItem.
 *
 * Every register write replaces the unit item on condition that it is still at the version the decision
 * was made against and does not list the filing yet; it increments the version and lists the filing
 * (DESIGN.md §3 "The register cannot be written against stale facts"). One item, one conditional write: no
 * transaction is needed, so it works on dynalite, and a write against a unit that changed is refused.
 *
 * The districts the register holds are listed under pk `DISTRICTS` (sk the district code), written with
 * the units, so the sweeper covers every tenant without a scan.
 */
import { BatchWriteCommand, GetCommand, paginateQuery, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RegisteredOwner, UnitView } from '../../core/domain/register';
import type { RegisterCommit } from '../../core/domain/registration';
import type { RegisterReader, RegisterWriter, RegisterWriteOutcome } from '../../core/ports';
import { tableEnvVar } from '../../../infra/topology';
import { getStringFromEnv } from '../../shared/config';
import { dynamoDocumentClient } from '../aws-clients';
import { MAX_BATCH_ATTEMPTS, backoff, chunk, forEachConcurrently, isConditionalCheckFailed } from './dynamo-support';

/** BatchWriteItem takes at most 25 writes per call. */
const BATCH_WRITE_LIMIT = 25;
const WRITE_CONCURRENCY = 4;

const unitKey = (unitCode: string) => ({ pk: `UNIT#${unitCode}`, sk: 'META' });
const DISTRICTS_PK = 'DISTRICTS';

export interface DynamoRegisterRepositoryDeps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

type WriteRequest = { PutRequest: { Item: Record<string, unknown> } };

/** A unit as seeded: at version 1 with no filing applied, unless given. */
export type SeedUnit = Omit<UnitView, 'version' | 'appliedFilings'> & Partial<Pick<UnitView, 'version' | 'appliedFilings'>>;

export class DynamoRegisterRepository implements RegisterReader, RegisterWriter {
  constructor(private readonly deps: DynamoRegisterRepositoryDeps) {}

  async getUnit(unitCode: string): Promise<UnitView | undefined> {
    const { Item } = await this.deps.client.send(new GetCommand({ TableName: this.deps.tableName, Key: unitKey(unitCode), ConsistentRead: true }));
    return Item === undefined ? undefined : toUnit(Item);
  }

  async listDistricts(): Promise<string[]> {
    const districts: string[] = [];
    const pages = paginateQuery(
      { client: this.deps.client },
      { TableName: this.deps.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': DISTRICTS_PK }, ConsistentRead: true },
    );
    for await (const page of pages) for (const item of page.Items ?? []) districts.push(String(item['sk']));
    return districts;
  }

  /** One register write (RegisterWriter): conditional on the unit's version and on the filing not being applied yet. */
  async commit(commit: RegisterCommit): Promise<RegisterWriteOutcome> {
    const applied = commit.next.appliedFilings.includes(commit.filingId) ? commit.next.appliedFilings : [...commit.next.appliedFilings, commit.filingId];
    if (await this.putAtVersion({ ...commit.next, appliedFilings: applied }, commit.expectedVersion, commit.filingId)) return 'applied';
    // Refused: either this filing was applied before (a repeated saga step), or the unit moved on.
    const unit = await this.getUnit(commit.unitCode);
    return unit?.appliedFilings.includes(commit.filingId) ? 'alreadyApplied' : 'stale';
  }

  /** Records a refusal at commit time on the unit (RegisterWriter): conditional like a register write. */
  async refuse(refusal: { readonly unitCode: string; readonly filingId: string; readonly expectedVersion: number; readonly reasonCode: string; readonly unit: UnitView }): Promise<'refused' | 'alreadyApplied' | 'stale'> {
    const next = { ...refusal.unit, refusals: { ...refusal.unit.refusals, [refusal.filingId]: refusal.reasonCode } };
    if (await this.putAtVersion(next, refusal.expectedVersion, refusal.filingId)) return 'refused';
    const now = await this.getUnit(refusal.unitCode);
    if (now?.appliedFilings.includes(refusal.filingId)) return 'alreadyApplied';
    return now?.refusals?.[refusal.filingId] !== undefined ? 'refused' : 'stale';
  }

  /**
   * Replaces the unit item with `next` at version `expectedVersion + 1`, if the unit is still at
   * `expectedVersion` and does not list the filing as applied; false when that condition failed.
   */
  private async putAtVersion(next: UnitView, expectedVersion: number, filingId: string): Promise<boolean> {
    try {
      await this.deps.client.send(
        new PutCommand({
          TableName: this.deps.tableName,
          Item: unitItem({ ...next, version: expectedVersion + 1 }),
          // A unit seeded before versions existed reads as version 1.
          ConditionExpression:
            expectedVersion === 1
              ? 'attribute_exists(pk) AND (attribute_not_exists(version) OR version = :v) AND NOT contains(appliedFilings, :f)'
              : 'version = :v AND NOT contains(appliedFilings, :f)',
          ExpressionAttributeValues: { ':v': expectedVersion, ':f': filingId },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /** Seeds units (unconditionally: the seed and tests own their register) and the districts they are in. */
  async putUnits(units: readonly SeedUnit[]): Promise<void> {
    // BatchWriteItem refuses two writes to one key in a call: the last one given wins.
    const byKey = new Map<string, WriteRequest>();
    for (const unit of units) {
      byKey.set(unit.unitCode, { PutRequest: { Item: unitItem({ ...unit, version: unit.version ?? 1, appliedFilings: unit.appliedFilings ?? [] }) } });
      byKey.set(`D#${unit.district}`, { PutRequest: { Item: { pk: DISTRICTS_PK, sk: unit.district } } });
    }
    await forEachConcurrently(chunk([...byKey.values()], BATCH_WRITE_LIMIT), WRITE_CONCURRENCY, (requests) =>
      this.batchWrite(requests),
    );
  }

  private async batchWrite(requests: WriteRequest[]): Promise<void> {
    let pending = requests;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= MAX_BATCH_ATTEMPTS) throw new Error(`BatchWriteItem left ${pending.length} register items unprocessed`);
      if (attempt > 0) await backoff(attempt);
      const { UnprocessedItems } = await this.deps.client.send(
        new BatchWriteCommand({ RequestItems: { [this.deps.tableName]: pending } }),
      );
      pending = (UnprocessedItems?.[this.deps.tableName] ?? []) as WriteRequest[];
    }
  }
}

function unitItem(unit: UnitView): Record<string, unknown> {
  return {
    ...unitKey(unit.unitCode),
    unitCode: unit.unitCode,
    district: unit.district,
    status: unit.status,
    address: unit.address,
    areaM2: unit.areaM2,
    owners: unit.owners,
    mortgages: unit.mortgages,
    seizures: unit.seizures,
    notices: unit.notices,
    project: unit.project,
    version: unit.version,
    appliedFilings: unit.appliedFilings,
    ...(unit.refusals === undefined ? {} : { refusals: unit.refusals }),
  };
}

function toUnit(item: Record<string, unknown>): UnitView {
  return {
    unitCode: item['unitCode'] as string,
    district: item['district'] as string,
    status: item['status'] as UnitView['status'],
    address: item['address'] as string,
    areaM2: item['areaM2'] as string,
    owners: (item['owners'] ?? []) as RegisteredOwner[],
    mortgages: (item['mortgages'] ?? []) as UnitView['mortgages'],
    seizures: (item['seizures'] ?? []) as UnitView['seizures'],
    version: typeof item['version'] === 'number' ? item['version'] : 1,
    appliedFilings: (item['appliedFilings'] ?? []) as string[],
    ...(item['refusals'] === undefined ? {} : { refusals: item['refusals'] as Record<string, string> }),
    // Advance notices and the development project are absent on units that have none.
    ...(item['notices'] === undefined ? {} : { notices: item['notices'] as UnitView['notices'] }),
    ...(item['project'] === undefined ? {} : { project: item['project'] as UnitView['project'] }),
  };
}

export function registerRepositoryFromEnv(): DynamoRegisterRepository {
  return new DynamoRegisterRepository({ client: dynamoDocumentClient(), tableName: getStringFromEnv(tableEnvVar('register')) });
}
