/**
 * One invocation, one scope (infra/local/invocation-scope.ts, issue 7 §3 and §4): the local runtime runs
 * every function in one process, and still
 * - log lines carry the function name and request id of the invocation that wrote them, even when two
 *   handlers on the one shared Powertools logger interleave;
 * - a function sees only its own resource variables, and a call to a table it has no grant on is refused
 *   as IAM would refuse it — even with a table name it did not get from its own environment.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FunctionDecl } from '../../../infra/topology';
import type { RuntimeLogger } from '../../../infra/local/lambda-context';
import { grantViolations } from '../../../infra/local/invocation-scope';
import { startLocalRuntime, type LocalRuntime } from '../../../infra/local/runtime';

const fixtures = 'test/integration/local-runtime/fixtures';
const logging = (path: string): FunctionDecl => ({
  entry: `${fixtures}/logging-handler.ts`,
  description: 'fixture',
  timeoutSeconds: 5,
  memoryMb: 128,
  route: { method: 'GET', path },
  tables: {},
});
const functions: Record<string, FunctionDecl> = {
  slowLogger: logging('/slow/{step}'),
  fastLogger: logging('/fast/{step}'),
  filingsReader: {
    entry: `${fixtures}/table-reader.ts`,
    description: 'fixture',
    timeoutSeconds: 5,
    memoryMb: 128,
    route: { method: 'GET', path: '/read/{table}' },
    tables: { filings: 'read' },
  },
};
const quietLogger: RuntimeLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('invocation scopes of the local runtime', () => {
  let dataDir: string;
  let runtime: LocalRuntime;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'zt-scope-'));
    delete process.env.ZT_USE_EMULATORS;
    runtime = await startLocalRuntime({ dataDir, port: 0, prefix: 'zt-scope', functions, logger: quietLogger, pollers: false });
  });
  afterAll(async () => {
    await runtime?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps each log line with the invocation that wrote it when two handlers on one logger interleave', async () => {
    // Prepare: capture what the shared logger writes (JSON lines on stdout/stderr).
    const lines: string[] = [];
    const capture = (chunk: unknown): boolean => {
      lines.push(...String(chunk).split('\n').filter((l) => l.includes('scope-fixture')));
      return true;
    };
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    try {
      // Act: the slow one enters first and leaves after the fast one has entered and left.
      const slow = fetch(`${runtime.url}/slow/one?waitMs=400`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const fast = fetch(`${runtime.url}/fast/two`);
      const [slowBody, fastBody] = (await Promise.all([(await slow).json(), (await fast).json()])) as { requestId: string }[];

      // Assess
      const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(entries).toHaveLength(4);
      const of = (fn: string) => entries.filter((e) => e.function_name === fn);
      expect(of('slowLogger').map((e) => [e.message, e.function_request_id, e.fixtureStep])).toEqual([
        ['scope-fixture entered', slowBody!.requestId, 'one'],
        ['scope-fixture leaving', slowBody!.requestId, 'one'],
      ]);
      expect(of('fastLogger').map((e) => [e.message, e.function_request_id, e.fixtureStep])).toEqual([
        ['scope-fixture entered', fastBody!.requestId, 'two'],
        ['scope-fixture leaving', fastBody!.requestId, 'two'],
      ]);
      // The order proves they interleaved: the slow invocation's last line comes after the fast one's.
      expect(entries.map((e) => e.function_name)).toEqual(['slowLogger', 'fastLogger', 'fastLogger', 'slowLogger']);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });

  it('shows a function only its own resource variables, and refuses a table it has no grant on', async () => {
    // Act
    const own = (await (await fetch(`${runtime.url}/read/filings`)).json()) as Record<string, unknown>;
    const other = (await (await fetch(`${runtime.url}/read/register?physical=${runtime.env.TABLE_REGISTER}`)).json()) as Record<string, unknown>;

    // Assess
    expect(own).toEqual({ visible: true, read: true });
    expect(other).toEqual({ visible: false, read: false, error: 'AccessDeniedException' });
    expect(grantViolations()).toContainEqual({ functionName: 'filingsReader', service: 'dynamodb', operation: 'GetItemCommand', resource: 'table register' });
    // Outside an invocation (test code, seeding) everything is visible.
    expect(process.env.TABLE_REGISTER).toBe('zt-scope-register');
  });
});
