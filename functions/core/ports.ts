/**
 * Ports: what the domain core needs from the outside world. Adapters in `functions/adapters/` implement
 * them with the AWS SDK v3 (or the local keyring); use cases receive them as arguments, so the core never
 * imports an SDK and every rule can be tested with plain objects.
 */
import type { BusinessType, InstitutionType } from './domain/business-types';
import type { FilingRecord, BatchRecord, FilingStatus, HistoryEntry } from './domain/filing';
import type { UnitView } from './domain/register';

export interface Clock {
  now(): Date;
}

/** Fields of personal data that are sealed; the name is bound into the integrity tag. */
export type PiiField = 'name' | 'idNumber' | 'phone';

/**
 * Wraps and unwraps per-tenant data keys: KMS in the cloud, the local keyring on `npm start`.
 * The encryption context binds a wrapped key to its tenant; unwrapping under another context fails.
 */
export interface KeyProvider {
  readonly keyId: string;
  generateDataKey(context: Readonly<Record<string, string>>): Promise<{ plaintext: Uint8Array; wrapped: Uint8Array }>;
  unwrapDataKey(wrapped: Uint8Array, context: Readonly<Record<string, string>>): Promise<Uint8Array>;
}

/**
 * Personal-data protection (DESIGN.md §5): SM4 encryption under the tenant's data key, an HMAC-SM3
 * integrity tag binding tenant, field and record, and a keyed blind index for matching ID numbers.
 * The tenant of personal data is the district (区县) of the unit it concerns.
 */
export interface PersonalDataVault {
  seal(tenant: string, field: PiiField, plaintext: string, bindTo: string): Promise<string>;
  /** Throws IntegrityError when the sealed value was altered or moved to another tenant/field/record. */
  open(tenant: string, field: PiiField, sealed: string, bindTo: string): Promise<string>;
  /** Keyed blind index: `idNumber` for matching people, `content` for telling re-sends from conflicting filings. */
  blindIndex(tenant: string, kind: 'idNumber' | 'content', value: string): Promise<string>;
}

export interface Channel {
  readonly channelId: string;
  readonly institutionId: string;
  readonly institutionName: string;
  readonly institutionType: InstitutionType;
  /** Unified social credit code of the institution (not personal data). */
  readonly uscc: string;
  readonly status: 'ACTIVE' | 'DISABLED';
  /** Uncompressed SM2 public key, hex (`04…`). */
  readonly publicKey: string;
  readonly allowedBusinessTypes: readonly BusinessType[];
  /** District codes (6 digits) the channel may file in. */
  readonly allowedDistricts: readonly string[];
}

export interface ChannelDirectory {
  get(channelId: string): Promise<Channel | undefined>;
}

export interface NonceStore {
  /** Records the nonce; false when it was already used within its lifetime. */
  claim(channelId: string, nonce: string, ttlSeconds: number): Promise<boolean>;
}

export interface StoredResponse {
  readonly statusCode: number;
  readonly body: string;
}

export type IdempotencyClaim =
  | { readonly kind: 'claimed' }
  | { readonly kind: 'replay'; readonly response: StoredResponse }
  | { readonly kind: 'mismatch' }
  | { readonly kind: 'inProgress' };

export interface IdempotencyStore {
  /** Claims the key for this request hash, or reports what the first request with that key did. */
  claim(scope: string, key: string, requestHash: string, ttlSeconds: number): Promise<IdempotencyClaim>;
  complete(scope: string, key: string, requestHash: string, response: StoredResponse, ttlSeconds: number): Promise<void>;
  /** Releases a claim whose request failed, so that a retry with the same key can run again. */
  release(scope: string, key: string): Promise<void>;
}

export type PutFilingResult = { readonly kind: 'created' } | { readonly kind: 'exists'; readonly existing: FilingRecord };

export interface TransitionRequest {
  readonly filingId: string;
  readonly from: FilingStatus;
  readonly to: FilingStatus;
  readonly entry: HistoryEntry;
  /** Extra attributes set with the transition (e.g. the refusal reason or the correction list). */
  readonly set?: Readonly<Record<string, unknown>>;
}

export interface FilingRepository {
  /** Creates the filing unless one with the same id (hence the same channel + clientRef) exists. */
  putIfAbsent(filing: FilingRecord): Promise<PutFilingResult>;
  get(filingId: string): Promise<FilingRecord | undefined>;
  getMany(filingIds: readonly string[]): Promise<FilingRecord[]>;
  /** Conditional single-item transition; false when the filing is no longer in `from`. */
  transition(request: TransitionRequest): Promise<boolean>;
  putBatch(batch: BatchRecord): Promise<void>;
  getBatch(batchId: string): Promise<BatchRecord | undefined>;
  /**
   * Takes the per-unit lock for an active filing of this business type; true when this filing holds it
   * (already or now), false when another active filing does.
   */
  lockActive(unitCode: string, businessType: BusinessType, filingId: string): Promise<boolean>;
}

export interface RegisterReader {
  getUnit(unitCode: string): Promise<UnitView | undefined>;
}

export interface IntakeMessage {
  readonly v: 1;
  readonly filingId: string;
}

export interface IntakeQueue {
  enqueue(messages: readonly IntakeMessage[]): Promise<void>;
}

export interface AuditRecord {
  /** Whose log this belongs to: an institution id for channel operations, a district for registry ones. */
  readonly tenant: string;
  /** Who acted: `channel:<id>`, `worker:intake`, later `staff:<id>`. */
  readonly actor: string;
  readonly action: string;
  readonly outcome: 'SUCCESS' | 'DENIED' | 'ERROR';
  /** What was acted on: batch or filing ids, never personal data. */
  readonly target?: string;
  readonly detail?: Readonly<Record<string, string | number | boolean>>;
}

/** The audit port (002 五(二)4). The tamper-evident hash chain plugs in behind it later (roadmap step 5). */
export interface AuditLog {
  record(entry: AuditRecord): Promise<void>;
}
