/**
 * The local tax and trading department simulators, started together (DESIGN.md §7b "Simulators"): one per
 * demo department (infra/local/seed/demo-departments.ts), each in `<dataDir>/simulators/<departmentId>/`
 * with its own SM2 key pair. Gives back the department registry the runtime's functions read
 * (`DEPARTMENTS`, per departmentConfigSchema) and the results URL (`ZT_RESULTS_URL`), and writes the
 * departments, key pairs included, into `.data/demo/credentials.json` so an integrator can sign results
 * as a department.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalPlatformSigner } from '../../../functions/adapters/keys/local-platform-signer';
import { departmentConfigSchema } from '../../../functions/adapters/config/department-directory';
import { generateSm2KeyPair, isValidSm2PublicKey } from '../../../functions/shared/crypto/sm2';
import { DEPARTMENTS_ENV, LOCAL_KEYRING_DIR_ENV, RESULTS_URL_ENV } from '../../topology';
import { DEMO_DEPARTMENTS, sandboxDepartments } from '../seed/demo-departments';
import { credentialsPath, type DemoCredentials, type DemoDepartmentCredential } from '../seed/seed';
import { DepartmentCases } from './decide';
import { startDepartmentSimulator, type DepartmentSimulator, type SimulatorLogger } from './department-simulator';

/** `false` disables the simulators (then DEPARTMENTS may name real department endpoints). */
export const SIMULATORS_ENV = 'ZT_SIMULATORS';
export const SIMULATOR_DELAY_ENV = 'ZT_SIMULATOR_DELAY_MS';
/** Fixed ports, e.g. for a firewall rule or a department tool pointed at them; free ones (kept across restarts) by default. */
export const TAX_SIMULATOR_PORT_ENV = 'ZT_TAX_SIMULATOR_PORT';
export const TRADING_SIMULATOR_PORT_ENV = 'ZT_TRADING_SIMULATOR_PORT';
export const DEFAULT_SIMULATOR_DELAY_MS = 1500;
/** The platform's SM2 public key (hex), when the connectors do not sign with the local keyring's key (KEY_PROVIDER=kms). */
export const PLATFORM_PUBLIC_KEY_ENV = 'ZT_PLATFORM_PUBLIC_KEY';
/** Where the registry takes results, below its base URL. */
export const RESULTS_PATH = '/v1/departments/results';

export interface StartSimulatorsOptions {
  readonly dataDir: string;
  /** The registry's results URL (`<runtime url>/v1/departments/results`); settable later with setResultsUrl. */
  readonly resultsUrl?: string;
  /** The platform's SM2 public key; by default the local keyring's (`<dataDir>/keyring` or LOCAL_KEYRING_DIR). */
  readonly platformPublicKey?: string;
  readonly delayMs?: number;
  readonly taxUnpaidSeconds?: number;
  readonly ports?: { readonly TAX?: number; readonly TRADING?: number };
  readonly retryBaseMs?: number;
  readonly postAttempts?: number;
  readonly logger?: SimulatorLogger;
}

export interface DepartmentSimulators {
  readonly tax: DepartmentSimulator;
  readonly trading: DepartmentSimulator;
  readonly all: readonly DepartmentSimulator[];
  /** The value for DEPARTMENTS. */
  readonly departmentsJson: string;
  readonly cases: DepartmentCases;
  setResultsUrl(url: string): void;
  close(): Promise<void>;
}

