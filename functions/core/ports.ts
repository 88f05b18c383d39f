/**
 * Ports: what the domain core needs from the outside world. Adapters in `functions/adapters/` implement
 * them with the AWS SDK v3 (or the local keyring); use cases receive them as arguments, so the core never
 * imports an SDK and every rule can be tested with plain objects.
 */
import type { BusinessType, InstitutionType } from './domain/business-types';
import type { ChecklistDraft, ChecklistVersion } from './domain/checklists';
import type { DispositionLock } from './domain/disposition';
import type { FilingRecord, BatchRecord, FilingStatus, HistoryEntry } from './domain/filing';
import type { DepartmentKind } from './domain/coordination';
import type { Disclosure } from './domain/disclosure';
import type { MisuseAlert, MisuseRules, MisuseRulesDraft } from './domain/misuse';
import type { AuditDraft, DepartmentMessage, PendingEffect, ProgressEvent } from './domain/lifecycle';
import type { UnitView } from './domain/register';
import type { Certificate, CertificateSeries } from './domain/certificate';
import type { RegisterCommit } from './domain/registration';
import type { StaffAccount, StaffLock } from './domain/staff';
import type { RetentionClass, SignedTreeHead } from './domain/audit-log';
import type { Incident, IncidentDraft } from './domain/incident';
import type { StatisticsAddition, StatisticsBucketRef, StatisticsDay, StatisticsEvent } from './domain/statistics';
import type { Frontier, NodeReader } from './domain/merkle';
import type {
  ChannelStanding,
  CreditAppeal,
  CreditCase,
  CreditGrade,
  CreditNotice,
  CreditRules,
  CreditRulesDraft,
  CreditSignal,
  CreditState,
  InstitutionCredit,
  LedgerEvent,
} from './domain/credit';

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
  /** Where progress events are pushed, SM2-signed by the platform (DESIGN.md §3 Progress). */
  readonly webhook?: { readonly url: string; readonly updatedAt: string };
  /** The branch (网点) this channel files from, when the institution has several (DESIGN.md §4 "Who is scored"). */
  readonly branchName?: string;
  /**
   * The channel's credit standing as the credit worker and officers last projected it (DESIGN.md §4): read
   * with the channel on every signed request, so the submit gate needs no read of its own. Absent: NORMAL.
   */
  readonly standing?: ChannelStanding;
}

export interface ChannelDirectory {
  get(channelId: string): Promise<Channel | undefined>;
}

/** The channels of each institution (an institution-wide sanction reaches every branch). */
export interface InstitutionChannels {
  channelIdsOf(institutionId: string): Promise<string[]>;
}

/**
 * Writes the credit projection on the channel record (one attribute, leaving the rest as it is). A
 * projection older than the one recorded (a lower `version`) is dropped, so follow-ups performed late never
 * undo a newer standing. Throws for a channel that does not exist.
 */
