/**
 * One invocation, one scope: the local runtime runs every function in one Node process, concurrently,
 * where Lambda gives each function its own environment and each invocation its own context. This module
 * gives back what the process shares, per invocation, through one AsyncLocalStorage:
 *
 * 1. **Log context.** It is the Lambda `InvokeStore` (`globalThis.awslambda.InvokeStore`, the store the
 *    Lambda runtime keeps for concurrent invocations on managed instances) and sets
 *    `AWS_LAMBDA_MAX_CONCURRENCY`, so Powertools keeps each invocation's Lambda context, temporary keys
 *    and log level apart: a log line carries the function name and request id of the invocation that
 *    wrote it, never those of whichever handler ran last (issue 7 §4).
 * 2. **Environment.** Inside an invocation, `process.env` shows only the resource variables of that
 *    function's topology entry (`TABLE_*`, `QUEUE_*_URL`, `PII_KEY_ID`, `PLATFORM_SIGNING_KEY_ID`,
 *    `LOG_SIGNING_KEY_ID` (the audit log's key: the checkpoint's alone to sign with), and
 *    `DEPARTMENTS` for functions declared `departments: true`), as the CDK app sets them; another
 *    function's tables, queues and department registry are simply not there.
 * 3. **Grants.** Every call made through the functions' SDK clients (functions/adapters/aws-clients.ts)
 *    is checked against the calling function's declared grants (tables and access, queues it sends to,
 *    its own source queue, the KMS actions its key grants imply), as IAM would check it, and refused with an
 *    `AccessDeniedException` otherwise. Unlike the environment, this also catches a client or a table
 *    name cached by one function and reused by another in the same process. Refusals are also kept for
 *    tests ({@link grantViolations}).
 *
 * Outside an invocation (provisioning, seeding, test code) nothing is hidden or checked.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context } from 'aws-lambda';
import {
  DEPARTMENTS_ENV,
  EXPORT_DIR_ENV,
  deadLetterQueueEnvVar,
  LOG_SIGNING_KEY_ENV,
  PII_KEY_ENV,
  PLATFORM_SIGNING_KEY_ENV,
  queueEnvVar,
  queues,
  tableEnvVar,
  tables,
  type FunctionDecl,
  type QueueName,
  type TableName,
} from '../topology';

/** What the scope knows about the function that is running. */
export interface FunctionScope {
  readonly name: string;
  readonly decl: FunctionDecl;
}

// The keys the Lambda runtime's InvokeStore uses (@aws/lambda-invoke-store PROTECTED_KEYS).
const REQUEST_ID = Symbol.for('_AWS_LAMBDA_REQUEST_ID');
const X_RAY_TRACE_ID = Symbol.for('_AWS_LAMBDA_X_RAY_TRACE_ID');
const TENANT_ID = Symbol.for('_AWS_LAMBDA_TENANT_ID');
const PROTECTED = new Set<string | symbol>([REQUEST_ID, X_RAY_TRACE_ID, TENANT_ID]);
const FUNCTION = Symbol('zhitong.local.function');

type Store = Map<string | symbol, unknown>;

/** An InvokeStore backed by AsyncLocalStorage: the same contract as the Lambda runtime's multi-concurrency store. */
class LocalInvokeStore {
  private readonly als = new AsyncLocalStorage<Store>();
  getContext(): Record<string | symbol, unknown> | undefined {
    const store = this.als.getStore();
    return store === undefined ? undefined : Object.fromEntries(store);
  }
  hasContext(): boolean {
    return this.als.getStore() !== undefined;
  }
  get(key: string | symbol): unknown {
    return this.als.getStore()?.get(key);
  }
  set(key: string | symbol, value: unknown): void {
    if (PROTECTED.has(key)) throw new Error(`Cannot modify protected Lambda context field: ${String(key)}`);
    const store = this.als.getStore();
    if (store === undefined) throw new Error('No context available');
    store.set(key, value);
  }
  run<T>(context: Record<string | symbol, unknown>, fn: () => T): T {
    return this.als.run(new Map(Object.getOwnPropertySymbols(context).map((k) => [k, context[k]] as const)), fn);
  }
  /** Runs `fn` in a scope of its own (a new Map), so nothing one invocation stores is seen by another. */
  runScope<T>(entries: readonly (readonly [string | symbol, unknown])[], fn: () => T): T {
    return this.als.run(new Map(entries), fn);
  }
  getRequestId(): string {
    return (this.get(REQUEST_ID) as string | undefined) ?? '-';
  }
  getXRayTraceId(): string | undefined {
    return this.get(X_RAY_TRACE_ID) as string | undefined;
  }
  getTenantId(): string | undefined {
    return this.get(TENANT_ID) as string | undefined;
  }
  getTraceparent(): undefined {
    return undefined;
  }
  getTracestate(): undefined {
    return undefined;
  }
  getBaggage(): undefined {
    return undefined;
  }
}