function intFromEnv(name: string): number | undefined {
  const text = process.env[name]?.trim();
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number`);
  return value;
}

export const simulatorsEnabled = (): boolean => process.env[SIMULATORS_ENV]?.toLowerCase() !== 'false';

export async function startDepartmentSimulators(options: StartSimulatorsOptions): Promise<DepartmentSimulators> {
  // The key the connectors sign with: the local keyring's unless told otherwise (a KMS key, say).
  const platformPublicKey =
    options.platformPublicKey ??
    (process.env[PLATFORM_PUBLIC_KEY_ENV]?.trim() ||
      (await (await LocalPlatformSigner.open(process.env[LOCAL_KEYRING_DIR_ENV] || join(options.dataDir, 'keyring'))).publicKeyHex()));
  if (!isValidSm2PublicKey(platformPublicKey)) throw new Error(`${PLATFORM_PUBLIC_KEY_ENV} is not an uncompressed SM2 public key (04…, 130 hex)`);
  const cases = new DepartmentCases(sandboxDepartments(options.taxUnpaidSeconds));
  const delayMs = options.delayMs ?? intFromEnv(SIMULATOR_DELAY_ENV) ?? DEFAULT_SIMULATOR_DELAY_MS;
  const ports = { TAX: options.ports?.TAX ?? intFromEnv(TAX_SIMULATOR_PORT_ENV), TRADING: options.ports?.TRADING ?? intFromEnv(TRADING_SIMULATOR_PORT_ENV) };
  const started: DepartmentSimulator[] = [];
  try {
    for (const d of DEMO_DEPARTMENTS) {
      started.push(
        await startDepartmentSimulator({
          ...d,
          dir: join(options.dataDir, 'simulators', d.departmentId),
          platformPublicKey,
          resultsUrl: options.resultsUrl,
          cases,
          delayMs,
          port: ports[d.kind],
          retryBaseMs: options.retryBaseMs,
          postAttempts: options.postAttempts,
          logger: options.logger,
        }),
      );
    }
  } catch (error) {
    await Promise.all(started.map((s) => s.close()));
    throw error;
  }
  const departments = departmentConfigSchema.parse(
    started.map((s) => ({ departmentId: s.departmentId, kind: s.kind, name: s.name, districts: [...s.districts], endpoint: s.endpoint, publicKey: s.publicKey })),
  );
  return {
    tax: started.find((s) => s.kind === 'TAX')!,
    trading: started.find((s) => s.kind === 'TRADING')!,
    all: started,
    departmentsJson: JSON.stringify(departments),
    cases,
    setResultsUrl: (url) => started.forEach((s) => s.setResultsUrl(url)),
    close: async () => void (await Promise.all(started.map((s) => s.close()))),
  };
}

/** The variables the runtime's functions need for these simulators. */
export const simulatorEnv = (simulators: DepartmentSimulators, resultsUrl: string): Record<string, string> => ({
  [DEPARTMENTS_ENV]: simulators.departmentsJson,
  [RESULTS_URL_ENV]: resultsUrl,
});

/**
 * Adds the departments (and a key pair registered nowhere, to try a wrongly signed result) to
 * `.data/demo/credentials.json`, keeping everything else in it. Run after seeding, which writes the file.
 */
export async function writeDepartmentCredentials(dataDir: string, simulators: DepartmentSimulators): Promise<void> {
  let file: DemoCredentials = { note: 'Demo channels and departments of the local runtime. Private keys are for local testing only; never reuse them.', channels: [] };
  try {
    file = JSON.parse(await readFile(credentialsPath(dataDir), 'utf8')) as DemoCredentials;
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) throw error;
  }
  const departments: DemoDepartmentCredential[] = simulators.all.map((s) => ({
    departmentId: s.departmentId,
    kind: s.kind,
    name: s.name,
    districts: s.districts,
    endpoint: s.endpoint,
    controlUrl: `${s.url}/_simulator`,
    publicKey: s.publicKey,
    privateKey: s.privateKey,
  }));
  // Kept across restarts, so a test written against it keeps working.
  const wrongKey = file.wrongDepartmentKey ?? { note: 'Registered for no department: a result signed with it, whichever department it names, is refused 401.', ...generateSm2KeyPair() };
  await mkdir(join(dataDir, 'demo'), { recursive: true, mode: 0o700 });
  await writeFile(credentialsPath(dataDir), `${JSON.stringify({ ...file, departments, wrongDepartmentKey: wrongKey }, null, 2)}\n`, { mode: 0o600 });
}
