/**
 * Infrastructure assertions: the synthesized CloudFormation is checked against infra/topology.ts, so
 * a route wired to the wrong function, a queue without its dead-letter queue, a table that could be
 * deleted, or a grant broader than declared fails here, before any deploy.
 *
 * The app is built and synthesized once for the whole file. Lambda bundling is skipped
 * (`aws:cdk:bundling-stacks: []`): the assertions are about templates, not bundles, and skipping it
 * keeps this file independent of handler code in progress; `npm run synth` bundles for real. Entry
 * files must still exist (NodejsFunction checks them at construction).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { piiEncryptionContext } from '../../functions/adapters/keys/pii-context';
import { buildApp, type ZhitongApp } from '../../infra/cdk/app';
import type { CloudFunctionName } from '../../infra/cdk/stateless-stack';
import { DEPARTMENTS_ENV, EXPORT_BUCKET_ENV, RESULTS_URL_ENV, STAFF_AUDIENCE_ENV, STAFF_ISSUER_ENV, STAFF_JWKS_URL_ENV } from '../../infra/topology';
import { generateSm2KeyPair } from '../../functions/shared/crypto/sm2';
import {
  functions,
  queues,
  tables,
  visibilityTimeoutSeconds,
  PII_KEY_ENV,
  KEY_PROVIDER_ENV,
  PLATFORM_SIGNING_KEY_ENV,
  LOG_SIGNING_KEY_ENV,
  queueEnvVar,
  deadLetterQueueEnvVar,
  tableEnvVar,
  type FunctionDecl,
  type FunctionName,
  type QueueDecl,
  type QueueName,
  type TableDecl,
  type TableName,
} from '../../infra/topology';

interface CfnResourceJson {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}
type Resources = Record<string, CfnResourceJson>;
interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
}

const functionDecls: Record<FunctionName, FunctionDecl> = functions;
const tableDecls: Record<TableName, TableDecl> = tables;
const queueDecls: Record<QueueName, QueueDecl> = queues;
const allFunctionNames = Object.keys(functionDecls) as FunctionName[];
/** Deployed functions: all but the local runtime's own (`localOnly`: the local token issuer). */
const functionNames = allFunctionNames.filter((name): name is CloudFunctionName => functionDecls[name].localOnly !== true);
const localOnlyNames = allFunctionNames.filter((name) => functionDecls[name].localOnly === true);
const tableNames = Object.keys(tableDecls) as TableName[];
const queueNames = Object.keys(queueDecls) as QueueName[];
const routed = functionNames.filter((name) => functionDecls[name].route !== undefined);
const workers = functionNames.filter((name) => functionDecls[name].source !== undefined);

let built: ZhitongApp;
let assemblyDirectory: string;
let stateful: Resources;
/** The two stateless stacks' resources (API and workers) in one map: their logical ids are distinct. */
let stateless: Resources;

const logicalId = (stack: Stack, construct: IConstruct): string => stack.getLogicalId(construct.node.defaultChild as CfnElement);
const fnId = (name: CloudFunctionName): string => logicalId(Stack.of(built.functions[name]), built.functions[name]);
const tableId = (name: TableName): string => logicalId(built.stateful, built.stateful.tables[name]);
const queueId = (name: QueueName): string => logicalId(built.stateful, built.stateful.queues[name]);
const dlqId = (name: QueueName): string => logicalId(built.stateful, built.stateful.deadLetterQueues[name]);
const props = (resources: Resources, id: string): Record<string, unknown> => {
  const resource = resources[id];
  if (resource === undefined) throw new Error(`No resource ${id}`);
  return resource.Properties ?? {};
};
const ofType = (resources: Resources, type: string): [string, CfnResourceJson][] =>
  Object.entries(resources).filter(([, r]) => r.Type === type);
const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resourcesOf = (s: Statement): unknown[] => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);
/** Whether a CloudFormation value mentions a logical id (Ref, GetAtt, or a cross-stack output/export named after it). */
const mentions = (value: unknown, id: string): boolean => JSON.stringify(value).includes(id);

/** Logical ids named by `Fn::GetAtt` anywhere inside a value. */
function getAttTargets(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(getAttTargets);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, inner]) =>
      key === 'Fn::GetAtt' && Array.isArray(inner) && typeof inner[0] === 'string' ? [inner[0]] : getAttTargets(inner),
    );
  }
  return [];
}

/** Every IAM statement attached to a function's execution role. */
function statementsOf(name: CloudFunctionName): Statement[] {
  const role = built.functions[name].role;
  if (role === undefined) throw new Error(`${name} has no role`);
  const roleId = logicalId(Stack.of(role), role);
  return ofType(stateless, 'AWS::IAM::Policy')
    .filter(([, policy]) => mentions(policy.Properties?.Roles, roleId))
    .flatMap(([, policy]) => (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
}

/** The full API Gateway path of a Method, rebuilt from its Resource chain. */
function methodPath(method: CfnResourceJson): string {
  const parts: string[] = [];
  let parent = method.Properties?.ResourceId as { Ref?: string } | undefined;
  while (parent?.Ref !== undefined) {
    const resource = props(stateless, parent.Ref);
    parts.unshift(String(resource.PathPart));
    parent = resource.ParentId as { Ref?: string } | undefined;
  }
  return `/${parts.join('/')}`;
}

let outdir: string;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'zhitong-cdk-'));
  // Prepare: build and synthesize once. In a test process (NODE_ENV=test) CDK runs in-memory mode, where
  // a failing validation plugin — cdk-nag with an unacknowledged finding — makes synth() throw.
  built = buildApp({
    outdir,
    context: { stage: 'test', 'aws:cdk:bundling-stacks': [] },
  });
  assemblyDirectory = built.app.synth().directory;
  stateful = Template.fromStack(built.stateful).toJSON().Resources as Resources;
  const api = Template.fromStack(built.stateless).toJSON().Resources as Resources;
  const workerResources = Template.fromStack(built.workers).toJSON().Resources as Resources;
  const shared = Object.keys(api).filter((id) => id in workerResources);
  if (shared.length > 0) throw new Error(`Logical ids in both stateless stacks: ${shared.join(', ')}`);
  stateless = { ...api, ...workerResources };
}, 120_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('the app', () => {
  it('names the stacks after the stage', () => {
    expect(built.stateful.stackName).toBe('test-ZhitongStateful');
    expect(built.stateless.stackName).toBe('test-ZhitongStateless');
    expect(built.workers.stackName).toBe('test-ZhitongWorkers');
  });

  it('puts every routed function in the API stack and every other one in the workers stack, each exactly once', () => {
    for (const name of functionNames) {
      const inApi = name in built.stateless.functions;
      const inWorkers = name in built.workers.functions;
      expect([name, inApi, inWorkers]).toEqual([name, functionDecls[name].route !== undefined, functionDecls[name].route === undefined]);
    }
  });
});

