/**
 * The Zhitong CDK app: a stateful stack (tables, queues, keys) and two stateless stacks that receive the
 * stateful resources as props — the API stack (REST API and routed functions) and the workers stack (queue
 * workers, schedules, alarms; it takes the API's URL, so it deploys last). All read `infra/topology.ts`
 * and nothing else; two stateless stacks because one would pass CloudFormation's 500 resources. A fourth,
 * the console stack (console-stack.ts), serves the registry console and the staff API from one CloudFront
 * distribution; it takes the built console's directory.
 *
 * `npx cdk synth` runs this file (cdk.json): it builds the console (console/build.ts) into a temporary
 * directory, then the app. Tests call {@link buildApp} and synthesize once; those not about the console
 * give no `consoleSiteDir` and get the app without its console stack.
 * Stage: `-c stage=prod` (default `dev`), prefixed to the stack names and part of resource names;
 * `-c logLevel=WARN` sets the functions' Powertools log level (default INFO).
 * `-c departments='[{"departmentId":…,"kind":"TAX","name":…,"districts":["370102"],"endpoint":"https://…","publicKey":"04…"}]'`
 * (or a list in cdk.json) registers the tax and trading department systems (DESIGN.md §7b; default `[]`),
 * validated at synth exactly as the functions validate it at start; `-c resultsUrl=https://…` overrides
 * the results URL the connectors' requests name as `replyTo` (default: the API's own).
 * cdk-nag's AwsSolutions pack runs as a CDK validation plugin on every synth: an unacknowledged
 * finding fails synthesis; acknowledgements (`Validations.of(x).acknowledge`) sit next to the construct
 * they concern, each with its reason (in code, reviewed with it; not copied into the templates).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { App, Tags, Validations, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfiguredDepartmentDirectory, parseDepartmentConfig } from '../../functions/adapters/config/department-directory';
import type { Department } from '../../functions/core/ports';
import { buildConsole } from '../../console/build';
import { ConsoleStack } from './console-stack';
import { StatefulStack } from './stateful-stack';
import { StatelessStack } from './stateless-stack';
import type { CloudFunctionName } from './topology-functions';
import { WorkersStack } from './workers-stack';
import type { ZtFunction } from './zt-function';
import { functions as functionDecls } from '../topology';

/** Repository root, where the topology's function entries and package-lock.json live. */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface BuildAppOptions {
  /** Context values, as `-c key=value` would give them (e.g. `{ stage: 'test' }`). */
  readonly context?: Record<string, unknown>;
  /** Cloud assembly directory (default: the CLI's, or `cdk.out`). */
  readonly outdir?: string;
  /** Target environment; default from CDK_DEFAULT_ACCOUNT and CDK_DEFAULT_REGION when both are set, else environment-agnostic. */
  readonly env?: Environment;
  /** The directory the console was built into (`buildConsole({ outDir })`); without it, no console stack. */
  readonly consoleSiteDir?: string;
}

export interface ZhitongApp {
  readonly app: App;
  readonly stage: string;
  readonly stateful: StatefulStack;
  /** The API stack. */
  readonly stateless: StatelessStack;
  readonly workers: WorkersStack;
  /** The console's bucket and distribution, when the app was given the built console. */
  readonly console?: ConsoleStack;
  /** Every deployed function, whichever stack holds it. */
  readonly functions: Record<CloudFunctionName, ZtFunction>;
}

const STAGE_PATTERN = /^[a-z][a-z0-9-]{0,19}$/;
const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
const isLogLevel = (value: unknown): value is (typeof LOG_LEVELS)[number] =>
  typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);

/**
 * The context (feature flags, default stage) of cdk.json. The CLI passes it to the app itself; reading
 * it here too means a test's app behaves exactly like the one `cdk synth` builds. Values the CLI passes
 * (`-c ...`) still win.
 */
function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