export interface StandingRegistry {
  setStanding(channelId: string, standing: ChannelStanding): Promise<void>;
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

/**
 * One lifecycle write (functions/core/use-cases/transition.ts): moves the status (or keeps it, for an
 * annotation such as the urgent mark), appends the history entry, sets attributes and records the
 * transition's effects in the filing's outbox — all in one single-item write, conditional on the revision
 * the decision was made against, which it increments.
 */
export interface FilingCommit {
  readonly filingId: string;
  /** The filing's district (it never changes): the worklist and pending-effects indexes are keyed by it. */
  readonly district: string;
  /** The revision the decision was made against (0 for a filing stored before revisions existed). */
  readonly expectedRevision: number;
  /** Whether the filing read had an outbox (filings stored before outboxes existed have none). */
  readonly hadOutbox: boolean;
  readonly status: FilingStatus;
  /** Appended to the history, and the worklist keys moved, when the status changes. */
  readonly entry?: HistoryEntry;
  readonly at: string;
  /** Extra attributes set with the write; `undefined` removes one (e.g. the correction list once corrected). */
  readonly set?: Readonly<Record<string, unknown>>;
  readonly effects: readonly PendingEffect[];
  /**
   * Effects of the previous transition to mark done in this same write (an automatic transition performed
   * as one of them: it and the effects already performed before it), saving a write of their own.
   */
  readonly completes?: readonly string[];
}

export interface FilingRepository {
  /** Creates the filing unless one with the same id (hence the same channel + clientRef) exists. */
  putIfAbsent(filing: FilingRecord): Promise<PutFilingResult>;
  get(filingId: string): Promise<FilingRecord | undefined>;
  getMany(filingIds: readonly string[]): Promise<FilingRecord[]>;
  /** The lifecycle write; false when the filing is no longer at `expectedRevision` (nothing written). */
  commit(commit: FilingCommit): Promise<boolean>;
  /**
   * Marks effects done: removes them from the outbox and, given `clearPendingAt`, takes the filing off the
   * pending-effects index if it is still at that revision (no transition recorded new effects meanwhile).
   * Repeat-safe.
   */
  completeEffects(filingId: string, effectIds: readonly string[], clearPendingAt?: number): Promise<void>;
  /** A district's filings whose effects have been pending since before `before` (ISO time), oldest first: the sweeper heals them. */
  listPendingEffects(district: string, before: string, page: { readonly limit: number; readonly cursor?: string }): Promise<FilingSummaryPage>;
  putBatch(batch: BatchRecord): Promise<void>;
  getBatch(batchId: string): Promise<BatchRecord | undefined>;
  /** The unit's disposition lock (functions/core/domain/disposition.ts); version 0 with no holders when there is none. */
  readDisposition(unitCode: string): Promise<DispositionLock>;
  /** Writes the lock's holders if it is still at `expected.version` (incrementing it); false otherwise. */
  writeDisposition(expected: DispositionLock, holders: Readonly<Record<string, BusinessType>>): Promise<boolean>;
  /** Removes the filing from its unit's lock holders (incrementing the version); a no-op when it holds none. */
  releaseDisposition(unitCode: string, filingId: string): Promise<void>;
  /**
   * A district's filings in one status, oldest change first (staff worklists, 002 五(二)1). `cursor` is
   * the opaque `nextCursor` of the previous page; a cursor of another district or status is refused.
   */
  listByDistrictStatus(district: string, status: FilingStatus, page: { readonly limit: number; readonly cursor?: string }): Promise<FilingSummaryPage>;
}

export interface RegisterReader {
  getUnit(unitCode: string): Promise<UnitView | undefined>;
  /** Every district (6-digit code) the register holds units in: the tenants the sweeper covers. */
  listDistricts(): Promise<string[]>;
}

export interface IntakeMessage {
  readonly v: 1;
  readonly filingId: string;
}

export interface IntakeQueue {
  enqueue(messages: readonly IntakeMessage[]): Promise<void>;
}

/** A department connector's queue (one per department kind): ids only, the connector reads the filing. */
export interface DepartmentQueue {
  send(messages: readonly DepartmentMessage[]): Promise<void>;
}

/**
 * A department system registered with the registry (DESIGN.md §7b): it receives the registry's requests
 * at its endpoint and signs its results with its own SM2 key.
 */
export interface Department {
  readonly departmentId: string;
  readonly kind: DepartmentKind;
  readonly name: string;
  /** District codes (6 digits) it serves. */
  readonly districts: readonly string[];
  /** Where requests are POSTed (HTTPS on AWS; loopback for the local simulators). */
  readonly endpoint: string;
  /** Uncompressed SM2 public key, hex (`04…`): verifies its results, and seals personal data for it. */
  readonly publicKey: string;
}

/** The department registry: configuration, not code (CDK context `departments`; the simulators locally). */
export interface DepartmentDirectory {
  get(departmentId: string): Department | undefined;
  /** The department of a kind that serves a district, if any. */
  serving(kind: DepartmentKind, district: string): Department | undefined;
}

/**
 * An audit record (the fields are the lifecycle's AuditDraft: whose log, who acted, what, outcome, target
 * ids, detail — never personal data), plus what lifecycle effects set: a stable `id` (`<filingId>:<effect
 * id>`), which the log keeps at most once so an effect performed again after a crash is not logged twice,
 * and `at`, the transition's time (otherwise the time of writing).
 */
export interface AuditRecord extends AuditDraft {
  readonly id?: string;
  readonly at?: string;
}

/**
 * The audit port (002 五(二)4): appends a record to its tenant's Merkle log (DESIGN.md §5). When `record`
 * resolves, the record is durably on the log's queue (SQS FIFO, one message group per tenant), from which the
 * one appender of that tenant gives it its sequence number; a failure rejects, so the caller's call fails
 * rather than answer something the log will not hold. A record with an `id` is appended at most once.
 */
export interface AuditLog {
  record(entry: AuditRecord): Promise<void>;
}

/** One entry as the log store holds it. */
export interface StoredLogEntry {
  readonly seq: number;
  readonly leafHash: string;
  /** The entry's canonical JSON (its leaf input); absent once its retention class has expired (the leaf hash stays). */
  readonly entry?: string;
  readonly retention: RetentionClass;
  /** Epoch seconds after which the entry's content may be gone. */
  readonly expiresAt: number;
}

/** A tenant's log as its appender left it: the committed size, root and right edge. */
export interface LogHead {
  readonly tenant: string;
  readonly logId: string;
  readonly treeSize: number;
  readonly rootHash: string;
  readonly frontier: Frontier;
  readonly updatedAt: string;
}

/** What auditors search by (002 五(二)4). At least one of tenant, actor, target; times are ISO, `to` exclusive. */
export interface AuditSearch {
  readonly tenants?: readonly string[];
  readonly actor?: string;
  readonly target?: string;
  readonly action?: string;
  readonly outcome?: AuditDraft['outcome'];
  readonly institutionId?: string;
  readonly from: string;
  readonly to: string;
  readonly limit: number;
  /** Opaque, from the previous page. */
  readonly cursor?: string;
}

/** The read side of the log store: heads, entries, stored tree nodes, signed tree heads, search. */
export interface AuditLogReader {
  head(tenant: string): Promise<LogHead | undefined>;
  /** Entries `fromSeq` ≤ seq < `toSeq` (bounded by the caller), in order; only committed ones. */
  entries(tenant: string, fromSeq: number, toSeq: number): Promise<StoredLogEntry[]>;
  /** The sequence number of the entry with this deduplication key (a receipt's `batch:<batchId>`), once appended. */
  seqOfKey(tenant: string, key: string): Promise<number | undefined>;
  /** Perfect-subtree hashes of the tenant's tree (merkle.ts NodeReader); only within the committed size. */
  nodes(tenant: string): NodeReader;
  latestTreeHead(tenant: string): Promise<SignedTreeHead | undefined>;
  /** The signed tree head of exactly this size, if one was signed. */
  treeHeadOfSize(tenant: string, treeSize: number): Promise<SignedTreeHead | undefined>;
  /** Signed tree heads with `fromSize` ≤ treeSize ≤ `toSize`, smallest first, at most `limit`. */
  treeHeads(tenant: string, range: { readonly fromSize: number; readonly toSize: number; readonly limit: number }): Promise<SignedTreeHead[]>;
  search(query: AuditSearch): Promise<Page<StoredLogEntry & { readonly tenant: string }>>;
}

/** The key that signs tree heads: not the platform key, and usable by the checkpoint function alone. */
export type TreeHeadSigner = PlatformSigner;

/**
 * Where exports are kept (S3 with Object Lock in compliance mode on AWS, for the retention period of the
 * longest-kept class they hold; a directory of the local data dir on `npm start`).
 */
export interface ExportStore {
  put(key: string, body: Buffer, options: { readonly retainUntil: Date; readonly contentType: string }): Promise<{ readonly location: string }>;
  get(key: string): Promise<Buffer | undefined>;
}

/** Opens incidents (functions/core/domain/incident.ts): staff, the misuse detector and alarms go through it. */
export interface IncidentDesk {
  /** Opens an incident; with a `dedupeKey` already used, returns that incident unchanged. */
  open(draft: IncidentDraft): Promise<Incident>;
}

/** A filing's progress event and a department message (declared with the lifecycle, functions/core/domain/lifecycle.ts). */
export type { DepartmentMessage, ProgressEvent };
export type { CreditNotice, CreditSignal } from './domain/credit';

/** What the notifications queue carries to institutions' webhooks: filing progress, and credit changes (DESIGN.md §4). */
export type WebhookEvent = ProgressEvent | CreditNotice;

export interface NotificationQueue {
  publish(events: readonly WebhookEvent[]): Promise<void>;
}

/** The credit queue (DESIGN.md §4): signals to the credit worker, with a DLQ; ids and codes only. */
export interface CreditQueue {
  send(signals: readonly CreditSignal[]): Promise<void>;
}

/** The statistics queue: one message per filing status change (functions/core/domain/statistics.ts). */
export interface StatisticsQueue {
  send(events: readonly StatisticsEvent[]): Promise<void>;
}

/**
 * The statistics' day buckets (the `statistics` table). `add` is a read and a write conditional on the
 * bucket's version (retried on a race), and skips additions the bucket already holds: an event redelivered,
 * or performed again after a crash, counts once. No transactions, so it runs on every DynamoDB.
 */
export interface StatisticsStore {
  /** Adds the additions the bucket does not hold yet; answers how many it added. */
  add(bucket: StatisticsBucketRef, additions: readonly StatisticsAddition[]): Promise<number>;
  /** The days of one scope in `[from, to]` (CST days), oldest first, each with its shards summed; days with nothing are absent. */
  days(scope: StatisticsBucketRef['scope'], id: string, from: string, to: string): Promise<StatisticsDay[]>;
}

/** A page of a listing; `nextCursor` is opaque and bound to the listing it came from. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string;
}

/**
 * Credit records (the `credit` table): per channel its state and its immutable ledger, appeals per event;
 * institution-wide sanctions; cases with their rectification reports. Every write is conditional — state,
 * institution and case on their `version`, ledger events and appeals on their absence — so the worker and
 * officers racing on one channel cannot lose an update, and a cause recorded twice is recorded once.
 */
export interface CreditStore {
  getState(channelId: string): Promise<CreditState | undefined>;
  /** Channels whose state has had follow-ups (an outbox) pending since before `before` (ISO): the sweeper performs them. */
  listPendingOutboxes(before: string, limit: number): Promise<string[]>;
  /** Writes the state if it is still at `expectedVersion` (0: absent), with `state.version` = expected + 1; false otherwise. */
  putState(state: CreditState, expectedVersion: number): Promise<boolean>;
  /** States by grade, lowest score first (`grade` absent: every grade, lowest score first). */
  listStates(query: { readonly grade?: CreditGrade; readonly limit: number; readonly cursor?: string }): Promise<Page<CreditState>>;
  /** Every channel state of an institution type (peer comparison), or of one institution. */
  statesOfType(institutionType: InstitutionType, institutionId?: string): Promise<CreditState[]>;

