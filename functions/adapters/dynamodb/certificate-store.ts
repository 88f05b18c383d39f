/**
 * E-certificates on the `certificates` table:
 * - number allocated to a filing: pk `FILING#<filingId>`, sk `NUMBER` (conditional put: one number per filing);
 * - counter of a series: pk `COUNTER#<district>#<year>#<kind>`, sk `COUNTER`, atomic `ADD seq 1`;
 * - certificate: pk `CERT#<certificateNo>`, sk `META` (conditional put: issued once);
 * - current certificate of a right: pk `UNIT#<unitCode>`, sk `RIGHT#<right>`.
 * Every write is a single-item write, safe to repeat (STYLE.md habit 5).
 */
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Certificate, CertificateSeries } from '../../core/domain/certificate';
import { seriesKey } from '../../core/domain/certificate';
import type { CertificateAllocation, CertificateStore } from '../../core/ports';
import { tableEnvVar } from '../../../infra/topology';
import { getStringFromEnv } from '../../shared/config';
import { dynamoDocumentClient } from '../aws-clients';
import { isConditionalCheckFailed, withoutKeys } from './dynamo-support';

const allocationKey = (filingId: string) => ({ pk: `FILING#${filingId}`, sk: 'NUMBER' });
const counterKey = (series: CertificateSeries) => ({ pk: `COUNTER#${seriesKey(series)}`, sk: 'COUNTER' });
const certificateKey = (certificateNo: string) => ({ pk: `CERT#${certificateNo}`, sk: 'META' });
const rightKey = (unitCode: string, right: string) => ({ pk: `UNIT#${unitCode}`, sk: `RIGHT#${right}` });

export interface DynamoCertificateStoreDeps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

export class DynamoCertificateStore implements CertificateStore {
  constructor(private readonly deps: DynamoCertificateStoreDeps) {}

  async allocationOf(filingId: string): Promise<CertificateAllocation | undefined> {
    const item = await this.read(allocationKey(filingId));
    return item === undefined ? undefined : (withoutKeys(item) as unknown as CertificateAllocation);
  }

  async nextSequence(series: CertificateSeries): Promise<number> {
    const { Attributes } = await this.deps.client.send(
      new UpdateCommand({
        TableName: this.deps.tableName,
        Key: counterKey(series),
        UpdateExpression: 'ADD #seq :one',
        ExpressionAttributeNames: { '#seq': 'seq' },
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const seq = Attributes?.['seq'];
    if (typeof seq !== 'number') throw new Error('Certificate counter returned no sequence');
    return seq;
  }

  async claimAllocation(allocation: CertificateAllocation): Promise<CertificateAllocation> {
    try {
      await this.deps.client.send(
        new PutCommand({ TableName: this.deps.tableName, Item: { ...allocationKey(allocation.filingId), ...allocation }, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      return allocation;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    // Another attempt allocated first: its number stands (ours is a gap in the series).
    const existing = await this.allocationOf(allocation.filingId);
    if (!existing) throw new Error(`Allocation of filing ${allocation.filingId} refused as existing but not found`);
    return existing;
  }

  async putIfAbsent(certificate: Certificate): Promise<Certificate> {
    try {
      await this.deps.client.send(
        new PutCommand({ TableName: this.deps.tableName, Item: { ...certificateKey(certificate.certificateNo), ...certificate }, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      return certificate;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    const existing = await this.get(certificate.certificateNo);
    if (!existing) throw new Error(`Certificate ${certificate.certificateNo} refused as existing but not found`);
    return existing;
  }

  async get(certificateNo: string): Promise<Certificate | undefined> {
    const item = await this.read(certificateKey(certificateNo));
    return item === undefined ? undefined : (withoutKeys(item) as unknown as Certificate);
  }

  async currentOf(unitCode: string, right: string): Promise<string | undefined> {
    const item = await this.read(rightKey(unitCode, right));
    return typeof item?.['certificateNo'] === 'string' ? item['certificateNo'] : undefined;
  }

  async setCurrent(unitCode: string, right: string, certificateNo: string): Promise<void> {
    await this.deps.client.send(new PutCommand({ TableName: this.deps.tableName, Item: { ...rightKey(unitCode, right), certificateNo } }));
  }

  async markSuperseded(certificateNo: string, supersededBy: string): Promise<void> {
    try {
      await this.deps.client.send(
        new UpdateCommand({
          TableName: this.deps.tableName,
          Key: certificateKey(certificateNo),
          UpdateExpression: 'SET #current = :false, #by = :by',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#current': 'current', '#by': 'supersededBy' },
          ExpressionAttributeValues: { ':false': false, ':by': supersededBy },
        }),
      );
    } catch (error) {
      // A pointer to a certificate that does not exist supersedes nothing.
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  private async read(key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.deps.client.send(new GetCommand({ TableName: this.deps.tableName, Key: key, ConsistentRead: true }));
    return Item;
  }
}

export function certificateStoreFromEnv(): DynamoCertificateStore {
  return new DynamoCertificateStore({ client: dynamoDocumentClient(), tableName: getStringFromEnv(tableEnvVar('certificates')) });
}
