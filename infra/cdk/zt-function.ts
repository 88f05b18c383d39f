/**
 * `ZtFunction`: every Zhitong Lambda function, with the house defaults owned in one place (runtime,
 * architecture, tracing, its own log group, ESM bundling with the local esbuild) and `bind*` methods
 * that grant a permission AND hand the function the name it needs in one step, so a function can never
 * hold a grant it has no variable for, or a variable it has no grant for (STYLE.md: Powertools'
 * `bindTable({ table, accessMode })`).
 */
import { Aws, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { TableGrants, type ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  DEPARTMENTS_ENV,
  EXPORT_BUCKET_ENV,
  KEY_PROVIDER_ENV,
  LOG_SIGNING_KEY_ENV,
  PII_KEY_ENV,
  PLATFORM_SIGNING_KEY_ENV,
  queueEnvVar,
  deadLetterQueueEnvVar,
  RESULTS_URL_ENV,
  tableEnvVar,
  tables as tableDecls,
  type Access,
  type FunctionDecl,
  type QueueName,
  type TableDecl,
  type TableName,
} from '../topology';
import { PII_CONTEXT_KEYS, PII_CONTEXT_PURPOSE, PII_CONTEXT_TENANT_KEY } from '../../functions/adapters/keys/pii-context';

export interface ZtFunctionProps {
  /** Absolute path of the module that exports `handler`. */
  readonly entry: string;
  /** Repository root: where esbuild resolves `node_modules` and `package-lock.json`. */
  readonly projectRoot: string;
  readonly description: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** Powertools log level; INFO unless told otherwise (DEBUG may log event bodies, i.e. personal data). */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** How long the function's own logs are kept. */
  readonly logRetention?: RetentionDays;
}

/**
 * Runtime used by every function. nodejs22.x rather than the newest Lambda runtime: the code is
 * developed and tested on Node 20/22 (package.json engines) and the bundle targets the same version.
 */
export const ZT_RUNTIME = Runtime.NODEJS_22_X;

/**
 * ESM output needs a real `require` for the CommonJS dependencies that esbuild inlines (they call
 * `require('node:crypto')` and friends at run time). Aliased so it cannot clash with bundled names.
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __ztCreateRequire } from 'node:module'; const require = __ztCreateRequire(import.meta.url);";

export class ZtFunction extends NodejsFunction {
  private kmsWildcardsAcknowledged = false;

  constructor(scope: Construct, id: string, props: ZtFunctionProps) {
    // One log group per function, created (and its retention set) by CloudFormation rather than by
    // Lambda on first invocation, so retention is never "forever" and no custom resource is needed.
    const logGroup = new LogGroup(scope, `${id}LogGroup`, {
      retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
      // Function logs can be needed to trace an incident (004 第二十三条); keep them when the stack goes.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Our own role instead of the default one: it would attach the AWS-managed
    // AWSLambdaBasicExecutionRole (logs:* on every log group). This role may write to its own log group only.
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${id}: least privilege, from infra/topology.ts`,
    });
    logGroup.grantWrite(role);

    super(scope, id, {
      entry: props.entry,
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: `${props.projectRoot}/package-lock.json`,
      description: props.description,
      runtime: ZT_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memoryMb,
      timeout: Duration.seconds(props.timeoutSeconds),
      tracing: Tracing.ACTIVE,
      role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      environment: {
        POWERTOOLS_SERVICE_NAME: 'zhitong',
        POWERTOOLS_METRICS_NAMESPACE: 'Zhitong',
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        [KEY_PROVIDER_ENV]: 'kms',
        // Stack traces in the logs point at the TypeScript source (the bundle ships its .map file).
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        // Domain errors are mapped to problem+json by class; keep class and function names readable.
        keepNames: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: false,
        // The AWS SDK v3 is bundled, not taken from the runtime: package.json pins the exact client
        // versions the code is tested with (against the local emulators), whereas the runtime's copy
        // changes whenever AWS updates it. Bundled, the deployed code runs the tested SDK; minified and
        // tree-shaken, each bundle (SDK, zod, Powertools included) stays near 1 MB (1.2 MB at most, with the X-Ray SDK the Tracer brings).
        bundleAwsSDK: true,
        externalModules: [],
        // Offline and reproducible: the esbuild in node_modules, never a Docker image.
        forceDockerBundling: false,
        logLevel: LogLevel.WARNING,
      },
    });

    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active X-Ray tracing (DESIGN §6) adds xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions; Resource "*" is the only valid scope.',
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Runtime pinned to nodejs22.x on purpose: the bundle targets node22 and the code is tested on Node 20/22; moving to a newer runtime is a deliberate, tested upgrade, not a silent default.',
    });
  }

  /** Grants `access` on the table and sets the variable (TABLE_<NAME>) that tells the function its name. */
  bindTable(name: TableName, table: ITable, access: Access): this {
    // Grants on the table itself (and its key); readers get its declared indexes by name below, rather
    // than the `<table>/index/*` wildcard CDK's own table grants add as soon as a table has an index.
    const grants = TableGrants.fromTable(table, undefined, false);
    switch (access) {
      case 'read':
        grants.readData(this);
        break;
      case 'write':
        grants.writeData(this);
        break;
      case 'readWrite':
        grants.readWriteData(this);
        break;
    }
    const indexes = (tableDecls as Readonly<Record<TableName, TableDecl>>)[name].globalIndexes ?? [];
    if (access !== 'write' && indexes.length > 0) {
      Grant.addToPrincipal({ grantee: this, actions: ['dynamodb:Query'], resourceArns: indexes.map((index) => `${table.tableArn}/index/${index.name}`) });
    }
    this.addEnvironment(tableEnvVar(name), table.tableName);
    if (access !== 'read' && table.encryptionKey !== undefined) this.acknowledgeKmsWriteWildcards();
    return this;
  }

  /** Grants sending to the queue and sets the variable (QUEUE_<NAME>_URL) holding its URL. */
  bindQueue(name: QueueName, queue: IQueue): this {
    queue.grantSendMessages(this);
    this.addEnvironment(queueEnvVar(name), queue.queueUrl);
    if (queue.encryptionMasterKey !== undefined) this.acknowledgeKmsWriteWildcards();
    return this;
  }

  /**
   * Lets a function declared `watchesDeadLetters` (the incident watch) read each dead-letter queue's depth
   * (sqs:GetQueueAttributes only: it neither receives nor deletes dead letters) and tells it their URLs.
   */
  bindDeadLetterQueues(decl: FunctionDecl, deadLetterQueues: Readonly<Record<QueueName, IQueue>>): this {
    if (decl.watchesDeadLetters !== true) return this;
    for (const [name, queue] of Object.entries(deadLetterQueues) as [QueueName, IQueue][]) {
      this.addToRolePolicy(new PolicyStatement({ actions: ['sqs:GetQueueAttributes'], resources: [queue.queueArn] }));
      this.addEnvironment(deadLetterQueueEnvVar(name), queue.queueUrl);
    }
    return this;
  }

  /**
   * Lets the function unwrap (Decrypt) per-tenant personal-data keys with the PII key (DESIGN §5 envelope
   * encryption) and, when it may write the `keys` table (`keysAccess` other than `read`), wrap new ones
   * (GenerateDataKey) — and nothing else: no Encrypt, ReEncrypt or key admin. A function that cannot
   * store a wrapped key has no use for a new one.
   *
   * Both only under the vault's encryption context (personal-data-vault.ts: `{ tenant, purpose: 'pii' }`):
   * exactly the keys `tenant` and `purpose`, `purpose` = `pii`, and a `tenant` present. The tenant itself
   * cannot be pinned (a function serves every district); KMS binds it into each wrapped key, so a key
   * unwraps only under the tenant it was made for.
   */
  bindPiiKey(key: IKey, keysAccess: Access | undefined): this {
    const actions = keysAccess === 'write' || keysAccess === 'readWrite' ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'];
    this.addToRolePolicy(
      new PolicyStatement({
        sid: 'PiiKeyUnderTenantContext',
        actions,
        resources: [key.keyArn],
        conditions: {
          StringEquals: { [`kms:EncryptionContext:${PII_CONTEXT_PURPOSE.key}`]: PII_CONTEXT_PURPOSE.value },
          'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': [...PII_CONTEXT_KEYS] },
          Null: { [`kms:EncryptionContext:${PII_CONTEXT_TENANT_KEY}`]: 'false' },
        },
      }),
    );
    this.addEnvironment(PII_KEY_ENV, key.keyArn);
    return this;
  }

  /**
   * Lets the function use the platform signing key as its declaration says (`platformKey`) and tells it
   * the key: kms:Sign and kms:GetPublicKey to sign, GetPublicKey alone to publish the public key. Never
   * Verify, Decrypt or key admin.
   */
  bindPlatformKey(decl: FunctionDecl, key: IKey): this {
    const access = decl.platformKey;
    if (access === undefined) return this;
    if (access === 'sign') key.grant(this, 'kms:Sign', 'kms:GetPublicKey');
    else key.grant(this, 'kms:GetPublicKey');
    this.addEnvironment(PLATFORM_SIGNING_KEY_ENV, key.keyArn);
    return this;
  }

  /**
   * Lets the function use the audit log's signing key as its declaration says (`logKey`): kms:Sign and
   * kms:GetPublicKey for the checkpoint, GetPublicKey alone to publish the key. Nobody else is granted
   * anything on it (DESIGN.md §5: the writers of the log cannot sign its heads).
   */
  bindLogKey(decl: FunctionDecl, key: IKey): this {
    const access = decl.logKey;
    if (access === undefined) return this;
    if (access === 'sign') key.grant(this, 'kms:Sign', 'kms:GetPublicKey');
    else key.grant(this, 'kms:GetPublicKey');
    this.addEnvironment(LOG_SIGNING_KEY_ENV, key.keyArn);
    return this;
  }

  /**
   * Lets a function declared `auditExports` use the export bucket: `write` puts (and reads back) exports with
   * their Object Lock retention, `read` serves them; never delete, never change a lock. Sets EXPORT_BUCKET.
   */
  bindAuditExports(decl: FunctionDecl, bucketName: string): this {
    const access = decl.auditExports;
    if (access === undefined) return this;
    // Objects under exports/ only, and only these actions: no list, no delete, no retention or legal-hold change.
    this.addToRolePolicy(new PolicyStatement({ actions: access === 'write' ? ['s3:GetObject', 's3:PutObject'] : ['s3:GetObject'], resources: [`arn:${Aws.PARTITION}:s3:::${bucketName}/exports/*`] }));
    if (this.role) {
      Validations.of(this.role).acknowledge({
        // cdk-nag names the finding by the resource with its pseudo parameters spelled <AWS::…>.
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${bucketName.replace(Aws.ACCOUNT_ID, '<AWS::AccountId>')}/exports/*]`,
        reason: 'Export keys are exports/<exportId>.jsonl, chosen per export: the grant names the bucket and the exports/ prefix, with GetObject (and PutObject to create) only.',
      });
    }
    this.addEnvironment(EXPORT_BUCKET_ENV, bucketName);
    return this;
  }

  /**
   * Hands a function declared `departments: true` the department registry (DESIGN.md §7b: id, kind,
   * districts, endpoint, SM2 public key — configuration, not code, and no secret: public keys and URLs).
   * Reaching the endpoints needs no grant: the function runs outside any VPC and connects out over HTTPS.
   * `resultsUrl`, for the connectors, is what their requests name as `replyTo`.
   */
  bindDepartments(decl: FunctionDecl, departments: string, resultsUrl?: string): this {
    if (decl.departments !== true) return this;
    this.addEnvironment(DEPARTMENTS_ENV, departments);
    if (resultsUrl !== undefined) this.addEnvironment(RESULTS_URL_ENV, resultsUrl);
    return this;
  }

  /**
   * Writing to a table or queue encrypted with a customer-managed key makes the grant helpers add
   * `kms:GenerateDataKey*` and `kms:ReEncrypt*` on that resource's own key ARN (the resource is
   * specific; only the action names carry a wildcard). Acknowledged once per role.
   */
  private acknowledgeKmsWriteWildcards(): void {
    const role = this.role;
    if (role === undefined || this.kmsWildcardsAcknowledged) return;
    this.kmsWildcardsAcknowledged = true;
    for (const action of ['kms:GenerateDataKey*', 'kms:ReEncrypt*']) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason:
          "Added by the CDK grant for writing to a KMS-encrypted table or queue (bindTable/bindQueue); each such statement names only that resource's customer-managed key ARN, and DynamoDB/SQS server-side encryption needs the data-key actions.",
      });
    }
  }
}