  /** Records the event unless one with its id exists; answers the event in force (the existing one if so). */
  putEvent(event: LedgerEvent): Promise<{ readonly created: boolean; readonly event: LedgerEvent }>;
  getEvent(channelId: string, eventId: string): Promise<LedgerEvent | undefined>;
  /** Every event of the channel since `sinceIso` (the window), oldest first. */
  listEvents(channelId: string, sinceIso: string): Promise<LedgerEvent[]>;

  getInstitution(institutionId: string): Promise<InstitutionCredit | undefined>;
  putInstitution(institution: InstitutionCredit, expectedVersion: number): Promise<boolean>;

  getCase(caseNo: string): Promise<CreditCase | undefined>;
  /** Creates the case unless one with its number exists; answers the case in force. */
  createCase(creditCase: CreditCase): Promise<{ readonly created: boolean; readonly creditCase: CreditCase }>;
  /** Replaces the case if still at `expectedVersion` (`creditCase.version` = expected + 1); false otherwise. */
  updateCase(creditCase: CreditCase, expectedVersion: number): Promise<boolean>;
  /** Cases, newest first, optionally of one status, one channel or one institution. */
  listCases(query: { readonly status?: CreditCase['status']; readonly channelId?: string; readonly institutionId?: string; readonly limit: number; readonly cursor?: string }): Promise<Page<CreditCase>>;

