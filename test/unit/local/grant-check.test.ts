/**
 * The local runtime's grant check (infra/local/invocation-scope.ts): inside an invocation, an SDK call
 * the function's topology entry does not grant is refused as IAM would refuse it. The clients here answer
 * from a stub at the end of their middleware stack, so no endpoint is needed.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DecryptCommand, GenerateDataKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { ChangeMessageVisibilityCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardClient, runInvocation, type FunctionScope } from '../../../infra/local/invocation-scope';
import { functions, type FunctionDecl } from '../../../infra/topology';

const ENV = {
  TABLE_FILINGS: 'zt-filings',
  TABLE_KEYS: 'zt-keys',
  TABLE_AUDIT: 'zt-audit',
  QUEUE_INTAKE_URL: 'http://127.0.0.1:1/000000000000/zt-intake',
  QUEUE_NOTIFICATIONS_URL: 'http://127.0.0.1:1/000000000000/zt-notifications',
};
const saved: Record<string, string | undefined> = {};
beforeAll(() => {
  for (const [name, value] of Object.entries(ENV)) {
    saved[name] = process.env[name];
    process.env[name] = value;
  }
});
afterAll(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

const config = { region: 'ap-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
interface AnyStack {
  add(middleware: unknown, options: unknown): void;
}
function stubbed<C extends { middlewareStack: unknown }>(client: C, service: 'dynamodb' | 'sqs' | 'kms'): C {
  guardClient(client as never, service, () => undefined);
  // MD5OfMessageBody: SQS checks the digest of the body it sent ('{}') in the answer.
  const output = { $metadata: {}, MD5OfMessageBody: '99914b932bd37a50b983c5e7c90ae93b' };
  (client.middlewareStack as AnyStack).add(() => async () => ({ output, response: {} }), { step: 'finalizeRequest', name: 'stubAnswer' });
  return client;
}
const dynamo = DynamoDBDocumentClient.from(stubbed(new DynamoDBClient(config), 'dynamodb'));
const sqs = stubbed(new SQSClient(config), 'sqs');
const kms = stubbed(new KMSClient(config), 'kms');

const as = <T>(name: keyof typeof functions, run: () => Promise<T>): Promise<T> =>
  runInvocation({ name, decl: functions[name] as FunctionDecl } satisfies FunctionScope, { awsRequestId: `req-${name}` } as never, run);

describe('the grant check of the local runtime', () => {
  it('lets a function read and write the tables as declared, and refuses more', async () => {
    await expect(as('getFiling', () => dynamo.send(new GetCommand({ TableName: 'zt-filings', Key: { pk: 'a', sk: 'b' } })))).resolves.toBeDefined();
    await expect(as('getFiling', () => dynamo.send(new PutCommand({ TableName: 'zt-filings', Item: { pk: 'a', sk: 'b' } })))).rejects.toThrow(
      /getFiling is not granted PutItemCommand on table filings: its grant is read/,
    );
    await expect(as('intake', () => dynamo.send(new GetCommand({ TableName: 'zt-keys', Key: { pk: 'a', sk: 'b' } })))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringMatching(/no grant on the table/),
    });
    // A transaction is checked item by item.
    const transaction = new TransactWriteCommand({
      TransactItems: [{ Put: { TableName: 'zt-audit', Item: { pk: 'a', sk: 'b' } } }, { Put: { TableName: 'zt-filings', Item: { pk: 'a', sk: 'b' } } }],
    });
    await expect(as('auditAppender', () => dynamo.send(transaction))).rejects.toThrow(/table filings/);
  });

  it('lets a function send only to its declared queues, and consume only its source queue', async () => {
    const send = (url: string) => () => sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '{}' }));
    const postpone = () => sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: ENV.QUEUE_NOTIFICATIONS_URL, ReceiptHandle: 'r', VisibilityTimeout: 1 }));
    await expect(as('withdrawFiling', send(ENV.QUEUE_NOTIFICATIONS_URL))).resolves.toBeDefined();
    await expect(as('withdrawFiling', send(ENV.QUEUE_INTAKE_URL))).rejects.toThrow(/not among the queues it sends to/);
    await expect(as('notifier', postpone)).resolves.toBeDefined();
    await expect(as('intake', postpone)).rejects.toThrow(/not its source queue/);
  });

  it('allows the KMS actions its key grants imply: GenerateDataKey only to a writer of the keys table', async () => {
    const generate = () => kms.send(new GenerateDataKeyCommand({ KeyId: 'k', NumberOfBytes: 32 }));
    const decrypt = () => kms.send(new DecryptCommand({ CiphertextBlob: new Uint8Array([1]) }));
    await expect(as('submitBatch', generate)).resolves.toBeDefined();
    await expect(as('getFiling', decrypt)).resolves.toBeDefined();
    await expect(as('getFiling', generate)).rejects.toThrow(/KMS GenerateDataKey/);
    await expect(as('intake', decrypt)).rejects.toThrow(/KMS Decrypt/);
    const sign = () => kms.send(new SignCommand({ KeyId: 'k', Message: new Uint8Array([1]), SigningAlgorithm: 'SM2DSA' }));
    await expect(as('verifyCertificate', sign)).rejects.toThrow(/KMS Sign/);
  });

  it('checks nothing outside an invocation (provisioning, seeding, tests)', async () => {
    await expect(dynamo.send(new PutCommand({ TableName: 'zt-keys', Item: { pk: 'a', sk: 'b' } }))).resolves.toBeDefined();
  });
});
