import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDocumentClient } from '../../../functions/adapters/aws-clients';
import { DynamoNonceStore, nonceStoreFromEnv } from '../../../functions/adapters/dynamodb/nonce-store';
import { tableEnvVar } from '../../../infra/topology';
import { startTestEmulators, type TestEmulators } from '../../support/emulators';

describe('DynamoNonceStore', () => {
  let emulators: TestEmulators;
  beforeAll(async () => {
    emulators = await startTestEmulators('zt-nonce');
  });
  afterAll(async () => emulators.stop());

  it('accepts a nonce once and refuses its replay', async () => {
    const store = nonceStoreFromEnv();
    expect(await store.claim('ch-1', 'nonceAAAAAAAAAAAAA', 600)).toBe(true);
    expect(await store.claim('ch-1', 'nonceAAAAAAAAAAAAA', 600)).toBe(false);
  });

  it('accepts the nonce again once its lifetime has passed, although the item is still stored', async () => {
    // Prepare: a clock we move; dynalite never deletes expired items, as AWS may not yet have.
    let now = new Date('2025-01-01T00:00:00Z');
    const store = new DynamoNonceStore({ client: dynamoDocumentClient(), tableName: emulators.env[tableEnvVar('guards')]!, now: () => now });
    expect(await store.claim('ch-1', 'nonceBBBBBBBBBBBBB', 600)).toBe(true);
    now = new Date('2025-01-01T00:09:59Z');
    expect(await store.claim('ch-1', 'nonceBBBBBBBBBBBBB', 600)).toBe(false);
    now = new Date('2025-01-01T00:10:01Z');
    expect(await store.claim('ch-1', 'nonceBBBBBBBBBBBBB', 600)).toBe(true);
    // The re-claim restarted the lifetime.
    expect(await store.claim('ch-1', 'nonceBBBBBBBBBBBBB', 600)).toBe(false);
  });

  it('keeps channels independent', async () => {
    const store = nonceStoreFromEnv();
    expect(await store.claim('ch-a', 'nonceCCCCCCCCCCCCC', 600)).toBe(true);
    expect(await store.claim('ch-b', 'nonceCCCCCCCCCCCCC', 600)).toBe(true);
    expect(await store.claim('ch-a', 'nonceCCCCCCCCCCCCC', 600)).toBe(false);
  });

  it('lets exactly one of 50 concurrent claims of one nonce win', async () => {
    const store = nonceStoreFromEnv();
    const results = await Promise.all(Array.from({ length: 50 }, () => store.claim('ch-1', 'nonceDDDDDDDDDDDDD', 600)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});
