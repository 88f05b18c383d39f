/**
 * The local runtime honours the topology's `schedule` as EventBridge does on AWS: a timer invokes the
 * scheduled function with a real-shaped Scheduled Event, and stop() ends it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScheduledEvent } from 'aws-lambda';
import type { FunctionDecl } from '../../../infra/topology';
import type { RuntimeLogger } from '../../../infra/local/lambda-context';
import { startLocalRuntime } from '../../../infra/local/runtime';

const functions: Record<string, FunctionDecl> = {
  ticker: {
    entry: 'test/integration/local-runtime/fixtures/scheduled-recorder.ts',
    description: 'fixture',
    timeoutSeconds: 7,
    memoryMb: 128,
    schedule: { everyMinutes: 2 },
    tables: {},
  },
};
const quietLogger: RuntimeLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
type Seen = { event: ScheduledEvent; functionName: string; remainingMs: number };
const seen = (): Seen[] => (globalThis as { __ztScheduledEvents?: Seen[] }).__ztScheduledEvents ?? [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('local runtime: scheduled functions', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'zt-scheduler-'));
    delete process.env.ZT_USE_EMULATORS;
  });
  afterAll(async () => rm(dataDir, { recursive: true, force: true }));

  it('invokes the function every N "minutes" with an EventBridge Scheduled Event, and no more after stop()', async () => {
    // Prepare: a "minute" of 50 ms, so every 2 minutes is every 100 ms.
    const runtime = await startLocalRuntime({ dataDir, port: 0, prefix: 'zt-sched', functions, logger: quietLogger, scheduleMinuteMs: 50 });
    // Act
    await sleep(450);
    await runtime.stop();
    const count = seen().length;
    await sleep(300);
    // Assess: about 4 ticks, none after stop().
    expect(count).toBeGreaterThanOrEqual(2);
    expect(count).toBeLessThanOrEqual(5);
    expect(seen()).toHaveLength(count);
    const { event, functionName, remainingMs } = seen()[0]!;
    expect(functionName).toBe('ticker');
    expect(remainingMs).toBeGreaterThan(6_000);
    expect(remainingMs).toBeLessThanOrEqual(7_000);
    expect(event).toMatchObject({ version: '0', 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} });
    expect(event.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(event.resources).toEqual([expect.stringMatching(/^arn:aws:events:[a-z0-9-]+:\d{12}:rule\/ticker-schedule$/)]);
    expect(new Set(seen().map((s) => s.event.id)).size).toBe(count);
  });

  it('starts no timer when schedules are off', async () => {
    const before = seen().length;
    const runtime = await startLocalRuntime({ dataDir, port: 0, prefix: 'zt-sched', functions, logger: quietLogger, scheduleMinuteMs: 20, schedules: false });
    await sleep(200);
    await runtime.stop();
    expect(seen()).toHaveLength(before);
  });
});
