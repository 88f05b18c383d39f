/**
 * The stateful stack: everything that holds data — the DynamoDB tables and SQS queues declared in
 * `infra/topology.ts`, and the KMS keys that protect them. Nothing here is ever deleted with the stack
 * (RETAIN, deletion protection); the stateless stacks (API, workers) receive these resources as props and can be torn
 * down and rebuilt freely (clean-serverless-code's stateful/stateless split, STYLE.md).
 */
import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption, type ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Key, KeySpec, KeyUsage, type IKey } from 'aws-cdk-lib/aws-kms';
import { Queue, QueueEncryption, type IQueue } from 'aws-cdk-lib/aws-sqs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectLockRetention, ObjectOwnership, type IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import {
  queues as queueDecls,
  tables as tableDecls,
  visibilityTimeoutSeconds,
  type QueueDecl,
  type QueueName,
  type TableDecl,
  type TableName,
} from '../topology';
import { StaffIdentity } from './staff-identity';

const pascalCase = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);
/** `Object.entries` that keeps the topology's key type. */
const entriesOf = <K extends string, V>(record: Readonly<Record<K, V>>): [K, V][] => Object.entries(record) as [K, V][];

/** What the stateless stacks need from this one. */
/** The export bucket's name: stage and account, so that two stages or accounts never collide. */
export const auditExportBucketName = (stage: string): string => `zhitong-${stage}-audit-exports-${Aws.ACCOUNT_ID}`;

export interface StatefulResources {
  readonly tables: Readonly<Record<TableName, ITable>>;
  readonly queues: Readonly<Record<QueueName, IQueue>>;
  readonly deadLetterQueues: Readonly<Record<QueueName, IQueue>>;
  /** Wraps the per-tenant personal-data keys (DESIGN §5 envelope encryption). */
  readonly piiKey: IKey;
  /** The platform's own SM2 signing key: webhook deliveries now, e-certificates later (DESIGN §3 Progress). */
  readonly platformSigningKey: IKey;
  /**
   * The audit log's SM2 signing key (DESIGN.md §5): tree heads only, kms:Sign for the checkpoint function
   * alone — a key the writers of the log cannot use.
   */
  readonly logSigningKey: IKey;
  /** The Cognito user pool of registry staff: staff functions verify its access tokens. */
  readonly staffIdentity: StaffIdentity;
  /** Audit log exports under Object Lock (compliance mode). */
  readonly auditExportBucket: IBucket;
}

/**
 * Key specs the platform signing key may have (context `platformKeySpec`). SM2 — what receivers verify —
 * exists only in the China regions (cn-north-1, cn-northwest-1). `ECC_NIST_P256` lets the stacks deploy
 * elsewhere (e.g. an infrastructure rehearsal in another partition); the notifier then refuses to sign
 * with it (KmsPlatformSigner checks the key spec), so deliveries dead-letter and alarm instead of carrying
 * signatures no receiver can verify.
 */
export const PLATFORM_KEY_SPECS = { SM2: KeySpec.SM2, ECC_NIST_P256: KeySpec.ECC_NIST_P256 } as const;
export type PlatformKeySpec = keyof typeof PLATFORM_KEY_SPECS;
const isPlatformKeySpec = (value: unknown): value is PlatformKeySpec => typeof value === 'string' && Object.hasOwn(PLATFORM_KEY_SPECS, value);

export interface StatefulStackProps extends StackProps {
  /** Deployment stage (`dev`, `prod`, ...), part of key aliases. */
  readonly stage: string;
}

export class StatefulStack extends Stack implements StatefulResources {
  readonly tables: Record<TableName, Table>;
  readonly queues: Record<QueueName, Queue>;
  readonly deadLetterQueues: Record<QueueName, Queue>;
  readonly piiKey: Key;
  readonly platformSigningKey: Key;
  readonly logSigningKey: Key;
  readonly staffIdentity: StaffIdentity;
  /** Encrypts the tables at rest. */
  readonly tableKey: Key;
  /** Encrypts queue messages (and dead letters) at rest. */
  readonly queueKey: Key;
  /** Audit log exports, under Object Lock in compliance mode. */
  readonly auditExportBucket: Bucket;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const aliasPrefix = `alias/zhitong/${props.stage}`;

    // Three keys, three blast radii: a grant that lets a function read a table's ciphertext at rest
    // says nothing about the personal-data keys, and vice versa.
    this.piiKey = this.customerManagedKey('PiiKey', `${aliasPrefix}/pii`,
      'Zhitong: wraps per-tenant SM4 personal-data keys (envelope encryption, tenant bound in the encryption context)');
    this.tableKey = this.customerManagedKey('TableKey', `${aliasPrefix}/tables`, 'Zhitong: DynamoDB tables at rest');
    this.queueKey = this.customerManagedKey('QueueKey', `${aliasPrefix}/queues`, 'Zhitong: SQS queues and dead-letter queues at rest');
    this.platformSigningKey = this.platformKey(`${aliasPrefix}/platform-signing`);
    this.logSigningKey = this.signingKey('AuditLogSigningKey', `${aliasPrefix}/audit-log-signing`,
      'Zhitong: the audit log SM2 signing key (signed tree heads; kms:Sign for the checkpoint function only)');
    this.staffIdentity = new StaffIdentity(this, 'StaffIdentity', { stage: props.stage });
    this.auditExportBucket = this.exportBucket(props.stage);

