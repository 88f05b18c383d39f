/**
 * The one declaration of Zhitong's moving parts: tables, queues, functions, routes, and which queue
 * feeds which worker. The CDK app (`infra/cdk`) and the local runtime (`infra/local`) both read this
 * and nothing else, so a route or a queue cannot exist in one runtime and not the other (STYLE.md habit 6).
 *
 * Names here are logical. Each runtime turns them into physical names and hands them to the functions
 * through the environment variables that {@link tableEnvVar} and {@link queueEnvVar} name.
 */

export type TableName = 'channels' | 'filings' | 'register' | 'guards' | 'keys' | 'audit' | 'staff' | 'certificates' | 'checklists' | 'credit' | 'security' | 'statistics';
export type QueueName = 'intake' | 'intakeUrgent' | 'notifications' | 'taxRequests' | 'tradingRequests' | 'credit' | 'audit' | 'auditCheckpoints' | 'statistics';
export type Access = 'read' | 'write' | 'readWrite';

export interface TableDecl {
  /** Partition key attribute (string). Keys are tenant- or owner-prefixed strings, e.g. `CH#...`. */
  readonly partitionKey: string;
  /** Sort key attribute (string). */
  readonly sortKey: string;
  /** Attribute holding an epoch-seconds expiry; readers treat expired items as absent. */
  readonly ttlAttribute?: string;
  /**
   * `include` names the only attributes (besides the keys) the index copies: indexes that readers use for
   * ids and summaries never hold the items' sealed personal data, and cost less to write.
   */
  readonly globalIndexes?: readonly { readonly name: string; readonly partitionKey: string; readonly sortKey: string; readonly include?: readonly string[] }[];
  /** Why this table exists, for the reader and for the CDK construct's description. */
  readonly purpose: string;
}

export interface QueueDecl {
  /** Deliveries before a message moves to the queue's dead-letter queue. */
  readonly maxReceiveCount: number;
  /** Days a message (and a dead letter) is kept. */
  readonly retentionDays: number;
  /**
   * An SQS FIFO queue (physical name ending `.fifo`, its dead-letter queue FIFO too, content-based
   * deduplication off: senders set MessageGroupId and MessageDeduplicationId). Messages of one group are
   * delivered in order, one batch of a group at a time; a failed message blocks the rest of its group.
   */
  readonly fifo?: boolean;
  readonly purpose: string;
}

export interface HttpRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API Gateway resource path; `{name}` marks a path parameter. */
  readonly path: string;
}

export interface FunctionDecl {
  /** Path from the repository root to the module that exports `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** Set for API functions: the route that invokes this function. */
  readonly route?: HttpRoute;
  /** Set for scheduled functions: how often the scheduler (EventBridge; a timer locally) invokes it. */
  readonly schedule?: { readonly everyMinutes: number };
  /** Set for workers: the queue whose messages invoke this function, in batches. */
  readonly source?: { readonly queue: QueueName; readonly batchSize: number; readonly maxConcurrency?: number };
  /** Least privilege: each table the function touches and how. */
  readonly tables: Partial<Record<TableName, Access>>;
  /**
   * Queues the function sends to. A function that records audit entries sends them to `audit` (the log's
   * FIFO queue): only the appender and the checkpoint touch the `audit` table (DESIGN.md §5).
   */
  readonly sends?: readonly QueueName[];
  /**
   * Whether the function opens or seals personal data: it unwraps per-tenant data keys with the PII KMS key
   * (kms:Decrypt), and wraps new ones (kms:GenerateDataKey) only if it may also write the `keys` table.
   * Goes with a grant on the `keys` table, where the wrapped keys live.
   */
  readonly usesPiiKey?: boolean;
  /**
   * What the function does with the platform's SM2 key: `sign` (webhooks now, e-certificates later), or
   * `publicKey` to hand out the public key that verifies those signatures.
   */
  readonly platformKey?: 'sign' | 'publicKey';
  /**
   * What the function does with the audit log's SM2 signing key (DESIGN.md §5: tree heads are signed with a
   * key the writers cannot use): `sign` (the checkpoint alone), or `publicKey` to publish the key that
   * verifies tree heads and receipts.
   */
  readonly logKey?: 'sign' | 'publicKey';
  /**
   * Access to the audit export bucket (S3 Object Lock, compliance mode): `write` creates exports (and reads
   * them back), `read` serves them. The CDK app grants it and sets `EXPORT_BUCKET`; locally `ZT_EXPORT_DIR`.
   */
  readonly auditExports?: 'read' | 'write';
  /**
   * Whether the function reads the department registry (DESIGN.md §7b): configuration, handed over in the
   * {@link DEPARTMENTS_ENV} variable (CDK context `departments` on AWS; the simulators locally).
   */
  readonly departments?: boolean;
  /**
   * Served by the local runtime only: the local token issuer for staff. On AWS, the Cognito user pool
   * plays that role, so the CDK app creates no function for it.
   */
  readonly localOnly?: boolean;
  /**
   * Whether the function looks into every dead-letter queue of the topology (GetQueueAttributes only, never
   * a receive): the incident watch, which opens a SYSTEM_ANOMALY incident for a DLQ holding messages. Each
   * DLQ's URL comes in {@link deadLetterQueueEnvVar}.
   */
  readonly watchesDeadLetters?: boolean;
}

