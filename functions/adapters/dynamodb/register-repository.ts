/**
 * The register (登记簿) on the `register` table, one partition per unit (pk `UNIT#<unitCode>`):
 * sk `META` (unit facts and owners), sk `MORTGAGE#<mortgageId>`, sk `SEIZURE#<seizureId>`. Intake reads
 * a whole unit with one strongly consistent Query.
 *
 * Registration (issue 3 item 4) writes one item at a time, each conditional on the filing id not being
 * in the item's `appliedFilings` set yet (`lastFilingId` names the latest): applying twice changes nothing.
 */
import { BatchWriteCommand, GetCommand, paginateQuery, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conflict } from '../../core/domain/errors';
import type { AdvanceNotice, MortgageRight, RegisteredOwner, Seizure, UnitView } from '../../core/domain/register';
import type { RegisterWrite } from '../../core/domain/registration';
import type { RegisterReader, RegisterWriter, RegisterWriteOutcome } from '../../core/ports';
import { tableEnvVar } from '../../../infra/topology';
import { getStringFromEnv } from '../../shared/config';
import { dynamoDocumentClient } from '../aws-clients';
import { MAX_BATCH_ATTEMPTS, backoff, chunk, forEachConcurrently, isConditionalCheckFailed, withoutKeys } from './dynamo-support';

/** BatchWriteItem takes at most 25 writes per call. */
const BATCH_WRITE_LIMIT = 25;
const WRITE_CONCURRENCY = 4;

const unitPk = (unitCode: string): string => `UNIT#${unitCode}`;

export interface DynamoRegisterRepositoryDeps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

type WriteRequest = { PutRequest: { Item: Record<string, unknown> } };

/** Bookkeeping attributes of registration writes, not part of the register's view. */
const WRITE_GUARDS = ['appliedFilings', 'lastFilingId'] as const;
const skOf = (write: RegisterWrite): string =>
  write.kind === 'putMortgage' ? `MORTGAGE#${write.mortgage.mortgageId}` : write.kind === 'updateMortgage' ? `MORTGAGE#${write.mortgageId}` : 'META';

export class DynamoRegisterRepository implements RegisterReader, RegisterWriter {
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
        else if (sk.startsWith('MORTGAGE#')) mortgages.push(withoutKeys(item, ...WRITE_GUARDS) as unknown as MortgageRight);
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
      // Advance notices and the development project live on META (absent on units that have none).
      ...(meta['notices'] === undefined ? {} : { notices: meta['notices'] as UnitView['notices'] }),
      ...(meta['project'] === undefined ? {} : { project: meta['project'] as UnitView['project'] }),
    };
  }

  /** One registration write (RegisterWriter): conditional on its filing not being applied to the item yet. */
  async apply(write: RegisterWrite): Promise<RegisterWriteOutcome> {
    const pk = unitPk(write.unitCode);
    const guard = { '#applied': 'appliedFilings', '#last': 'lastFilingId' };
    const guardValues = { ':f': write.filingId, ':fset': new Set([write.filingId]) };
    const notApplied = 'attribute_exists(pk) AND NOT contains(#applied, :f)';
    try {
      switch (write.kind) {
        case 'putMortgage':
          await this.deps.client.send(
            new PutCommand({
              TableName: this.deps.tableName,
              Item: { pk, sk: skOf(write), ...write.mortgage, appliedFilings: guardValues[':fset'], lastFilingId: write.filingId },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          );
          return 'applied';
        case 'updateMortgage': {
          const names: Record<string, string> = { ...guard, '#status': 'status' };
          const values: Record<string, unknown> = { ...guardValues, ':active': 'ACTIVE' };
          const sets = ['#last = :f'];
          for (const [attribute, value] of Object.entries(write.set)) {
            if (value === undefined) continue;
            names[`#${attribute}`] = attribute;
            values[`:${attribute}`] = value;
            sets.push(`#${attribute} = :${attribute}`);
          }
          await this.update(pk, skOf(write), `SET ${sets.join(', ')} ADD #applied :fset`, `${notApplied} AND #status = :active`, names, values);
          return 'applied';
        }
        case 'addNotice':
          await this.update(
            pk,
            'META',
            'SET #notices = list_append(if_not_exists(#notices, :none), :notice), #last = :f ADD #applied :fset',
            notApplied,
            { ...guard, '#notices': 'notices' },
            { ...guardValues, ':none': [], ':notice': [write.notice] },
          );
          return 'applied';
        case 'setOwners': {
          // The notices to cancel are found by position in META's list; the condition re-checks each one.
          const { Item } = await this.deps.client.send(new GetCommand({ TableName: this.deps.tableName, Key: { pk, sk: 'META' }, ConsistentRead: true }));
          const notices = (Item?.['notices'] ?? []) as AdvanceNotice[];
          const names: Record<string, string> = { ...guard, '#owners': 'owners', '#status': 'status' };
          const values: Record<string, unknown> = { ...guardValues, ':owners': write.owners, ':registered': 'REGISTERED', ':expect': write.expectStatus };
          const sets = ['#owners = :owners', '#status = :registered', '#last = :f'];
          const conditions = [notApplied, '#status = :expect'];
          write.cancelNoticeIds.forEach((noticeId, i) => {
            const index = notices.findIndex((n) => n.noticeId === noticeId);
            if (index < 0) return;
            Object.assign(names, { '#notices': 'notices', '#nstatus': 'status', '#nid': 'noticeId', '#by': 'cancelledByFilingId' });
            values[':cancelled'] = 'CANCELLED';
            values[`:n${i}`] = noticeId;
            sets.push(`#notices[${index}].#nstatus = :cancelled`, `#notices[${index}].#by = :f`);
            conditions.push(`#notices[${index}].#nid = :n${i}`);
          });
          await this.update(pk, 'META', `SET ${sets.join(', ')} ADD #applied :fset`, conditions.join(' AND '), names, values);
          return 'applied';
        }
      }
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    // Refused: either this filing was applied before (a repeated saga step), or the register moved on.
    const { Item } = await this.deps.client.send(new GetCommand({ TableName: this.deps.tableName, Key: { pk, sk: skOf(write) }, ConsistentRead: true }));
    const applied = Item?.['appliedFilings'];
    if (applied instanceof Set && applied.has(write.filingId)) return 'alreadyApplied';
    throw conflict('REGISTER_CONFLICT', 'The register no longer allows this registration: the unit or the right changed since intake.');
  }

  private async update(pk: string, sk: string, expression: string, condition: string, names: Record<string, string>, values: Record<string, unknown>): Promise<void> {
    await this.deps.client.send(
      new UpdateCommand({
        TableName: this.deps.tableName,
        Key: { pk, sk },
        UpdateExpression: expression,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
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
    notices: unit.notices,
    project: unit.project,
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
