/**
 * The one declaration of Zhitong's moving parts: tables, queues, functions, routes, and which queue
 * feeds which worker. The CDK app (`infra/cdk`) and the local runtime (`infra/local`) both read this
 * and nothing else, so a route or a queue cannot exist in one runtime and not the other (STYLE.md habit 6).
 *
 * Names here are logical. Each runtime turns them into physical names and hands them to the functions
 * through the environment variables that {@link tableEnvVar} and {@link queueEnvVar} name.
 */

export type TableName = 'channels' | 'filings' | 'register' | 'guards' | 'keys' | 'audit' | 'staff' | 'certificates' | 'checklists' | 'credit' | 'security';
export type QueueName = 'intake' | 'intakeUrgent' | 'notifications' | 'taxRequests' | 'tradingRequests' | 'credit';
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
  /** Queues the function sends to. */
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
   * What the function does with the audit log's SM2 key (DESIGN.md §5), a key separate from the platform's:
   * `sign` tree heads (the checkpoint alone), or `publicKey` to hand out / use the key that verifies them.
   * (Added by room A2 as the minimal optional field; room A1 owns its wiring: env, keyring file, KMS grants.)
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
    purpose: 'Audit records of operations, interface calls and errors, per tenant and day.',
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
    tables: { filings: 'readWrite', keys: 'read', certificates: 'read', audit: 'write' },
    sends: ['notifications'],
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
    tables: { staff: 'read', guards: 'readWrite', audit: 'write', credit: 'read', ...extra },
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
    tables: { staff: 'read', guards: 'readWrite', audit: 'write', credit: 'readWrite', channels: 'readWrite' },
    sends: ['notifications'],
  }) as const satisfies FunctionDecl;

