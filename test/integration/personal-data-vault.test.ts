import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { KEY_PROVIDER_ENV, LOCAL_KEYRING_DIR_ENV, tableEnvVar } from '../../infra/topology';
import { IntegrityError } from '../../functions/core/domain/errors';
import type { KeyProvider } from '../../functions/core/ports';
import { dynamoDocumentClient } from '../../functions/adapters/aws-clients';
import { LocalKeyring } from '../../functions/adapters/keys/local-keyring';
import { TenantKeyVault, vaultFromEnv } from '../../functions/adapters/keys/personal-data-vault';
import { startTestEmulators, type TestEmulators } from '../support/emulators';

/** Wraps a key provider to count its calls and, on demand, fail the next ones. */
/** Holds each arrival until `parties` have arrived. */
class Barrier {
  private arrived = 0;
  private release = (): void => undefined;
  private readonly open = new Promise<void>((resolve) => (this.release = resolve));
  constructor(private readonly parties: number) {}
  arrive(): Promise<void> {
    if (++this.arrived >= this.parties) this.release();
    return this.open;
  }
}

class CountingProvider implements KeyProvider {
  generated = 0;
  unwrapped = 0;
  failures = 0;
  /** When set, generateDataKey waits at it: lets a test hold two instances inside the race window. */
  barrier?: Barrier;
  constructor(private readonly inner: KeyProvider) {}
  get keyId(): string {
    return this.inner.keyId;
  }
  async generateDataKey(context: Readonly<Record<string, string>>) {
    this.generated++;
    await this.barrier?.arrive();
    if (this.failures > 0) {
      this.failures--;
      throw new Error('key service unavailable');
    }
    return this.inner.generateDataKey(context);
  }
  async unwrapDataKey(wrapped: Uint8Array, context: Readonly<Record<string, string>>) {
    this.unwrapped++;
    return this.inner.unwrapDataKey(wrapped, context);
  }
}

