/**
 * The register (登记簿) on the `register` table, one partition per unit (pk `UNIT#<unitCode>`):
 * sk `META` (unit facts and owners), sk `MORTGAGE#<mortgageId>`, sk `SEIZURE#<seizureId>`. Intake reads
 * a whole unit with one strongly consistent Query.
 */
import { BatchWriteCommand, paginateQuery, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { MortgageRight, RegisteredOwner, Seizure, UnitView } from '../../core/domain/register';
import type { RegisterReader } from '../../core/ports';
import { tableEnvVar } from '../../../infra/topology';
import { getStringFromEnv } from '../../shared/config';
import { dynamoDocumentClient } from '../aws-clients';
import { MAX_BATCH_ATTEMPTS, backoff, chunk, forEachConcurrently, withoutKeys } from './dynamo-support';

/** BatchWriteItem takes at most 25 writes per call. */
const BATCH_WRITE_LIMIT = 25;
const WRITE_CONCURRENCY = 4;

const unitPk = (unitCode: string): string => `UNIT#${unitCode}`;

export interface DynamoRegisterRepositoryDeps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

type WriteRequest = { PutRequest: { Item: Record<string, unknown> } };

export class DynamoRegisterRepository implements RegisterReader {
  constructor(private readonly deps: DynamoRegisterRepositoryDeps) {}

  async getUnit(unitCode: string): Promise<UnitView | undefined> {
    let meta: Record<string, unknown> | undefined;
    const mortgages: MortgageRight[] = [];
    const seizures: Seizure[] = [];
    const pages = paginateQuery(
      { client: this.deps.client },
      { TableName: this.deps.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': unitPk(unitCode) }, ConsistentRead: true },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const sk = String(item['sk']);
        if (sk === 'META') meta = item;
        else if (sk.startsWith('MORTGAGE#')) mortgages.push(withoutKeys(item) as unknown as MortgageRight);
        else if (sk.startsWith('SEIZURE#')) seizures.push(withoutKeys(item) as unknown as Seizure);
      }
    }
    if (meta === undefined) return undefined;
    return {
      unitCode: meta['unitCode'] as string,
      district: meta['district'] as string,
      status: meta['status'] as UnitView['status'],
      address: meta['address'] as string,
      areaM2: meta['areaM2'] as string,
      owners: (meta['owners'] ?? []) as RegisteredOwner[],
      mortgages,
      seizures,
    };
  }

  /**
   * Seeds units: META plus one item per mortgage and seizure. Rights no longer on a re-seeded unit are
   * not deleted.
   */
  async putUnits(units: readonly UnitView[]): Promise<void> {
    // BatchWriteItem refuses two writes to one key in a call: the last one given wins.
    const byKey = new Map<string, WriteRequest>();
    for (const unit of units) {
      for (const item of unitItems(unit)) byKey.set(`${item['pk']}|${item['sk']}`, { PutRequest: { Item: item } });
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

function unitItems(unit: UnitView): Record<string, unknown>[] {
  const pk = unitPk(unit.unitCode);
  const meta = {
    pk,
    sk: 'META',
    unitCode: unit.unitCode,
    district: unit.district,
    status: unit.status,
    address: unit.address,
    areaM2: unit.areaM2,
    owners: unit.owners,
  };
  return [
    meta,
    ...unit.mortgages.map((mortgage) => ({ pk, sk: `MORTGAGE#${mortgage.mortgageId}`, ...mortgage })),
    ...unit.seizures.map((seizure) => ({ pk, sk: `SEIZURE#${seizure.seizureId}`, ...seizure })),
  ];
}

export function registerRepositoryFromEnv(): DynamoRegisterRepository {
  return new DynamoRegisterRepository({ client: dynamoDocumentClient(), tableName: getStringFromEnv(tableEnvVar('register')) });
}
