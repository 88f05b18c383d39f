/**
 * `npm run bench`: what one process of the local runtime sustains on this machine, in two phases, each
 * on a fresh runtime process (test/bench/bench-runtime.ts: `npm start` plus a request counter) with its
 * own temporary data directory and free loopback port:
 *
 * 1. submit — workers off (ZT_POLLERS=false): BENCH_BATCHES batches of BENCH_BATCH_SIZE MORTGAGE_CREATE
 *    filings through POST /v1/batches, BENCH_CONCURRENCY in flight. Reports accepted filings/s (answered
 *    SUBMITTED: validated, sealed, stored, enqueued) and batch latency p50/p95.
 * 2. pipeline — workers on: BENCH_PIPELINE_BATCHES batches submitted the same way, timed from the first
 *    submission until intake has decided every filing (the intake queues are empty), then checked filing
 *    by filing over the API. Reports decided filings/s and the outcomes.
 *
 * For each phase, the DynamoDB and SQS requests per filing, counted by an AWS SDK middleware on every
 * client of the runtime process, by operation. Everything runs on loopback; each phase stops by itself
 * (a phase that has not finished in BENCH_PHASE_TIMEOUT_S seconds fails the bench).
 *
 * Options (environment): BENCH_BATCHES (20), BENCH_BATCH_SIZE (500), BENCH_CONCURRENCY (2),
 * BENCH_PIPELINE_BATCHES (2: 1,000 filings, each on its own unit of the
 * demo register, so that intake accepts them all — the common path), BENCH_PHASE_TIMEOUT_S (300).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ZhitongClient } from '../../client/zt-client';
import { freePort } from '../support/free-port';
import { credentialsPath, type DemoCredentials } from '../../infra/local/seed/seed';
import { fileableUnits, mortgageCreateFiling } from '../../infra/local/seed/demo-filings';

const BATCHES = Number(process.env.BENCH_BATCHES ?? 20);
const BATCH_SIZE = Number(process.env.BENCH_BATCH_SIZE ?? 500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 2);
const PIPELINE_BATCHES = Number(process.env.BENCH_PIPELINE_BATCHES ?? 2);
const AUDIT_ENTRIES = Number(process.env.BENCH_AUDIT_ENTRIES ?? 3000);
const PHASE_TIMEOUT_MS = Number(process.env.BENCH_PHASE_TIMEOUT_S ?? 300) * 1000;

type Counts = Record<string, number>;


const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A runtime process of the bench, and its IPC channel (counts, intake backlog). */
class BenchRuntime {
  private nextId = 0;
  private readonly waiting = new Map<number, (reply: Record<string, unknown>) => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly dataDir: string,
  ) {
    child.on('message', (reply: { id?: number } & Record<string, unknown>) => {
      if (reply.id === undefined) return;
      this.waiting.get(reply.id)?.(reply);
      this.waiting.delete(reply.id);
    });
  }

  static async start(pollers: boolean): Promise<BenchRuntime> {
    const dataDir = await mkdtemp(join(tmpdir(), 'zt-bench-'));
    const port = process.env.BENCH_PORT ? Number(process.env.BENCH_PORT) : await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/bench/bench-runtime.ts'], {
      env: { ...process.env, PORT: String(port), ZT_DATA_DIR: dataDir, ZT_POLLERS: String(pollers), POWERTOOLS_LOG_LEVEL: 'ERROR' },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('The bench runtime did not start within 120 s')), 120_000);
      child.once('exit', (code) => reject(new Error(`The bench runtime exited (${code}) before it was ready`)));
      child.on('message', (m: { ready?: boolean; url?: string }) => {
        if (m.ready) {
          clearTimeout(timer);
          resolve(m.url!);
        }
      });
    });
    return new BenchRuntime(child, url, dataDir);
  }

  private ask(request: { type: 'counts' } | { type: 'backlog'; of: 'intake' | 'notifications' | 'audit' } | { type: 'auditLoad'; count: number; tenants: number }): Promise<Record<string, unknown>> {
    const id = (this.nextId += 1);
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.child.send({ id, ...request });
    });
  }

  async counts(): Promise<Counts> {
    return (await this.ask({ type: 'counts' })).counts as Counts;
  }

  /** Messages waiting or in flight on the intake queues, or on the notification queue. */
  /** Queues audit records straight onto the audit queue (what the functions' `record` does). */
  async auditLoad(count: number, tenants: number): Promise<void> {
    await this.ask({ type: 'auditLoad', count, tenants });
  }

  async backlog(of: 'intake' | 'notifications' | 'audit'): Promise<number> {
    return (await this.ask({ type: 'backlog', of })).backlog as number;
  }

  async drained(of: 'intake' | 'notifications' | 'audit', deadline: number): Promise<void> {
    while ((await this.backlog(of)) > 0) {
      if (Date.now() > deadline) throw new Error(`The ${of} queue did not drain in time (BENCH_PHASE_TIMEOUT_S)`);
      await sleep(50);
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000).then(() => this.child.kill('SIGKILL'))]);
    }
    await rm(this.dataDir, { recursive: true, force: true });
  }
}

