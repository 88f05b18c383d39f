/**
 * The local runtime's core (DESIGN.md §6, "one topology, two runtimes"): from the topology alone it starts
 * the emulators, provisions tables and queues, sets the environment the CDK stacks would set, loads every
 * function's real `handler`, serves the routed ones over HTTP as API Gateway would, and feeds the
 * queue-sourced workers from pollers that honour partial batch failures. `infra/local/main.ts` (`npm
 * start`) wraps it; integration and end-to-end tests start it in-process.
 *
 * Where the backends come from:
 * - default: dynalite, persisted under `<dataDir>/dynamodb` (tables survive restarts), or DynamoDB Local
 *   with `ZT_DYNAMODB_EMULATOR=dynamodb-local` (see emulators.ts), and local-aws-sqs,
 *   in memory (messages do not survive a restart; the caller's `afterStart` re-enqueues stranded work),
 *   both on free loopback ports. The endpoint and table/queue variables then always name these emulators,
 *   whatever the shell says: anything else would provision in one place and serve from another.
 * - `ZT_USE_EMULATORS=false`: no emulators; the SDK's own configuration decides. With
 *   `AWS_ENDPOINT_URL_DYNAMODB` and `AWS_ENDPOINT_URL_SQS` (or `AWS_ENDPOINT_URL`) set, e.g. to LocalStack,
 *   the topology is provisioned there; otherwise (AWS itself) nothing is provisioned and the table and queue
 *   variables (`TABLE_*`, `QUEUE_*_URL`) must already name the deployed resources.
 * Every other variable (region, fake credentials — emulator mode only —, `KEY_PROVIDER=local`, the local
 * keyring, `PII_KEY_ID`, `POWERTOOLS_SERVICE_NAME`) is a default a variable already set in the shell wins
 * over. `stop()` restores the environment as it found it.
 *
 * Handlers read their configuration and build their SDK clients at module load, and Node loads a module
 * once per process: a second runtime started in the same process (tests) reuses the first one's handler
 * modules. So that they keep working, a restart reuses the previous emulator ports when they are free, and
 * should keep the same `prefix`.
 */