export const functions = {
  submitBatch: {
    entry: 'functions/handlers/submit-batch.ts',
    description: 'POST /v1/batches: verify the channel signature, validate each filing, protect personal data, store, enqueue',
    timeoutSeconds: 29,
    memoryMb: 1769,
    route: { method: 'POST', path: '/v1/batches' },
    tables: { channels: 'read', guards: 'readWrite', filings: 'readWrite', keys: 'readWrite', audit: 'write', checklists: 'read', credit: 'read' },
    sends: ['intake', 'credit'],
    usesPiiKey: true,
  },
  getBatch: {
    entry: 'functions/handlers/get-batch.ts',
    description: "GET /v1/batches/{batchId}: the channel's own batch with each filing's current status",
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'GET', path: '/v1/batches/{batchId}' },
    tables: { channels: 'read', guards: 'readWrite', filings: 'read', audit: 'write', credit: 'read' },
    sends: ['credit'],
  },
  getFiling: {
    entry: 'functions/handlers/get-filing.ts',
    description: "GET /v1/filings/{filingId}: the channel's own filing with its history, personal data masked",
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'GET', path: '/v1/filings/{filingId}' },
    tables: { channels: 'read', guards: 'readWrite', filings: 'read', keys: 'read', audit: 'write', credit: 'read' },
    sends: ['credit'],
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
    tables: { filings: 'readWrite', register: 'read', audit: 'write', checklists: 'read' },
    sends: ['notifications', 'taxRequests', 'tradingRequests', 'credit'],
  },
  intakeUrgent: {
    entry: 'functions/workers/intake.ts',
    description: 'Intake worker of the priority lane: the same rules, fed by the urgent queue',
    timeoutSeconds: 30,
    memoryMb: 1024,
    source: { queue: 'intakeUrgent', batchSize: 1, maxConcurrency: 5 },
    tables: { filings: 'readWrite', register: 'read', audit: 'write', checklists: 'read' },
    sends: ['notifications', 'taxRequests', 'tradingRequests', 'credit'],
  },
  sweeper: {
    entry: 'functions/workers/sweeper.ts',
    description:
      'Scheduled sweeper: performs lifecycle effects and credit follow-ups left pending, re-enqueues filings stranded in SUBMITTED (flags those that keep failing), refuses corrections past their deadline',
    timeoutSeconds: 60,
    memoryMb: 512,
    schedule: { everyMinutes: 5 },
    tables: { filings: 'readWrite', register: 'read', audit: 'write', credit: 'readWrite', channels: 'readWrite' },
    sends: ['intake', 'intakeUrgent', 'notifications', 'taxRequests', 'tradingRequests', 'credit'],
  },
  correctFiling: {
    entry: 'functions/handlers/correct-filing.ts',
    description: 'POST /v1/filings/{filingId}/corrections: the channel supplies missing materials; the filing goes through intake again',
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'POST', path: '/v1/filings/{filingId}/corrections' },
    tables: { channels: 'read', guards: 'readWrite', filings: 'readWrite', audit: 'write', checklists: 'read', credit: 'read' },
    sends: ['intake', 'intakeUrgent', 'notifications', 'credit'],
  },
  withdrawFiling: {
    entry: 'functions/handlers/withdraw-filing.ts',
    description: 'POST /v1/filings/{filingId}/withdrawal: the channel withdraws a filing before registration',
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'POST', path: '/v1/filings/{filingId}/withdrawal' },
    tables: { channels: 'read', guards: 'readWrite', filings: 'readWrite', audit: 'write', credit: 'read' },
    sends: ['notifications', 'taxRequests', 'tradingRequests', 'credit'],
  },
  markUrgent: {
    entry: 'functions/handlers/mark-urgent.ts',
    description: 'POST /v1/staff/filings/{filingId}/urgent: staff put a filing on the priority lane',
    timeoutSeconds: 10,
    memoryMb: 256,
    route: { method: 'POST', path: '/v1/staff/filings/{filingId}/urgent' },
    tables: { staff: 'read', guards: 'readWrite', filings: 'readWrite', audit: 'write' },
    sends: ['intakeUrgent', 'notifications'],
  },
  getStaffFiling: {
    entry: 'functions/handlers/get-staff-filing.ts',
    description: 'GET /v1/staff/filings/{filingId}: a filing of the staff member’s district, personal data masked',
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'GET', path: '/v1/staff/filings/{filingId}' },
    tables: { staff: 'read', guards: 'readWrite', filings: 'read', keys: 'read', audit: 'write' },
    usesPiiKey: true,
  },
  reviewFiling: {
    entry: 'functions/handlers/review-filing.ts',
    description: 'POST /v1/staff/filings/{filingId}/review: approve (record in the register, issue the certificate) or refuse',
    timeoutSeconds: 29,
    memoryMb: 1024,
    route: { method: 'POST', path: '/v1/staff/filings/{filingId}/review' },
    tables: { staff: 'read', guards: 'readWrite', filings: 'readWrite', register: 'readWrite', certificates: 'readWrite', keys: 'read', audit: 'write' },
    sends: ['notifications', 'taxRequests', 'tradingRequests', 'credit'],
    usesPiiKey: true,
    platformKey: 'sign',
  },
  getCertificate: {
    entry: 'functions/handlers/get-certificate.ts',
    description: 'GET /v1/filings/{filingId}/certificate: the signed e-certificate of the channel’s registered filing',
    timeoutSeconds: 10,
    memoryMb: 256,
    route: { method: 'GET', path: '/v1/filings/{filingId}/certificate' },
    tables: { channels: 'read', guards: 'readWrite', filings: 'read', certificates: 'read', audit: 'write', credit: 'read' },
    sends: ['credit'],
  },
  verifyCertificate: {
    entry: 'functions/handlers/verify-certificate.ts',
    description: 'GET /v1/certificates/{certificateNo}/verification: whether a certificate number with its digest is genuine and current',
    timeoutSeconds: 10,
    memoryMb: 256,
    route: { method: 'GET', path: '/v1/certificates/{certificateNo}/verification' },
    tables: { certificates: 'read', guards: 'readWrite', audit: 'write' },
    platformKey: 'publicKey',
  },
  lookupProgress: {
    entry: 'functions/handlers/lookup-progress.ts',
    description: 'POST /v1/public/progress: a citizen looks up a filing by business number, name and ID number (masked answer)',
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'POST', path: '/v1/public/progress' },
    tables: { filings: 'read', keys: 'read', guards: 'readWrite', audit: 'write' },
    usesPiiKey: true,
  },
  getChecklist: {
    entry: 'functions/handlers/get-checklist.ts',
    description: 'GET /v1/staff/checklists/{businessType}: the current material checklist and its version history',
    timeoutSeconds: 10,
    memoryMb: 256,
    route: { method: 'GET', path: '/v1/staff/checklists/{businessType}' },
    tables: { staff: 'read', guards: 'readWrite', checklists: 'read', audit: 'write' },
  },
  putChecklist: {
    entry: 'functions/handlers/put-checklist.ts',
    description: 'PUT /v1/staff/checklists/{businessType}: an administrator publishes a new checklist version',
    timeoutSeconds: 10,
    memoryMb: 256,
    route: { method: 'PUT', path: '/v1/staff/checklists/{businessType}' },
    tables: { staff: 'read', guards: 'readWrite', checklists: 'readWrite', audit: 'write' },
  },
  getWebhook: {
    entry: 'functions/handlers/get-webhook.ts',
    description: "GET /v1/channel/webhook: the channel's registered webhook URL",
    timeoutSeconds: 10,
    memoryMb: 256,
    route: { method: 'GET', path: '/v1/channel/webhook' },
    tables: { channels: 'read', guards: 'readWrite', audit: 'write', credit: 'read' },
    sends: ['credit'],
    platformKey: 'publicKey',
  },
  putWebhook: {
    entry: 'functions/handlers/put-webhook.ts',
    description: 'PUT /v1/channel/webhook: register or change the URL that receives signed progress events',
    timeoutSeconds: 10,
    memoryMb: 256,
    route: { method: 'PUT', path: '/v1/channel/webhook' },
    tables: { channels: 'readWrite', guards: 'readWrite', audit: 'write', credit: 'read' },
    sends: ['credit'],
    platformKey: 'publicKey',
  },
  notifier: {
    entry: 'functions/workers/notifier.ts',
    description: "Notifier worker: delivers SM2-signed progress events to each institution's webhook, retrying with backoff",
    timeoutSeconds: 30,
    memoryMb: 512,
    source: { queue: 'notifications', batchSize: 10, maxConcurrency: 10 },
    tables: { channels: 'read', audit: 'write' },
    platformKey: 'sign',
  },
  staffLogin: {
    entry: 'functions/handlers/staff-login.ts',
    description: 'POST /v1/staff/login: the local token issuer (Cognito on AWS)',
    timeoutSeconds: 10,
    memoryMb: 256,
    route: { method: 'POST', path: '/v1/staff/login' },
    tables: { staff: 'read', guards: 'readWrite', audit: 'write' },
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
    tables: { guards: 'readWrite', filings: 'readWrite', audit: 'write' },
    sends: ['notifications', 'taxRequests', 'tradingRequests'],
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
    tables: { credit: 'readWrite', channels: 'readWrite', audit: 'write' },
    sends: ['notifications'],
  },
  getChannelCredit: {
    entry: 'functions/handlers/get-channel-credit.ts',
    description: "GET /v1/channel/credit: the channel's and its institution's score, grade, ledger with evidence, open case and peer comparison",
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'GET', path: '/v1/channel/credit' },
    tables: { channels: 'read', guards: 'readWrite', audit: 'write', credit: 'read' },
    sends: ['credit'],
  },
  postRectification: {
    entry: 'functions/handlers/post-rectification.ts',
    description: 'POST /v1/channel/rectifications: a shut-off channel submits a rectification report for its open case',
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'POST', path: '/v1/channel/rectifications' },
    tables: { channels: 'read', guards: 'readWrite', audit: 'write', credit: 'readWrite' },
    sends: ['credit', 'notifications'],
  },
  postCreditAppeal: {
    entry: 'functions/handlers/post-credit-appeal.ts',
    description: 'POST /v1/channel/credit/events/{eventId}/appeal: the channel appeals one ledger event',
    timeoutSeconds: 10,
    memoryMb: 256,
    route: { method: 'POST', path: '/v1/channel/credit/events/{eventId}/appeal' },
    tables: { channels: 'read', guards: 'readWrite', audit: 'write', credit: 'readWrite' },
    sends: ['credit', 'notifications'],
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
    tables: { staff: 'read', guards: 'readWrite', audit: 'write', credit: 'readWrite' },
  },
  decideIntakeReview: {
    entry: 'functions/handlers/decide-intake-review.ts',
    description:
      'POST /v1/staff/filings/{filingId}/intake-review: staff accept or refuse a filing that intake held for manual review (its channel was on WATCH or PROBATION)',
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'POST', path: '/v1/staff/filings/{filingId}/intake-review' },
    tables: { staff: 'read', guards: 'readWrite', filings: 'readWrite', audit: 'write' },
    sends: ['notifications', 'taxRequests', 'tradingRequests', 'credit'],
  },
  listStaffFilings: {
    entry: 'functions/handlers/list-staff-filings.ts',
    description: "GET /v1/staff/filings: a district's worklist by status, for registry staff",
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'GET', path: '/v1/staff/filings' },
    tables: { staff: 'read', guards: 'readWrite', filings: 'read', audit: 'write' },
  },
  getBatchReceipt: {
    entry: 'functions/handlers/get-batch-receipt.ts',
    description: "GET /v1/batches/{batchId}/receipt: the receipt of the channel's own batch (entry, signed tree head, inclusion proof)",
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'GET', path: '/v1/batches/{batchId}/receipt' },
    tables: { channels: 'read', guards: 'readWrite', filings: 'read', audit: 'readWrite', credit: 'read' },
    sends: ['credit'],
    logKey: 'publicKey',
  },
  getBatchReceiptConsistency: {
    entry: 'functions/handlers/get-batch-receipt-consistency.ts',
    description: "GET /v1/batches/{batchId}/receipt/consistency: consistency proof from a tree size the institution holds to its log's latest signed head",
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'GET', path: '/v1/batches/{batchId}/receipt/consistency' },
    tables: { channels: 'read', guards: 'readWrite', filings: 'read', audit: 'readWrite', credit: 'read' },
    sends: ['credit'],
    logKey: 'publicKey',
  },
  getAuditLogKey: {
    entry: 'functions/handlers/get-audit-log-key.ts',
    description: "GET /v1/audit/log-key: public; the SM2 key that verifies the audit log's signed tree heads",
    timeoutSeconds: 10,
    memoryMb: 256,
    route: { method: 'GET', path: '/v1/audit/log-key' },
    tables: { guards: 'readWrite', audit: 'write' },
    logKey: 'publicKey',
  },
  listAuditEntries: {
    entry: 'functions/handlers/list-audit-entries.ts',
    description: 'GET /v1/staff/audit/entries: search the audit logs the caller may read',
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'GET', path: '/v1/staff/audit/entries' },
    tables: { staff: 'read', guards: 'readWrite', audit: 'readWrite' },
    logKey: 'publicKey',
  },
  getAuditTrace: {
    entry: 'functions/handlers/get-audit-trace.ts',
    description: 'GET /v1/staff/audit/trace: every entry about a filing, or everything a staff member did',
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'GET', path: '/v1/staff/audit/trace' },
    tables: { staff: 'read', guards: 'readWrite', audit: 'readWrite' },
    logKey: 'publicKey',
  },
  getAuditStatistics: {
    entry: 'functions/handlers/get-audit-statistics.ts',
    description: 'GET /v1/staff/audit/statistics: entry counts by district, institution, business type, day, action, outcome',
    timeoutSeconds: 29,
    memoryMb: 1024,
    route: { method: 'GET', path: '/v1/staff/audit/statistics' },
    tables: { staff: 'read', guards: 'readWrite', audit: 'readWrite' },
    logKey: 'publicKey',
  },
  getAuditTreeHead: {
    entry: 'functions/handlers/get-audit-tree-head.ts',
    description: 'GET /v1/staff/audit/logs/{tenant}/tree-head: the latest signed tree head of a log',
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'GET', path: '/v1/staff/audit/logs/{tenant}/tree-head' },
    tables: { staff: 'read', guards: 'readWrite', audit: 'readWrite' },
    logKey: 'publicKey',
  },
  listAuditTreeHeads: {
    entry: 'functions/handlers/list-audit-tree-heads.ts',
    description: 'GET /v1/staff/audit/logs/{tenant}/tree-heads: the signed tree heads in a size range',
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'GET', path: '/v1/staff/audit/logs/{tenant}/tree-heads' },
    tables: { staff: 'read', guards: 'readWrite', audit: 'readWrite' },
    logKey: 'publicKey',
  },
  getAuditInclusion: {
    entry: 'functions/handlers/get-audit-inclusion.ts',
    description: 'GET /v1/staff/audit/logs/{tenant}/proofs/inclusion: an entry and its inclusion proof',
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'GET', path: '/v1/staff/audit/logs/{tenant}/proofs/inclusion' },
    tables: { staff: 'read', guards: 'readWrite', audit: 'readWrite' },
    logKey: 'publicKey',
  },
  getAuditConsistency: {
    entry: 'functions/handlers/get-audit-consistency.ts',
    description: 'GET /v1/staff/audit/logs/{tenant}/proofs/consistency: the consistency proof between two tree sizes',
    timeoutSeconds: 10,
    memoryMb: 512,
    route: { method: 'GET', path: '/v1/staff/audit/logs/{tenant}/proofs/consistency' },
    tables: { staff: 'read', guards: 'readWrite', audit: 'readWrite' },
    logKey: 'publicKey',
  },
  postAuditExport: {
    entry: 'functions/handlers/post-audit-export.ts',
    description: 'POST /v1/staff/audit/exports: export a log range as JSON Lines with a manifest, kept under Object Lock',
    timeoutSeconds: 29,
    memoryMb: 1024,
    route: { method: 'POST', path: '/v1/staff/audit/exports' },
    tables: { staff: 'read', guards: 'readWrite', audit: 'readWrite' },
    logKey: 'publicKey',
    auditExports: 'write',
  },
  getAuditExport: {
    entry: 'functions/handlers/get-audit-export.ts',
    description: 'GET /v1/staff/audit/exports/{exportId}: a kept export, as JSON Lines',
    timeoutSeconds: 29,
    memoryMb: 1024,
    route: { method: 'GET', path: '/v1/staff/audit/exports/{exportId}' },
    tables: { staff: 'read', guards: 'readWrite', audit: 'write' },
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
