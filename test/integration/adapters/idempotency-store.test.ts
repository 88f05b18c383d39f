import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDocumentClient } from '../../../functions/adapters/aws-clients';
import { DynamoIdempotencyStore, idempotencyStoreFromEnv } from '../../../functions/adapters/dynamodb/idempotency-store';
import { tableEnvVar } from '../../../infra/topology';
import { startTestEmulators, type TestEmulators } from '../../support/emulators';

const TTL = 24 * 3600;
const accepted = { statusCode: 202, body: '{"batchId":"b-1","items":[]}' };

/** A response like the one to a 500-filing batch, padded so that its text is well over 400 KB. */
function bigBatchResponse(): string {
  const items = Array.from({ length: 500 }, (_, index) => ({
    index,
    clientRef: `LOAN-2025-${String(index).padStart(6, '0')}`,
    filingId: randomUUID(),
    status: index % 7 === 0 ? 'INVALID' : 'SUBMITTED',
    errors:
      index % 7 === 0
        ? [{ path: `filings[${index}].mortgagors[0].idNumber`, code: 'INVALID_ID_NUMBER', message: 'ID number check digit does not match' }]
        : undefined,
    note: randomBytes(400).toString('hex'),
  }));
  return JSON.stringify({ batchId: randomUUID(), items });
}