const diff = (after: Counts, before: Counts): Counts =>
  Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]).filter(([, v]) => (v as number) > 0));

/** Requests and requests per filing, by service, operation and table or queue, plus a total per service. */
function perFiling(counts: Counts, filings: number): Record<string, { requests: number; 'per filing': string }> {
  const row = (n: number) => ({ requests: n, 'per filing': (n / filings).toFixed(n / filings < 0.1 ? 4 : 2) });
  const rows: Record<string, ReturnType<typeof row>> = {};
  const totals: Record<string, number> = {};
  for (const [key, n] of Object.entries(counts).sort(([a], [b]) => a.localeCompare(b))) {
    rows[key] = row(n);
    const service = key.startsWith('SQS (pollers)') ? 'SQS (pollers)' : key.split(' ')[0]!;
    totals[service] = (totals[service] ?? 0) + n;
  }
  for (const [service, n] of Object.entries(totals)) rows[`${service}: all requests`] = row(n);
  return rows;
}

function buildBatches(count: number, tag: string) {
  const units = fileableUnits();
  return Array.from({ length: count }, (_, b) => ({
    filings: Array.from({ length: BATCH_SIZE }, (_, i) => {
      const unit = units[(b * BATCH_SIZE + i) % units.length]!;
      return mortgageCreateFiling({ clientRef: `BENCH-${tag}-${b}-${i}`, unitCode: unit.unitCode, mortgagors: unit.owners });
    }),
  }));
}

async function bankClient(runtime: BenchRuntime): Promise<ZhitongClient> {
  const credentials = JSON.parse(await readFile(credentialsPath(runtime.dataDir), 'utf8')) as DemoCredentials;
  const bank = credentials.channels.find((c) => c.institutionType === 'BANK')!;
  const client = new ZhitongClient({ baseUrl: runtime.url, channelId: bank.channelId, privateKeyHex: bank.privateKey });
  // Warm-up: one small batch, so that cold-start work (module load, key unwrap) is not measured.
  const units = fileableUnits();
  await client.request('POST', '/v1/batches', { filings: [mortgageCreateFiling({ clientRef: 'BENCH-WARMUP', unitCode: units.at(-1)!.unitCode, mortgagors: units.at(-1)!.owners })] });
  return client;
}

/** Submits the batches, CONCURRENCY in flight; returns each batch's id, latency and SUBMITTED count. */
async function submitAll(client: ZhitongClient, batches: ReturnType<typeof buildBatches>, deadline: number) {
  const results: { batchId: string; ms: number; submitted: number }[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < batches.length) {
        if (Date.now() > deadline) throw new Error('Submission did not finish in time (BENCH_PHASE_TIMEOUT_S)');
        const batch = batches[next++]!;
        const t0 = performance.now();
        const response = await client.request('POST', '/v1/batches', batch);
        const ms = performance.now() - t0;
        if (response.status !== 202) throw new Error(`Batch answered ${response.status}: ${JSON.stringify(response.body).slice(0, 300)}`);
        const body = response.body as { batchId: string; items: { status: string }[] };
        results.push({ batchId: body.batchId, ms, submitted: body.items.filter((i) => i.status === 'SUBMITTED').length });
      }
    }),
  );
  return results;
}

async function submitPhase(): Promise<void> {
  const runtime = await BenchRuntime.start(false);
  try {
    const client = await bankClient(runtime);
    const batches = buildBatches(BATCHES, 'S');
    const before = await runtime.counts();
    const started = performance.now();
    const results = await submitAll(client, batches, Date.now() + PHASE_TIMEOUT_MS);
    const elapsedS = (performance.now() - started) / 1000;
    const requests = diff(await runtime.counts(), before);
    const accepted = results.reduce((n, r) => n + r.submitted, 0);
    const latencies = results.map((r) => r.ms).sort((a, b) => a - b);

    console.log(`\n1. submit only (workers off) — ${BATCHES} batches × ${BATCH_SIZE} MORTGAGE_CREATE filings, ${CONCURRENCY} in flight, ${runtime.url}`);
    console.table({
      'accepted filings (SUBMITTED)': accepted,
      'elapsed (s)': elapsedS.toFixed(2),
      'accepted filings/s': Math.round(accepted / elapsedS),
      'batch p50 (ms)': Math.round(percentile(latencies, 50)),
      'batch p95 (ms)': Math.round(percentile(latencies, 95)),
      'target filings/s (issue 2)': 1000,
    });
    console.log('   requests per accepted filing (submit-batch: channel lookup, nonce, idempotency, audit, filings, queue)');
    console.table(perFiling(requests, accepted));
  } finally {
    await runtime.stop();
  }
}

