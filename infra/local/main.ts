/**
 * `npm start`: the whole platform on this machine — embedded DynamoDB- and SQS-compatible servers on
 * loopback, the local keyring in place of KMS, the very same Lambda handlers behind an HTTP server on
 * 127.0.0.1:3000 (PORT overrides) and queue pollers feeding the same workers. State lives under .data/.
 */
import { resolve } from 'node:path';
import { startLocalRuntime } from './runtime';
import { credentialsPath, seedDemoData } from './seed/seed';
import { reenqueueStrandedFilings } from './recovery';

// The AWS SDK warns on Node 20 that Node 22 will be required from 2027; Lambda already runs nodejs22.x.
// (Set before any SDK client is built, which is when the SDK checks it.)
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const dataDir = resolve(process.env.ZT_DATA_DIR ?? '.data');
const port = Number(process.env.PORT ?? 3000);

const runtime = await startLocalRuntime({
  dataDir,
  port,
  // ZT_POLLERS=false serves the API without running the queue workers (e.g. to measure intake apart).
  pollers: process.env.ZT_POLLERS !== 'false',
  beforeHandlers: async () => {
    if (await seedDemoData(dataDir)) console.log(`Seeded demo data; channel credentials in ${credentialsPath(dataDir)}`);
  },
  afterStart: async () => {
    const requeued = await reenqueueStrandedFilings();
    if (requeued > 0) console.log(`Re-enqueued ${requeued} filing(s) waiting for intake`);
  },
});

console.log(`Zhitong local runtime listening on ${runtime.url}`);
console.log(`  health:      ${runtime.url}/health`);
console.log(`  OpenAPI:     ${runtime.url}/openapi.json`);
console.log(`  credentials: ${credentialsPath(dataDir)}`);
console.log('  try:         npm run demo   (in another terminal)');

let stopping = false;
const shutdown = async (signal: string): Promise<void> => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping…`);
  await runtime.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
