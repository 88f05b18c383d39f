/**
 * `npm run bench`: starts the local runtime (as `npm start` does, in its own process, on a temporary
 * data directory and port), then submits 20 batches of 500 MORTGAGE_CREATE filings through the HTTP API
 * and reports accepted filings/s and p50/p95 batch latency; then waits for intake to drain and reports
 * its rate. Target on the 2-core dev machine (issue 2): ≥ 1,000 filings/s accepted.
 *
 * Options (environment): BENCH_BATCHES (20), BENCH_BATCH_SIZE (500), BENCH_CONCURRENCY (2).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZhitongClient } from '../../client/zt-client';
import { credentialsPath, type DemoCredentials } from '../../infra/local/seed/seed';
import { fileableUnits, mortgageCreateFiling } from '../../infra/local/seed/demo-filings';

const BATCHES = Number(process.env.BENCH_BATCHES ?? 20);
const BATCH_SIZE = Number(process.env.BENCH_BATCH_SIZE ?? 500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 2);

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function waitForHealth(url: string, deadlineMs: number): Promise<void> {
  while (Date.now() < deadlineMs) {
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('The local runtime did not become healthy in time');
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'zt-bench-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const runtime = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts'], {
    env: { ...process.env, PORT: String(port), ZT_DATA_DIR: dataDir, POWERTOOLS_LOG_LEVEL: 'ERROR' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitForHealth(url, Date.now() + 120_000);
    const credentials = JSON.parse(await readFile(credentialsPath(dataDir), 'utf8')) as DemoCredentials;
    const bank = credentials.channels.find((c) => c.institutionType === 'BANK')!;
    const client = new ZhitongClient({ baseUrl: url, channelId: bank.channelId, privateKeyHex: bank.privateKey });
    const units = fileableUnits();

    const batches = Array.from({ length: BATCHES }, (_, b) => ({
      filings: Array.from({ length: BATCH_SIZE }, (_, i) => {
        const unit = units[(b * BATCH_SIZE + i) % units.length]!;
        return mortgageCreateFiling({ clientRef: `BENCH-${b}-${i}`, unitCode: unit.unitCode, mortgagors: unit.owners });
      }),
    }));

    // Warm-up: one small batch so that cold-start work (module load, key unwrap) is not measured.
    await client.request('POST', '/v1/batches', { filings: [mortgageCreateFiling({ clientRef: 'BENCH-WARMUP', unitCode: units[0]!.unitCode, mortgagors: units[0]!.owners })] });

    const latencies: number[] = [];
    let accepted = 0;
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < batches.length) {
          const batch = batches[next++]!;
          const t0 = performance.now();
          const response = await client.request('POST', '/v1/batches', batch);
          latencies.push(performance.now() - t0);
          if (response.status !== 202) throw new Error(`Batch answered ${response.status}: ${JSON.stringify(response.body).slice(0, 300)}`);
          accepted += (response.body as { items: { status: string }[] }).items.filter((i) => i.status === 'SUBMITTED').length;
        }
      }),
    );
    const elapsedS = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);

    console.log(`\nZhitong submit bench — ${BATCHES} batches × ${BATCH_SIZE} filings, ${CONCURRENCY} in flight, local runtime on ${url}`);
    console.table({
      'accepted filings': accepted,
      'elapsed (s)': elapsedS.toFixed(2),
      'accepted filings/s': Math.round(accepted / elapsedS),
      'batch p50 (ms)': Math.round(percentile(latencies, 50)),
      'batch p95 (ms)': Math.round(percentile(latencies, 95)),
      'target filings/s': 1000,
    });
  } finally {
    runtime.kill('SIGTERM');
    await new Promise((r) => runtime.once('exit', r));
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