const store = new LocalInvokeStore();

/** The variable Powertools (and the Lambda runtime) read to decide that invocations may run concurrently. */
export const MAX_CONCURRENCY_ENV = 'AWS_LAMBDA_MAX_CONCURRENCY';

/** The function of the invocation in progress, if any. */
export function currentFunction(): FunctionScope | undefined {
  return store.get(FUNCTION) as FunctionScope | undefined;
}

// ---- environment ----------------------------------------------------------------------------------

const tableVariables = new Map((Object.keys(tables) as TableName[]).map((t) => [tableEnvVar(t), t] as const));
const queueVariables = new Map((Object.keys(queues) as QueueName[]).map((q) => [queueEnvVar(q), q] as const));
const deadLetterVariables = new Map((Object.keys(queues) as QueueName[]).map((q) => [deadLetterQueueEnvVar(q), q] as const));

/** Whether a variable names a resource that only the functions granted it may see. */
function isResourceVariable(name: string): boolean {
  return tableVariables.has(name) || queueVariables.has(name) || deadLetterVariables.has(name) || name === EXPORT_DIR_ENV || name === PII_KEY_ENV || name === PLATFORM_SIGNING_KEY_ENV || name === LOG_SIGNING_KEY_ENV || name === DEPARTMENTS_ENV;
}

/** The resource variables the CDK app would set on this function (infra/cdk/stateless-stack.ts). */
export function resourceVariablesOf(decl: FunctionDecl): Set<string> {
  return new Set([
    ...(Object.keys(decl.tables) as TableName[]).map(tableEnvVar),
    ...(decl.sends ?? []).map(queueEnvVar),
    ...(decl.usesPiiKey === true ? [PII_KEY_ENV] : []),
    ...(decl.platformKey !== undefined ? [PLATFORM_SIGNING_KEY_ENV] : []),
    // The audit log's signing key (DESIGN.md §5): the checkpoint signs, the log-key endpoint publishes.
    ...(decl.logKey !== undefined ? [LOG_SIGNING_KEY_ENV] : []),
    // The dead-letter queues, for the incident watch (a DLQ holding messages opens a SYSTEM_ANOMALY incident).
    ...(decl.watchesDeadLetters === true ? [...deadLetterVariables.keys()] : []),
    // The export store (the S3 bucket's local stand-in): only the functions declared `auditExports`.
    ...(decl.auditExports !== undefined ? [EXPORT_DIR_ENV] : []),
    // The department registry (endpoints and keys, DESIGN.md §7b): only the connectors and the results route.
    ...(decl.departments === true ? [DEPARTMENTS_ENV] : []),
  ]);
}

const visibleTo = new WeakMap<FunctionDecl, Set<string>>();
function hidden(name: string | symbol): boolean {
  if (typeof name !== 'string' || !isResourceVariable(name)) return false;
  const scope = currentFunction();
  if (scope === undefined) return false;
  let visible = visibleTo.get(scope.decl);
  if (visible === undefined) visibleTo.set(scope.decl, (visible = resourceVariablesOf(scope.decl)));
  return !visible.has(name);
}

let installed = false;

/**
 * Installs the per-invocation view of `process.env` and the InvokeStore, once per process. Outside an
 * invocation both are transparent, so installing them changes nothing for code that is not a function.
 */
