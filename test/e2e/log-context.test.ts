/**
 * Log context belongs to one invocation (issue 7 §4), on the runtime `npm start` runs: while the intake
 * worker decides the demo batches, the channels poll their batches over HTTP, so worker and endpoint
 * invocations interleave in one process on one Powertools logger. Every worker line must still carry the
 * worker's function name and one of the worker's own request ids, never an endpoint's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZhitongClient } from '../../client/zt-client';
import { demoPlans } from '../../infra/local/seed/demo-plans';
import { captureOutput, startDemoRuntime, type DemoRuntime, type OutputCapture } from '../support/demo-runtime';
import { isMovingOnItsOwn } from '../support/statuses';

let demo: DemoRuntime;
let output: OutputCapture;

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  output = captureOutput();
  demo = await startDemoRuntime('logctx');
}, 120_000);

afterAll(async () => {
  output?.restore();
  await demo?.stop();
});

const logLines = (): Record<string, unknown>[] =>
  output
    .text()
    .split('\n')
    .filter((line) => line.startsWith('{') && line.includes('"function_name"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('log context on the local runtime', () => {
  it('keeps the intake worker’s lines with the worker while endpoints run in between', async () => {
    // Act: submit the three demo batches and poll each until intake has decided every filing.
    await Promise.all(
      demoPlans('logctx').map(async (plan) => {
        const channel = demo.credentials.channels.find((c) => c.institutionType === plan.institutionType)!;
        const client = new ZhitongClient({ baseUrl: demo.runtime.url, channelId: channel.channelId, privateKeyHex: channel.privateKey });
        const submitted = await client.request('POST', '/v1/batches', { filings: plan.filings.map((f) => f.filing) });
        expect(submitted.status).toBe(202);
        const { batchId } = submitted.body as { batchId: string };
        const deadline = Date.now() + 30_000;
        for (;;) {
          const view = await client.request('GET', `/v1/batches/${batchId}`);
          const items = (view.body as { items: { status: string }[] }).items;
          if (!items.some((i) => isMovingOnItsOwn(i.status))) return;
          if (Date.now() > deadline) throw new Error(`intake of ${batchId} did not finish`);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      }),
    );

    // Assess
    const lines = logLines();
    const intake = lines.filter((l) => l.message === 'Intake processed');
    expect(intake.length).toBeGreaterThan(0);
    expect(new Set(intake.map((l) => l.function_name))).toEqual(new Set(['intake']));
    // The request ids on worker lines are worker invocations' own: none of them is on an endpoint's line.
    const endpointRequestIds = new Set(lines.filter((l) => l.function_name !== 'intake').map((l) => l.function_request_id));
    expect(intake.filter((l) => endpointRequestIds.has(l.function_request_id))).toEqual([]);
  });
});
