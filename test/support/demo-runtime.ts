/**
 * End-to-end support: the local runtime that `npm start` runs, on a temporary data directory and a free
 * port, seeded with the demo data; and a capture of everything the process writes, to look for personal
 * data in the logs.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { grantViolations } from '../../infra/local/invocation-scope';
import { startLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from '../../infra/local/runtime';
import { credentialsPath, seedDemoData, type DemoCredentials } from '../../infra/local/seed/seed';

export interface DemoRuntime {
  readonly runtime: LocalRuntime;
  readonly dataDir: string;
  readonly credentials: DemoCredentials;
  /** Stops the runtime (again, harmlessly, if a test stopped it) and removes the data directory. */
  stop(): Promise<void>;
}

export async function startDemoRuntime(name: string, options: Pick<LocalRuntimeOptions, 'pollers' | 'afterStart'> = {}): Promise<DemoRuntime> {
  const dataDir = await mkdtemp(join(tmpdir(), `zt-${name}-`));
  const runtime = await startLocalRuntime({ dataDir, port: 0, beforeHandlers: async () => void (await seedDemoData(dataDir)), ...options });
  const credentials = JSON.parse(await readFile(credentialsPath(dataDir), 'utf8')) as DemoCredentials;
  return {
    runtime,
    dataDir,
    credentials,
    stop: async () => {
      await runtime.stop();
      await rm(dataDir, { recursive: true, force: true });
      // Every end-to-end run doubles as the least-privilege check: no function reached past its topology grants.
      const violations = grantViolations();
      if (violations.length > 0) throw new Error(`Functions reached past their grants (infra/topology.ts): ${JSON.stringify(violations)}`);
    },
  };
}

export interface OutputCapture {
  /** Everything written to stdout and stderr since the capture began. */
  text(): string;
  restore(): void;
}

/** Records what the process writes to stdout and stderr, still passing it through. */
export function captureOutput(): OutputCapture {
  const written: string[] = [];
  const originals = { stdout: process.stdout.write.bind(process.stdout), stderr: process.stderr.write.bind(process.stderr) };
  const capture = (original: typeof process.stdout.write) =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write;
  process.stdout.write = capture(originals.stdout);
  process.stderr.write = capture(originals.stderr);
  return {
    text: () => written.join(''),
    restore: () => {
      process.stdout.write = originals.stdout;
      process.stderr.write = originals.stderr;
    },
  };
}
