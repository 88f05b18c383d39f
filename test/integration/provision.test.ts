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
    expect(names).toEqual(Object.keys(queues).flatMap((q) => [`zt-prov-${q}`, `zt-prov-${q}-dlq`]).sort());
  });

  it('is idempotent: provisioning again succeeds and returns the same environment', async () => {
    const again = await provision({ dynamoEndpoint: emulators.dynamo.endpoint, sqsEndpoint: emulators.sqs.endpoint, prefix: 'zt-prov' });
    expect(again.env).toEqual(emulators.env);
  });
});