export const tables = {
  channels: {
    partitionKey: 'pk',
    sortKey: 'sk',
    purpose: 'Institutions and their channels: type, grants, SM2 public key, status.',
  },
  filings: {
    partitionKey: 'pk',
    sortKey: 'sk',
    // Staff worklists: filings of one district in one status, oldest change first (002 五(二)1).
    // Sparse: filings whose outbox holds effects not yet performed, per district (the sweeper heals them).
    globalIndexes: [
      {
        name: 'byDistrictStatus',
        partitionKey: 'gsi1pk',
        sortKey: 'gsi1sk',
        include: ['filingId', 'businessType', 'unitCode', 'institutionId', 'district', 'status', 'updatedAt', 'urgent', 'flaggedForStaff', 'approvalStartedAt'],
      },
      { name: 'byPendingEffects', partitionKey: 'gsi2pk', sortKey: 'gsi2sk', include: ['filingId', 'district', 'status', 'updatedAt'] },
    ],
    purpose: 'Batches, filings (with their history and the outbox of pending lifecycle effects) and per-unit disposition locks.',
  },
  register: {
    partitionKey: 'pk',
    sortKey: 'sk',
    purpose: 'The register (登记簿): one versioned item per unit with its owners, mortgages, seizures and notices; the districts it holds.',
  },
  guards: {
    partitionKey: 'pk',
    sortKey: 'sk',
    ttlAttribute: 'expiresAt',
    purpose: 'Request guards: single-use nonces, Idempotency-Key records, rate and failure counters, per-minute counts of denied unauthenticated calls.',
  },
  keys: {
    partitionKey: 'pk',
    sortKey: 'sk',
    purpose: 'Per-tenant personal-data keys, stored only wrapped by the PII KMS key.',
  },
  audit: {
    partitionKey: 'pk',
    sortKey: 'sk',
    // Entries expire by retention class (DESIGN.md §5); tree nodes, heads and tree heads never do.
    ttlAttribute: 'expiresAt',
    // byTenantTime / byActor / byTarget: auditors' search (002 五(二)4), oldest first within a key.
    // byUnsigned (sparse, sharded 16 ways by tenant): the heads of logs holding entries no tree head signs yet.
    globalIndexes: [
      { name: 'byTenantTime', partitionKey: 'tpk', sortKey: 'tsk' },
      { name: 'byActor', partitionKey: 'apk', sortKey: 'ask' },
      { name: 'byTarget', partitionKey: 'gpk', sortKey: 'gsk' },
      { name: 'byUnsigned', partitionKey: 'upk', sortKey: 'usk', include: ['tenant', 'treeSize', 'signedSize'] },
    ],
    purpose:
      "The audit log (DESIGN.md §5): per tenant, a Merkle log's head (size, right edge, root, the last commit's entries until materialised), its entries in sequence, the perfect-subtree hashes, the deduplication keys and the signed tree heads.",
  },
  staff: {
    partitionKey: 'pk',
    sortKey: 'sk',
    purpose: 'Registry staff accounts: role, district, status (a deactivated account is refused on its next request).',
  },
  certificates: {
    partitionKey: 'pk',
    sortKey: 'sk',
    purpose: 'E-certificates (不动产登记证明 / 不动产权证书): signed documents, their numbers, and the number allocated to each filing.',
  },
  checklists: {
    partitionKey: 'pk',
    sortKey: 'sk',
    purpose: 'Material checklists per business type, versioned; a change applies to filings submitted after it (002 二(一)3, 五(二)2).',
  },
  credit: {
    partitionKey: 'pk',
    sortKey: 'sk',
    // byGrade: channel states by grade, lowest score first (credit officers' lists).
    // byType: channel states by institution type and institution (peer comparison, institution roll-up).
    // byStatus: cases and appeals by status, newest first (officers' work queues).
    globalIndexes: [
      { name: 'byGrade', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
      { name: 'byType', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
      { name: 'byStatus', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
    ],
    purpose:
      "Credit (002 三(一)6): each channel's state and immutable ledger, appeals, institution-wide sanctions, shutoff cases with their rectification reports, and the versioned credit rules.",
  },
  security: {
    partitionKey: 'pk',
    sortKey: 'sk',
    // byStatus: incidents by status, earliest deadline first (the incident watch and the staff list);
    // misuse alerts newest first.
    globalIndexes: [{ name: 'byStatus', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
    purpose:
      'Security operations (DESIGN.md §5): incidents with their 1-hour and 6-hour deadlines (003 第十八条), the versioned insider-misuse rules and the alerts they raised (004 第二十五条).',
  },
  statistics: {
    partitionKey: 'pk',
    sortKey: 'sk',
    purpose:
      'Statistics (002 五(二)4, 三(一)6): day buckets of filing counts per district and business type and per channel, kept by the statistics worker from the lifecycle\'s status changes (counts only, no personal data).',
  },
} as const satisfies Record<TableName, TableDecl>;

export const queues = {
  intake: {
    maxReceiveCount: 5,
    retentionDays: 14,
    purpose: 'Filings waiting for machine-assisted intake review (one message per filing, no personal data).',
  },
  intakeUrgent: {
    maxReceiveCount: 5,
    retentionDays: 14,
    purpose: 'The priority lane of intake: filings marked urgent by staff (003 第十三条), served by their own worker concurrency.',
  },
  notifications: {
    maxReceiveCount: 8,
    retentionDays: 4,
    purpose: "Filing progress events to deliver to institutions' webhooks (ids and statuses only, no personal data).",
  },
  taxRequests: {
    maxReceiveCount: 8,
    retentionDays: 14,
    purpose: 'Requests, cancellations and registration results to deliver to the tax department (ids only; the connector reads the filing).',
  },
  tradingRequests: {
    maxReceiveCount: 8,
    retentionDays: 14,
    purpose: 'Requests, cancellations and registration results to deliver to the housing-trading department (ids only).',
  },
  credit: {
    maxReceiveCount: 8,
    retentionDays: 14,
    purpose: 'Credit signals (DESIGN.md §4) from the lifecycle and the channel edge to the credit worker (ids and codes only); none is lost while the worker is down.',
  },
  audit: {
    maxReceiveCount: 10,
    retentionDays: 14,
    fifo: true,
    purpose:
      "Audit records on their way to their tenant's log (DESIGN.md §5): one message group per tenant, so the one appender of a tenant gives them sequence numbers in order; deduplicated on the record's key.",
  },
  statistics: {
    maxReceiveCount: 8,
    retentionDays: 14,
    purpose: 'Filing status changes (ids, codes, times) from the lifecycle to the statistics worker, which counts each once; none is lost while the worker is down.',
  },
  auditCheckpoints: {
    maxReceiveCount: 8,
    retentionDays: 4,
    purpose: 'Requests to sign a tenant log\'s tree head (`{tenant}`), sent by the appender at most every few seconds per tenant; the minute sweep catches any lost.',
  },
} as const satisfies Record<QueueName, QueueDecl>;

/** Which connector queue carries each department kind's deliveries (DESIGN.md §7b). */
export const DEPARTMENT_QUEUES = { TAX: 'taxRequests', TRADING: 'tradingRequests' } as const satisfies Record<'TAX' | 'TRADING', QueueName>;

/**
 * A department connector (DESIGN.md §7b): one per department kind, fed by its own queue, with the same
 * grants — the filing (it records deliveries), the keys to open the parties it seals for the department, the
 * certificate number for registration results, the platform key to sign, the department registry, and the
 * notifications queue for progress events other transitions left pending on a filing.
 */
const departmentConnector = (kind: keyof typeof DEPARTMENT_QUEUES, entry: string, description: string) =>
  ({
    entry,
    description,
    timeoutSeconds: 30,
    memoryMb: 512,
    source: { queue: DEPARTMENT_QUEUES[kind], batchSize: 10, maxConcurrency: 5 },
    tables: { filings: 'readWrite', keys: 'read', certificates: 'read' },
    sends: ['notifications', 'statistics', 'audit'],
    usesPiiKey: true,
    platformKey: 'sign',
    departments: true,
  }) as const satisfies FunctionDecl;

/**
 * A staff endpoint that reads credit records (officers' lists and views): the staff account, the request
 * guards and the call audit, and the credit table read-only.
 */
const creditReader = (entry: string, route: HttpRoute, description: string, memoryMb: number, extra: Partial<Record<TableName, Access>> = {}) =>
  ({
    entry,
    description,
    timeoutSeconds: 10,
    memoryMb,
    route,
    tables: { staff: 'readWrite', guards: 'readWrite', security: 'readWrite', credit: 'read', ...extra },
    sends: ['audit'],
  }) as const satisfies FunctionDecl;

/**
 * A credit officer's decision (a violation, a shutoff, a rectification decided, a reopening, an appeal
 * decided): it re-derives the channels concerned through the credit mechanism, so it writes credit records,
 * projects the standing onto channel records and sends credit notices.
 */
const creditDecision = (entry: string, route: HttpRoute, description: string) =>
  ({
    entry,
    description,
    timeoutSeconds: 10,
    memoryMb: 512,
    route,
    tables: { staff: 'readWrite', guards: 'readWrite', security: 'readWrite', credit: 'readWrite', channels: 'readWrite' },
    sends: ['notifications', 'audit'],
  }) as const satisfies FunctionDecl;

export const functions = {
  submitBatch: {
    entry: 'functions/handlers/submit-batch.ts',
    description: 'POST /v1/batches: verify the channel signature, validate each filing, protect personal data, store, enqueue',
    timeoutSeconds: 29,
    memoryMb: 1769,
    route: { method: 'POST', path: '/v1/batches' },
    tables: { channels: 'read', guards: 'readWrite', filings: 'readWrite', keys: 'readWrite', checklists: 'read', credit: 'read' },
    sends: ['intake', 'credit', 'audit'],
    usesPiiKey: true,
  },
  getBatch: {
    entry: 'functions/handlers/get-batch.ts',
    description: "GET /v1/batches/{batchId}: the channel's own batch with each filing's current status",
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'GET', path: '/v1/batches/{batchId}' },
    tables: { channels: 'read', guards: 'readWrite', filings: 'read', credit: 'read' },
    sends: ['credit', 'audit'],
  },
  getFiling: {
    entry: 'functions/handlers/get-filing.ts',
    description: "GET /v1/filings/{filingId}: the channel's own filing with its history, personal data masked",
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'GET', path: '/v1/filings/{filingId}' },
    tables: { channels: 'read', guards: 'readWrite', filings: 'read', keys: 'read', credit: 'read' },
    sends: ['credit', 'audit'],
    usesPiiKey: true,
  },
  getOpenapi: {
    entry: 'functions/handlers/get-openapi.ts',
    description: 'GET /openapi.json: the OpenAPI 3.1 document generated from the zod schemas',
    timeoutSeconds: 5,
    memoryMb: 256,
    route: { method: 'GET', path: '/openapi.json' },
    tables: {},
  },
  health: {
    entry: 'functions/handlers/health.ts',
    description: 'GET /health: liveness',
    timeoutSeconds: 5,
    memoryMb: 128,
    route: { method: 'GET', path: '/health' },
    tables: {},
  },
  intake: {
    entry: 'functions/workers/intake.ts',
    description: 'Intake worker: applies the intake rules to each filing and records ACCEPTED, REFUSED or CORRECTION_REQUIRED',
    timeoutSeconds: 30,
    memoryMb: 1024,
    source: { queue: 'intake', batchSize: 10, maxConcurrency: 20 },
    tables: { filings: 'readWrite', register: 'read', checklists: 'read' },
    sends: ['notifications', 'taxRequests', 'tradingRequests', 'credit', 'audit', 'statistics'],
  },
  intakeUrgent: {
    entry: 'functions/workers/intake.ts',
    description: 'Intake worker of the priority lane: the same rules, fed by the urgent queue',
    timeoutSeconds: 30,
    memoryMb: 1024,
    source: { queue: 'intakeUrgent', batchSize: 1, maxConcurrency: 5 },
    tables: { filings: 'readWrite', register: 'read', checklists: 'read' },
    sends: ['notifications', 'taxRequests', 'tradingRequests', 'credit', 'audit', 'statistics'],
  },
  sweeper: {
    entry: 'functions/workers/sweeper.ts',
    description:
      'Scheduled sweeper: performs lifecycle effects and credit follow-ups left pending, re-enqueues filings stranded in SUBMITTED (flags those that keep failing), refuses corrections past their deadline',
    timeoutSeconds: 60,
    memoryMb: 512,
    schedule: { everyMinutes: 5 },
    tables: { filings: 'readWrite', register: 'read', credit: 'readWrite', channels: 'readWrite' },
    sends: ['intake', 'intakeUrgent', 'notifications', 'taxRequests', 'tradingRequests', 'credit', 'audit', 'statistics'],
  },
  correctFiling: {
    entry: 'functions/handlers/correct-filing.ts',
    description: 'POST /v1/filings/{filingId}/corrections: the channel supplies missing materials; the filing goes through intake again',
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'POST', path: '/v1/filings/{filingId}/corrections' },
    tables: { channels: 'read', guards: 'readWrite', filings: 'readWrite', checklists: 'read', credit: 'read' },
    sends: ['intake', 'intakeUrgent', 'notifications', 'credit', 'audit', 'statistics'],
  },
  withdrawFiling: {
    entry: 'functions/handlers/withdraw-filing.ts',
    description: 'POST /v1/filings/{filingId}/withdrawal: the channel withdraws a filing before registration',
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'POST', path: '/v1/filings/{filingId}/withdrawal' },
    tables: { channels: 'read', guards: 'readWrite', filings: 'readWrite', credit: 'read', keys: 'read' },
    sends: ['notifications', 'taxRequests', 'tradingRequests', 'credit', 'audit', 'statistics'],
    // The parties' names, to refuse a reason naming one (functions/core/domain/free-text.ts).
    usesPiiKey: true,
  },
  markUrgent: {
    entry: 'functions/handlers/mark-urgent.ts',
    description: 'POST /v1/staff/filings/{filingId}/urgent: staff put a filing on the priority lane',
    timeoutSeconds: 10,
    memoryMb: 256,
    route: { method: 'POST', path: '/v1/staff/filings/{filingId}/urgent' },
    tables: { staff: 'readWrite', guards: 'readWrite', security: 'readWrite', filings: 'readWrite', keys: 'read' },
    sends: ['intakeUrgent', 'notifications', 'audit', 'statistics'],
    // The parties' names, to refuse a reason naming one (functions/core/domain/free-text.ts).
    usesPiiKey: true,
  },
  getStaffFiling: {
    entry: 'functions/handlers/get-staff-filing.ts',
    description: 'GET /v1/staff/filings/{filingId}: a filing of the staff member’s district, personal data masked',
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'GET', path: '/v1/staff/filings/{filingId}' },
    tables: { staff: 'readWrite', guards: 'readWrite', security: 'readWrite', filings: 'read', keys: 'read' },
    sends: ['audit'],
    usesPiiKey: true,
  },
  reviewFiling: {
    entry: 'functions/handlers/review-filing.ts',
    description: 'POST /v1/staff/filings/{filingId}/review: approve (record in the register, issue the certificate) or refuse',
    timeoutSeconds: 29,
    memoryMb: 1024,
    route: { method: 'POST', path: '/v1/staff/filings/{filingId}/review' },
    tables: { staff: 'readWrite', guards: 'readWrite', security: 'readWrite', filings: 'readWrite', register: 'readWrite', certificates: 'readWrite', keys: 'read' },
    sends: ['notifications', 'taxRequests', 'tradingRequests', 'credit', 'audit', 'statistics'],
    usesPiiKey: true,
    platformKey: 'sign',
  },
  getCertificate: {
    entry: 'functions/handlers/get-certificate.ts',
    description: 'GET /v1/filings/{filingId}/certificate: the signed e-certificate of the channel’s registered filing',
    timeoutSeconds: 10,
    memoryMb: 256,
    route: { method: 'GET', path: '/v1/filings/{filingId}/certificate' },
    tables: { channels: 'read', guards: 'readWrite', filings: 'read', certificates: 'read', credit: 'read' },
    sends: ['credit', 'audit'],
  },
  verifyCertificate: {
    entry: 'functions/handlers/verify-certificate.ts',
    description: 'GET /v1/certificates/{certificateNo}/verification: whether a certificate number with its digest is genuine and current',
    timeoutSeconds: 10,
    memoryMb: 256,
    route: { method: 'GET', path: '/v1/certificates/{certificateNo}/verification' },
    tables: { certificates: 'read', guards: 'readWrite' },
    sends: ['audit'],
    platformKey: 'publicKey',
  },
  lookupProgress: {
    entry: 'functions/handlers/lookup-progress.ts',
    description: 'POST /v1/public/progress: a citizen looks up a filing by business number, name and ID number (masked answer)',
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'POST', path: '/v1/public/progress' },
    tables: { filings: 'read', keys: 'read', guards: 'readWrite' },
    sends: ['audit'],
    usesPiiKey: true,
  },
  getChecklist: {
    entry: 'functions/handlers/get-checklist.ts',
    description: 'GET /v1/staff/checklists/{businessType}: the current material checklist and its version history',
    timeoutSeconds: 10,
    memoryMb: 256,
    route: { method: 'GET', path: '/v1/staff/checklists/{businessType}' },
    tables: { staff: 'readWrite', guards: 'readWrite', security: 'readWrite', checklists: 'read' },
    sends: ['audit'],
  },
  putChecklist: {
    entry: 'functions/handlers/put-checklist.ts',
    description: 'PUT /v1/staff/checklists/{businessType}: an administrator publishes a new checklist version',
    timeoutSeconds: 10,
    memoryMb: 256,
    route: { method: 'PUT', path: '/v1/staff/checklists/{businessType}' },
    tables: { staff: 'readWrite', guards: 'readWrite', security: 'readWrite', checklists: 'readWrite' },
    sends: ['audit'],
  },
  getWebhook: {
    entry: 'functions/handlers/get-webhook.ts',
    description: "GET /v1/channel/webhook: the channel's registered webhook URL",
    timeoutSeconds: 10,
    memoryMb: 256,
    route: { method: 'GET', path: '/v1/channel/webhook' },
    tables: { channels: 'read', guards: 'readWrite', credit: 'read' },
    sends: ['credit', 'audit'],
    platformKey: 'publicKey',
  },
  putWebhook: {
    entry: 'functions/handlers/put-webhook.ts',
    description: 'PUT /v1/channel/webhook: register or change the URL that receives signed progress events',
    timeoutSeconds: 10,
    memoryMb: 256,
    route: { method: 'PUT', path: '/v1/channel/webhook' },
    tables: { channels: 'readWrite', guards: 'readWrite', credit: 'read' },
    sends: ['credit', 'audit'],
    platformKey: 'publicKey',
  },
  notifier: {
    entry: 'functions/workers/notifier.ts',
    description: "Notifier worker: delivers SM2-signed progress events to each institution's webhook, retrying with backoff",
    timeoutSeconds: 30,
    memoryMb: 512,
    source: { queue: 'notifications', batchSize: 10, maxConcurrency: 10 },
    tables: { channels: 'read' },
    sends: ['audit'],
    platformKey: 'sign',
  },
  staffLogin: {
    entry: 'functions/handlers/staff-login.ts',
    description: 'POST /v1/staff/login: the local token issuer (Cognito on AWS)',
    timeoutSeconds: 10,
    memoryMb: 256,
    route: { method: 'POST', path: '/v1/staff/login' },
    tables: { staff: 'read', guards: 'readWrite' },
    sends: ['audit'],
    localOnly: true,
  },
  staffJwks: {
    entry: 'functions/handlers/staff-jwks.ts',
    description: "GET /v1/staff/jwks.json: the local token issuer's public keys (Cognito's JWKS on AWS)",
    timeoutSeconds: 5,
    memoryMb: 128,
    route: { method: 'GET', path: '/v1/staff/jwks.json' },
    tables: {},
    localOnly: true,
  },
  postDepartmentResult: {
    entry: 'functions/handlers/post-department-result.ts',
    description: 'POST /v1/departments/results: a department system answers a request (SM2-signed with its own key)',
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'POST', path: '/v1/departments/results' },
    tables: { guards: 'readWrite', filings: 'readWrite' },
    sends: ['notifications', 'taxRequests', 'tradingRequests', 'audit', 'statistics'],
    departments: true,
  },
  taxConnector: departmentConnector(
    'TAX',
    'functions/workers/tax-connector.ts',
    'Tax connector: delivers requests, cancellations and registration results to the tax department, SM2-signed, personal data sealed for it',
  ),
  tradingConnector: departmentConnector(
    'TRADING',
    'functions/workers/trading-connector.ts',
    'Trading connector: delivers requests, cancellations and registration results to the housing-trading department',
  ),
  creditWorker: {
    entry: 'functions/workers/credit.ts',
    description:
      'Credit worker (002 三(一)6): records each signal once in the channel ledger, derives score and grade, opens shutoff cases, projects the standing onto the channel, audits and notifies',
    timeoutSeconds: 30,
    memoryMb: 512,
    source: { queue: 'credit', batchSize: 10, maxConcurrency: 2 },
    tables: { credit: 'readWrite', channels: 'readWrite' },
    sends: ['notifications', 'audit'],
  },
  getChannelCredit: {
    entry: 'functions/handlers/get-channel-credit.ts',
    description: "GET /v1/channel/credit: the channel's and its institution's score, grade, ledger with evidence, open case and peer comparison",
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'GET', path: '/v1/channel/credit' },
    tables: { channels: 'read', guards: 'readWrite', credit: 'read' },
    sends: ['credit', 'audit'],
  },
  postRectification: {
    entry: 'functions/handlers/post-rectification.ts',
    description: 'POST /v1/channel/rectifications: a shut-off channel submits a rectification report for its open case',
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'POST', path: '/v1/channel/rectifications' },
    tables: { channels: 'read', guards: 'readWrite', credit: 'readWrite' },
    sends: ['credit', 'notifications', 'audit'],
  },
  postCreditAppeal: {
    entry: 'functions/handlers/post-credit-appeal.ts',
    description: 'POST /v1/channel/credit/events/{eventId}/appeal: the channel appeals one ledger event',
    timeoutSeconds: 10,
    memoryMb: 256,
    route: { method: 'POST', path: '/v1/channel/credit/events/{eventId}/appeal' },
    tables: { channels: 'read', guards: 'readWrite', credit: 'readWrite' },
    sends: ['credit', 'notifications', 'audit'],
  },
  listCreditChannels: creditReader('functions/handlers/list-credit-channels.ts', { method: 'GET', path: '/v1/staff/credit/channels' }, 'GET /v1/staff/credit/channels: credit officers list channels by grade and score, with their institutions', 512),
  getCreditChannel: creditReader('functions/handlers/get-credit-channel.ts', { method: 'GET', path: '/v1/staff/credit/channels/{channelId}' }, "GET /v1/staff/credit/channels/{channelId}: a channel's credit state, ledger with evidence, cases and appeals", 512, { channels: 'read' }),
  postCreditViolation: creditDecision('functions/handlers/post-credit-violation.ts', { method: 'POST', path: '/v1/staff/credit/channels/{channelId}/violations' }, 'POST /v1/staff/credit/channels/{channelId}/violations: a credit officer records a violation with evidence'),
  postShutoff: creditDecision('functions/handlers/post-shutoff.ts', { method: 'POST', path: '/v1/staff/credit/shutoffs' }, 'POST /v1/staff/credit/shutoffs: a credit officer shuts off a channel or a whole institution, with reason and evidence (opens a case)'),
  listCreditCases: creditReader('functions/handlers/list-credit-cases.ts', { method: 'GET', path: '/v1/staff/credit/cases' }, 'GET /v1/staff/credit/cases: shutoff cases by status (those with a rectification to review first)', 256),
  getCreditCase: creditReader('functions/handlers/get-credit-case.ts', { method: 'GET', path: '/v1/staff/credit/cases/{caseNo}' }, 'GET /v1/staff/credit/cases/{caseNo}: one case with its evidence and rectification reports', 256),
  decideRectification: creditDecision('functions/handlers/decide-rectification.ts', { method: 'POST', path: '/v1/staff/credit/cases/{caseNo}/rectifications/{rectificationId}/decision' }, 'POST /v1/staff/credit/cases/{caseNo}/rectifications/{rectificationId}/decision: accept (reopen on probation) or reject with reasons'),
  reopenCase: creditDecision('functions/handlers/reopen-case.ts', { method: 'POST', path: '/v1/staff/credit/cases/{caseNo}/reopening' }, 'POST /v1/staff/credit/cases/{caseNo}/reopening: a credit officer reopens a shut-off channel or institution on probation'),
  listCreditAppeals: creditReader('functions/handlers/list-credit-appeals.ts', { method: 'GET', path: '/v1/staff/credit/appeals' }, 'GET /v1/staff/credit/appeals: appeals of ledger events by status', 256),
  decideCreditAppeal: creditDecision('functions/handlers/decide-credit-appeal.ts', { method: 'POST', path: '/v1/staff/credit/channels/{channelId}/events/{eventId}/appeal/decision' }, 'POST /v1/staff/credit/channels/{channelId}/events/{eventId}/appeal/decision: uphold the event, or reverse it (a new cancelling event)'),
  getCreditRules: creditReader('functions/handlers/get-credit-rules.ts', { method: 'GET', path: '/v1/staff/credit/rules' }, 'GET /v1/staff/credit/rules: the credit rules in force and their version history', 256),
  putCreditRules: {
    entry: 'functions/handlers/put-credit-rules.ts',
    description: 'PUT /v1/staff/credit/rules: a credit officer publishes a new version of the credit rules',
    timeoutSeconds: 10,
    memoryMb: 256,
    route: { method: 'PUT', path: '/v1/staff/credit/rules' },
    tables: { staff: 'readWrite', guards: 'readWrite', security: 'readWrite', credit: 'readWrite' },
    sends: ['audit'],
  },
  decideIntakeReview: {
    entry: 'functions/handlers/decide-intake-review.ts',
    description:
      'POST /v1/staff/filings/{filingId}/intake-review: staff accept or refuse a filing that intake held for manual review (its channel was on WATCH or PROBATION)',
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'POST', path: '/v1/staff/filings/{filingId}/intake-review' },
    tables: { staff: 'readWrite', guards: 'readWrite', security: 'readWrite', filings: 'readWrite', keys: 'read' },
    sends: ['notifications', 'taxRequests', 'tradingRequests', 'credit', 'audit', 'statistics'],
    // The parties' names, to refuse a note naming one (functions/core/domain/free-text.ts).
    usesPiiKey: true,
  },
  listStaffFilings: {
    entry: 'functions/handlers/list-staff-filings.ts',
    description: "GET /v1/staff/filings: a district's worklist by status, for registry staff",
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'GET', path: '/v1/staff/filings' },
    tables: { staff: 'readWrite', guards: 'readWrite', security: 'readWrite', filings: 'read' },
    sends: ['audit'],
  },
  // Statistics (002 五(二)4; issue 11): kept incrementally from the lifecycle's status changes, read by the console.
  statisticsWorker: {
    entry: 'functions/workers/statistics.ts',
    description:
      'Statistics worker (002 五(二)4): adds each filing status change, once, to its day buckets by district and business type and by channel',
    timeoutSeconds: 30,
    memoryMb: 256,
    source: { queue: 'statistics', batchSize: 10, maxConcurrency: 2 },
    tables: { statistics: 'readWrite' },
  },
  getStaffSelf: {
    entry: 'functions/handlers/get-staff-self.ts',
    description: "GET /v1/staff/me: the caller's own staff account (id, role, district), for the console",
    timeoutSeconds: 10,
    memoryMb: 256,
    route: { method: 'GET', path: '/v1/staff/me' },
    tables: { staff: 'readWrite', guards: 'readWrite', security: 'readWrite' },
    sends: ['audit'],
  },
  getFilingStatistics: {
    entry: 'functions/handlers/get-filing-statistics.ts',
    description: 'GET /v1/staff/statistics/filings: filings by district, day/week/month and business type, with outcomes and processing time (JSON or CSV)',
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'GET', path: '/v1/staff/statistics/filings' },
    tables: { staff: 'readWrite', guards: 'readWrite', security: 'readWrite', statistics: 'read', register: 'read' },
    sends: ['audit'],
  },
  getChannelStatistics: creditReader(
    'functions/handlers/get-channel-statistics.ts',
    { method: 'GET', path: '/v1/staff/statistics/channels' },
    "GET /v1/staff/statistics/channels: each channel's volume, outcome rates, signature failures, score over time and the peer distribution",
    512,
    { statistics: 'read' },
  ),
  auditAppender: {
    entry: 'functions/workers/audit-appender.ts',
    description:
      "Audit appender (DESIGN.md §5): per tenant, in order, gives each record its sequence number in the tenant's Merkle log (one conditional write of the head per batch), materialises entries and tree nodes, requests checkpoints",
    timeoutSeconds: 30,
    memoryMb: 1024,
    source: { queue: 'audit', batchSize: 10 },
    tables: { audit: 'readWrite' },
    sends: ['auditCheckpoints'],
  },
  auditCheckpoint: {
    entry: 'functions/workers/audit-checkpoint.ts',
    description:
      "Audit checkpoint: verifies a tenant log's growth is consistent with its last signed tree head and signs the new head with the log key (the only function that may); every minute it sweeps logs with unsigned entries",
    timeoutSeconds: 60,
    memoryMb: 512,
    source: { queue: 'auditCheckpoints', batchSize: 10, maxConcurrency: 2 },
    schedule: { everyMinutes: 1 },
    tables: { audit: 'readWrite' },
    logKey: 'sign',
  },
  // Incidents (003 第十八条), the incident watch, the risk-assessment data section (004 第二十五条).
  postIncident: {
    entry: 'functions/handlers/post-incident.ts',
    description: "POST /v1/staff/incidents: any staff member opens an incident of their district (the 1-hour report deadline starts at detection)",
    timeoutSeconds: 10,
    memoryMb: 256,
    route: { method: 'POST', path: '/v1/staff/incidents' },
    tables: { staff: 'readWrite', guards: 'readWrite', security: 'readWrite', filings: 'read', keys: 'read' },
    sends: ['audit'],
    // The names of the filings' parties its evidence names, to refuse a text naming one (incident-names.ts).
    usesPiiKey: true,
  },
  listIncidents: {
    entry: 'functions/handlers/list-incidents.ts',
    description: 'GET /v1/staff/incidents: incidents of the district and city-wide ones, by status and overdue, most urgent deadline first',
    timeoutSeconds: 10,
    memoryMb: 256,
    route: { method: 'GET', path: '/v1/staff/incidents' },
    tables: { staff: 'readWrite', guards: 'readWrite', security: 'readWrite' },
    sends: ['audit'],
  },
  getIncident: {
    entry: 'functions/handlers/get-incident.ts',
    description: 'GET /v1/staff/incidents/{incidentId}: one incident with its deadlines and steps',
    timeoutSeconds: 10,
    memoryMb: 256,
    route: { method: 'GET', path: '/v1/staff/incidents/{incidentId}' },
    tables: { staff: 'readWrite', guards: 'readWrite', security: 'readWrite' },
    sends: ['audit'],
  },
  postIncidentAction: {
    entry: 'functions/handlers/post-incident-action.ts',
    description: 'POST /v1/staff/incidents/{incidentId}/actions: report to the provincial bureau, end handling, report the result (in that order; conditional on the version)',
    timeoutSeconds: 10,
    memoryMb: 256,
    route: { method: 'POST', path: '/v1/staff/incidents/{incidentId}/actions' },
    tables: { staff: 'readWrite', guards: 'readWrite', security: 'readWrite', filings: 'read', keys: 'read' },
    sends: ['audit'],
    // The names of the filings' parties its evidence names, to refuse a text naming one (incident-names.ts).
    usesPiiKey: true,
  },
  incidentWatch: {
    entry: 'functions/workers/incident-watch.ts',
    description:
      'Scheduled incident watch: escalates incidents past their 1-hour report or 6-hour result deadline (once per deadline), opens a SYSTEM_ANOMALY incident per dead-letter queue holding messages (one per queue per day)',
    timeoutSeconds: 60,
    memoryMb: 256,
    schedule: { everyMinutes: 1 },
    tables: { security: 'readWrite' },
    sends: ['audit'],
    watchesDeadLetters: true,
  },
  getRiskAssessment: {
    entry: 'functions/handlers/get-risk-assessment.ts',
    description: "GET /v1/staff/risk-assessment: the data section of the yearly risk assessment (004 第二十五条): important data processed, processing activities, data provided, incidents, classification",
    timeoutSeconds: 30,
    memoryMb: 512,
    route: { method: 'GET', path: '/v1/staff/risk-assessment' },
    tables: { staff: 'readWrite', guards: 'readWrite', security: 'readWrite', audit: 'read', register: 'read' },
    sends: ['audit'],
  },
  // Audited unmasking, insider-misuse rules and alerts, account unlock.
  unmaskFiling: {
    entry: 'functions/handlers/post-unmasking.ts',
    description: "POST /v1/staff/filings/{filingId}/unmasking: a reviewer or registrar sees a filing's personal data for a declared purpose (recorded and audited first)",
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'POST', path: '/v1/staff/filings/{filingId}/unmasking' },
    tables: { staff: 'readWrite', guards: 'readWrite', security: 'readWrite', filings: 'readWrite', keys: 'read' },
    sends: ['audit'],
    usesPiiKey: true,
  },
  getMisuseRules: {
    entry: 'functions/handlers/get-misuse-rules.ts',
    description: 'GET /v1/staff/security/misuse-rules: the insider-misuse rules in force and their version history',
    timeoutSeconds: 10,
    memoryMb: 256,
    route: { method: 'GET', path: '/v1/staff/security/misuse-rules' },
    tables: { staff: 'readWrite', guards: 'readWrite', security: 'readWrite' },
    sends: ['audit'],
  },
  putMisuseRules: {
    entry: 'functions/handlers/put-misuse-rules.ts',
    description: 'PUT /v1/staff/security/misuse-rules: an administrator publishes a new version of the insider-misuse rules',
    timeoutSeconds: 10,
    memoryMb: 256,
    route: { method: 'PUT', path: '/v1/staff/security/misuse-rules' },
    tables: { staff: 'readWrite', guards: 'readWrite', security: 'readWrite' },
    sends: ['audit'],
  },
  listSecurityAlerts: {
    entry: 'functions/handlers/list-security-alerts.ts',
    description: "GET /v1/staff/security/alerts: the insider-misuse alerts of the caller's district, newest first",
    timeoutSeconds: 10,
    memoryMb: 256,
    route: { method: 'GET', path: '/v1/staff/security/alerts' },
    tables: { staff: 'readWrite', guards: 'readWrite', security: 'readWrite' },
    sends: ['audit'],
  },
  unlockStaff: {
    entry: 'functions/handlers/unlock-staff.ts',
    description: 'POST /v1/staff/accounts/{staffId}/unlock: an administrator of the district unlocks an account the misuse detector locked, with a reason',
    timeoutSeconds: 10,
    memoryMb: 256,
    route: { method: 'POST', path: '/v1/staff/accounts/{staffId}/unlock' },
    tables: { staff: 'readWrite', guards: 'readWrite', security: 'readWrite' },
    sends: ['audit'],
  },
  getBatchReceipt: {
    entry: 'functions/handlers/get-batch-receipt.ts',
    description: "GET /v1/batches/{batchId}/receipt: the receipt of the channel's own batch (entry, signed tree head, inclusion proof)",
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'GET', path: '/v1/batches/{batchId}/receipt' },
    tables: { channels: 'read', guards: 'readWrite', filings: 'read', audit: 'read', credit: 'read' },
    sends: ['credit', 'audit'],
    logKey: 'publicKey',
  },
  getBatchReceiptConsistency: {
    entry: 'functions/handlers/get-batch-receipt-consistency.ts',
    description: "GET /v1/batches/{batchId}/receipt/consistency: consistency proof from a tree size the institution holds to its log's latest signed head",
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'GET', path: '/v1/batches/{batchId}/receipt/consistency' },
    tables: { channels: 'read', guards: 'readWrite', filings: 'read', audit: 'read', credit: 'read' },
    sends: ['credit', 'audit'],
    logKey: 'publicKey',
  },
  getAuditLogKey: {
    entry: 'functions/handlers/get-audit-log-key.ts',
    description: "GET /v1/audit/log-key: public; the SM2 key that verifies the audit log's signed tree heads",
    timeoutSeconds: 10,
    memoryMb: 256,
    route: { method: 'GET', path: '/v1/audit/log-key' },
    tables: { guards: 'readWrite' },
    sends: ['audit'],
    logKey: 'publicKey',
  },
  listAuditEntries: {
    entry: 'functions/handlers/list-audit-entries.ts',
    description: 'GET /v1/staff/audit/entries: search the audit logs the caller may read',
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'GET', path: '/v1/staff/audit/entries' },
    tables: { staff: 'readWrite', security: 'readWrite', guards: 'readWrite', audit: 'read' },
    sends: ['audit'],
    logKey: 'publicKey',
  },
  getAuditTrace: {
    entry: 'functions/handlers/get-audit-trace.ts',
    description: 'GET /v1/staff/audit/trace: every entry about a filing, or everything a staff member did',
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'GET', path: '/v1/staff/audit/trace' },
    tables: { staff: 'readWrite', security: 'readWrite', guards: 'readWrite', audit: 'read' },
    sends: ['audit'],
    logKey: 'publicKey',
  },
  getAuditStatistics: {
    entry: 'functions/handlers/get-audit-statistics.ts',
    description: 'GET /v1/staff/audit/statistics: entry counts by district, institution, business type, day, action, outcome',
    timeoutSeconds: 29,
    memoryMb: 1024,
    route: { method: 'GET', path: '/v1/staff/audit/statistics' },
    tables: { staff: 'readWrite', security: 'readWrite', guards: 'readWrite', audit: 'read' },
    sends: ['audit'],
    logKey: 'publicKey',
  },
  getAuditTreeHead: {
    entry: 'functions/handlers/get-audit-tree-head.ts',
    description: 'GET /v1/staff/audit/logs/{tenant}/tree-head: the latest signed tree head of a log',
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'GET', path: '/v1/staff/audit/logs/{tenant}/tree-head' },
    tables: { staff: 'readWrite', security: 'readWrite', guards: 'readWrite', audit: 'read' },
    sends: ['audit'],
    logKey: 'publicKey',
  },
  listAuditTreeHeads: {
    entry: 'functions/handlers/list-audit-tree-heads.ts',
    description: 'GET /v1/staff/audit/logs/{tenant}/tree-heads: the signed tree heads in a size range',
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'GET', path: '/v1/staff/audit/logs/{tenant}/tree-heads' },
    tables: { staff: 'readWrite', security: 'readWrite', guards: 'readWrite', audit: 'read' },
    sends: ['audit'],
    logKey: 'publicKey',
  },
  getAuditInclusion: {
    entry: 'functions/handlers/get-audit-inclusion.ts',
    description: 'GET /v1/staff/audit/logs/{tenant}/proofs/inclusion: an entry and its inclusion proof',
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'GET', path: '/v1/staff/audit/logs/{tenant}/proofs/inclusion' },
    tables: { staff: 'readWrite', security: 'readWrite', guards: 'readWrite', audit: 'read' },
    sends: ['audit'],
    logKey: 'publicKey',
  },
  getAuditConsistency: {
    entry: 'functions/handlers/get-audit-consistency.ts',
    description: 'GET /v1/staff/audit/logs/{tenant}/proofs/consistency: the consistency proof between two tree sizes',
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'GET', path: '/v1/staff/audit/logs/{tenant}/proofs/consistency' },
    tables: { staff: 'readWrite', security: 'readWrite', guards: 'readWrite', audit: 'read' },
    sends: ['audit'],
    logKey: 'publicKey',
  },
  postAuditExport: {
    entry: 'functions/handlers/post-audit-export.ts',
    description: 'POST /v1/staff/audit/exports: export a log range as JSON Lines with a manifest, kept under Object Lock',
    timeoutSeconds: 29,
    memoryMb: 1024,
    route: { method: 'POST', path: '/v1/staff/audit/exports' },
    tables: { staff: 'readWrite', security: 'readWrite', guards: 'readWrite', audit: 'read' },
    sends: ['audit'],
    logKey: 'publicKey',
    // Signs the export's manifest (what it holds, its filter, its hash), which the log key cannot vouch for.
    platformKey: 'sign',
    auditExports: 'write',
  },
  getAuditExport: {
    entry: 'functions/handlers/get-audit-export.ts',
    description: 'GET /v1/staff/audit/exports/{exportId}: a kept export, as JSON Lines',
    timeoutSeconds: 29,
    memoryMb: 1024,
    route: { method: 'GET', path: '/v1/staff/audit/exports/{exportId}' },
    tables: { staff: 'readWrite', security: 'readWrite', guards: 'readWrite' },
    sends: ['audit'],
    auditExports: 'read',
  },
} as const satisfies Record<string, FunctionDecl>;

