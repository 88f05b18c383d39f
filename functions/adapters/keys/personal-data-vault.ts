/**
 * The personal-data vault (DESIGN.md §5): one data key per tenant, stored in the `keys` table only in its
 * wrapped form (KMS, or the local keyring), with the tenant bound into the encryption context. Fields are
 * sealed with SM4 + HMAC-SM3 under keys derived from it (field-cipher.ts).
 *
 * Key rotation is future work: today every tenant has exactly one key, version 1, at `DEK#CURRENT`.
 * Sealed values already carry their key version, so rotation can add `DEK#V<n>` items and open old values
 * by version without re-sealing anything.
 */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableEnvVar } from '../../../infra/topology';
import { IntegrityError } from '../../core/domain/errors';
import type { KeyProvider, PersonalDataVault, PiiField } from '../../core/ports';
import { getStringFromEnv } from '../../shared/config';
import { blindIndex, deriveTenantKeys, openField, sealField, sealedKeyVersion, type TenantKeys } from '../../shared/crypto/field-cipher';
import { dynamoDocumentClient } from '../aws-clients';
import { isConditionalCheckFailed } from '../dynamodb/dynamo-support';
import { keyProviderFromEnv } from './key-provider-from-env';
import { piiEncryptionContext } from './pii-context';

export interface TenantKeyVaultOptions {
  readonly documentClient: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly keyProvider: KeyProvider;
  /** Epoch milliseconds; injectable so tests can move time. */
  readonly now?: () => number;
  /** How long derived keys stay in memory before the wrapped key is read and unwrapped again. */
  readonly cacheTtlMs?: number;
}

/** Only version today (see the module comment on rotation). */
const CURRENT_VERSION = 1;
const DEFAULT_CACHE_TTL_MS = 5 * 60 * 1000;

type BlindIndexKind = Parameters<PersonalDataVault['blindIndex']>[1];

interface StoredTenantKey {
  readonly version: number;
  readonly wrapped: string;
}

const keyOf = (tenant: string) => ({ pk: `TENANT#${tenant}`, sk: 'DEK#CURRENT' });
/** The encryption context (pii-context.ts): unwrapping a tenant's key under another tenant's name fails in KMS itself. */
const contextOf = piiEncryptionContext;

export class TenantKeyVault implements PersonalDataVault {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly keyProvider: KeyProvider;
  private readonly now: () => number;
  private readonly cacheTtlMs: number;
  private readonly cache = new Map<string, { readonly keys: TenantKeys; readonly expiresAt: number }>();
  /** One load per tenant at a time: a burst of filings for a new district makes one KMS call, not hundreds. */
  private readonly loading = new Map<string, Promise<TenantKeys>>();

  constructor(options: TenantKeyVaultOptions) {
    this.client = options.documentClient;
    this.tableName = options.tableName;
    this.keyProvider = options.keyProvider;
    this.now = options.now ?? Date.now;
    this.cacheTtlMs = options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
  }

  async seal(tenant: string, field: PiiField, plaintext: string, bindTo: string): Promise<string> {
    return sealField(await this.keysFor(tenant), field, plaintext, bindTo);
  }

  /**
   * Opens a value sealed under the tenant's key. The sealed value names its key version; only the current
   * version exists today, so any other version fails as an integrity error.
   */
  async open(tenant: string, field: PiiField, sealed: string, bindTo: string): Promise<string> {
    const version = sealedKeyVersion(sealed);
    const keys = await this.keysFor(tenant);
    if (version !== keys.version) throw new IntegrityError('sealed value names a key version that does not exist');
    return openField(keys, field, sealed, bindTo);
  }

  async blindIndex(tenant: string, kind: BlindIndexKind, value: string): Promise<string> {
    return blindIndex(await this.keysFor(tenant), kind, value);
  }

  private async keysFor(tenant: string): Promise<TenantKeys> {
    if (tenant === '') throw new Error('tenant must not be empty');
    const cached = this.cache.get(tenant);
    if (cached && cached.expiresAt > this.now()) return cached.keys;
    const inFlight = this.loading.get(tenant);
    if (inFlight) return inFlight;
    const load = (async () => {
      try {
        const keys = await this.load(tenant);
        this.cache.set(tenant, { keys, expiresAt: this.now() + this.cacheTtlMs });
        return keys;
      } finally {
        // A failed load is forgotten so that the next call tries again.
        this.loading.delete(tenant);
      }
    })();
    this.loading.set(tenant, load);
    return load;
  }

  /**
   * Get-or-create of the tenant key:
   * 1. read the stored key (strongly consistent, so a key written a moment ago is seen);
   * 2. if absent, have the key provider generate one and store it only if nobody else has;
   * 3. if somebody else won that race, read and use theirs, so every instance seals under one key.
   */
  private async load(tenant: string): Promise<TenantKeys> {
    const stored = await this.read(tenant);
    if (stored) return this.unwrap(tenant, stored);

    const { plaintext, wrapped } = await this.keyProvider.generateDataKey(contextOf(tenant));
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...keyOf(tenant),
            version: CURRENT_VERSION,
            wrapped: Buffer.from(wrapped).toString('base64'),
            keyId: this.keyProvider.keyId,
            createdAt: new Date(this.now()).toISOString(),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return this.derive(tenant, CURRENT_VERSION, plaintext);
    } catch (error) {
      plaintext.fill(0);
      if (!isConditionalCheckFailed(error)) throw error;
    }
    const winner = await this.read(tenant);
    if (!winner) throw new Error(`Tenant key of ${tenant} vanished after a conflicting create`);
    return this.unwrap(tenant, winner);
  }

  private async read(tenant: string): Promise<StoredTenantKey | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keyOf(tenant), ConsistentRead: true }));
    if (Item === undefined) return undefined;
    const { version, wrapped } = Item;
    if (typeof version !== 'number' || typeof wrapped !== 'string' || wrapped === '') {
      throw new Error(`Tenant key record of ${tenant} is malformed`);
    }
    return { version, wrapped };
  }

  private async unwrap(tenant: string, stored: StoredTenantKey): Promise<TenantKeys> {
    const root = await this.keyProvider.unwrapDataKey(Buffer.from(stored.wrapped, 'base64'), contextOf(tenant));
    return this.derive(tenant, stored.version, root);
  }

  private derive(tenant: string, version: number, root: Uint8Array): TenantKeys {
    const keys = deriveTenantKeys(tenant, version, root);
    // Only the derived keys stay in memory; the data key itself is dropped as soon as it has served.
    root.fill(0);
    return keys;
  }
}

/** The vault as configured by the environment: the `keys` table and the configured key provider. */
export async function vaultFromEnv(): Promise<TenantKeyVault> {
  return new TenantKeyVault({
    documentClient: dynamoDocumentClient(),
    tableName: getStringFromEnv(tableEnvVar('keys')),
    keyProvider: await keyProviderFromEnv(),
  });
}