async function pipelinePhase(): Promise<void> {
  const runtime = await BenchRuntime.start(true);
  if (PIPELINE_BATCHES * BATCH_SIZE > fileableUnits().length - 1) {
    console.log(`   (more filings than units: filings beyond ${fileableUnits().length - 1} repeat a unit and intake refuses them as DUPLICATE_ACTIVE_FILING)`);
  }
  try {
    const client = await bankClient(runtime);
    const batches = buildBatches(PIPELINE_BATCHES, 'P');
    const deadline = Date.now() + PHASE_TIMEOUT_MS;
    // Let the warm-up filing's intake and progress event finish before counting.
    await runtime.drained('intake', deadline);
    await runtime.drained('notifications', deadline);
    const before = await runtime.counts();
    const started = performance.now();
    const results = await submitAll(client, batches, deadline);
    const submittedS = (performance.now() - started) / 1000;
    await runtime.drained('intake', deadline);
    const elapsedS = (performance.now() - started) / 1000;
    // The requests of the whole pipeline: also the notifier's, delivering the progress events intake emitted.
    await runtime.drained('notifications', deadline);
    const requests = diff(await runtime.counts(), before);
    const filings = results.reduce((n, r) => n + r.submitted, 0);
    // The audit queue must keep up with the pipeline (DESIGN.md §5: appends batched, so the log keeps up).
    const auditBacklogAtEnd = await runtime.backlog('audit');
    const auditStarted = performance.now();
    await runtime.drained('audit', deadline);
    const auditDrainS = (performance.now() - auditStarted) / 1000;

    // After the measurement (these reads are not in the counts): every filing must have left SUBMITTED.
    const outcomes: Record<string, number> = {};
    for (const { batchId } of results) {
      const view = await client.request('GET', `/v1/batches/${batchId}`);
      for (const item of (view.body as { items: { status: string }[] }).items) outcomes[item.status] = (outcomes[item.status] ?? 0) + 1;
    }
    if ((outcomes.SUBMITTED ?? 0) > 0) throw new Error(`The intake queues are empty but ${outcomes.SUBMITTED} filings are still SUBMITTED`);

    console.log(`\n2. pipeline (workers on) — ${PIPELINE_BATCHES} batches × ${BATCH_SIZE} filings, ${CONCURRENCY} in flight; submit → every filing decided by intake`);
    console.table({
      filings,
      'all submitted after (s)': submittedS.toFixed(2),
      'all decided after (s)': elapsedS.toFixed(2),
      'decided filings/s': Math.round(filings / elapsedS),
      'audit queue backlog when decided (ApproximateNumberOfMessages)': auditBacklogAtEnd,
      'audit queue drained after (s)': auditDrainS.toFixed(2),
      ...Object.fromEntries(Object.entries(outcomes).map(([status, n]) => [`outcome ${status}`, n])),
    });
    console.log('   requests per filing: submit + intake + progress events (notifier; no webhook registered), pollers apart');
    console.table(perFiling(requests, filings));
  } finally {
    await runtime.stop();
  }
}

/** The appender alone: records queued faster than it appends, then the time until the queue is empty. */
async function auditPhase(): Promise<void> {
  const runtime = await BenchRuntime.start(true);
  try {
    const deadline = Date.now() + PHASE_TIMEOUT_MS;
    await runtime.drained('audit', deadline);
    for (const tenants of [1, 10]) {
      const started = performance.now();
      await runtime.auditLoad(AUDIT_ENTRIES, tenants);
      const queuedS = (performance.now() - started) / 1000;
      await runtime.drained('audit', deadline);
      const elapsedS = (performance.now() - started) / 1000;
      console.log(`\n3. audit appender — ${AUDIT_ENTRIES} records over ${tenants} tenant log(s), queued by 20 writers, appended by the appender (batches of 10, one HEAD commit each)`);
      console.table({ 'records queued after (s)': queuedS.toFixed(2), 'all appended after (s)': elapsedS.toFixed(2), 'appended entries/s': Math.round(AUDIT_ENTRIES / elapsedS) });
    }
  } finally {
    await runtime.stop();
  }
}

console.log(`Zhitong bench — ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at start`);
await submitPhase();
await pipelinePhase();
await auditPhase();
console.log(`\nload average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at the end`);