export function installInvocationScopes(): void {
  if (installed) return;
  installed = true;
  const real = process.env;
  realEnv = real;
  process.env = new Proxy(real, {
    get: (target, name) => (hidden(name) ? undefined : Reflect.get(target, name)),
    has: (target, name) => !hidden(name) && Reflect.has(target, name),
    ownKeys: (target) => Reflect.ownKeys(target).filter((name) => !hidden(name)),
    getOwnPropertyDescriptor: (target, name) => (hidden(name) ? undefined : Reflect.getOwnPropertyDescriptor(target, name)),
  });
  const global = globalThis as { awslambda?: { InvokeStore?: unknown } };
  global.awslambda ??= {};
  // Replaces a single-invocation store the AWS SDK may have created already (it has no per-invocation state).
  global.awslambda.InvokeStore = store;
}

/** Runs `fn` (a module load) as the function, without an invocation: it sees the function's environment. */
export function asFunction<T>(scope: FunctionScope, fn: () => T): T {
  return store.runScope([[FUNCTION, scope]], fn);
}

/** Runs one invocation of a function in its own scope (log context, environment, grants). */
export function runInvocation<T>(scope: FunctionScope, context: Context, fn: () => T): T {
  return store.runScope(
    [
      [REQUEST_ID, context.awsRequestId],
      [FUNCTION, scope],
    ],
    fn,
  );
}

// ---- grants -------------------------------------------------------------------------------------

export interface GrantViolation {
  readonly functionName: string;
  readonly service: 'dynamodb' | 'sqs' | 'kms';
  readonly operation: string;
  readonly resource: string;
}

const violations: GrantViolation[] = [];
/** Every call refused so far in this process (for tests: a function that reached past its grants). */
export const grantViolations = (): readonly GrantViolation[] => [...violations];

export class GrantDeniedError extends Error {
  override readonly name = 'AccessDeniedException';
}

const DYNAMO_WRITE = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);

const logicalTable = (physical: string): TableName | undefined => {
  for (const [variable, table] of tableVariables) if (Reflect.get(realEnvOf(), variable) === physical) return table;
  return undefined;
};
const logicalQueue = (url: string): QueueName | undefined => {
  for (const [variable, queue] of queueVariables) {
    const own = Reflect.get(realEnvOf(), variable) as string | undefined;
    if (own !== undefined && (own === url || own.endsWith(`/${url}`))) return queue;
  }
  return undefined;
};
const logicalDeadLetterQueue = (url: string): QueueName | undefined => {
  for (const [variable, queue] of deadLetterVariables) {
    const own = Reflect.get(realEnvOf(), variable) as string | undefined;
    if (own !== undefined && own !== '' && (own === url || own.endsWith(`/${url}`))) return queue;
  }
  return undefined;
};
/** The unfiltered environment: which physical name is which logical resource is the runtime's knowledge. */
let realEnv: NodeJS.ProcessEnv | undefined;
const realEnvOf = (): NodeJS.ProcessEnv => realEnv ?? process.env;

/** Table names of a DynamoDB input (single-table, batch and transaction shapes). */
function tablesOf(input: Record<string, unknown>): { table: string; access: 'read' | 'write' }[] {
  const out: { table: string; access: 'read' | 'write' }[] = [];
  if (typeof input.TableName === 'string') out.push({ table: input.TableName, access: 'read' });
  if (input.RequestItems !== null && typeof input.RequestItems === 'object') {
    for (const table of Object.keys(input.RequestItems)) out.push({ table, access: 'read' });
  }
  if (Array.isArray(input.TransactItems)) {
    for (const item of input.TransactItems as Record<string, { TableName?: string }>[]) {
      for (const [kind, op] of Object.entries(item)) {
        if (typeof op?.TableName === 'string') out.push({ table: op.TableName, access: kind === 'Get' || kind === 'ConditionCheck' ? 'read' : 'write' });
      }
    }
  }
  return out;
}

