/**
 * End-to-end support for coordination (issue 8): the local runtime as `npm start` runs it, with the tax
 * and trading department simulators (infra/local/simulators/) in front of it, on a temporary data
 * directory and free ports, seeded with the demo data; DEPARTMENTS and ZT_RESULTS_URL set for its
 * functions and put back on stop.
 *
 * Handlers read DEPARTMENTS and open the platform key once per process (at module load), so a second
 * runtime started in the same test file reuses the first one's simulators' directory (same keys, same
 * ports when free) and the first one's platform key; one runtime per test file is the simple way.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalPlatformSigner } from '../../functions/adapters/keys/local-platform-signer';
import { grantViolations } from '../../infra/local/invocation-scope';
import { startLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from '../../infra/local/runtime';
import { TAX_UNPAID_SECONDS_ENV } from '../../infra/local/seed/demo-departments';
import { credentialsPath, seedDemoData, type DemoCredentials } from '../../infra/local/seed/seed';
import { RESULTS_PATH, simulatorEnv, startDepartmentSimulators, writeDepartmentCredentials, type DepartmentSimulators } from '../../infra/local/simulators';
import type { SimulatorMode } from '../../infra/local/simulators/department-simulator';
import { freePort } from './free-port';

export interface CoordinationRuntime {
  readonly runtime: LocalRuntime;
  readonly dataDir: string;
  /** The demo credentials, `departments` and `wrongDepartmentKey` included. */
  readonly credentials: DemoCredentials;
  readonly simulators: DepartmentSimulators;
  /** Sets both simulators' mode through their control endpoint, as an integrator would. */
  setMode(mode: SimulatorMode, which?: 'tax' | 'trading'): Promise<void>;
  /** Stops the runtime and the simulators and removes the data directory. */
  stop(): Promise<void>;
}

export interface CoordinationRuntimeOptions extends Pick<LocalRuntimeOptions, 'pollers' | 'afterStart' | 'schedules' | 'scheduleMinuteMs' | 'functions'> {
  /** Before a simulator's first answer; default 200 ms (tests need not wait 1.5 s). */
  readonly delayMs?: number;
  /** How long TAX_UNPAID_AT_FIRST units stay unpaid; default 3 s. */
  readonly taxUnpaidSeconds?: number;
  /** First backoff of a result POST the registry did not take; default 200 ms. */
  readonly retryBaseMs?: number;
}

/** Per process, for the reason in the header. */
let shared: { simulatorsDir: string; platformPublicKey: string } | undefined;

export async function startCoordinationRuntime(name: string, options: CoordinationRuntimeOptions = {}): Promise<CoordinationRuntime> {
  const { delayMs, taxUnpaidSeconds, retryBaseMs, ...runtimeOptions } = options;
  const dataDir = await mkdtemp(join(tmpdir(), `zt-${name}-`));
  if (!shared) {
    const simulatorsDir = await mkdtemp(join(tmpdir(), `zt-${name}-simulators-`));
    // The runtime's keyring default (LOCAL_KEYRING_DIR unset), created now so the simulators know the key.
    const platformPublicKey = await (await LocalPlatformSigner.open(process.env.LOCAL_KEYRING_DIR || join(dataDir, 'keyring'))).publicKeyHex();
    shared = { simulatorsDir, platformPublicKey };
  }
  const port = await freePort();
  const resultsUrl = `http://127.0.0.1:${port}${RESULTS_PATH}`;
  const simulators = await startDepartmentSimulators({
    dataDir: shared.simulatorsDir,
    resultsUrl,
    platformPublicKey: shared.platformPublicKey,
    delayMs: delayMs ?? 200,
    taxUnpaidSeconds: taxUnpaidSeconds ?? 3,
    retryBaseMs: retryBaseMs ?? 200,
  });
  // The sandbox file the seed writes then shows the time the simulators use.
  const env = { ...simulatorEnv(simulators, resultsUrl), [TAX_UNPAID_SECONDS_ENV]: String(simulators.cases.sandbox.taxUnpaidSeconds) };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  const restoreEnv = () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };

  let runtime: LocalRuntime;
  try {
    runtime = await startLocalRuntime({
      dataDir,
      port,
      beforeHandlers: async () => {
        await seedDemoData(dataDir);
        await writeDepartmentCredentials(dataDir, simulators);
      },
      ...runtimeOptions,
    });
  } catch (error) {
    await simulators.close();
    restoreEnv();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const credentials = JSON.parse(await readFile(credentialsPath(dataDir), 'utf8')) as DemoCredentials;
  return {
    runtime,
    dataDir,
    credentials,
    simulators,
    setMode: async (mode, which) => {
      for (const s of which ? [simulators[which]] : simulators.all) {
        const response = await fetch(`${s.url}/_simulator/mode`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mode }) });
        if (response.status !== 200) throw new Error(`simulator ${s.departmentId} refused mode ${mode}: ${response.status}`);
      }
    },
    stop: async () => {
      await runtime.stop();
      await simulators.close();
      restoreEnv();
      await rm(dataDir, { recursive: true, force: true });
      const violations = grantViolations();
      if (violations.length > 0) throw new Error(`Functions reached past their grants (infra/topology.ts): ${JSON.stringify(violations)}`);
    },
  };
}
