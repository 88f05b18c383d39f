/**
 * The embedded emulators of the local runtime, in-process on loopback: dynalite (DynamoDB API, persisted
 * with LevelDB under a directory, or in memory) and local-aws-sqs (SQS API, in memory only).
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import dynalite from 'dynalite';
import { createSqsServer } from 'local-aws-sqs';

export interface Emulator {
  readonly endpoint: string;
  close(): Promise<void>;
}

const closeServer = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });

/** Starts dynalite; with `path`, its tables persist there across restarts. */
export async function startDynamo(options: { path?: string; port?: number } = {}): Promise<Emulator> {
  const server = dynalite({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
}

export async function startSqs(options: { port?: number } = {}): Promise<Emulator> {
  const server = (await createSqsServer({
    port: options.port ?? 0,
    hostname: '127.0.0.1',
    region: process.env.AWS_REGION ?? 'ap-east-1',
    emulateQueueCreationLifecycle: false,
  })) as unknown as Server;
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
}