describe('API routes', () => {
  it('has exactly one method per declared route, and no other', () => {
    const methods = ofType(stateless, 'AWS::ApiGateway::Method');
    expect(methods.map(([, m]) => `${String(m.Properties?.HttpMethod)} ${methodPath(m)}`).sort()).toEqual(
      routed.map((name) => `${functionDecls[name].route?.method} ${functionDecls[name].route?.path}`).sort(),
    );
  });

  it.each(routed)("wires %s's route to that function and no other", (name) => {
    const route = functionDecls[name].route!;
    const [method] = ofType(stateless, 'AWS::ApiGateway::Method')
      .map(([, m]) => m)
      .filter((m) => m.Properties?.HttpMethod === route.method && methodPath(m) === route.path);
    const integration = method?.Properties?.Integration as { Type: string; IntegrationHttpMethod: string; Uri: unknown };
    expect(integration.Type).toBe('AWS_PROXY');
    expect(integration.IntegrationHttpMethod).toBe('POST');
    expect(getAttTargets(integration.Uri)).toEqual([fnId(name)]);
  });

  it.each(routed)("lets API Gateway invoke %s only from its own method's path", (name) => {
    const route = functionDecls[name].route!;
    const permissions = ofType(stateless, 'AWS::Lambda::Permission').filter(([, p]) => mentions(p.Properties?.FunctionName, fnId(name)));
    expect(permissions).toHaveLength(1);
    const sourceArn = JSON.stringify(permissions[0]![1].Properties?.SourceArn);
    expect(sourceArn).toContain(`/${route.method}${route.path.replace(/\{[^}]+\}/g, '*')}`);
  });

  it('stage traces, access-logs, throttles and never logs request bodies', () => {
    const [[, stage]] = ofType(stateless, 'AWS::ApiGateway::Stage') as [[string, CfnResourceJson]];
    expect(stage.Properties?.TracingEnabled).toBe(true);
    expect(stage.Properties?.AccessLogSetting).toMatchObject({ DestinationArn: expect.anything(), Format: expect.any(String) });
    expect(stage.Properties?.MethodSettings).toEqual([
      expect.objectContaining({ DataTraceEnabled: false, ThrottlingRateLimit: expect.any(Number), ThrottlingBurstLimit: expect.any(Number) }),
    ]);
  });
});

describe('tables', () => {
  it('has one table per declared table', () => {
    expect(ofType(stateful, 'AWS::DynamoDB::Table')).toHaveLength(tableNames.length);
  });

  it.each(tableNames)('%s: keys as declared, on demand, PITR, KMS with a customer key, deletion-protected, retained', (name) => {
    const decl = tableDecls[name];
    const table = stateful[tableId(name)]!;
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
    expect(table.Properties).toMatchObject({
      KeySchema: [
        { AttributeName: decl.partitionKey, KeyType: 'HASH' },
        { AttributeName: decl.sortKey, KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [logicalId(built.stateful, built.stateful.tableKey), 'Arn'] } },
      DeletionProtectionEnabled: true,
    });
    expect(table.Properties?.TimeToLiveSpecification).toEqual(
      decl.ttlAttribute === undefined ? undefined : { AttributeName: decl.ttlAttribute, Enabled: true },
    );
    expect(((table.Properties?.GlobalSecondaryIndexes as { IndexName: string }[] | undefined) ?? []).map((i) => i.IndexName)).toEqual(
      (decl.globalIndexes ?? []).map((i) => i.name),
    );
  });
});