export type FunctionName = keyof typeof functions;

/** A queue's visibility timeout: at least six times the timeout of the function it feeds (AWS guidance). */
export function visibilityTimeoutSeconds(queue: QueueName): number {
  const consumers = Object.values(functions as Record<string, FunctionDecl>).filter((f) => f.source?.queue === queue);
  const longest = Math.max(30, ...consumers.map((f) => f.timeoutSeconds));
  return longest * 6;
}

/** Environment variable through which a function learns a table's physical name. */
export const tableEnvVar = (name: TableName): string => `TABLE_${name.toUpperCase()}`;
/** Environment variable through which a function learns a queue's URL. */
export const queueEnvVar = (name: QueueName): string => `QUEUE_${name.toUpperCase()}_URL`;
/** Environment variable through which a function declared `watchesDeadLetters` learns a dead-letter queue's URL. */
export const deadLetterQueueEnvVar = (name: QueueName): string => `QUEUE_${name.toUpperCase()}_DLQ_URL`;
/** Environment variable holding the KMS key id (or local keyring key id) that wraps personal-data keys. */
export const PII_KEY_ENV = 'PII_KEY_ID';
/** Selects the key provider: `kms` (default) or `local` (the local runtime's keyring). */
export const KEY_PROVIDER_ENV = 'KEY_PROVIDER';
/** The platform's SM2 signing key: a KMS key id (SM2 key spec, China regions) or `local`. */
export const PLATFORM_SIGNING_KEY_ENV = 'PLATFORM_SIGNING_KEY_ID';
/**
 * The department registry (DESIGN.md §7b) as JSON: `[{ departmentId, kind, name, districts, endpoint, publicKey }]`.
 * Set on functions declared with `departments: true`.
 */
