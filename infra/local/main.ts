/**
 * `npm start`: the whole platform on this machine — embedded DynamoDB- and SQS-compatible servers on
 * loopback, the local keyring in place of KMS, the very same Lambda handlers behind an HTTP server on
 * 127.0.0.1:3000 (PORT overrides) and queue pollers feeding the same workers. State lives under .data/.
 */
import { resolve } from 'node:path';
import { startLocalRuntime } from './runtime';
import { credentialsPath, seedDemoData } from './seed/seed';
import { reenqueueStrandedFilings, resendUndeliveredRequests } from './recovery';
import { defaultRuntimeLogger } from './lambda-context';
import { DEPARTMENTS_ENV, RESULTS_URL_ENV } from '../topology';
import { RESULTS_PATH, SIMULATORS_ENV, simulatorsEnabled, startDepartmentSimulators, writeDepartmentCredentials } from './simulators';

// The AWS SDK warns on Node 20 that Node 22 will be required from 2027; Lambda already runs nodejs22.x.
// (Set before any SDK client is built, which is when the SDK checks it.)
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const dataDir = resolve(process.env.ZT_DATA_DIR ?? '.data');
const port = Number(process.env.PORT ?? 3000);

// The department simulators start before the handlers load, which read DEPARTMENTS once (DESIGN.md §7b).
// The runtime's own port is known already, so so is the results URL (PORT=0 learns it once started).
const resultsUrl = process.env[RESULTS_URL_ENV] || (port === 0 ? undefined : `http://127.0.0.1:${port}${RESULTS_PATH}`);
const simulators = simulatorsEnabled() ? await startDepartmentSimulators({ dataDir, resultsUrl, logger: defaultRuntimeLogger() }) : undefined;
if (simulators) {
  if (process.env[DEPARTMENTS_ENV]) console.warn(`${DEPARTMENTS_ENV} is set but the simulators replace it; set ${SIMULATORS_ENV}=false to use it`);
  process.env[DEPARTMENTS_ENV] = simulators.departmentsJson;
  if (resultsUrl) process.env[RESULTS_URL_ENV] = resultsUrl;
}

const runtime = await startLocalRuntime({
  dataDir,
  port,
  // ZT_POLLERS=false serves the API without running the queue workers (e.g. to measure intake apart).
  pollers: process.env.ZT_POLLERS !== 'false',
  beforeHandlers: async () => {
    if (await seedDemoData(dataDir)) console.log(`Seeded demo data; channel credentials in ${credentialsPath(dataDir)}`);
    // After seeding, which writes the credentials file afresh on a new data directory.
    if (simulators) await writeDepartmentCredentials(dataDir, simulators);
  },
  afterStart: async ({ url }) => {
    if (simulators && !resultsUrl) simulators.setResultsUrl(`${url}${RESULTS_PATH}`);
    const requeued = await reenqueueStrandedFilings();
    if (requeued > 0) console.log(`Re-enqueued ${requeued} filing(s) waiting for intake`);
    const resent = await resendUndeliveredRequests();
    if (resent > 0) console.log(`Sent again ${resent} department request(s) never delivered`);
  },
});

console.log(`Zhitong local runtime listening on ${runtime.url}`);
console.log(`  health:      ${runtime.url}/health`);
console.log(`  OpenAPI:     ${runtime.url}/openapi.json`);
console.log(`  credentials: ${credentialsPath(dataDir)}`);
for (const s of simulators?.all ?? []) console.log(`  ${s.kind === 'TAX' ? 'tax sim:    ' : 'trading sim:'} ${s.url}  (${s.departmentId}; control: ${s.url}/_simulator/status)`);
if (!simulators) console.log(`  departments: simulators off (${SIMULATORS_ENV}=false); ${DEPARTMENTS_ENV} ${process.env[DEPARTMENTS_ENV] ? 'as set' : 'unset: no department serves any district'}`);
console.log('  try:         npm run demo   (in another terminal)');

let stopping = false;
const shutdown = async (signal: string): Promise<void> => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping…`);
  await runtime.stop();
  await simulators?.close();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
