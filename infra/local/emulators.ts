/**
 * The embedded emulators of the local runtime, in-process on loopback: dynalite (DynamoDB API, persisted
 * with LevelDB under a directory, or in memory) and local-aws-sqs (SQS API, in memory only). Each runs
 * on a worker thread of this process (see emulator-worker.mjs) so that it does not share an event loop
 * with the handlers.
 *
 * `ZT_DYNAMODB_EMULATOR=dynamodb-local` puts AWS's DynamoDB Local (a Java process, see dynamodb-local.ts)
 * in dynalite's place, for the runtime and the test support alike. With `ZT_DYNAMODB_LOCAL_ENDPOINT` also
 * set (the test suite's global setup starts one server for the whole run), that running server is used
 * instead of starting one: it is then shared, and callers keep apart by a table-name namespace.
 */
import { Worker } from 'node:worker_threads';
import { startDynamoDbLocal } from './dynamodb-local';

export interface Emulator {
  readonly endpoint: string;
  /**
   * Set when the server is shared with other runtimes or test files (an already running DynamoDB Local):
   * a namespace unique to this process, to be put in physical table names so that callers never meet.
   */
  readonly sharedNamespace?: string;
  close(): Promise<void>;
}

/** Which DynamoDB implementation the local runtime and the tests run: `dynalite` (default) or `dynamodb-local`. */
export const DYNAMODB_EMULATOR_ENV = 'ZT_DYNAMODB_EMULATOR';
/** An already running DynamoDB Local to use rather than start one (set by the test suite's global setup). */
export const DYNAMODB_LOCAL_ENDPOINT_ENV = 'ZT_DYNAMODB_LOCAL_ENDPOINT';

export type DynamoEmulatorKind = 'dynalite' | 'dynamodb-local';

export function dynamoEmulatorKind(): DynamoEmulatorKind {
  const value = (process.env[DYNAMODB_EMULATOR_ENV] ?? '').trim().toLowerCase();
  if (value === '' || value === 'dynalite') return 'dynalite';
  if (value === 'dynamodb-local') return 'dynamodb-local';
  throw new Error(`${DYNAMODB_EMULATOR_ENV}=${value}: expected dynalite or dynamodb-local`);
}

type WorkerReply = { port: number } | { error: string } | { stopped: true };

async function startWorker(workerData: { kind: 'dynamo' | 'sqs'; path?: string; port?: number; region?: string }): Promise<Emulator> {
  const worker = new Worker(new URL('./emulator-worker.mjs', import.meta.url), { workerData });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (reply: WorkerReply) => ('port' in reply ? resolve(reply.port) : reject(new Error(`${workerData.kind} emulator: ${'error' in reply ? reply.error : 'stopped'}`))));
  });
  let closed: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => void worker.terminate().then(() => resolve()), 5_000);
        worker.once('message', () => {
          clearTimeout(timer);
          void worker.terminate().then(() => resolve());
        });
        worker.postMessage('stop');
      });
      return closed;
    },
  };
}

/**
 * Starts the selected DynamoDB emulator (dynalite unless `ZT_DYNAMODB_EMULATOR` says otherwise); with
 * `path`, its tables persist there across restarts. A shared DynamoDB Local is not started but joined.
 */
export function startDynamo(options: { path?: string; port?: number } = {}): Promise<Emulator> {
  if (dynamoEmulatorKind() === 'dynamodb-local') {
    const shared = process.env[DYNAMODB_LOCAL_ENDPOINT_ENV];
    if (shared) return Promise.resolve({ endpoint: shared, sharedNamespace: `p${process.pid}`, close: async () => undefined });
    return startDynamoDbLocal({ path: options.path === undefined ? undefined : `${options.path}-local`, port: options.port });
  }
  return startWorker({ kind: 'dynamo', path: options.path, port: options.port });
}

export function startSqs(options: { port?: number } = {}): Promise<Emulator> {
  return startWorker({ kind: 'sqs', port: options.port, region: process.env.AWS_REGION ?? 'ap-east-1' });
}
