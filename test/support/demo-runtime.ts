/**
 * End-to-end support: the local runtime that `npm start` runs, on a temporary data directory and a free
 * port, seeded with the demo data; and a capture of everything the process writes, to look for personal
 * data in the logs.
 */
import { startCoordinationRuntime, type CoordinationRuntime, type CoordinationRuntimeOptions } from './department-simulators';

export type DemoRuntime = CoordinationRuntime;

/**
 * The local runtime as `npm start` runs it: seeded, with the tax and trading simulators answering the
 * departments' requests (quicker than on `npm start`: 200 ms, tax paid after 3 s). One per test file:
 * handlers read the department registry once per process.
 */
export function startDemoRuntime(name: string, options: CoordinationRuntimeOptions = {}): Promise<DemoRuntime> {
  return startCoordinationRuntime(name, options);
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