    const tables: Partial<Record<TableName, Table>> = {};
    for (const [name, decl] of entriesOf<TableName, TableDecl>(tableDecls)) {
      tables[name] = this.table(name, decl);
    }
    this.tables = tables as Record<TableName, Table>;

    const queues: Partial<Record<QueueName, Queue>> = {};
    const deadLetterQueues: Partial<Record<QueueName, Queue>> = {};
    for (const [name, decl] of entriesOf<QueueName, QueueDecl>(queueDecls)) {
      const { queue, deadLetterQueue } = this.queueWithDeadLetterQueue(name, decl);
      queues[name] = queue;
      deadLetterQueues[name] = deadLetterQueue;
    }
    this.queues = queues as Record<QueueName, Queue>;
    this.deadLetterQueues = deadLetterQueues as Record<QueueName, Queue>;
  }

  /**
   * Audit log exports (DESIGN.md §5; 004 第二十三条: logs kept ≥ 1 year, data provided and core incidents ≥ 3):
   * Object Lock in COMPLIANCE mode, 400 days by default (the OPERATIONS class) — each export is locked until the
   * longest class it holds expires (S3ExportStore sets its own date) — so nobody, the account root included,
   * can delete or overwrite an export before its time. Versioned (Object Lock requires it), encrypted, private,
   * TLS only, and retained with the stack.
   */
  private exportBucket(stage: string): Bucket {
    const bucket = new Bucket(this, 'AuditExports', {
      // A name known to both stacks (no cross-stack export): the functions' grant names it and its prefix.
      bucketName: auditExportBucketName(stage),
      objectLockEnabled: true,
      objectLockDefaultRetention: ObjectLockRetention.compliance(Duration.days(400)),
      versioned: true,
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Every read and write of an export goes through the staff API, which audits the call in the tamper-evident audit log itself; S3 server access logs would need a second bucket of their own with no stronger guarantee.',
    });
    return bucket;
  }

  private customerManagedKey(id: string, alias: string, description: string): Key {
    return new Key(this, id, {
      description,
      alias,
      enableKeyRotation: true,
      // Losing a key loses every ciphertext under it: never delete with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * The platform's asymmetric signing key (`-c platformKeySpec=SM2` by default; see PLATFORM_KEY_SPECS).
   * Asymmetric KMS keys cannot rotate automatically: a new key is a new `keyId` in the signature header,
   * announced to institutions through GET /v1/channel/webhook before it is used.
   */
  private platformKey(alias: string): Key {
    return this.signingKey('PlatformSigningKey', alias, 'Zhitong: the platform SM2 signing key (webhook deliveries to institutions; e-certificates later)');
  }

  /** An asymmetric SM2 signing key of the spec `platformKeySpec` selects (the log key follows the platform key's spec). */
  private signingKey(id: string, alias: string, description: string): Key {
    const spec: unknown = this.node.tryGetContext('platformKeySpec') ?? 'SM2';
    if (!isPlatformKeySpec(spec)) {
      throw new Error(`Invalid platformKeySpec "${String(spec)}": one of ${Object.keys(PLATFORM_KEY_SPECS).join(', ')}`);
    }
    return new Key(this, id, {
      description,
      alias,
      keySpec: PLATFORM_KEY_SPECS[spec],
      keyUsage: KeyUsage.SIGN_VERIFY,
      // Institutions verify with its public key: losing it would orphan every signature they hold.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  private table(name: TableName, decl: TableDecl): Table {
    const table = new Table(this, `${pascalCase(name)}Table`, {
      partitionKey: { name: decl.partitionKey, type: AttributeType.STRING },
      sortKey: { name: decl.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.tableKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      timeToLiveAttribute: decl.ttlAttribute,
    });
    for (const index of decl.globalIndexes ?? []) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        ...(index.include === undefined ? { projectionType: ProjectionType.ALL } : { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...index.include] }),
      });
    }
    new CfnOutput(this, `${pascalCase(name)}TableName`, { value: table.tableName, description: decl.purpose });
    return table;
  }

  private queueWithDeadLetterQueue(name: QueueName, decl: QueueDecl): { queue: Queue; deadLetterQueue: Queue } {
    const common = {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: this.queueKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(decl.retentionDays),
      // Messages in flight (and dead letters awaiting a fix) are data too.
      removalPolicy: RemovalPolicy.RETAIN,
    };
    // A FIFO queue's dead-letter queue must be FIFO too; senders set group and deduplication ids.
    const fifo = decl.fifo === true ? { fifo: true, contentBasedDeduplication: false } : {};
    const deadLetterQueue = new Queue(this, `${pascalCase(name)}DeadLetterQueue`, { ...common, ...fifo });
    const queue = new Queue(this, `${pascalCase(name)}Queue`, {
      ...common,
      ...fifo,
      // At least six times the consumer's timeout, so a slow batch is not redelivered while still running.
      visibilityTimeout: Duration.seconds(visibilityTimeoutSeconds(name)),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: decl.maxReceiveCount },
    });
    new CfnOutput(this, `${pascalCase(name)}QueueUrl`, { value: queue.queueUrl, description: decl.purpose });
    return { queue, deadLetterQueue };
  }
}
