/**
 * Creates the tables and queues of the topology on the emulators (or LocalStack), idempotently, and
 * returns the environment that tells the functions their physical names — the same variables the CDK
 * stacks set on each Lambda function.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  UpdateTableCommand,
  type GlobalSecondaryIndex,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  queueEnvVar,
  deadLetterQueueEnvVar,
  queues,
  tableEnvVar,
  tables,
  visibilityTimeoutSeconds,
  type QueueDecl,
  type QueueName,
  type TableDecl,
  type TableName,
} from '../topology';

export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
export const LOCAL_REGION = 'ap-east-1';

export const physicalTableName = (prefix: string, name: TableName): string => `${prefix}-${name}`;
/** A FIFO queue's name (and its dead-letter queue's, FIFO too) must end in `.fifo`. */
export const physicalQueueName = (prefix: string, name: QueueName, dlq = false): string =>
  `${prefix}-${name}${dlq ? '-dlq' : ''}${(queues[name] as QueueDecl).fifo === true ? '.fifo' : ''}`;

const indexesOf = (decl: TableDecl): GlobalSecondaryIndex[] =>
  (decl.globalIndexes ?? []).map((index) => ({
    IndexName: index.name,
    KeySchema: [
      { AttributeName: index.partitionKey, KeyType: 'HASH' },
      { AttributeName: index.sortKey, KeyType: 'RANGE' },
    ],
    Projection: index.include === undefined ? { ProjectionType: 'ALL' } : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.include] },
  }));

const stringAttributes = (names: Iterable<string>) => [...new Set(names)].map((AttributeName) => ({ AttributeName, AttributeType: 'S' as const }));

/**
 * Creates the table, or, when it exists (a data directory from an earlier version), adds the global
 * indexes declared since (DynamoDB and LocalStack can; dynalite cannot, which is reported clearly).
 */
async function ensureTable(client: DynamoDBClient, tableName: string, decl: TableDecl): Promise<void> {
  const indexes = indexesOf(decl);
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const existing = new Set((Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
    for (const index of indexes.filter((i) => !existing.has(i.IndexName))) {
      const addIndex = (throughput?: { ReadCapacityUnits: number; WriteCapacityUnits: number }) =>
        client.send(
          new UpdateTableCommand({
            TableName: tableName,
            AttributeDefinitions: stringAttributes(index.KeySchema!.map((k) => k.AttributeName!)),
            GlobalSecondaryIndexUpdates: [
              { Create: { IndexName: index.IndexName, KeySchema: index.KeySchema, Projection: index.Projection, ProvisionedThroughput: throughput } },
            ],
          }),
        );
      try {
        // On-demand tables take no throughput for a new index (DynamoDB, LocalStack)…
        await addIndex();
      } catch (error) {
        // …but dynalite validates against the older API and insists on one; it has no effect there.
        if (!(error instanceof Error && /provisionedThroughput/i.test(error.message))) throw error;
        await addIndex({ ReadCapacityUnits: 1, WriteCapacityUnits: 1 });
      }
      const { Table: after } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      if (!(after?.GlobalSecondaryIndexes ?? []).some((i) => i.IndexName === index.IndexName)) {
        // dynalite accepts the request but does not build indexes on existing tables.
        throw new Error(
          `Table ${tableName} predates its index ${index.IndexName}, and this DynamoDB emulator cannot add an index to an existing table. ` +
            'The local data directory holds demo data only: delete it (e.g. rm -rf .data) and start again to re-seed.',
        );
      }
    }
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: decl.partitionKey, KeyType: 'HASH' },
        { AttributeName: decl.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: stringAttributes([decl.partitionKey, decl.sortKey, ...indexes.flatMap((i) => i.KeySchema!.map((k) => k.AttributeName!))]),
      GlobalSecondaryIndexes: indexes.length > 0 ? indexes : undefined,
    }),
  );
}

async function ensureQueue(client: SQSClient, prefix: string, name: QueueName): Promise<{ url: string; dlqUrl: string }> {
  const decl: QueueDecl = queues[name];
  const retention = String(decl.retentionDays * 24 * 3600);
  // FIFO: senders name the group and the deduplication id (content-based deduplication off).
  const fifo = decl.fifo === true ? { FifoQueue: 'true', ContentBasedDeduplication: 'false' } : {};
  const { QueueUrl: dlqUrl } = await client.send(
    new CreateQueueCommand({ QueueName: physicalQueueName(prefix, name, true), Attributes: { MessageRetentionPeriod: retention, ...fifo } }),
  );
  const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl!, AttributeNames: ['QueueArn'] }));
  const { QueueUrl: url } = await client.send(
    new CreateQueueCommand({
      QueueName: physicalQueueName(prefix, name),
      Attributes: {
        MessageRetentionPeriod: retention,
        ...fifo,
        VisibilityTimeout: String(visibilityTimeoutSeconds(name)),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes!.QueueArn, maxReceiveCount: decl.maxReceiveCount }),
      },
    }),
  );
  return { url: url!, dlqUrl: dlqUrl! };
}

export interface ProvisionOptions {
  readonly dynamoEndpoint: string;
  readonly sqsEndpoint: string;
  /** Prefix of physical names, e.g. `zt-local`. */
  readonly prefix: string;
}

export interface Provisioned {
  /** Environment variables naming tables and queue URLs, as the CDK stacks set them. */
  readonly env: Record<string, string>;
  readonly queueUrls: Record<QueueName, { url: string; dlqUrl: string }>;
}

export async function provision(options: ProvisionOptions): Promise<Provisioned> {
  // The emulators and LocalStack accept any credentials; LocalStack keeps resources per region, so
  // provision in the region the functions will use.
  const region = process.env.AWS_REGION ?? LOCAL_REGION;
  const dynamo = new DynamoDBClient({ endpoint: options.dynamoEndpoint, region, credentials: LOCAL_CREDENTIALS });
  const sqsClient = new SQSClient({ endpoint: options.sqsEndpoint, region, credentials: LOCAL_CREDENTIALS });
  const env: Record<string, string> = {};
  try {
    for (const [name, decl] of Object.entries(tables) as [TableName, TableDecl][]) {
      const physical = physicalTableName(options.prefix, name);
      await ensureTable(dynamo, physical, decl);
      env[tableEnvVar(name)] = physical;
    }
    const queueUrls = {} as Record<QueueName, { url: string; dlqUrl: string }>;
    for (const name of Object.keys(queues) as QueueName[]) {
      queueUrls[name] = await ensureQueue(sqsClient, options.prefix, name);
      env[queueEnvVar(name)] = queueUrls[name].url;
      env[deadLetterQueueEnvVar(name)] = queueUrls[name].dlqUrl;
    }
    return { env, queueUrls };
  } finally {
    dynamo.destroy();
    sqsClient.destroy();
  }
}