import { consoleSite } from './console-site';
import { createServer as createNetServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import {
  functions as topologyFunctions,
  KEY_PROVIDER_ENV,
  LOCAL_KEYRING_DIR_ENV,
  EXPORT_DIR_ENV,
  deadLetterQueueEnvVar,
  LOG_SIGNING_KEY_ENV,
  PII_KEY_ENV,
  queueEnvVar,
  queues,
  tableEnvVar,
  tables,
  type FunctionDecl,
  type QueueDecl,
  type QueueName,
  type TableName,
} from '../topology';
import { dynamoDocumentClient, kms, sqs as functionsSqs } from '../../functions/adapters/aws-clients';
import { securePrivateDataDir } from './data-dir';
import { startDynamo, startSqs, type Emulator } from './emulators';
import { startHttpAdapter, type HttpAdapter, type HttpRouteBinding } from './http-adapter';
import { asFunction, guardClient, installInvocationScopes, MAX_CONCURRENCY_ENV, runInvocation } from './invocation-scope';
import { defaultRuntimeLogger, type RuntimeLogger } from './lambda-context';
import { LOCAL_CREDENTIALS, LOCAL_REGION, provision } from './provision';
import { startQueuePoller, type QueuePoller } from './queue-poller';
import { startSchedule, type ScheduledFunction } from './scheduler';

export type QueueUrls = Record<QueueName, { url: string; dlqUrl: string }>;

export interface RuntimeHookContext {
  /** The variables the runtime resolved for the SDK and the functions (also set in `process.env`). */
  readonly env: Record<string, string>;
  readonly dataDir: string;
}

export interface RuntimeStartedContext extends RuntimeHookContext {
  readonly url: string;
  readonly queueUrls: QueueUrls;
}

export interface LocalRuntimeOptions {
  readonly dataDir: string;
  /** HTTP port; default 3000, 0 picks a free one. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Prefix of physical table and queue names; default `zt-local`. */
  readonly prefix?: string;
  /** Runs once the environment is set and before any handler module is loaded (seeding goes here). */
  readonly beforeHandlers?: (ctx: RuntimeHookContext) => Promise<void>;
  /** Runs once the HTTP server and the pollers are up. */
  readonly afterStart?: (ctx: RuntimeStartedContext) => Promise<void>;
  /** Start a timer per scheduled function (EventBridge's part); default: as `pollers`. */
  readonly schedules?: boolean;
  /** Length of a schedule "minute" in ms (default 60 000): a seam for tests of the runtime itself. */
  readonly scheduleMinuteMs?: number;
  /** Start one poller per queue-sourced function; default true. */
  readonly pollers?: boolean;
  /**
   * Builds the SQS client the pollers receive and delete with, once the environment is set; by default
   * the runtime builds one (and destroys it on `stop()`). A seam for `npm run bench`, which counts the
   * requests of every SDK client in its runtime process.
   */
  readonly pollerSqsClient?: () => SQSClient;
  readonly logger?: RuntimeLogger;
  /** The functions to run; the topology's by default. A seam for tests of the runtime itself. */
  readonly functions?: Readonly<Record<string, FunctionDecl>>;
  /** Serve the registry console at /console/ (built on its first request); default true. */
  readonly console?: boolean;
}

export interface LocalRuntime {
  readonly url: string;
  readonly env: Record<string, string>;
  readonly queueUrls: QueueUrls;
  stop(): Promise<void>;
}

export const USE_EMULATORS_ENV = 'ZT_USE_EMULATORS';
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Emulator ports of the previous runtime in this process, reused so module-level SDK clients stay valid. */
const previousPorts: { dynamo?: number; sqs?: number } = {};

/** Sets variables and remembers what they were, so that stop() leaves process.env as it found it. */
class EnvOverlay {
  private readonly saved = new Map<string, string | undefined>();
  readonly applied: Record<string, string> = {};

  /** Sets the variable unless the shell already has a value; returns the value in effect. */
  setDefault(name: string, value: string): string {
    const current = process.env[name];
    if (current !== undefined && current !== '') {
      this.applied[name] = current;
      return current;
    }
    return this.force(name, value);
  }

  force(name: string, value: string): string {
    if (!this.saved.has(name)) this.saved.set(name, process.env[name]);
    process.env[name] = value;
    this.applied[name] = value;
    return value;
  }

  restore(): void {
    for (const [name, value] of this.saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    this.saved.clear();
  }
}

async function portIsFree(port: number): Promise<boolean> {
  const probe = createNetServer();
  return new Promise((resolvePort) => {
    probe.once('error', () => resolvePort(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolvePort(true)));
  });
}

/** Starts an emulator on the port it had before in this process when that port is free, else on a free one. */
async function startOnPreviousPort(previous: number | undefined, start: (port: number) => Promise<Emulator>): Promise<Emulator> {
  if (previous !== undefined && (await portIsFree(previous))) {
    try {
      return await start(previous);
    } catch {
      // lost the race for the port: take any
    }
  }
  return start(0);
}

const portOf = (endpoint: string): number => Number(new URL(endpoint).port);

type LoadedHandler = (event: unknown, context: Context) => unknown;

async function loadHandler(name: string, decl: FunctionDecl): Promise<LoadedHandler> {
  const scope = { name, decl };
  // Imported only now, after the environment is set: handlers read their configuration at module load,
  // and see only their own resource variables while they do (invocation-scope.ts).
  const module: unknown = await asFunction(scope, () => import(pathToFileURL(resolve(repoRoot, decl.entry)).href));
  const handler = typeof module === 'object' && module !== null && 'handler' in module ? module.handler : undefined;
  if (typeof handler !== 'function') throw new Error(`Function ${name}: ${decl.entry} does not export a handler function`);
  // Each invocation in its own scope: its log context, its function's environment and grants.
  return (event, context) => runInvocation(scope, context, () => handler(event, context));
}

/** With real AWS (no provisioning), the queue URLs come from the environment and the DLQ from the redrive policy. */
async function queueUrlsFromEnv(client: SQSClient): Promise<QueueUrls> {
  const result = {} as QueueUrls;
  for (const name of Object.keys(queues) as QueueName[]) {
    const url = process.env[queueEnvVar(name)]!;
    const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['RedrivePolicy'] }));
    const dlqArn = Attributes?.RedrivePolicy ? (JSON.parse(Attributes.RedrivePolicy) as { deadLetterTargetArn?: string }).deadLetterTargetArn : undefined;
    let dlqUrl = '';
    if (dlqArn) {
      const [, , , , account, queueName] = dlqArn.split(':');
      dlqUrl = (await client.send(new GetQueueUrlCommand({ QueueName: queueName, QueueOwnerAWSAccountId: account }))).QueueUrl ?? '';
    }
    result[name] = { url, dlqUrl };
  }
  return result;
}

function resourceVariables(): string[] {
  return [...(Object.keys(tables) as TableName[]).map(tableEnvVar), ...(Object.keys(queues) as QueueName[]).map(queueEnvVar)];
}