  getAppeal(channelId: string, eventId: string): Promise<CreditAppeal | undefined>;
  /** Creates the appeal unless the event has one; false when it has. */
  createAppeal(appeal: CreditAppeal): Promise<boolean>;
  /** Records the decision if the appeal is still PENDING; false otherwise. */
  decideAppeal(appeal: CreditAppeal): Promise<boolean>;
  /** Appeals, newest first, optionally of one status or one channel. */
  listAppeals(query: { readonly status?: CreditAppeal['status']; readonly channelId?: string; readonly limit: number; readonly cursor?: string }): Promise<Page<CreditAppeal>>;
}

/** Versioned credit rules (functions/core/domain/credit.ts); with none published, version 1 is the built-in set. */
export interface CreditRulesStore {
  current(): Promise<CreditRules>;
  version(version: number): Promise<CreditRules | undefined>;
  /** Every version, newest first (version 1 included). */
  history(): Promise<CreditRules[]>;
  /** Publishes `baseVersion + 1`; throws 409 CREDIT_RULES_VERSION_CONFLICT when `baseVersion` is not current. */
  publish(draft: CreditRulesDraft, publishedBy: string, at: Date): Promise<CreditRules>;
}

/** Adds `amount` to a counter atomically (quotas: a batch counts all its items) and answers the new total. */
export interface QuotaCounter {
  add(key: string, amount: number, expiresAt: number): Promise<number>;
}

/** The platform's own SM2 signing key (KMS SM2 key in China regions; the local keyring locally). */
export interface PlatformSigner {
  readonly keyId: string;
  /** Uncompressed SM2 public key, hex (`04…`), for receivers to verify with. */
  publicKeyHex(): Promise<string>;
  /** DER SM2 signature (SM3 over Z‖M, user id 1234567812345678) of the message bytes. */
  sign(message: Uint8Array): Promise<Buffer>;
}

/** What a worklist shows of a filing: ids, type, unit, status and time, never personal data. */
export interface FilingSummary {
  readonly filingId: string;
  readonly businessType: BusinessType;
  readonly unitCode: string;
  readonly institutionId: string;
  readonly district: string;
  readonly status: FilingStatus;
  readonly updatedAt: string;
  /** Urgent filings take a priority lane (003 第十三条). */
  readonly urgent?: boolean;
  /** Set when the sweeper gave up on the filing (intake keeps failing, an approval stalled): staff must look at it. */
  readonly flaggedForStaff?: FilingRecord['flaggedForStaff'];
  /** Set once an approval claimed the filing. */
  readonly approvalStartedAt?: string;
}

export interface FilingSummaryPage {
  readonly items: readonly FilingSummary[];
  /** Present when more items may follow: pass it back as `cursor`. */
  readonly nextCursor?: string;
}

/** Registry staff accounts (DESIGN.md §1, §5). Read on every staff request, so changes act at once. */
export interface StaffDirectory {
  get(staffId: string): Promise<StaffAccount | undefined>;
}

/**
 * Locking and unlocking staff accounts (insider misuse, DESIGN.md §5; 004 第二十五条). Both are conditional
 * writes on the account's status, so racing detectors lock once and racing administrators unlock once.
 */
export interface StaffLocks {
  /** ACTIVE → LOCKED with the lock's reasons; false when the account is not ACTIVE (already locked, deactivated, gone). */
  lock(staffId: string, lock: StaffLock): Promise<boolean>;
  /** Records the incident on the lock raised by `alertId` (a no-op once the account was unlocked or locked again). */
  noteIncident(staffId: string, alertId: string, incidentId: string): Promise<void>;
  /** LOCKED → ACTIVE, keeping who unlocked it and when; false when the account is not LOCKED. */
  unlock(staffId: string, unlock: { readonly by: string; readonly at: string; readonly alertId?: string }): Promise<boolean>;
}

/** Records an unmasking on the filing (bounded list + count); false when there is no such filing. */
export interface DisclosureRecorder {
  recordDisclosure(filingId: string, disclosure: Disclosure): Promise<boolean>;
}

/** The insider-misuse rules (versioned, like the credit rules) and the alerts they raised, in table `security`. */
export interface MisuseStore {
  currentRules(): Promise<MisuseRules>;
  /** Every version, newest first (version 1 included). */
  rulesHistory(): Promise<MisuseRules[]>;
  /** Publishes `baseVersion + 1`; throws 409 MISUSE_RULES_VERSION_CONFLICT when `baseVersion` is not current. */
  publishRules(draft: MisuseRulesDraft, publishedBy: string, at: Date): Promise<MisuseRules>;
  /** Stores the alert unless one with its id exists; answers the stored one and whether it was new. */
  putAlert(alert: MisuseAlert): Promise<{ readonly alert: MisuseAlert; readonly created: boolean }>;
  noteAlertIncident(alertId: string, incidentId: string): Promise<void>;
  /** A district's alerts, newest first. */
  listAlerts(district: string, page: { readonly limit: number; readonly cursor?: string }): Promise<Page<MisuseAlert>>;
}

/**
 * Verifies a staff bearer token (a JWT: Cognito's on AWS, the local issuer's on `npm start`) and says
 * whose it is. Throws a 401 ZtError (`STAFF_TOKEN_INVALID`) for anything but a valid, current token of
 * the configured issuer and audience.
 */
export interface StaffTokenVerifier {
  verify(token: string): Promise<{ readonly staffId: string }>;
}

/** Where a channel's webhook is stored: the channel record itself (DESIGN.md §3 Progress). */
export interface WebhookRegistry {
  /** Sets the channel's webhook, or removes it when `webhook` is undefined. Throws if the channel does not exist. */
  setWebhook(channelId: string, webhook: Channel['webhook'] | undefined): Promise<void>;
}

/** One signed POST of a progress event to an institution's webhook. */
export interface WebhookRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The exact bytes signed and sent (UTF-8 JSON). */
  readonly body: string;
}