describe('queues', () => {
  it.each(queueNames)('%s has a dead-letter queue with the declared maxReceiveCount', (name) => {
    expect(props(stateful, queueId(name)).RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [dlqId(name), 'Arn'] },
      maxReceiveCount: queueDecls[name].maxReceiveCount,
    });
  });

  it.each(queueNames)('%s and its dead-letter queue are KMS-encrypted with a customer key, retained, SSL-only', (name) => {
    const keyArn = { 'Fn::GetAtt': [logicalId(built.stateful, built.stateful.queueKey), 'Arn'] };
    for (const id of [queueId(name), dlqId(name)]) {
      const queue = stateful[id]!;
      expect(queue.DeletionPolicy).toBe('Retain');
      expect(queue.UpdateReplacePolicy).toBe('Retain');
      expect(queue.Properties).toMatchObject({ KmsMasterKeyId: keyArn, MessageRetentionPeriod: queueDecls[name].retentionDays * 86_400 });
      const policies = ofType(stateful, 'AWS::SQS::QueuePolicy').filter(([, p]) => mentions(p.Properties?.Queues, id));
      expect(JSON.stringify(policies)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it.each(workers)("%s's queue hides a message for at least six times the worker's timeout", (name) => {
    const source = functionDecls[name].source!;
    const visibility = Number(props(stateful, queueId(source.queue)).VisibilityTimeout);
    expect(visibility).toBe(visibilityTimeoutSeconds(source.queue));
    expect(visibility).toBeGreaterThanOrEqual(6 * Number(props(stateless, fnId(name)).Timeout));
  });
});

describe('workers', () => {
  it('has one event source mapping per worker, each reporting partial batch failures', () => {
    const mappings = ofType(stateless, 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(workers.length);
    for (const [, mapping] of mappings) expect(mapping.Properties?.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
  });

  it.each(workers)('%s is fed by its declared queue with the declared batch size and concurrency', (name) => {
    const source = functionDecls[name].source!;
    const [[, mapping]] = ofType(stateless, 'AWS::Lambda::EventSourceMapping').filter(([, m]) =>
      mentions(m.Properties?.FunctionName, fnId(name)),
    ) as [[string, CfnResourceJson]];
    expect(mentions(mapping.Properties?.EventSourceArn, queueId(source.queue))).toBe(true);
    expect(mapping.Properties?.BatchSize).toBe(source.batchSize);
    expect(mapping.Properties?.ScalingConfig).toEqual(
      source.maxConcurrency === undefined ? undefined : { MaximumConcurrency: source.maxConcurrency },
    );
  });
});

const scheduled = functionNames.filter((name) => functionDecls[name].schedule !== undefined);

describe('scheduled functions', () => {
  it('the topology declares at least one (the sweeper), so these assertions bite', () => {
    expect(scheduled).toContain('sweeper');
  });

  it('has one EventBridge rule per scheduled function, and no other', () => {
    expect(ofType(stateless, 'AWS::Events::Rule')).toHaveLength(scheduled.length);
  });

  it.each(scheduled)('%s: a rate(N minutes) rule targets exactly it; only that rule may invoke it; it alarms on errors', (name) => {
    const every = functionDecls[name].schedule!.everyMinutes;
    const [[ruleId, rule]] = ofType(stateless, 'AWS::Events::Rule').filter(([, r]) => mentions(r.Properties?.Targets, fnId(name))) as [[string, CfnResourceJson]];
    expect(rule.Properties).toMatchObject({ ScheduleExpression: `rate(${every} minute${every === 1 ? '' : 's'})`, State: 'ENABLED' });
    const targets = rule.Properties?.Targets as { Arn: unknown }[];
    expect(targets).toHaveLength(1);
    expect(getAttTargets(targets[0]!.Arn)).toEqual([fnId(name)]);
    // Least privilege: events.amazonaws.com may invoke the function only from this rule.
    const permissions = ofType(stateless, 'AWS::Lambda::Permission').filter(
      ([, p]) => mentions(p.Properties?.FunctionName, fnId(name)) && p.Properties?.Principal === 'events.amazonaws.com',
    );
    expect(permissions).toHaveLength(1);
    expect(permissions[0]![1].Properties).toMatchObject({ Action: 'lambda:InvokeFunction' });
    expect(getAttTargets(permissions[0]![1].Properties?.SourceArn)).toEqual([ruleId]);
    const alarms = ofType(stateless, 'AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties?.MetricName === 'Errors' && mentions(a.Properties?.Dimensions, fnId(name)));
    expect(alarms).toHaveLength(1);
  });

  it('gives the sweeper read access to the register, which lists the districts to sweep (no deployment list to forget one)', () => {
    const environment = props(stateless, fnId('sweeper')).Environment as { Variables: Record<string, unknown> };
    expect(environment.Variables).toHaveProperty('TABLE_REGISTER');
    expect(environment.Variables).not.toHaveProperty('SWEEP_DISTRICTS');
  });
});

describe('the PII key', () => {
  it('rotates and is retained', () => {
    const key = stateful[logicalId(built.stateful, built.stateful.piiKey)]!;
    expect(key.Properties?.EnableKeyRotation).toBe(true);
    expect(key.DeletionPolicy).toBe('Retain');
    expect(key.UpdateReplacePolicy).toBe('Retain');
  });

  const piiKeyId = (): string => logicalId(built.stateful, built.stateful.piiKey);

  it.each(functionNames.filter((n) => functionDecls[n].usesPiiKey !== true))('%s has no permission on the PII key', (name) => {
    const onPiiKey = statementsOf(name).filter((s) => mentions(s.Resource, piiKeyId()));
    expect(onPiiKey).toEqual([]);
    expect(props(stateless, fnId(name)).Environment).not.toHaveProperty(['Variables', PII_KEY_ENV]);
  });

  const piiUsers = functionNames.filter((n) => functionDecls[n].usesPiiKey === true);
  const writesKeys = (name: CloudFunctionName): boolean => ['write', 'readWrite'].includes(functionDecls[name].tables.keys ?? '');

  it('the PII key goes with the keys table, both ways: wrapped keys live there', () => {
    for (const name of allFunctionNames) {
      expect(functionDecls[name].usesPiiKey === true, name).toBe(functionDecls[name].tables.keys !== undefined);
    }
  });

  it('intake workers open no personal data: no PII key, no keys table', () => {
    for (const name of ['intake', 'intakeUrgent'] as const) {
      expect(statementsOf(name).filter((s) => mentions(s.Resource, piiKeyId()))).toEqual([]);
      expect(statementsOf(name).filter((s) => mentions(s.Resource, tableId('keys')))).toEqual([]);
    }
  });

  it.each(piiUsers)('%s may Decrypt with the PII key, and GenerateDataKey only if it may store the wrapped key', (name) => {
    const onPiiKey = statementsOf(name).filter((s) => mentions(s.Resource, piiKeyId()));
    expect(onPiiKey.every((s) => s.Effect === 'Allow' && resourcesOf(s).length === 1)).toBe(true);
    expect(onPiiKey.flatMap(actionsOf).sort()).toEqual(writesKeys(name) ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt']);
  });

  it('only submitBatch (which creates tenant keys) may GenerateDataKey; the readers may only Decrypt', () => {
    expect(piiUsers.filter(writesKeys)).toEqual(['submitBatch']);
    // decideIntakeReview, markUrgent, withdrawFiling and the two incident endpoints open party names only, to refuse
    // free text naming a party (functions/core/domain/free-text.ts).
    expect(piiUsers.filter((n) => !writesKeys(n)).sort()).toEqual([
      'decideIntakeReview',
      'getFiling',
      'getStaffFiling',
      'lookupProgress',
      'markUrgent',
      'postIncident',
      'postIncidentAction',
      'reviewFiling',
      'taxConnector',
      'tradingConnector',
      'unmaskFiling',
      'withdrawFiling',
    ]);
  });

  it.each(piiUsers)("%s may use the PII key only under the vault's encryption context { tenant, purpose: pii }", (name) => {
    const onPiiKey = statementsOf(name).filter((s) => mentions(s.Resource, piiKeyId())) as (Statement & { Condition?: unknown })[];
    expect(onPiiKey.length).toBeGreaterThan(0);
    for (const statement of onPiiKey) {
      expect(statement.Condition).toEqual({
        StringEquals: { 'kms:EncryptionContext:purpose': 'pii' },
        'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['purpose', 'tenant'] },
        Null: { 'kms:EncryptionContext:tenant': 'false' },
      });
    }
    // The condition matches what the vault really sends (personal-data-vault.ts builds it with piiEncryptionContext).
    expect(Object.keys(piiEncryptionContext('370102')).sort()).toEqual(['purpose', 'tenant']);
    expect(piiEncryptionContext('370102')).toEqual({ tenant: '370102', purpose: 'pii' });
  });
});

describe('the audit export bucket', () => {
  const bucketId = (): string => logicalId(built.stateful, built.stateful.auditExportBucket);
  const onBucket = (name: CloudFunctionName) => statementsOf(name).filter((s) => mentions(s.Resource, 'zhitong-test-audit-exports-'));

  it('has Object Lock on, COMPLIANCE 400 days by default, versioned, encrypted, private, and is retained', () => {
    const bucket = stateful[bucketId()]!;
    expect(bucket.Type).toBe('AWS::S3::Bucket');
    expect(bucket.Properties).toMatchObject({
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 400 } } },
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.UpdateReplacePolicy).toBe('Retain');
  });

  it('refuses every request without TLS', () => {
    const policies = ofType(stateful, 'AWS::S3::BucketPolicy').filter(([, p]) => mentions(p.Properties?.Bucket, bucketId()));
    const statements = policies.flatMap(([, p]) => (p.Properties?.PolicyDocument as { Statement: (Statement & { Condition?: unknown })[] }).Statement);
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
  });

  it('only the export endpoints touch it: the POST may put (never delete or change a lock), the GET only reads', () => {
    const touching = functionNames.filter((n) => onBucket(n).length > 0).sort();
    expect(touching).toEqual(['getAuditExport', 'postAuditExport']);
    const actions = (name: CloudFunctionName) => onBucket(name).flatMap(actionsOf);
    expect(actions('postAuditExport')).toEqual(expect.arrayContaining(['s3:PutObject']));
    expect(actions('getAuditExport')).not.toContain('s3:PutObject');
    for (const name of touching) {
      expect(actions(name).filter((a) => /Delete|PutObjectRetention|PutObjectLegalHold|BypassGovernance|PutBucket/.test(a))).toEqual([]);
    }
  });
});

describe('the platform signing key', () => {
  const platformKeyId = (): string => logicalId(built.stateful, built.stateful.platformSigningKey);
  const onPlatformKey = (name: (typeof functionNames)[number]) => statementsOf(name).filter((s) => mentions(s.Resource, platformKeyId()));
  const signers = functionNames.filter((n) => functionDecls[n].platformKey === 'sign');
  const publishers = functionNames.filter((n) => functionDecls[n].platformKey === 'publicKey');
  const others = functionNames.filter((n) => functionDecls[n].platformKey === undefined);

  it('is an SM2 sign/verify key by default, retained, and not rotated (asymmetric keys cannot be)', () => {
    const key = stateful[platformKeyId()]!;
    expect(key.Type).toBe('AWS::KMS::Key');
    expect(key.Properties).toMatchObject({ KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY' });
    expect(key.Properties?.EnableKeyRotation).not.toBe(true);
    expect(key.DeletionPolicy).toBe('Retain');
    expect(key.UpdateReplacePolicy).toBe('Retain');
  });

  it('has a stage alias', () => {
    const aliases = ofType(stateful, 'AWS::KMS::Alias').filter(([, a]) => mentions(a.Properties?.TargetKeyId, platformKeyId()));
    expect(aliases.map(([, a]) => a.Properties?.AliasName)).toEqual(['alias/zhitong/test/platform-signing']);
  });

  it('lets the notifier (webhooks), review (e-certificates), the department connectors (deliveries, DESIGN.md §7b) and the audit export (manifests) sign, and the webhook settings and certificate verification endpoints only publish the public key', () => {
    expect(signers.sort()).toEqual(['notifier', 'postAuditExport', 'reviewFiling', 'taxConnector', 'tradingConnector']);
    expect(publishers.sort()).toEqual(['getWebhook', 'putWebhook', 'verifyCertificate']);
  });

  it.each(signers)('%s may only Sign and GetPublicKey with it, and is told its ARN', (name) => {
    const statements = onPlatformKey(name);
    expect(statements.every((s) => s.Effect === 'Allow' && resourcesOf(s).length === 1)).toBe(true);
    expect(statements.flatMap(actionsOf).sort()).toEqual(['kms:GetPublicKey', 'kms:Sign']);
    const variables = (props(stateless, fnId(name)).Environment as { Variables: Record<string, unknown> }).Variables;
    expect(mentions(variables[PLATFORM_SIGNING_KEY_ENV], platformKeyId())).toBe(true);
  });

  it.each(publishers)('%s may only read its public key (GET/PUT /v1/channel/webhook publish it)', (name) => {
    expect(onPlatformKey(name).flatMap(actionsOf)).toEqual(['kms:GetPublicKey']);
    const variables = (props(stateless, fnId(name)).Environment as { Variables: Record<string, unknown> }).Variables;
    expect(mentions(variables[PLATFORM_SIGNING_KEY_ENV], platformKeyId())).toBe(true);
  });

  it.each(others)('%s has no permission on it', (name) => {
    expect(onPlatformKey(name)).toEqual([]);
  });

  it('falls back to ECC_NIST_P256 outside China regions only when asked to, and refuses unknown specs', () => {
    const other = buildApp({ context: { stage: 'rehearsal', 'aws:cdk:bundling-stacks': [], platformKeySpec: 'ECC_NIST_P256' } });
    const resources = Template.fromStack(other.stateful).toJSON().Resources as Resources;
    expect(resources[logicalId(other.stateful, other.stateful.platformSigningKey)]!.Properties).toMatchObject({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    expect(() => buildApp({ context: { stage: 'bad', 'aws:cdk:bundling-stacks': [], platformKeySpec: 'RSA_2048' } })).toThrow(/Invalid platformKeySpec/);
  });
});

describe('the audit log (DESIGN.md §5)', () => {
  const logKeyId = (): string => logicalId(built.stateful, built.stateful.logSigningKey);
  const onLogKey = (name: CloudFunctionName) => statementsOf(name).filter((s) => mentions(s.Resource, logKeyId()));

  it('has its own SM2 signing key, apart from the platform key, retained, with the audit-log-signing alias', () => {
    expect(logKeyId()).not.toBe(logicalId(built.stateful, built.stateful.platformSigningKey));
    const key = stateful[logKeyId()]!;
    expect(key.Properties).toMatchObject({ KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY' });
    expect(key.DeletionPolicy).toBe('Retain');
    const aliases = ofType(stateful, 'AWS::KMS::Alias').filter(([, a]) => mentions(a.Properties?.TargetKeyId, logKeyId()));
    expect(aliases.map(([, a]) => a.Properties?.AliasName)).toEqual(['alias/zhitong/test/audit-log-signing']);
  });

  it('lets only the checkpoint kms:Sign with the log key; publishers only read its public key; nobody else touches it', () => {
    const signers = functionNames.filter((name) => onLogKey(name).flatMap(actionsOf).includes('kms:Sign'));
    expect(signers).toEqual(['auditCheckpoint']);
    expect(onLogKey('auditCheckpoint').flatMap(actionsOf).sort()).toEqual(['kms:GetPublicKey', 'kms:Sign']);
    for (const name of functionNames.filter((n) => n !== 'auditCheckpoint')) {
      const actions = onLogKey(name).flatMap(actionsOf);
      expect(actions, name).toEqual(functionDecls[name].logKey === 'publicKey' ? ['kms:GetPublicKey'] : []);
    }
    // Nor does any function get Sign on the log key through a wildcard resource.
    for (const name of functionNames.filter((n) => n !== 'auditCheckpoint')) {
      const wildcardSign = statementsOf(name).filter((s) => actionsOf(s).some((a) => a === 'kms:Sign' || a === 'kms:*') && resourcesOf(s).includes('*'));
      expect(wildcardSign, name).toEqual([]);
    }
  });

  it('the audit queue is FIFO without content-based deduplication, with a FIFO dead-letter queue', () => {
    expect(props(stateful, queueId('audit'))).toMatchObject({ FifoQueue: true, ContentBasedDeduplication: false });
    expect(props(stateful, dlqId('audit'))).toMatchObject({ FifoQueue: true });
    expect(mentions(props(stateful, queueId('audit')).RedrivePolicy, dlqId('audit'))).toBe(true);
    expect(props(stateful, queueId('auditCheckpoints')).FifoQueue).toBeUndefined();
  });

  it('no function but the appender and the checkpoint writes the audit table; the auditors\' readers (declared `audit: read`) only read it; every other auditing function sends to the audit queue', () => {
    const onAudit = (name: CloudFunctionName): string[] =>
      statementsOf(name).filter((s) => mentions(s.Resource, tableId('audit'))).flatMap(actionsOf).filter((a) => a.startsWith('dynamodb:'));
    const writes = (a: string): boolean => /^dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem|TransactWriteItems)$/.test(a);
    const writers = functionNames.filter((name) => onAudit(name).some(writes));
    expect(writers.sort()).toEqual(['auditAppender', 'auditCheckpoint']);
    const readers = functionNames.filter((name) => onAudit(name).length > 0 && !writers.includes(name));
    expect(readers.sort()).toEqual(functionNames.filter((name) => functionDecls[name].tables.audit === 'read').sort());
    expect(readers.length).toBeGreaterThan(5);
    const senders = functionNames.filter((name) => statementsOf(name).some((s) => actionsOf(s).includes('sqs:SendMessage') && mentions(s.Resource, queueId('audit'))));
    expect(senders.length).toBeGreaterThan(20);
    expect(senders).not.toContain('auditAppender');
  });

  it('feeds the appender from the audit queue and the checkpoint from its requests and a one-minute schedule', () => {
    const mappings = ofType(stateless, 'AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties ?? {});
    const of = (name: CloudFunctionName) => mappings.filter((m) => mentions(m.FunctionName, fnId(name)));
    expect(of('auditAppender')).toHaveLength(1);
    expect(mentions(of('auditAppender')[0]!.EventSourceArn, queueId('audit'))).toBe(true);
    expect(of('auditAppender')[0]).toMatchObject({ BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    expect(mentions(of('auditCheckpoint')[0]!.EventSourceArn, queueId('auditCheckpoints'))).toBe(true);
    const rules = ofType(stateless, 'AWS::Events::Rule').filter(([, r]) => mentions(r.Properties?.Targets, fnId('auditCheckpoint')));
    expect(rules.map(([, r]) => r.Properties?.ScheduleExpression)).toEqual(['rate(1 minute)']);
  });

  it('alarms when the checkpoint refuses to sign an inconsistent log', () => {
    const alarms = ofType(stateless, 'AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties?.MetricName === 'AuditLogInconsistent');
    expect(alarms).toHaveLength(1);
  });
});

describe('least privilege and configuration, per function', () => {
  const readActions = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:BatchGetItem'];
  const writeActions = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

  it.each(functionNames)('%s touches exactly its declared tables, with the declared access', (name) => {
    const declared = functionDecls[name].tables;
    const dynamo = statementsOf(name).filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    for (const table of tableNames) {
      const actions = dynamo.filter((s) => mentions(s.Resource, tableId(table))).flatMap(actionsOf);
      const access = declared[table];
      expect(readActions.some((a) => actions.includes(a)), `${name} reads ${table}`).toBe(access === 'read' || access === 'readWrite');
      expect(writeActions.some((a) => actions.includes(a)), `${name} writes ${table}`).toBe(access === 'write' || access === 'readWrite');
    }
  });

  it.each(functionNames)('%s holds Resource "*" only for X-Ray, and KMS wildcard actions only on its tables\' and queues\' keys', (name) => {
    // These are the findings acknowledged per role (AwsSolutions-IAM5); this keeps the acknowledgements honest.
    const statements = statementsOf(name);
    const onEverything = statements.filter((s) => resourcesOf(s).includes('*'));
    expect(onEverything.flatMap(actionsOf).sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    const storageKeys = [built.stateful.tableKey, built.stateful.queueKey].map((k) => logicalId(built.stateful, k));
    for (const s of statements.filter((st) => actionsOf(st).some((a) => a.startsWith('kms:') && a.endsWith('*')))) {
      expect(resourcesOf(s).every((r) => storageKeys.some((id) => mentions(r, id))), JSON.stringify(s)).toBe(true);
    }
  });

  it('copies into each filings index only the attributes it declares: no sealed personal data in an index', () => {
    const [, table] = ofType(stateful, 'AWS::DynamoDB::Table').find(([, t]) => (t.Properties?.GlobalSecondaryIndexes as unknown[] | undefined)?.some((i) => (i as { IndexName: string }).IndexName === 'byPendingEffects'))!;
    const indexes = table.Properties?.GlobalSecondaryIndexes as { IndexName: string; Projection: { ProjectionType: string; NonKeyAttributes?: string[] } }[];
    for (const index of tableDecls.filings.globalIndexes ?? []) {
      expect(indexes.find((i) => i.IndexName === index.name)?.Projection).toEqual({ ProjectionType: 'INCLUDE', NonKeyAttributes: [...(index.include ?? [])] });
      expect(index.include).not.toContain('content');
    }
  });

  it.each(functionNames)("%s reaches a table's indexes only by their declared names, and only when it reads the table", (name) => {
    const indexStatements = statementsOf(name).filter((s) => JSON.stringify(s.Resource).includes('/index/'));
    expect(JSON.stringify(indexStatements)).not.toContain('/index/*');
    for (const table of tableNames) {
      const access = functionDecls[name].tables[table];
      for (const index of tableDecls[table].globalIndexes ?? []) {
        const granted = indexStatements.filter((s) => mentions(s.Resource, tableId(table)) && JSON.stringify(s.Resource).includes(`/index/${index.name}`));
        expect(granted.length > 0, `${name} queries ${table}/${index.name}`).toBe(access === 'read' || access === 'readWrite');
        expect(granted.flatMap(actionsOf)).toEqual(granted.length > 0 ? ['dynamodb:Query'] : []);
      }
    }
  });

  it.each(functionNames)('%s may send only to its declared queues', (name) => {
    const sends = statementsOf(name).filter((s) => actionsOf(s).includes('sqs:SendMessage'));
    for (const queue of queueNames) {
      const declared = (functionDecls[name].sends ?? []).includes(queue);
      expect(sends.some((s) => mentions(s.Resource, queueId(queue))), `${name} sends to ${queue}`).toBe(declared);
    }
  });

  it.each(functionNames)('%s gets exactly the environment its declaration implies', (name) => {
    const decl = functionDecls[name];
    const variables = (props(stateless, fnId(name)).Environment as { Variables: Record<string, unknown> }).Variables;
    const expected = [
      'POWERTOOLS_SERVICE_NAME',
      'POWERTOOLS_METRICS_NAMESPACE',
      'POWERTOOLS_LOG_LEVEL',
      'NODE_OPTIONS',
      KEY_PROVIDER_ENV,
      ...Object.keys(decl.tables).map((t) => tableEnvVar(t as TableName)),
      ...(decl.sends ?? []).map(queueEnvVar),
      ...(decl.usesPiiKey === true ? [PII_KEY_ENV] : []),
      ...(decl.platformKey !== undefined ? [PLATFORM_SIGNING_KEY_ENV] : []),
      ...(decl.logKey !== undefined ? [LOG_SIGNING_KEY_ENV] : []),
      ...(decl.tables.staff !== undefined ? [STAFF_JWKS_URL_ENV, STAFF_ISSUER_ENV, STAFF_AUDIENCE_ENV] : []),
      ...(decl.departments === true ? [DEPARTMENTS_ENV] : []),
      ...(decl.auditExports !== undefined ? [EXPORT_BUCKET_ENV] : []),
      ...(decl.departments === true && decl.source !== undefined ? [RESULTS_URL_ENV] : []),
      ...(decl.watchesDeadLetters === true ? Object.keys(built.stateful.deadLetterQueues).map((q) => deadLetterQueueEnvVar(q as QueueName)) : []),
    ];
    expect(Object.keys(variables).sort()).toEqual(expected.sort());
    expect(variables).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'zhitong', [KEY_PROVIDER_ENV]: 'kms' });
    for (const table of Object.keys(decl.tables) as TableName[]) expect(mentions(variables[tableEnvVar(table)], tableId(table))).toBe(true);
  });

  it.each(functionNames)('%s runs nodejs22.x on arm64 with active tracing and the declared size', (name) => {
    expect(props(stateless, fnId(name))).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Timeout: functionDecls[name].timeoutSeconds,
      MemorySize: functionDecls[name].memoryMb,
    });
  });
});

describe('staff identity', () => {
  const userPoolId = (): string => logicalId(built.stateful, built.stateful.staffIdentity.userPool);
  const clientId = (): string => logicalId(built.stateful, built.stateful.staffIdentity.consoleClient);
  const staffFunctions = functionNames.filter((name) => functionDecls[name].tables.staff !== undefined);

  it('deploys no localOnly function (the local token issuer): no Lambda, no route', () => {
    expect(localOnlyNames.length).toBeGreaterThan(0);
    const descriptions = ofType(stateless, 'AWS::Lambda::Function').map(([, f]) => f.Properties?.Description);
    const methods = ofType(stateless, 'AWS::ApiGateway::Method').map(([, m]) => `${String(m.Properties?.HttpMethod)} ${methodPath(m)}`);
    for (const name of localOnlyNames) {
      expect(Object.keys(built.functions)).not.toContain(name);
      expect(descriptions).not.toContain(functionDecls[name].description);
      expect(methods).not.toContain(`${functionDecls[name].route?.method} ${functionDecls[name].route?.path}`);
    }
  });

  it('keeps staff in a retained, deletion-protected Cognito user pool: no sign-up, strong passwords, TOTP, threat protection', () => {
    const pool = stateful[userPoolId()]!;
    expect(pool.Type).toBe('AWS::Cognito::UserPool');
    expect(pool.DeletionPolicy).toBe('Retain');
    expect(pool.UpdateReplacePolicy).toBe('Retain');
    expect(pool.Properties).toMatchObject({
      DeletionProtection: 'ACTIVE',
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Policies: { PasswordPolicy: { MinimumLength: 12, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true } },
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
    });
  });

  it('gives the staff console a public SRP-only client with one-hour access tokens', () => {
    expect(props(stateful, clientId())).toMatchObject({
      GenerateSecret: false,
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
      AccessTokenValidity: 60,
    });
  });

  it.each(staffFunctions)("%s verifies staff tokens against the user pool's JWKS, issuer and console client", (name) => {
    expect(staffFunctions.length).toBeGreaterThan(0);
    const variables = (props(stateless, fnId(name)).Environment as { Variables: Record<string, unknown> }).Variables;
    for (const variable of [STAFF_JWKS_URL_ENV, STAFF_ISSUER_ENV]) expect(mentions(variables[variable], userPoolId()), variable).toBe(true);
    expect(JSON.stringify(variables[STAFF_JWKS_URL_ENV])).toContain('/.well-known/jwks.json');
    expect(mentions(variables[STAFF_AUDIENCE_ENV], clientId())).toBe(true);
  });
});

describe('the department connectors (DESIGN.md §7b)', () => {
  const connectors = ['taxConnector', 'tradingConnector'] as const;
  const withDepartments = functionNames.filter((name) => functionDecls[name].departments === true);
  const variablesOf = (resources: Resources, id: string) => (props(resources, id).Environment as { Variables: Record<string, unknown> }).Variables;
  const consumeActions = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility'];

  it('the topology declares the connectors and the results route with the registry, so these assertions bite', () => {
    expect(withDepartments.sort()).toEqual(['postDepartmentResult', 'taxConnector', 'tradingConnector']);
  });

  it.each(connectors)('%s consumes only its own queue, sends only progress events and status counts (and its audit records), and reaches departments over the internet (no VPC)', (name) => {
    const own = functionDecls[name].source!.queue;
    const consuming = statementsOf(name).filter((s) => actionsOf(s).some((a) => consumeActions.includes(a)));
    expect(consuming.length).toBeGreaterThan(0);
    for (const queue of queueNames) expect(consuming.some((s) => mentions(s.Resource, queueId(queue))), `${name} consumes ${queue}`).toBe(queue === own);
    // The effects runner performs what other transitions left pending on a filing, progress events and status counts included.
    const sending = statementsOf(name).filter((s) => actionsOf(s).includes('sqs:SendMessage'));
    for (const queue of queueNames)
      expect(sending.some((s) => mentions(s.Resource, queueId(queue))), `${name} sends to ${queue}`).toBe(queue === 'notifications' || queue === 'audit' || queue === 'statistics');
    expect(props(stateless, fnId(name)).VpcConfig).toBeUndefined();
  });

  it('only the functions that ask, cancel or inform departments may send to the department queues', () => {
    const senders = (queue: QueueName) => functionNames.filter((name) => statementsOf(name).some((s) => actionsOf(s).includes('sqs:SendMessage') && mentions(s.Resource, queueId(queue))));
    for (const queue of ['taxRequests', 'tradingRequests'] as const) {
      expect(senders(queue).sort()).toEqual(functionNames.filter((name) => (functionDecls[name].sends ?? []).includes(queue)).sort());
    }
  });

  it('hands the functions declared departments: true an empty registry by default, and the connectors the API results URL as replyTo', () => {
    for (const name of withDepartments) expect(variablesOf(stateless, fnId(name))[DEPARTMENTS_ENV]).toBe('[]');
    for (const name of connectors) {
      const url = JSON.stringify(variablesOf(stateless, fnId(name))[RESULTS_URL_ENV]);
      expect(url).toContain(logicalId(built.stateless, built.stateless.api));
      expect(url).toContain('/v1/departments/results');
    }
  });

  it('takes the registry from the `departments` context (a list, or its JSON text), validated at synth; and a results URL override', () => {
    const departments = [
      { departmentId: 'tax-lixia', kind: 'TAX', name: '历下区税务局', districts: ['370102'], endpoint: 'https://tax.example.cn/zt', publicKey: generateSm2KeyPair().publicKey },
      { departmentId: 'trading-jinan', kind: 'TRADING', name: '济南市住房交易中心', districts: ['370102'], endpoint: 'https://trading.example.cn/zt', publicKey: generateSm2KeyPair().publicKey },
    ];
    for (const value of [departments, JSON.stringify(departments)]) {
      const other = buildApp({ context: { stage: 'depts', 'aws:cdk:bundling-stacks': [], departments: value, resultsUrl: 'https://zt.example.cn/v1/departments/results' } });
      const resources = { ...Template.fromStack(other.stateless).toJSON().Resources, ...Template.fromStack(other.workers).toJSON().Resources } as Resources;
      const variables = (name: CloudFunctionName) => variablesOf(resources, logicalId(Stack.of(other.functions[name]), other.functions[name]));
      for (const name of withDepartments) expect(JSON.parse(String(variables(name)[DEPARTMENTS_ENV]))).toEqual(departments);
      for (const name of connectors) expect(variables(name)[RESULTS_URL_ENV]).toBe('https://zt.example.cn/v1/departments/results');
      // Nobody else is told the registry.
      for (const name of functionNames.filter((n) => !withDepartments.includes(n))) expect(variables(name)[DEPARTMENTS_ENV]).toBeUndefined();
    }
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a malformed registry', { departments: [{ departmentId: 'tax', kind: 'TAX' }] }, /DEPARTMENTS is not a valid department list/],
    ['a registry that is not JSON', { departments: '[{' }, /DEPARTMENTS is not valid JSON/],
    ['a results URL that is not https', { resultsUrl: 'http://zt.example.cn/results' }, /Invalid resultsUrl/],
    [
      'two tax departments serving one district',
      { departments: ['tax-a', 'tax-b'].map((departmentId) => ({ departmentId, kind: 'TAX', name: departmentId, districts: ['370102'], endpoint: 'https://tax.example.cn/zt', publicKey: generateSm2KeyPair().publicKey })) },
      /Two TAX departments serve district 370102/,
    ],
    [
      'a registry too large for a function environment',
      { departments: Array.from({ length: 12 }, (_, i) => ({ departmentId: `tax-${i}`, kind: 'TAX', name: `税务局${i}`, districts: [`3701${String(i).padStart(2, '0')}`, `3702${String(i).padStart(2, '0')}`], endpoint: `https://tax-${i}.example.cn/zhitong/requests`, publicKey: generateSm2KeyPair().publicKey })) },
      /at most 2500 fit/,
    ],
  ])('refuses %s at synth', (_why, context, error) => {
    expect(() => buildApp({ context: { stage: 'bad', 'aws:cdk:bundling-stacks': [], ...context } })).toThrow(error);
  });
});

describe('alarms', () => {
  it.each(queueNames)("%s's dead-letter queue alarms on its first message, to the encrypted alarm topic", (name) => {
    const alarms = ofType(stateless, 'AWS::CloudWatch::Alarm').filter(
      ([, a]) => a.Properties?.MetricName === 'ApproximateNumberOfMessagesVisible' && mentions(a.Properties?.Dimensions, dlqId(name)),
    );
    expect(alarms).toHaveLength(1);
    expect(alarms[0]![1].Properties).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(mentions(alarms[0]![1].Properties?.AlarmActions, logicalId(built.stateless, built.workers.alarmTopic))).toBe(true);
  });

  it.each(workers)('%s alarms on function errors', (name) => {
    const alarms = ofType(stateless, 'AWS::CloudWatch::Alarm').filter(
      ([, a]) => a.Properties?.MetricName === 'Errors' && mentions(a.Properties?.Dimensions, fnId(name)),
    );
    expect(alarms).toHaveLength(1);
  });

  it('the alarm topic is KMS-encrypted and SSL-only', () => {
    const topicId = logicalId(built.stateless, built.workers.alarmTopic);
    expect(props(stateless, topicId).KmsMasterKeyId).toBeDefined();
    const policies = ofType(stateless, 'AWS::SNS::TopicPolicy').filter(([, p]) => mentions(p.Properties?.Topics, topicId));
    expect(JSON.stringify(policies)).toContain('"aws:SecureTransport":"false"');
  });
});

describe('cdk-nag (AwsSolutions)', () => {
  it('leaves no unacknowledged finding in the validation report', () => {
    // cdk-nag 3 is a CDK validation plugin: findings go to validation-report.json in the assembly.
    const report = JSON.parse(readFileSync(join(assemblyDirectory, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; violations: { ruleName: string; severity: string }[] }[];
    };
    const violations = report.pluginReports.flatMap((r) => r.violations.map((v) => `${r.pluginName} ${v.severity} ${v.ruleName}`));
    expect(violations).toEqual([]);
  });

  it('finds nothing unacknowledged when run directly on the app', () => {
    const { violations } = new AwsSolutionsChecks().validateScope(built.app);
    expect(violations.map((v) => `${v.severity} ${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });

  it('gives every acknowledgement a written reason', () => {
    const acknowledgements = built.app.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledgements) expect(reason.length, id).toBeGreaterThanOrEqual(60);
  });
});