/** Where the SDK's default chain finds credentials before it would ask the instance metadata service. */
const CREDENTIAL_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_PROFILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
];

/**
 * With a local endpoint (the emulators, LocalStack), credentials are explicit: the shell's if it set any,
 * otherwise static local ones (emulators accept any). The instance metadata service is switched off, so a
 * machine without credentials fails fast instead of probing 169.254.169.254 (CredentialsProviderError).
 */
function useLocalCredentialsUnlessConfigured(env: EnvOverlay): void {
  env.setDefault('AWS_EC2_METADATA_DISABLED', 'true');
  if (CREDENTIAL_VARIABLES.some((name) => process.env[name])) return;
  env.force('AWS_ACCESS_KEY_ID', LOCAL_CREDENTIALS.accessKeyId);
  env.force('AWS_SECRET_ACCESS_KEY', LOCAL_CREDENTIALS.secretAccessKey);
}

export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const dataDir = resolve(options.dataDir);
  const prefix = options.prefix ?? 'zt-local';
  const logger = options.logger ?? defaultRuntimeLogger();
  const fns = options.functions ?? (topologyFunctions as Readonly<Record<string, FunctionDecl>>);
  const useEmulators = process.env[USE_EMULATORS_ENV]?.toLowerCase() !== 'false';

  const env = new EnvOverlay();
  const emulators: Emulator[] = [];
  const pollers: QueuePoller[] = [];
  const schedules: ScheduledFunction[] = [];
  let http: HttpAdapter | undefined;
  let sqsClient: SQSClient | undefined;
  let restoreUmask: (() => void) | undefined;

  const shutdown = async (): Promise<void> => {
    await Promise.all([...schedules, ...pollers].map((p) => p.stop()));
    await http?.close();
    await Promise.all(emulators.map((e) => e.close()));
    sqsClient?.destroy();
    env.restore();
    restoreUmask?.();
    restoreUmask = undefined;
  };

  try {
    restoreUmask = await securePrivateDataDir(dataDir);
    let queueUrls: QueueUrls;

    if (useEmulators) {
      const [dynamo, sqs] = await Promise.all([
        startOnPreviousPort(previousPorts.dynamo, (port) => startDynamo({ path: join(dataDir, 'dynamodb'), port })),
        startOnPreviousPort(previousPorts.sqs, (port) => startSqs({ port })),
      ]);
      emulators.push(dynamo, sqs);
      previousPorts.dynamo = portOf(dynamo.endpoint);
      previousPorts.sqs = portOf(sqs.endpoint);
      // A DynamoDB server shared with other processes (the DynamoDB Local of a test run): tables of this
      // process carry its namespace. A restart in the same process finds its tables again, as on disk (so
      // does a runtime on another data directory: one data directory per process in that mode).
      const tablePrefix = dynamo.sharedNamespace ? `${prefix}-${dynamo.sharedNamespace}` : prefix;
      const provisioned = await provision({ dynamoEndpoint: dynamo.endpoint, sqsEndpoint: sqs.endpoint, prefix: tablePrefix });
      queueUrls = provisioned.queueUrls;
      for (const [name, value] of [
        ['AWS_ENDPOINT_URL_DYNAMODB', dynamo.endpoint],
        ['AWS_ENDPOINT_URL_SQS', sqs.endpoint],
      ] as const) {
        const shell = process.env[name];
        if (shell && shell !== value) logger.warn(`${name} is set but the emulators are in use; set ${USE_EMULATORS_ENV}=false to use it`, { [name]: shell });
        env.force(name, value);
      }
      for (const [name, value] of Object.entries(provisioned.env)) env.force(name, value);
      env.setDefault('AWS_REGION', LOCAL_REGION);
      useLocalCredentialsUnlessConfigured(env);
    } else {
      env.setDefault('AWS_REGION', LOCAL_REGION);
      const dynamoEndpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB || process.env.AWS_ENDPOINT_URL;
      const sqsEndpoint = process.env.AWS_ENDPOINT_URL_SQS || process.env.AWS_ENDPOINT_URL;
      if (dynamoEndpoint && sqsEndpoint) {
        // LocalStack and the like: every client (seeding, handlers) then signs with static local
        // credentials unless the shell configured some, and none looks for the instance metadata service.
        useLocalCredentialsUnlessConfigured(env);
        const provisioned = await provision({ dynamoEndpoint, sqsEndpoint, prefix });
        for (const [name, value] of Object.entries(provisioned.env)) env.setDefault(name, value);
        queueUrls = provisioned.queueUrls;
      } else {
        const missing = resourceVariables().filter((name) => !process.env[name]);
        if (missing.length > 0) {
          throw new Error(`${USE_EMULATORS_ENV}=false without endpoints: set ${missing.join(', ')} to the deployed resources`);
        }
        for (const name of resourceVariables()) env.setDefault(name, process.env[name]!);
        sqsClient = new SQSClient({});
        queueUrls = await queueUrlsFromEnv(sqsClient);
        for (const [name, { dlqUrl }] of Object.entries(queueUrls)) if (dlqUrl !== '') env.setDefault(deadLetterQueueEnvVar(name as QueueName), dlqUrl);
      }
    }
    env.setDefault(KEY_PROVIDER_ENV, 'local');
    env.setDefault(LOCAL_KEYRING_DIR_ENV, join(dataDir, 'keyring'));
    // Audit exports (S3 with Object Lock on AWS): write-once files with their retention, under the data dir.
    env.setDefault(EXPORT_DIR_ENV, join(dataDir, 'exports'));
    env.setDefault(PII_KEY_ENV, 'local');
    // The log signing key (`log-signing.key` in the keyring): only functions declared `logKey` see the variable.
    env.setDefault(LOG_SIGNING_KEY_ENV, 'local');
    env.setDefault('POWERTOOLS_SERVICE_NAME', 'zhitong');
    // Invocations run concurrently in this one process, as on Lambda managed instances: Powertools then
    // keeps each invocation's log context in the InvokeStore (invocation-scope.ts) instead of on the logger.
    env.force(MAX_CONCURRENCY_ENV, '64');
    installInvocationScopes();
    // The functions' own SDK clients, built now that the endpoints are set, refuse what IAM would refuse.
    const denied = (error: Error): void => logger.error('A function reached past its grants', { errorMessage: error.message });
    guardClient(dynamoDocumentClient(), 'dynamodb', denied);
    guardClient(functionsSqs(), 'sqs', denied);
    guardClient(kms(), 'kms', denied);
    // Webhooks to the developer's own machine (http://127.0.0.1:…); never set by the CDK stacks.
    env.setDefault('ZT_ALLOW_LOCAL_WEBHOOKS', 'true');

    await options.beforeHandlers?.({ env: { ...env.applied }, dataDir });

    const routes: HttpRouteBinding[] = [];
    const scheduled: { name: string; decl: FunctionDecl; everyMinutes: number; handler: LoadedHandler }[] = [];
    const workers: { name: string; decl: FunctionDecl; source: NonNullable<FunctionDecl['source']>; handler: LoadedHandler }[] = [];
    for (const [name, decl] of Object.entries(fns)) {
      if (!decl.route && !decl.source && !decl.schedule) continue;
      const handler = await loadHandler(name, decl);
      if (decl.route) {
        routes.push({ ...decl.route, functionName: name, timeoutSeconds: decl.timeoutSeconds, memoryMb: decl.memoryMb, handler });
      }
      if (decl.source) workers.push({ name, decl, source: decl.source, handler });
      if (decl.schedule) scheduled.push({ name, decl, everyMinutes: decl.schedule.everyMinutes, handler });
    }

    const mounts = options.console === false ? [] : [consoleSite()];
    http = await startHttpAdapter({ routes, mounts, host: options.host ?? '127.0.0.1', port: options.port ?? 3000, logger });

    if (options.pollers ?? true) {
      const pollerClient = options.pollerSqsClient?.() ?? (sqsClient ??= new SQSClient({}));
      for (const { name, decl, source, handler } of workers) {
        pollers.push(
          startQueuePoller({
            queueUrl: queueUrls[source.queue].url,
            functionName: name,
            timeoutSeconds: decl.timeoutSeconds,
            memoryMb: decl.memoryMb,
            batchSize: source.batchSize,
            fifo: (queues[source.queue] as QueueDecl).fifo === true,
            handler,
            sqsClient: pollerClient,
            logger,
          }),
        );
      }
    }

    if (options.schedules ?? options.pollers ?? true) {
      for (const { name, decl, everyMinutes, handler } of scheduled) {
        const common = { functionName: name, timeoutSeconds: decl.timeoutSeconds, memoryMb: decl.memoryMb, handler, logger };
        schedules.push(startSchedule({ ...common, everyMinutes, minuteMs: options.scheduleMinuteMs }));
      }
    }

    const url = http.url;
    await options.afterStart?.({ env: { ...env.applied }, dataDir, url, queueUrls });

    let stopped: Promise<void> | undefined;
    return {
      url,
      env: { ...env.applied },
      queueUrls,
      stop: () => (stopped ??= shutdown()),
    };
  } catch (error) {
    await shutdown().catch(() => undefined);
    throw error;
  }
}