/**
 * What came of a POST: the receiver answered (any status), or no answer arrived. Reasons name the kind of
 * failure only; no response body is ever kept (it is the receiver's data).
 */
export type WebhookOutcome =
  | { readonly kind: 'answered'; readonly status: number }
  | { readonly kind: 'unanswered'; readonly reason: 'TIMEOUT' | 'NETWORK' | 'FORBIDDEN_ADDRESS' | 'INVALID_URL' };

/** The HTTP port of the notifier: posts with a bounded time, never follows redirects. */
export interface WebhookSender {
  post(request: WebhookRequest): Promise<WebhookOutcome>;
}

/**
 * Counters of fixed-window rate limits (public endpoints). `increment` adds one to the counter of `key`
 * atomically and returns the new count; the counter lives until `expiresAt` (epoch seconds) and an
 * expired counter counts as absent.
 */
export interface RateCounter {
  increment(key: string, expiresAt: number): Promise<number>;
}

/**
 * Versioned material checklists (functions/core/domain/checklists.ts). Reads of a type nobody has
 * published for answer the built-in list as version 1.
 */
export interface ChecklistStore {
  current(businessType: BusinessType): Promise<ChecklistVersion>;
  /** One version; undefined when it does not exist (yet). */
  version(businessType: BusinessType, version: number): Promise<ChecklistVersion | undefined>;
  /** Every version, newest first (version 1 included). */
  history(businessType: BusinessType): Promise<ChecklistVersion[]>;
  /**
   * Publishes `baseVersion + 1`; throws 409 CHECKLIST_VERSION_CONFLICT when `baseVersion` is not the
   * current version (another publisher got there first, or the caller's view is stale).
   */
  publish(businessType: BusinessType, draft: ChecklistDraft, publishedBy: string, at: Date): Promise<ChecklistVersion>;
}