export function buildApp(options: BuildAppOptions = {}): ZhitongApp {
  const app = new App({
    context: { ...cdkJsonContext(), ...options.context },
    outdir: options.outdir,
    autoSynth: false,
  });

  const stage = String(app.node.tryGetContext('stage') ?? 'dev');
  if (!STAGE_PATTERN.test(stage)) {
    throw new Error(`Invalid stage "${stage}": lower-case letters, digits and hyphens, starting with a letter`);
  }
  const logLevel: unknown = app.node.tryGetContext('logLevel');
  if (logLevel !== undefined && !isLogLevel(logLevel)) {
    throw new Error(`Invalid logLevel "${String(logLevel)}": one of ${LOG_LEVELS.join(', ')}`);
  }
  const departments = departmentsFromContext(app.node.tryGetContext('departments'));
  const resultsUrl: unknown = app.node.tryGetContext('resultsUrl');
  if (resultsUrl !== undefined && (typeof resultsUrl !== 'string' || !/^https:\/\/[^\s?#]+$/.test(resultsUrl))) {
    throw new Error(`Invalid resultsUrl "${String(resultsUrl)}": an https:// URL without query or fragment`);
  }
  // Both or nothing: without credentials the CLI still sets CDK_DEFAULT_REGION (falling back to
  // us-east-1), and a half-known environment would bake that guess into the templates.
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const region = process.env.CDK_DEFAULT_REGION;
  const env: Environment | undefined = options.env ?? (account && region ? { account, region } : undefined);

  const stateful = new StatefulStack(app, `${stage}-ZhitongStateful`, {
    env,
    stage,
    description: `Zhitong (${stage}): tables, queues and KMS keys — retained, never replaced by a deploy`,
    terminationProtection: stage !== 'dev',
  });
  // What both stacks of functions take: the stateful resources, the functions' settings, the registry.
  const functionStack = {
    env,
    stage,
    projectRoot: PROJECT_ROOT,
    // Some sixty functions with their roles and routes: an indented template nears CloudFormation's 1 MB
    // body limit, a compact one is well under it.
    suppressTemplateIndentation: true,
    stateful,
    logLevel,
    departments: JSON.stringify(departments),
  };
  const stateless = new StatelessStack(app, `${stage}-ZhitongStateless`, {
    ...functionStack,
    description: `Zhitong (${stage}): channel and staff API with its functions`,
  });
  const workers = new WorkersStack(app, `${stage}-ZhitongWorkers`, {
    ...functionStack,
    resultsUrl: typeof resultsUrl === 'string' ? resultsUrl : stateless.api.urlForPath(functionDecls.postDepartmentResult.route.path),
    description: `Zhitong (${stage}): queue workers, schedules and alarms`,
  });
  const consoleStack =
    options.consoleSiteDir === undefined
      ? undefined
      : new ConsoleStack(app, `${stage}-ZhitongConsole`, {
          env,
          stage,
          siteDir: options.consoleSiteDir,
          api: stateless.api,
          staffIdentity: stateful.staffIdentity,
          description: `Zhitong (${stage}): the registry console (S3 behind CloudFront) and the staff API on its origin`,
        });
  const functions = { ...stateless.functions, ...workers.functions } as Record<CloudFunctionName, ZtFunction>;

  Tags.of(app).add('project', 'zhitong');
  Tags.of(app).add('stage', stage);

  // Acknowledgements are not copied into every resource's Metadata: an API-wide one would be repeated on each
  // of its ~300 resources and methods, half of the API template's size. They are read where they are made.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: false }));

  return { app, stage, stateful, stateless, workers, console: consoleStack, functions };
}

/**
 * Lambda allows 4 KB of environment variables per function, all together; the registry must leave room
 * for the others (tables, queues, keys). About ten departments fit; more belong in a parameter store.
 */
const MAX_DEPARTMENTS_BYTES = 2_500;

/**
 * The `departments` context: a list (cdk.json) or its JSON text (`-c departments='[…]'`); absent is none.
 * A malformed registry (or two departments of one kind serving one district) fails the synth, not a
 * deployed function's start.
 */
function departmentsFromContext(value: unknown): Department[] {
  if (value === undefined || value === null || value === '') return [];
  const departments = parseDepartmentConfig(typeof value === 'string' ? value : JSON.stringify(value));
  new ConfiguredDepartmentDirectory(departments);
  const bytes = Buffer.byteLength(JSON.stringify(departments), 'utf8');
  if (bytes > MAX_DEPARTMENTS_BYTES) {
    throw new Error(`The departments context is ${bytes} bytes; at most ${MAX_DEPARTMENTS_BYTES} fit in a function's environment`);
  }
  return departments;
}

// Synthesize when run as the CDK app (cdk.json: `npx tsx infra/cdk/app.ts`), not when imported by tests.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const consoleSiteDir = mkdtempSync(join(tmpdir(), 'zhitong-console-site-'));
  try {
    await buildConsole({ outDir: consoleSiteDir });
    // Synthesis copies the files into the cloud assembly (an asset), from where deploy uploads them.
    buildApp({ consoleSiteDir }).app.synth();
  } finally {
    rmSync(consoleSiteDir, { recursive: true, force: true });
  }
}
