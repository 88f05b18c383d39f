/**
 * The local runtime end to end with fixture functions: environment set before handler modules load,
 * routed functions served over HTTP, queue-sourced workers fed from their queue, DynamoDB state persisted
 * under the data directory across a restart in the same process, and process.env left as it was found.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { FunctionDecl } from '../../../infra/topology';
import type { RuntimeLogger } from '../../../infra/local/lambda-context';
import { startLocalRuntime, type RuntimeHookContext, type RuntimeStartedContext } from '../../../infra/local/runtime';

const fixtures = 'test/integration/local-runtime/fixtures';
const functions: Record<string, FunctionDecl> = {
  echo: {
    entry: `${fixtures}/echo-handler.ts`,
    description: 'fixture',
    timeoutSeconds: 5,
    memoryMb: 128,
    route: { method: 'GET', path: '/echo/{id}' },
    tables: { filings: 'read' },
  },
  store: {
    entry: `${fixtures}/echo-handler.ts`,
    description: 'fixture',
    timeoutSeconds: 5,
    memoryMb: 128,
    route: { method: 'PUT', path: '/echo/{id}' },
    tables: { filings: 'readWrite' },
  },
  recorder: {
    entry: `${fixtures}/recording-worker.ts`,
    description: 'fixture',
    timeoutSeconds: 5,
    memoryMb: 128,
    source: { queue: 'intake', batchSize: 10 },
    tables: {},
  },
};
const quietLogger: RuntimeLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const recorded = (): string[] => (globalThis as { __ztRecordedBodies?: string[] }).__ztRecordedBodies ?? [];

async function eventually<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('local runtime', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'zt-runtime-'));
    delete process.env.ZT_USE_EMULATORS;
  });
  afterAll(async () => rm(dataDir, { recursive: true, force: true }));

  it('serves routed handlers, feeds workers, persists state across a restart and restores process.env', async () => {
    // Prepare
    const envBefore = { table: process.env.TABLE_FILINGS, endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB, keyProvider: process.env.KEY_PROVIDER };
    const hooks: string[] = [];
    let beforeCtx: RuntimeHookContext | undefined;
    let afterCtx: RuntimeStartedContext | undefined;
    const start = () =>
      startLocalRuntime({
        dataDir,
        port: 0,
        prefix: 'zt-rt',
        functions,
        logger: quietLogger,
        beforeHandlers: async (ctx) => {
          hooks.push('before');
          beforeCtx = ctx;
          expect(process.env.TABLE_FILINGS).toBe('zt-rt-filings');
        },
        afterStart: async (ctx) => {
          hooks.push('after');
          afterCtx = ctx;
        },
      });

    // Act: first run
    const first = await start();
    const stored = await fetch(`${first.url}/echo/k1`, { method: 'PUT', body: 'kept' });
    const sqs = new SQSClient({});
    await sqs.send(new SendMessageCommand({ QueueUrl: first.env.QUEUE_INTAKE_URL, MessageBody: 'hello-worker' }));
    await eventually(() => (recorded().includes('hello-worker') ? true : undefined));
    sqs.destroy();
    await first.stop();
    const envBetween = { table: process.env.TABLE_FILINGS, endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB, keyProvider: process.env.KEY_PROVIDER };

    // Act: second run in the same process, same data directory
    const second = await start();
    const read = await fetch(`${second.url}/echo/k1`);
    const notFound = await fetch(`${second.url}/nothing`);
    await second.stop();

    // Assess
    expect(stored.status).toBe(200);
    expect(await stored.json()).toEqual({ id: 'k1', tableAtLoad: 'zt-rt-filings', keyProviderAtLoad: 'local', stored: 'kept' });
    expect(read.status).toBe(200);
    expect((await read.json()) as unknown).toMatchObject({ stored: 'kept' }); // persisted under dataDir, and the module's client still works
    expect(notFound.status).toBe(404);
    expect(hooks).toEqual(['before', 'after', 'before', 'after']);
    expect(beforeCtx?.env).toMatchObject({ TABLE_FILINGS: 'zt-rt-filings', KEY_PROVIDER: 'local', PII_KEY_ID: 'local', LOCAL_KEYRING_DIR: join(dataDir, 'keyring') });
    expect(afterCtx?.url).toBe(second.url);
    expect(afterCtx?.queueUrls.intake.dlqUrl).toMatch(/zt-rt-intake-dlq$/);
    expect(second.env.AWS_ENDPOINT_URL_DYNAMODB).toBe(first.env.AWS_ENDPOINT_URL_DYNAMODB);
    expect(envBetween).toEqual(envBefore);
    expect({ table: process.env.TABLE_FILINGS, endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB, keyProvider: process.env.KEY_PROVIDER }).toEqual(envBefore);
  });

  it('refuses to start when a function module exports no handler, and cleans up after itself', async () => {
    const broken: Record<string, FunctionDecl> = {
      broken: { entry: 'infra/topology.ts', description: 'a module without a handler export', timeoutSeconds: 1, memoryMb: 128, route: { method: 'GET', path: '/x' }, tables: {} },
    };
    await expect(startLocalRuntime({ dataDir, port: 0, prefix: 'zt-rt', functions: broken, logger: quietLogger })).rejects.toThrow(/does not export a handler/);
    expect(process.env.TABLE_FILINGS).toBeUndefined();
    // The emulators were closed: a normal start still succeeds on the same data directory.
    const runtime = await startLocalRuntime({ dataDir, port: 0, prefix: 'zt-rt', functions, logger: quietLogger, pollers: false });
    expect((await fetch(`${runtime.url}/echo/k1`)).status).toBe(200);
    await runtime.stop();
  });
});