/**
 * What came of a register write: applied now; this filing had already been applied (a repeated saga step);
 * or the unit is no longer at the version the decision was made against (decide again on the unit as it is).
 */
export type RegisterWriteOutcome = 'applied' | 'alreadyApplied' | 'stale';

/**
 * Records approved filings in the register (登簿). One unit is one item; each write replaces it on
 * condition that it is still at `expectedVersion` and does not list the filing as applied, increments the
 * version and lists the filing (DESIGN.md §3 "The register cannot be written against stale facts").
 */
export interface RegisterWriter {
  commit(commit: RegisterCommit): Promise<RegisterWriteOutcome>;
  /**
   * Records on the unit that the filing is refused at commit time (with the rule's reason), on the same
   * condition as a register write: the unit still at `expectedVersion` and the filing not applied. Of this
   * and a concurrent approval's `commit`, exactly one succeeds. `alreadyApplied` when the filing was recorded
   * meanwhile; `stale` when the unit changed otherwise (decide again).
   */
  refuse(refusal: { readonly unitCode: string; readonly filingId: string; readonly expectedVersion: number; readonly reasonCode: string; readonly unit: UnitView }): Promise<'refused' | 'alreadyApplied' | 'stale'>;
}

/** A certificate number allocated to a filing (step one of the approval saga). */
export interface CertificateAllocation {
  readonly filingId: string;
  readonly certificateNo: string;
  readonly series: CertificateSeries;
}

