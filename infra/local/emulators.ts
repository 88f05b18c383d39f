/**
 * The embedded emulators of the local runtime, in-process on loopback: dynalite (DynamoDB API, persisted
 * with LevelDB under a directory, or in memory) and local-aws-sqs (SQS API, in memory only). Each runs
 * on a worker thread of this process (see emulator-worker.mjs) so that it does not share an event loop
 * with the handlers.
 */
import { Worker } from 'node:worker_threads';

export interface Emulator {
  readonly endpoint: string;
  close(): Promise<void>;
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

/** Starts dynalite; with `path`, its tables persist there across restarts. */
export function startDynamo(options: { path?: string; port?: number } = {}): Promise<Emulator> {
  return startWorker({ kind: 'dynamo', path: options.path, port: options.port });
}

export function startSqs(options: { port?: number } = {}): Promise<Emulator> {
  return startWorker({ kind: 'sqs', port: options.port, region: process.env.AWS_REGION ?? 'ap-east-1' });
}
