// One embedded emulator (dynalite or local-aws-sqs) on its own worker thread: still in-process, but on
// its own event loop, so that on a 2-core machine the emulator's work (request parsing, validation,
// LevelDB) runs beside the handlers instead of taking turns with them. Plain JavaScript so that it loads
// without a TypeScript loader in any host (tsx, vitest, plain node).
import { parentPort, workerData } from 'node:worker_threads';
import dynalite from 'dynalite';
import { createSqsServer } from 'local-aws-sqs';

const { kind, path, port, region } = workerData;

async function start() {
  if (kind === 'dynamo') {
    const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port ?? 0, '127.0.0.1', resolve);
    });
    return server;
  }
  return createSqsServer({ port: port ?? 0, hostname: '127.0.0.1', region, emulateQueueCreationLifecycle: false });
}

try {
  const server = await start();
  parentPort.on('message', (message) => {
    if (message !== 'stop') return;
    server.closeAllConnections?.();
    server.close(() => {
      // dynalite closes its LevelDB store with the server; give it a tick to flush before exiting.
      setImmediate(() => parentPort.postMessage({ stopped: true }));
    });
  });
  parentPort.postMessage({ port: server.address().port });
} catch (error) {
  parentPort.postMessage({ error: error instanceof Error ? error.message : String(error) });
}