describe('TenantKeyVault on the keys table', () => {
  let emulators: TestEmulators;
  let keyringDir: string;
  let keyring: LocalKeyring;
  let tableName: string;
  let tenantCounter = 0;
  const newTenant = () => `9${String(++tenantCounter).padStart(5, '0')}`;
  const vault = (keyProvider: KeyProvider = keyring, extra: { now?: () => number; cacheTtlMs?: number } = {}) =>
    new TenantKeyVault({ documentClient: dynamoDocumentClient(), tableName, keyProvider, ...extra });

  beforeAll(async () => {
    emulators = await startTestEmulators('zt-vault');
    tableName = process.env[tableEnvVar('keys')]!;
    keyringDir = await mkdtemp(join(tmpdir(), 'zt-vault-keyring-'));
    keyring = await LocalKeyring.open(keyringDir);
  });
  afterAll(async () => {
    await emulators.stop();
    await rm(keyringDir, { recursive: true, force: true });
  });

  it('seals and opens personal data, bound to tenant, field and record', async () => {
    const tenant = newTenant();
    const subject = vault();
    const sealed = await subject.seal(tenant, 'name', '张三', 'F1');
    expect(sealed).not.toContain('张三');
    expect(await subject.open(tenant, 'name', sealed, 'F1')).toBe('张三');
    await expect(subject.open(tenant, 'idNumber', sealed, 'F1')).rejects.toBeInstanceOf(IntegrityError);
    await expect(subject.open(tenant, 'name', sealed, 'F2')).rejects.toBeInstanceOf(IntegrityError);
    await expect(subject.open(newTenant(), 'name', sealed, 'F1')).rejects.toBeInstanceOf(IntegrityError);
    await expect(subject.open(tenant, 'name', sealed.replace(/^v1\./, 'v2.'), 'F1')).rejects.toBeInstanceOf(IntegrityError);
  });

  it('stores the tenant key only wrapped, with its version, key id and creation time', async () => {
    // Prepare
    const tenant = newTenant();
    const provider = new CountingProvider(keyring);
    const subject = vault(provider, { now: () => Date.UTC(2025, 0, 2, 3, 4, 5) });
    // Act
    await subject.seal(tenant, 'name', '王五', 'F1');
    // Assess
    const { Item } = await dynamoDocumentClient().send(new GetCommand({ TableName: tableName, Key: { pk: `TENANT#${tenant}`, sk: 'DEK#CURRENT' } }));
    expect(Item).toMatchObject({ version: 1, keyId: keyring.keyId, createdAt: '2025-01-02T03:04:05.000Z' });
    expect(Object.keys(Item!).sort()).toEqual(['createdAt', 'keyId', 'pk', 'sk', 'version', 'wrapped']);
    const wrapped = Buffer.from(String(Item!.wrapped), 'base64');
    const plaintext = await keyring.unwrapDataKey(wrapped, { tenant, purpose: 'pii' });
    expect(plaintext).toHaveLength(32);
    // The stored blob holds no copy of the key, in any encoding.
    const stored = JSON.stringify(Item);
    const key = Buffer.from(plaintext);
    for (const encoding of ['hex', 'base64', 'base64url'] as const) expect(stored).not.toContain(key.toString(encoding));
    expect(wrapped.includes(key)).toBe(false);
    // The wrapped key is bound to its tenant.
    await expect(keyring.unwrapDataKey(wrapped, { tenant: newTenant(), purpose: 'pii' })).rejects.toThrow();
    expect(provider.generated).toBe(1);
  });

  it('lets two vaults racing to create the same tenant key end up with one key', async () => {
    // Prepare: two instances (think two Lambda containers), each with its own cache.
    const tenant = newTenant();
    const providerA = new CountingProvider(keyring);
    const providerB = new CountingProvider(keyring);
    const [a, b] = [vault(providerA), vault(providerB)];
    // Both must have found no key before either stores one: neither gets its data key until both asked.
    providerA.barrier = providerB.barrier = new Barrier(2);
    // Act
    const [sealedByA, sealedByB] = await Promise.all([a.seal(tenant, 'name', '赵六', 'F1'), b.seal(tenant, 'name', '钱七', 'F1')]);
    // Assess: what one sealed the other opens, and the blind index agrees.
    expect(await b.open(tenant, 'name', sealedByA, 'F1')).toBe('赵六');
    expect(await a.open(tenant, 'name', sealedByB, 'F1')).toBe('钱七');
    expect(await a.blindIndex(tenant, 'idNumber', '110101199003071234')).toBe(await b.blindIndex(tenant, 'idNumber', '110101199003071234'));
    // Both generated a key (so the race really happened); the loser unwrapped the winner's.
    expect(providerA.generated + providerB.generated).toBe(2);
    expect(providerA.unwrapped + providerB.unwrapped).toBe(1);
  });

  it('coalesces concurrent loads of one tenant into one key-provider call', async () => {
    const tenant = newTenant();
    const provider = new CountingProvider(keyring);
    const subject = vault(provider);
    const sealed = await Promise.all(Array.from({ length: 20 }, (_, i) => subject.seal(tenant, 'phone', `1380013800${i % 10}`, `F${i}`)));
    expect(provider.generated).toBe(1);
    expect(provider.unwrapped).toBe(0);
    expect(await subject.open(tenant, 'phone', sealed[3]!, 'F3')).toBe('13800138003');

    // A fresh instance finds the stored key and unwraps it once for a burst of calls.
    const reader = new CountingProvider(keyring);
    const second = vault(reader);
    const opened = await Promise.all(sealed.map((value, i) => second.open(tenant, 'phone', value, `F${i}`)));
    expect(opened[7]).toBe('13800138007');
    expect(reader.unwrapped).toBe(1);
    expect(reader.generated).toBe(0);
  });

  it('reloads the key after the cache TTL, not before', async () => {
    const tenant = newTenant();
    let now = 1_000_000;
    const provider = new CountingProvider(keyring);
    const subject = vault(provider, { now: () => now, cacheTtlMs: 1_000 });
    await vault().seal(tenant, 'name', '孙八', 'F1');
    await subject.blindIndex(tenant, 'idNumber', 'x');
    now += 999;
    await subject.blindIndex(tenant, 'idNumber', 'x');
    expect(provider.unwrapped).toBe(1);
    now += 2;
    await subject.blindIndex(tenant, 'idNumber', 'x');
    expect(provider.unwrapped).toBe(2);
  });

  it('does not cache a failed load: the next call tries again', async () => {
    const tenant = newTenant();
    const provider = new CountingProvider(keyring);
    provider.failures = 1;
    const subject = vault(provider);
    await expect(subject.seal(tenant, 'name', '周九', 'F1')).rejects.toThrow('key service unavailable');
    const sealed = await subject.seal(tenant, 'name', '周九', 'F1');
    expect(await subject.open(tenant, 'name', sealed, 'F1')).toBe('周九');
    expect(provider.generated).toBe(2);
  });

  it('is assembled from the environment: keys table and configured key provider', async () => {
    Object.assign(process.env, { [KEY_PROVIDER_ENV]: 'local', [LOCAL_KEYRING_DIR_ENV]: keyringDir });
    const fromEnv = await vaultFromEnv();
    const tenant = newTenant();
    const sealed = await fromEnv.seal(tenant, 'idNumber', '11010119900307123X', 'F1');
    expect(await vault().open(tenant, 'idNumber', sealed, 'F1')).toBe('11010119900307123X');
  });

  it('gives each tenant its own blind index', async () => {
    const subject = vault();
    const [a, b] = [newTenant(), newTenant()];
    expect(await subject.blindIndex(a, 'idNumber', '110101199003071234')).toBe(await subject.blindIndex(a, 'idNumber', '110101199003071234'));
    expect(await subject.blindIndex(a, 'idNumber', '110101199003071234')).not.toBe(await subject.blindIndex(b, 'idNumber', '110101199003071234'));
  });
});
