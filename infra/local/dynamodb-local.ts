/**
 * DynamoDB Local (AWS's own DynamoDB-compatible server, `DynamoDBLocal.jar` as shipped by the npm package
 * `amplify-dynamodb-simulator`) as the local runtime's second DynamoDB implementation. dynalite is the
 * default; DynamoDB Local runs in CI beside it (`npm run test:dynamodb-local`) so that the adapters are held
 * to a server written by AWS, not only to a reimplementation. It is a Java child process (Java 17), on a
 * free port, in memory or persisted under a directory, with telemetry off (it must send nothing anywhere).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import type { Emulator } from './emulators';

const START_TIMEOUT_MS = 60_000;

/** The folder holding DynamoDBLocal.jar and its native libraries. */
function emulatorDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolvePort(port));
    });
  });
}

/** Resolves once the server answers HTTP on the port; rejects if the process exits first or in time. */
async function waitUntilServing(child: ChildProcess, endpoint: string, output: () => string): Promise<void> {
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `exited (${signal ?? code}) before serving`));
  child.once('error', (error) => (exited = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'java not found: DynamoDB Local needs Java 17 (e.g. apt-get install openjdk-17-jre-headless)' : error.message));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`DynamoDB Local ${exited}: ${output().trim().slice(-500)}`);
    try {
      // Any HTTP answer (DynamoDB Local answers a bare GET with 400) means it is serving.
      await fetch(endpoint, { signal: AbortSignal.timeout(1_000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`DynamoDB Local did not serve on ${endpoint} within ${START_TIMEOUT_MS} ms: ${output().trim().slice(-500)}`);
}

export interface DynamoDbLocalOptions {
  /** Persist tables under this directory; in memory without it. */
  readonly path?: string;
  /** Default: a free loopback port. */
  readonly port?: number;
}

/** Starts DynamoDB Local; `close()` stops the process (SIGTERM, then SIGKILL after 5 s). */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<Emulator> {
  const port = options.port || (await freeLoopbackPort());
  // DynamoDB Local refuses a database directory that does not exist.
  if (options.path) await mkdir(options.path, { recursive: true, mode: 0o700 });
  const args = [
    '-Djava.library.path=./DynamoDBLocal_lib',
    '-jar',
    'DynamoDBLocal.jar',
    '-port',
    String(port),
    // One database whatever the credentials and region: the runtime provisions with fixed local
    // credentials, while the handlers use whatever the shell configured.
    '-sharedDb',
    '-disableTelemetry',
    ...(options.path ? ['-dbPath', resolve(options.path)] : ['-inMemory']),
  ];
  const child = spawn(process.env.JAVA ?? 'java', args, { cwd: emulatorDir(), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => void (output = (output + chunk.toString('utf8')).slice(-4_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  // Never leave a JVM behind this process, whatever way it ends.
  const killOnExit = () => void child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilServing(child, endpoint, () => output);
  } catch (error) {
    process.removeListener('exit', killOnExit);
    throw error;
  }
  let closed: Promise<void> | undefined;
  return {
    endpoint,
    close: () => {
      closed ??= new Promise<void>((resolveClose) => {
        process.removeListener('exit', killOnExit);
        if (child.exitCode !== null || child.signalCode !== null) return resolveClose();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolveClose();
        });
        child.kill('SIGTERM');
      });
      return closed;
    },
  };
}