function check(scope: FunctionScope, service: GrantViolation['service'], operation: string, input: Record<string, unknown>): void {
  const deny = (resource: string, why: string): never => {
    violations.push({ functionName: scope.name, service, operation, resource });
    throw new GrantDeniedError(`${scope.name} is not granted ${operation} on ${resource}: ${why} (infra/topology.ts)`);
  };
  const { decl } = scope;
  if (service === 'dynamodb') {
    const op = operation.replace(/Command$/, '');
    for (const { table: physical, access: shapeAccess } of tablesOf(input)) {
      const table = logicalTable(physical);
      if (table === undefined) return deny(physical, 'not a table of the topology');
      // Anything that is not a write (GetItem, Query, Scan, BatchGetItem, DescribeTable) needs read access.
      const needs = op.startsWith('Transact') ? shapeAccess : DYNAMO_WRITE.has(op) ? 'write' : 'read';
      const granted = decl.tables[table];
      const ok = granted === 'readWrite' || granted === needs;
      if (!ok) deny(`table ${table}`, granted === undefined ? 'no grant on the table' : `its grant is ${granted}`);
    }
    return;
  }
  if (service === 'sqs') {
    const op = operation.replace(/Command$/, '');
    const target = typeof input.QueueUrl === 'string' ? input.QueueUrl : typeof input.QueueName === 'string' ? input.QueueName : '';
    const deadLetters = logicalDeadLetterQueue(target);
    if (deadLetters !== undefined) {
      // A DLQ: only its depth, and only for the functions declared to watch the dead letters.
      if (!(op === 'GetQueueAttributes' && decl.watchesDeadLetters === true)) deny(`dead-letter queue of ${deadLetters}`, 'only watchesDeadLetters functions read DLQ attributes');
      return;
    }
    const queue = logicalQueue(target);
    if (queue === undefined) return deny(target, 'not a queue of the topology');
    if (op === 'SendMessage' || op === 'SendMessageBatch') {
      if (!(decl.sends ?? []).includes(queue)) deny(`queue ${queue}`, 'not among the queues it sends to');
      return;
    }
    // The event source mapping's consumer grant: its own source queue only.
    if (decl.source?.queue !== queue) deny(`queue ${queue}`, 'not its source queue');
    return;
  }
  // KMS (with KEY_PROVIDER=kms): the actions ZtFunction's bindPiiKey and bindPlatformKey grant.
  const op = operation.replace(/Command$/, '');
  // Which key: the log signing key's grants are the `logKey` declaration's, never the platform key's.
  const logKeyId = Reflect.get(realEnvOf(), LOG_SIGNING_KEY_ENV) as string | undefined;
  if (logKeyId !== undefined && logKeyId !== '' && input.KeyId === logKeyId) {
    const allowedOnLogKey = (op === 'Sign' && decl.logKey === 'sign') || (op === 'GetPublicKey' && decl.logKey !== undefined);
    if (!allowedOnLogKey) deny(`KMS ${op} on the log signing key`, 'not among the key actions its logKey declaration implies');
    return;
  }
  const writesKeys = decl.tables.keys === 'write' || decl.tables.keys === 'readWrite';
  const allowed =
    (op === 'Decrypt' && decl.usesPiiKey === true) ||
    (op === 'GenerateDataKey' && decl.usesPiiKey === true && writesKeys) ||
    (op === 'Sign' && decl.platformKey === 'sign') ||
    (op === 'GetPublicKey' && decl.platformKey !== undefined);
  if (!allowed) deny(`KMS ${op}`, 'not among the key actions its declaration implies');
}

type Middleware = (next: (args: { input: Record<string, unknown> }) => Promise<unknown>, context: { commandName?: string }) => (args: { input: Record<string, unknown> }) => Promise<unknown>;
interface ClientWithStack {
  readonly middlewareStack: { add(middleware: Middleware, options: { step: 'initialize'; name: string; override: boolean }): void };
}

/**
 * Adds the grant check to an SDK client (idempotent: a restart in the same process replaces it, with
 * its `onDenied`, which is told of each refusal before the call fails).
 */
export function guardClient(client: ClientWithStack, service: GrantViolation['service'], onDenied: (error: GrantDeniedError) => void): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const scope = currentFunction();
      if (scope !== undefined) {
        try {
          check(scope, service, context.commandName ?? 'unknown', args.input);
        } catch (error) {
          if (error instanceof GrantDeniedError) onDenied(error);
          throw error;
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'ztLocalGrantCheck', override: true },
  );
}