export const DEPARTMENTS_ENV = 'DEPARTMENTS';
/** The registry's results URL that deliveries name as `replyTo` (optional: departments may have it configured). */
export const RESULTS_URL_ENV = 'ZT_RESULTS_URL';
/** The audit log's SM2 signing key (DESIGN.md §5): a KMS key id, or `local` (`log-signing.key` in the local keyring). */
export const LOG_SIGNING_KEY_ENV = 'LOG_SIGNING_KEY_ID';
/** The audit export bucket (S3, Object Lock), set on functions declared with `auditExports`. */
export const EXPORT_BUCKET_ENV = 'EXPORT_BUCKET';
/** The local runtime's export directory (under the data dir), used when EXPORT_BUCKET is unset. */
export const EXPORT_DIR_ENV = 'ZT_EXPORT_DIR';
/** Directory of the local keyring when KEY_PROVIDER=local. */
export const LOCAL_KEYRING_DIR_ENV = 'LOCAL_KEYRING_DIR';

/*
 * How staff functions verify staff bearer tokens: set by the CDK app on every function that reads the
 * `staff` table (infra/cdk/staff-identity.ts). Unset locally, where the local issuer's keys are read from
 * the keyring directory instead (KEY_PROVIDER=local, LOCAL_KEYRING_DIR).
 */
/** The JWKS of the token issuer, e.g. `https://cognito-idp.<region>.amazonaws.com/<poolId>/.well-known/jwks.json`. */
export const STAFF_JWKS_URL_ENV = 'STAFF_JWKS_URL';
/** The exact `iss` of staff tokens (the user pool's provider URL). */
export const STAFF_ISSUER_ENV = 'STAFF_ISSUER';
/** The app client id that staff access tokens must be issued to (`client_id` of Cognito access tokens). */
export const STAFF_AUDIENCE_ENV = 'STAFF_AUDIENCE';
