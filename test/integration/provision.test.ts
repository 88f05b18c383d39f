import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListTablesCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { queues, tables } from '../../infra/topology';
import { provision } from '../../infra/local/provision';
import { startTestEmulators, type TestEmulators } from '../support/emulators';

describe('provisioning the topology on the emulators', () => {
  let emulators: TestEmulators;
  beforeAll(async () => {
    emulators = await startTestEmulators('zt-prov');
  });
  afterAll(async () => emulators.stop());

  it('creates every declared table and every queue with its dead-letter queue', async () => {
    const { TableNames } = await new DynamoDBClient({}).send(new ListTablesCommand({}));
    expect(TableNames?.sort()).toEqual(Object.keys(tables).map((t) => `zt-prov-${t}`).sort());
    const { QueueUrls } = await new SQSClient({}).send(new ListQueuesCommand({}));
    const names = (QueueUrls ?? []).map((u) => u.split('/').pop()).sort();
    // A FIFO queue (the audit log's) and its dead-letter queue end in `.fifo`, as SQS requires.
    const suffix = (q: string) => ((queues as Record<string, { fifo?: boolean }>)[q]?.fifo === true ? '.fifo' : '');
    expect(names).toEqual(Object.keys(queues).flatMap((q) => [`zt-prov-${q}${suffix(q)}`, `zt-prov-${q}-dlq${suffix(q)}`]).sort());
    expect(names).toContain('zt-prov-audit.fifo');
  });

  it('is idempotent: provisioning again succeeds and returns the same environment', async () => {
    const again = await provision({ dynamoEndpoint: emulators.dynamo.endpoint, sqsEndpoint: emulators.sqs.endpoint, prefix: 'zt-prov' });
    expect(again.env).toEqual(emulators.env);
  });
});

describe('provisioning over a data directory from an earlier topology', () => {
  it('refuses clearly, keeping the data, when the emulator cannot add an index declared since', async () => {
    const { startDynamo, startSqs } = await import('../../infra/local/emulators');
    const { DynamoDBClient: Client, CreateTableCommand, DescribeTableCommand, PutItemCommand, GetItemCommand } = await import('@aws-sdk/client-dynamodb');
    const [dynamo, sqs] = await Promise.all([startDynamo(), startSqs()]);
    try {
      const client = new Client({ endpoint: dynamo.endpoint });
      // Prepare: the filings table as an earlier version created it, without its index, holding an item.
      await client.send(
        new CreateTableCommand({
          TableName: 'zt-old-filings',
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
        }),
      );
      await client.send(new PutItemCommand({ TableName: 'zt-old-filings', Item: { pk: { S: 'FILING#1' }, sk: { S: 'META' } } }));
      // Act / Assess: dynalite ignores index creation on an existing table, so provisioning says what to do.
      await expect(provision({ dynamoEndpoint: dynamo.endpoint, sqsEndpoint: sqs.endpoint, prefix: 'zt-old' })).rejects.toThrow(
        /zt-old-filings predates its index byDistrictStatus.*delete it/,
      );
      const { Table } = await client.send(new DescribeTableCommand({ TableName: 'zt-old-filings' }));
      expect(Table?.TableName).toBe('zt-old-filings');
      const { Item } = await client.send(new GetItemCommand({ TableName: 'zt-old-filings', Key: { pk: { S: 'FILING#1' }, sk: { S: 'META' } } }));
      expect(Item).toBeDefined();
    } finally {
      await Promise.all([dynamo.close(), sqs.close()]);
    }
  });
});
