/**
 * The local runtime pointed at an endpoint of its own choosing (ZT_USE_EMULATORS=false with
 * AWS_ENDPOINT_URL_*, as the README's LocalStack line does), on a machine without AWS credentials: it
 * provisions, seeds and serves with static local credentials and never asks the instance metadata service
 * (issue 7 §4: the README line crashed in seeding with CredentialsProviderError). The endpoints here are
 * the embedded emulators, started by the test itself, standing in for LocalStack. The same run checks that
 * the data directory, which holds the staff password hashes, is private to its owner.
 */
import { createServer, type Server } from 'node:http';
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamo, startSqs, type Emulator } from '../../../infra/local/emulators';
import { startLocalRuntime, type LocalRuntime } from '../../../infra/local/runtime';
import { credentialsPath, seedDemoData } from '../../../infra/local/seed/seed';
import type { RuntimeLogger } from '../../../infra/local/lambda-context';

const quietLogger: RuntimeLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const CREDENTIAL_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_EC2_METADATA_DISABLED'];

describe('the local runtime on configured endpoints without credentials', () => {
  let dataDir: string;
  let emulators: Emulator[] = [];
  let metadataService: Server;
  const metadataRequests: string[] = [];
  let runtime: LocalRuntime | undefined;
  let startError: unknown;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    // Prepare: a data directory left world-readable by an earlier version, with a world-readable file.
    dataDir = join(await mkdtemp(join(tmpdir(), 'zt-endpoints-')), '.data');
    await mkdir(dataDir, { mode: 0o755 });
    await chmod(dataDir, 0o755);
    await writeFile(join(dataDir, 'left-over.txt'), 'x', { mode: 0o644 });
    await chmod(join(dataDir, 'left-over.txt'), 0o644);
    // A stand-in instance metadata service that records any request (the SDK's IMDS endpoint override).
    metadataService = createServer((request, response) => {
      metadataRequests.push(request.url ?? '');
      response.statusCode = 404;
      response.end();
    });
    await new Promise<void>((resolve) => metadataService.listen(0, '127.0.0.1', resolve));
    emulators = await Promise.all([startDynamo({ path: join(dataDir, 'dynamodb') }), startSqs()]);
    for (const name of [...CREDENTIAL_VARIABLES, 'ZT_USE_EMULATORS', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_SQS', 'AWS_EC2_METADATA_SERVICE_ENDPOINT', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE']) {
      saved[name] = process.env[name];
      delete process.env[name];
    }
    process.env.ZT_USE_EMULATORS = 'false';
    process.env.AWS_ENDPOINT_URL_DYNAMODB = emulators[0]!.endpoint;
    process.env.AWS_ENDPOINT_URL_SQS = emulators[1]!.endpoint;
    process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = `http://127.0.0.1:${(metadataService.address() as AddressInfo).port}`;
    // No shared config or credentials files either: a developer machine with nothing configured.
    process.env.AWS_CONFIG_FILE = join(dataDir, '..', 'no-config');
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(dataDir, '..', 'no-credentials');

    // Act: start as `npm start` does, seeding included.
    try {
      runtime = await startLocalRuntime({ dataDir, port: 0, prefix: 'zt-ep', pollers: false, logger: quietLogger, beforeHandlers: async () => void (await seedDemoData(dataDir)) });
    } catch (error) {
      startError = error;
    }
  });

  afterAll(async () => {
    await runtime?.stop();
    await Promise.all(emulators.map((e) => e.close()));
    await new Promise((resolve) => metadataService.close(resolve));
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await rm(join(dataDir, '..'), { recursive: true, force: true });
  });

  it('provisions, seeds and serves with static local credentials, and never asks the instance metadata service', async () => {
    expect(startError).toBeUndefined();
    expect(runtime?.env).toMatchObject({ AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_EC2_METADATA_DISABLED: 'true' });
    expect((await stat(credentialsPath(dataDir))).isFile()).toBe(true);
    expect((await fetch(`${runtime!.url}/health`)).status).toBe(200);
    expect(metadataRequests).toEqual([]);
    // stop() leaves no credentials behind in the environment.
    await runtime!.stop();
    expect(process.env.AWS_ACCESS_KEY_ID).toBeUndefined();
  });

  it('keeps the data directory 0700 and nothing inside readable by group or others (it holds password hashes)', async () => {
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    const entries = await readdir(dataDir, { recursive: true });
    expect(entries).toEqual(expect.arrayContaining(['left-over.txt', join('demo', 'credentials.json')]));
    expect(entries.some((e) => e.startsWith('dynamodb'))).toBe(true);
    for (const entry of entries) {
      expect((await stat(join(dataDir, entry))).mode & 0o077, entry).toBe(0);
    }
  });
});
