/**
 * The DynamoDB emulator switch (infra/local/emulators.ts): the adapter tests run on dynalite by default
 * and on AWS's DynamoDB Local under `npm run test:dynamodb-local`. This test makes sure each run really is
 * on the implementation it claims, by a behaviour that tells them apart: DynamoDB Local implements
 * transactions, dynalite does not (which is why every step of the design is a single-item conditional write).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient, GetItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { DYNAMODB_LOCAL_ENDPOINT_ENV, dynamoEmulatorKind } from '../../../infra/local/emulators';
import { tableEnvVar } from '../../../infra/topology';
import { startTestEmulators, type TestEmulators } from '../../support/emulators';

describe(`the adapters' DynamoDB (${dynamoEmulatorKind()})`, () => {
  let emulators: TestEmulators;
  let client: DynamoDBClient;
  beforeAll(async () => {
    emulators = await startTestEmulators('zt-switch');
    client = new DynamoDBClient({});
  });
  afterAll(async () => {
    client?.destroy();
    await emulators?.stop();
  });

  const transactPut = () =>
    client.send(
      new TransactWriteItemsCommand({
        TransactItems: [{ Put: { TableName: emulators.env[tableEnvVar('guards')]!, Item: { pk: { S: 'SWITCH#probe' }, sk: { S: 'META' } } } }],
      }),
    );

  it.runIf(dynamoEmulatorKind() === 'dynamodb-local')('is the run\'s one shared DynamoDB Local, which implements transactions', async () => {
    expect(process.env.AWS_ENDPOINT_URL_DYNAMODB).toBe(process.env[DYNAMODB_LOCAL_ENDPOINT_ENV]);
    expect(emulators.dynamo.sharedNamespace).toBe(`p${process.pid}`);
    await transactPut();
    const { Item } = await client.send(new GetItemCommand({ TableName: emulators.env[tableEnvVar('guards')]!, Key: { pk: { S: 'SWITCH#probe' }, sk: { S: 'META' } } }));
    expect(Item?.pk?.S).toBe('SWITCH#probe');
  });

  it.runIf(dynamoEmulatorKind() === 'dynalite')('is an in-process dynalite of its own, which has no transactions', async () => {
    expect(emulators.dynamo.sharedNamespace).toBeUndefined();
    await expect(transactPut()).rejects.toThrow(/UnknownOperation|not supported|Unknown/i);
  });
});