/** E-certificates, their numbers and which certificate is current for each right of a unit. */
export interface CertificateStore {
  /** The number already allocated to the filing, if any. */
  allocationOf(filingId: string): Promise<CertificateAllocation | undefined>;
  /** The next number of the series' atomic counter (1, 2, …); each call returns a number no other call gets. */
  nextSequence(series: CertificateSeries): Promise<number>;
  /** Allocates the number to the filing unless it has one; returns the allocation in force. */
  claimAllocation(allocation: CertificateAllocation): Promise<CertificateAllocation>;
  /** Stores the certificate unless one with its number exists; returns the certificate in force. */
  putIfAbsent(certificate: Certificate): Promise<Certificate>;
  get(certificateNo: string): Promise<Certificate | undefined>;
  /** The current certificate of a right of a unit (e.g. `OWNERSHIP`, `MORTGAGE#<id>`), if any. */
  currentOf(unitCode: string, right: string): Promise<string | undefined>;
  setCurrent(unitCode: string, right: string, certificateNo: string): Promise<void>;
  /** Marks a certificate as no longer current (a later registration superseded it). Repeat-safe. */
  markSuperseded(certificateNo: string, supersededBy: string): Promise<void>;
}

/**
 * Reads a {@link RateCounter}'s counter without counting, for limits on failures: the count is checked
 * before an attempt and only a failed attempt is counted. An absent or expired counter reads 0.
 */
export interface RateCounterReader {
  current(key: string): Promise<number>;
}