describe('DynamoIdempotencyStore', () => {
  let emulators: TestEmulators;
  let tableName: string;
  let now: Date;
  let store: DynamoIdempotencyStore;
  beforeAll(async () => {
    emulators = await startTestEmulators('zt-idem');
    tableName = emulators.env[tableEnvVar('guards')]!;
    now = new Date('2025-03-01T08:00:00Z');
    store = new DynamoIdempotencyStore({ client: dynamoDocumentClient(), tableName, now: () => now, inProgressSeconds: 60 });
  });
  afterAll(async () => emulators.stop());

  const storedItem = async (scope: string, key: string) =>
    (await dynamoDocumentClient().send(new GetCommand({ TableName: tableName, Key: { pk: `IDEM#${scope}#${key}`, sk: 'IDEM' } }))).Item;

  it('claims a fresh key; while it runs, the same request is in progress and another body is a mismatch', async () => {
    const fromEnv = idempotencyStoreFromEnv();
    expect(await fromEnv.claim('ch-1', 'k-fresh', 'h1', TTL)).toEqual({ kind: 'claimed' });
    expect(await fromEnv.claim('ch-1', 'k-fresh', 'h1', TTL)).toEqual({ kind: 'inProgress' });
    expect(await fromEnv.claim('ch-1', 'k-fresh', 'h2', TTL)).toEqual({ kind: 'mismatch' });
  });

  it('replays the completed response to the same request and refuses another body', async () => {
    await store.claim('ch-1', 'k-done', 'h1', TTL);
    await store.complete('ch-1', 'k-done', 'h1', accepted, TTL);
    expect(await store.claim('ch-1', 'k-done', 'h1', TTL)).toEqual({ kind: 'replay', response: accepted });
    expect(await store.claim('ch-1', 'k-done', 'h2', TTL)).toEqual({ kind: 'mismatch' });
    expect(await storedItem('ch-1', 'k-done')).toMatchObject({ state: 'COMPLETED', requestHash: 'h1' });
    expect(await storedItem('ch-1', 'k-done')).not.toHaveProperty('lockExpiresAt');
  });

  it('keeps scopes apart: the same key in another channel is a new claim', async () => {
    await store.claim('ch-a', 'k-shared', 'h1', TTL);
    expect(await store.claim('ch-b', 'k-shared', 'h2', TTL)).toEqual({ kind: 'claimed' });
  });

  it('release frees an in-progress claim for a retry, but never a completed record', async () => {
    await store.claim('ch-1', 'k-release', 'h1', TTL);
    await store.release('ch-1', 'k-release');
    expect(await store.claim('ch-1', 'k-release', 'h1', TTL)).toEqual({ kind: 'claimed' });
    await store.complete('ch-1', 'k-release', 'h1', accepted, TTL);
    await store.release('ch-1', 'k-release');
    expect(await store.claim('ch-1', 'k-release', 'h1', TTL)).toEqual({ kind: 'replay', response: accepted });
  });

  it('lets a retry of the same request take over a claim left by a crashed run once its lock lapses', async () => {
    now = new Date('2025-03-01T09:00:00Z');
    await store.claim('ch-1', 'k-crash', 'h1', TTL);
    now = new Date('2025-03-01T09:00:59Z');
    expect(await store.claim('ch-1', 'k-crash', 'h1', TTL)).toEqual({ kind: 'inProgress' });
    now = new Date('2025-03-01T09:01:01Z');
    expect(await store.claim('ch-1', 'k-crash', 'h2', TTL)).toEqual({ kind: 'mismatch' });
    expect(await store.claim('ch-1', 'k-crash', 'h1', TTL)).toEqual({ kind: 'claimed' });
    expect(await store.claim('ch-1', 'k-crash', 'h1', TTL)).toEqual({ kind: 'inProgress' });
  });

  it('treats an expired record as absent, whatever its body, although dynalite still stores it', async () => {
    now = new Date('2025-03-01T10:00:00Z');
    await store.claim('ch-1', 'k-expired', 'h1', 60);
    await store.complete('ch-1', 'k-expired', 'h1', accepted, 60);
    now = new Date('2025-03-01T10:01:01Z');
    expect(await storedItem('ch-1', 'k-expired')).toBeDefined();
    expect(await store.claim('ch-1', 'k-expired', 'h2', TTL)).toEqual({ kind: 'claimed' });
  });

  it('does not let a request whose claim was lost overwrite the new holder', async () => {
    now = new Date('2025-03-01T11:00:00Z');
    await store.claim('ch-1', 'k-lost', 'h1', 60);
    now = new Date('2025-03-01T11:01:01Z');
    await store.claim('ch-1', 'k-lost', 'h2', TTL);
    await store.complete('ch-1', 'k-lost', 'h1', { statusCode: 202, body: 'first' }, TTL);
    expect(await store.claim('ch-1', 'k-lost', 'h2', TTL)).toEqual({ kind: 'inProgress' });
    await store.complete('ch-1', 'k-lost', 'h2', { statusCode: 202, body: 'second' }, TTL);
    expect(await store.claim('ch-1', 'k-lost', 'h2', TTL)).toEqual({ kind: 'replay', response: { statusCode: 202, body: 'second' } });
  });

  it('stores and replays a 500-item response larger than the 400 KB item limit, compressed', async () => {
    const body = bigBatchResponse();
    expect(Buffer.byteLength(body)).toBeGreaterThan(450 * 1024);
    expect(Buffer.byteLength(body)).toBeLessThan(600 * 1024);
    await store.claim('ch-1', 'k-big', 'h1', TTL);
    await store.complete('ch-1', 'k-big', 'h1', { statusCode: 202, body }, TTL);
    expect(await store.claim('ch-1', 'k-big', 'h1', TTL)).toEqual({ kind: 'replay', response: { statusCode: 202, body } });
    const item = await storedItem('ch-1', 'k-big');
    expect((item?.['response'] as { bodyGzip: Uint8Array }).bodyGzip.byteLength).toBeLessThan(350 * 1024);
  });

  it('refuses loudly to complete with a body that cannot fit even compressed, leaving the claim in progress', async () => {
    const body = randomBytes(400 * 1024).toString('base64');
    await store.claim('ch-1', 'k-huge', 'h1', TTL);
    await expect(store.complete('ch-1', 'k-huge', 'h1', { statusCode: 202, body }, TTL)).rejects.toThrow(/too large to store/);
    expect(await store.claim('ch-1', 'k-huge', 'h1', TTL)).toEqual({ kind: 'inProgress' });
  });

  it('gives the claim to exactly one of 20 concurrent identical requests', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => store.claim('ch-1', 'k-race', 'h1', TTL)));
    expect(results.filter((r) => r.kind === 'claimed')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'inProgress')).toHaveLength(19);
  });
});
