/**
 * The audit log's grants in the local runtime (infra/local/invocation-scope.ts), as IAM enforces them on
 * AWS (test/infra/stacks.test.ts): only the checkpoint may sign with the log key (and only it sees the
 * key's variable), only the appender and the checkpoint touch the audit table, every auditing function
 * sends its records to the audit queue.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardClient, resourceVariablesOf, runInvocation, type FunctionScope } from '../../../infra/local/invocation-scope';
import { functions, LOG_SIGNING_KEY_ENV, PLATFORM_SIGNING_KEY_ENV, type FunctionDecl, type FunctionName } from '../../../infra/topology';

const ENV = {
  TABLE_AUDIT: 'zt-audit',
  QUEUE_AUDIT_URL: 'http://127.0.0.1:1/000000000000/zt-audit.fifo',
  [LOG_SIGNING_KEY_ENV]: 'arn:aws-cn:kms:cn-north-1:123456789012:key/log-key',
  [PLATFORM_SIGNING_KEY_ENV]: 'arn:aws-cn:kms:cn-north-1:123456789012:key/platform-key',
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
  const output = { $metadata: {}, MD5OfMessageBody: '99914b932bd37a50b983c5e7c90ae93b' };
  (client.middlewareStack as AnyStack).add(() => async () => ({ output, response: {} }), { step: 'finalizeRequest', name: 'stubAnswer' });
  return client;
}
const dynamo = DynamoDBDocumentClient.from(stubbed(new DynamoDBClient(config), 'dynamodb'));
const sqs = stubbed(new SQSClient(config), 'sqs');
const kms = stubbed(new KMSClient(config), 'kms');
const decls = functions as Record<FunctionName, FunctionDecl>;
const names = Object.keys(decls) as FunctionName[];
const as = <T>(name: FunctionName, run: () => Promise<T>): Promise<T> =>
  runInvocation({ name, decl: decls[name] } satisfies FunctionScope, { awsRequestId: `req-${name}` } as never, run);
const sign = (keyId: string) => kms.send(new SignCommand({ KeyId: keyId, Message: Buffer.from('m'), MessageType: 'RAW', SigningAlgorithm: 'SM2DSA' }));

describe('the audit log grants of the local runtime', () => {
  it('lets the checkpoint alone sign with the log key; a platform-key signer may not', async () => {
    await expect(as('auditCheckpoint', () => sign(ENV[LOG_SIGNING_KEY_ENV]))).resolves.toBeDefined();
    await expect(as('notifier', () => sign(ENV[LOG_SIGNING_KEY_ENV]))).rejects.toThrow(/notifier is not granted SignCommand on KMS Sign on the log signing key/);
    await expect(as('auditAppender', () => sign(ENV[LOG_SIGNING_KEY_ENV]))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(as('submitBatch', () => kms.send(new GetPublicKeyCommand({ KeyId: ENV[LOG_SIGNING_KEY_ENV] })))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    // …and the checkpoint has nothing on the platform key.
    await expect(as('auditCheckpoint', () => sign(ENV[PLATFORM_SIGNING_KEY_ENV]))).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('shows the log key variable to the functions declared logKey only', () => {
    const seeing = names.filter((name) => resourceVariablesOf(decls[name]).has(LOG_SIGNING_KEY_ENV));
    expect(seeing).toEqual(names.filter((name) => decls[name].logKey !== undefined));
    expect(seeing).toContain('auditCheckpoint');
    expect(names.filter((name) => decls[name].logKey === 'sign')).toEqual(['auditCheckpoint']);
  });

  it('refuses audit table writes to everyone but the appender and the checkpoint; the others send to the audit queue (readers read)', async () => {
    const put = () => dynamo.send(new PutCommand({ TableName: 'zt-audit', Item: { pk: 'LOG#370102', sk: 'HEAD' } }));
    await expect(as('auditAppender', put)).resolves.toBeDefined();
    await expect(as('auditCheckpoint', put)).resolves.toBeDefined();
    await expect(as('submitBatch', put)).rejects.toThrow(/submitBatch is not granted PutItemCommand on table audit: no grant on the table/);
    await expect(as('submitBatch', () => sqs.send(new SendMessageCommand({ QueueUrl: ENV.QUEUE_AUDIT_URL, MessageBody: '{}', MessageGroupId: 'g', MessageDeduplicationId: 'd' })))).resolves.toBeDefined();
    // Only the appender and the checkpoint write the log; the auditors' readers may read it, nobody else touches it.
    expect(names.filter((name) => decls[name].tables.audit === 'write' || decls[name].tables.audit === 'readWrite').sort()).toEqual(['auditAppender', 'auditCheckpoint']);
  });
});
