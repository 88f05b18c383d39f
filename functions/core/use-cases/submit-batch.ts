import { createHash } from 'node:crypto';
import { canonicalJson as logCanonicalJson, logIdOf } from '../domain/audit-log';
import { assertBatchBusinessTypes, batchBusinessTypeProblems, channelMayFileIn, mortgageeIsFiler } from '../domain/channel-grants';
import { batchTooLarge, channelShutOff, expiredProbation, overDailyQuota, quotaCounterOf, quotaExceeded, standingGate, type RestrictedGrade } from '../domain/credit-gate';
import type { CreditSignal } from '../domain/credit';
import { mapWithConcurrency } from '../concurrency';
import type { FieldError } from '../domain/errors';
import { PERSON_LIST_FIELDS, type BatchItem, type BatchRecord, type FilingContent, type FilingRecord, type SealedPerson } from '../domain/filing';
import { filingIdFor, newBatchId } from '../domain/identifiers';
import { isBusinessType, type BusinessType, type MaterialChecklist } from '../domain/business-types';
import type { ChecklistVersion } from '../domain/checklists';
import type {
  AuditLog,
  ChecklistStore,
  Channel,
  Clock,
  CreditQueue,
  CreditRulesStore,
  FilingRepository,
  IntakeMessage,
  IntakeQueue,
  PersonalDataVault,
  QuotaCounter,
} from '../ports';
import type { FilingInput } from '../../../schemas/v1/filing-input';

/** The edge's validator for one filing (zod, in `schemas/`); the core trusts what it returns. */
export type FilingValidator = (raw: unknown, checklist?: MaterialChecklist) => { ok: true; value: FilingInput } | { ok: false; errors: FieldError[] };

export interface SubmitBatchPorts {
  readonly filings: FilingRepository;
  readonly vault: PersonalDataVault;
  readonly queue: IntakeQueue;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly validate: FilingValidator;
  /** Material checklists: each filing is validated against, and records, the version in force. */
  readonly checklists: ChecklistStore;
  /** Credit rules (DESIGN.md §4): read only for a channel on WATCH or PROBATION, never on the NORMAL path. */
  readonly rules: CreditRulesStore;
  /** Filings per channel and CST day, counted for restricted channels only. */
  readonly quota: QuotaCounter;
  /** Out-of-scope attempts go to the credit worker as signals. */
  readonly credit: CreditQueue;
}

export interface SubmitBatchResult {
  readonly batchId: string;
  readonly items: readonly BatchItem[];
  /** Where the batch's receipt is fetched once a signed tree head covers its entry (audit-receipt.ts). */
  readonly receipt: BatchReceiptReference;
}

/** The receipt reference of a `202` (DESIGN.md §5 "Receipts for institutions"). */
export interface BatchReceiptReference {
  readonly href: string;
  readonly logId: string;
  readonly entryKey: string;
}

/** The log entry key of a batch's receipt entry: the log keeps it at most once. */
export const receiptKeyOf = (batchId: string): string => `batch:${batchId}`;

/** Filings stored in parallel per batch: enough to overlap round trips, few enough to stay gentle. */
const STORE_CONCURRENCY = 32;

const districtOf = (unitCode: string): string => unitCode.slice(0, 6);

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

type Checked =
  | { readonly index: number; readonly ok: true; readonly input: FilingInput }
  | { readonly index: number; readonly ok: false; readonly clientRef?: string; readonly errors: FieldError[] };

/**
 * The clientRef an INVALID item echoes (and its batch record stores): only a reference of the clientRef
 * format (1-64 of A-Z a-z 0-9 . _ : -) that carries no resident ID number (15 digits, or 17 and a check
 * character) and no mobile number. Anything else may be a name or an ID number typed in the wrong field.
 */
function clientRefOf(raw: unknown): string | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const ref = (raw as Record<string, unknown>).clientRef;
  if (typeof ref !== 'string' || !/^[A-Za-z0-9._:-]{1,64}$/.test(ref)) return undefined;
  return /(?<!\d)(?:\d{15}|\d{17}[\dXx]|1[3-9]\d{9})(?!\d)/.test(ref) ? undefined : ref;
}

/** The checklist in force for each business type named in the batch (a change applies to filings submitted after it). */
async function checklistsInForce(store: ChecklistStore, rawFilings: readonly unknown[]): Promise<Map<BusinessType, ChecklistVersion>> {
  const types = new Set(rawFilings.map((raw) => (raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>).businessType : undefined)).filter(isBusinessType));
  return new Map(await Promise.all([...types].map(async (type) => [type, await store.current(type)] as const)));
}

/** Validates each filing on its own, then the rules that need the channel and the whole batch. */
function checkItems(channel: Channel, rawFilings: readonly unknown[], validate: FilingValidator, inForce: ReadonlyMap<BusinessType, ChecklistVersion>): Checked[] {
  const seenRefs = new Set<string>();
  return rawFilings.map((raw, index): Checked => {
    const type = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>).businessType : undefined;
    const result = validate(raw, isBusinessType(type) ? inForce.get(type) : undefined);
    if (!result.ok) return { index, ok: false, clientRef: clientRefOf(raw), errors: result.errors };
    const input = result.value;
    const errors: FieldError[] = [];
    if (!channelMayFileIn(channel, districtOf(input.unitCode))) {
      errors.push({ path: 'unitCode', code: 'DISTRICT_NOT_PERMITTED', message: 'This channel may not file in the district of this unit.' });
    }
    if (!mortgageeIsFiler(channel, input as { businessType: string; mortgagee?: { uscc: string } })) {
      errors.push({ path: 'mortgagee.uscc', code: 'MORTGAGEE_NOT_FILER', message: 'The mortgagee must be the filing institution itself (its USCC as registered with its channel).' });
    }
    if (seenRefs.has(input.clientRef)) {
      errors.push({ path: 'clientRef', code: 'DUPLICATE_IN_BATCH', message: 'Another filing in this batch has the same clientRef.' });
    }
    seenRefs.add(input.clientRef);
    return errors.length > 0 ? { index, ok: false, clientRef: input.clientRef, errors } : { index, ok: true, input };
  });
}

async function sealPerson(
  vault: PersonalDataVault,
  tenant: string,
  bindTo: string,
  person: { name: string; idType: 'RESIDENT_ID'; idNumber: string; phone?: string },
): Promise<SealedPerson> {
  const [name, idNumber, idIndex, phone] = await Promise.all([
    vault.seal(tenant, 'name', person.name, bindTo),
    vault.seal(tenant, 'idNumber', person.idNumber, bindTo),
    vault.blindIndex(tenant, 'idNumber', person.idNumber),
    person.phone === undefined ? Promise.resolve(undefined) : vault.seal(tenant, 'phone', person.phone, bindTo),
  ]);
  return { name, idType: person.idType, idNumber, idIndex, phone };
}

/**
 * The stored content of a validated filing: its business fields with every person (mortgagors, buyers,
 * sellers) sealed. The zod schemas in `schemas/` guarantee each business type's shape, which is why
 * the result can be typed as that type's content.
 */
async function sealContent(vault: PersonalDataVault, channel: Channel, tenant: string, bindTo: string, input: FilingInput): Promise<FilingContent> {
  const { clientRef: _ref, unitCode: _unit, materials: _materials, ...content } = input as unknown as Record<string, unknown>;
  // The mortgagee is the filing institution as recorded (checked equal to the body's USCC before this).
  if (content['mortgagee'] !== undefined) content['mortgagee'] = { name: channel.institutionName, uscc: channel.uscc };
  for (const field of PERSON_LIST_FIELDS) {
    const people = content[field];
    if (Array.isArray(people)) content[field] = await Promise.all(people.map((person) => sealPerson(vault, tenant, bindTo, person)));
  }
  return content as unknown as FilingContent;
}

/** Builds the stored filing: personal data sealed under the unit's district, bound to the filing id. */
async function toRecord(
  ports: SubmitBatchPorts,
  channel: Channel,
  batchId: string,
  input: FilingInput,
  at: string,
  checklistVersion: number | undefined,
  manualIntake: RestrictedGrade | undefined,
): Promise<FilingRecord> {
  const filingId = filingIdFor(channel.channelId, input.clientRef);
  const district = districtOf(input.unitCode);
  const [content, contentHash] = await Promise.all([
    sealContent(ports.vault, channel, district, filingId, input),
    // Keyed, not a plain hash: a plain SM3 of a filing could be brute-forced back to its ID numbers.
    ports.vault.blindIndex(district, 'content', canonicalJson(input)),
  ]);
  return {
    filingId,
    channelId: channel.channelId,
    institutionId: channel.institutionId,
    institutionType: channel.institutionType,
    clientRef: input.clientRef,
    batchId,
    businessType: input.businessType,
    unitCode: input.unitCode,
    district,
    content,
    materials: input.materials,
    contentHash,
    status: 'SUBMITTED',
    createdAt: at,
    updatedAt: at,
    history: [{ at, status: 'SUBMITTED', by: `channel:${channel.channelId}` }],
    checklistVersion,
    ...(manualIntake !== undefined ? { manualIntake: { grade: manualIntake } } : {}),
  };
}

/** Item codes that are out-of-scope attempts of the channel (DESIGN.md §4 "Signals"): each is one credit signal. */
const OUT_OF_SCOPE_ITEM_CODES = ['DISTRICT_NOT_PERMITTED', 'MORTGAGEE_NOT_FILER'] as const;

/** What a restricted channel's batch is held to, and how to give its count back. */
interface Restriction {
  readonly grade: RestrictedGrade;
  /** Gives `count` of the batch's filings (all by default: the batch failed after being counted) back to today's quota. */
  readonly giveBack: (count?: number) => Promise<void>;
}

/**
 * The credit gate (functions/core/domain/credit-gate.ts) up to the quota: a shut-off channel is refused;
 * a restricted one is held to the rules' batch size. NORMAL answers at once, reading nothing.
 */
async function restrictionOf(ports: SubmitBatchPorts, channel: Channel, batchSize: number, now: Date): Promise<{ grade: RestrictedGrade; restricted: { dailyQuota: number; maxBatchSize: number } } | undefined> {
  const gate = standingGate(channel.standing);
  if (gate.kind === 'OPEN') return undefined;
  if (gate.kind === 'SHUT_OFF') throw channelShutOff(gate);
  const rules = await ports.rules.current();
  const ended = channel.standing && expiredProbation(channel.standing, rules, now);
  if (ended === 'NORMAL') return undefined;
  const grade: RestrictedGrade = ended ?? gate.grade;
  if (batchTooLarge(rules.restricted, batchSize)) {
    const counter = quotaCounterOf(channel.channelId, now);
    // Adding nothing reads today's count: the answer shows what is left.
    const usedToday = await ports.quota.add(counter.key, 0, counter.expiresAt);
    throw quotaExceeded('BATCH_TOO_LARGE', grade, { ...rules.restricted, usedToday });
  }
  return { grade, restricted: rules.restricted };
}

/**
 * Counts the batch against today's quota (every item, valid or not); over the quota, gives it back and
 * refuses it, so a refused batch consumes nothing. Two batches racing for the last places may both be
 * refused, never both admitted.
 */
async function countAgainstQuota(ports: SubmitBatchPorts, channel: Channel, grade: RestrictedGrade, restricted: { dailyQuota: number; maxBatchSize: number }, batchSize: number, now: Date): Promise<Restriction> {
  const counter = quotaCounterOf(channel.channelId, now);
  const total = await ports.quota.add(counter.key, batchSize, counter.expiresAt);
  const giveBack = async (count = batchSize) => {
    if (count > 0) await ports.quota.add(counter.key, -count, counter.expiresAt);
  };
  if (overDailyQuota(restricted, total)) {
    await giveBack();
    throw quotaExceeded('DAILY_QUOTA', grade, { ...restricted, usedToday: total - batchSize }, counter.retryAfterSeconds);
  }
  return { grade, giveBack };
}

/** 24 hex of SM3 of the batch's business types and clientRefs, in order: names a submission attempt, reveals nothing. */
function typeAttemptOf(rawFilings: readonly unknown[]): string {
  const shape = rawFilings.map((raw) => (raw !== null && typeof raw === 'object' ? [String((raw as Record<string, unknown>).businessType), String((raw as Record<string, unknown>).clientRef)] : ['', '']));
  return createHash('sm3').update(JSON.stringify(shape), 'utf8').digest('hex').slice(0, 24);
}

/**
 * Refuses a batch naming a business type the channel may not file: an out-of-scope attempt (DESIGN.md §4),
 * audited and signalled once per attempt (`TYPE:<channelId>:<hash of the batch's types and clientRefs>`) before the 403.
 */
async function refuseTypesNotGranted(ports: SubmitBatchPorts, channel: Channel, batchId: string, rawFilings: readonly unknown[], at: string): Promise<void> {
  const { unknown, notPermitted } = batchBusinessTypeProblems(channel, rawFilings);
  if (unknown.length === 0 && notPermitted.length > 0) {
    await ports.credit.send([
      // Named by what was sent (the types and clientRefs of the batch): the same batch retried is one attempt.
      { v: 1, signalId: `TYPE:${channel.channelId}:${typeAttemptOf(rawFilings)}`, channelId: channel.channelId, kind: 'OUT_OF_SCOPE', at, reasonCode: 'BUSINESS_TYPE_NOT_PERMITTED', evidence: { batchId, indexes: notPermitted.slice(0, 1000) } },
    ]);
    await ports.audit.record({
      tenant: channel.institutionId,
      actor: `channel:${channel.channelId}`,
      action: 'OUT_OF_SCOPE_ATTEMPT',
      outcome: 'DENIED',
      target: batchId,
      detail: { reasonCode: 'BUSINESS_TYPE_NOT_PERMITTED', filings: notPermitted.length, indexes: notPermitted.slice(0, 20).join(',') },
    });
  }
  assertBatchBusinessTypes(channel, rawFilings);
}

/**
 * Submits a batch of filings from an authenticated channel (DESIGN.md §3, §4, §7).
 *
 * 1. The credit gate (from `channel.standing`, no read for a NORMAL channel): a shut-off channel is refused
 *    (403 `CHANNEL_SHUT_OFF`); a channel on WATCH or PROBATION may send at most the rules' batch size
 *    (429 `QUOTA_EXCEEDED`).
 * 2. Refuse the whole batch if a filing names a business type that is unknown, not permitted to this
 *    channel (an out-of-scope attempt: audited and signalled), or not supported yet (nothing is stored).
 * 3. A restricted channel's batch is counted against its daily quota; over it, the count is given back
 *    and the batch refused (429 `QUOTA_EXCEEDED`, retry after CST midnight).
 * 4. Validate each filing on its own, its materials against the checklist version in force for its type
 *    (recorded on the filing as `checklistVersion`); an invalid one is answered `INVALID` with field errors
 *    and never stored.
 * 5. Seal each valid filing's personal data and store it with a conditional write on an id derived from
 *    (channel, clientRef): a re-sent filing with the same content is answered with its existing id; the
 *    same clientRef with different content is `INVALID` (`CLIENT_REF_CONFLICT`). A restricted channel's
 *    filings are stored with `manualIntake` (intake then holds them for staff).
 * 6. Enqueue every filing that is waiting for intake (new ones, and re-sent ones still `SUBMITTED`, which
 *    heals a crash between storing and enqueueing).
 * 7. Store the batch record; signal each out-of-scope item (`<batchId>:<index>`) to the credit worker,
 *    audit the attempts and the submission.
 */
export async function submitBatch(ports: SubmitBatchPorts, channel: Channel, rawFilings: readonly unknown[], signed: { readonly bodySm3: string }): Promise<SubmitBatchResult> {
  const now = ports.clock.now();
  const at = now.toISOString();
  const restricted = await restrictionOf(ports, channel, rawFilings.length, now);
  const batchId = newBatchId(now);
  await refuseTypesNotGranted(ports, channel, batchId, rawFilings, at);
  // A filing already stored (the same clientRef re-sent, a retry) was counted when it was first filed.
  const restriction = restricted && (await countAgainstQuota(ports, channel, restricted.grade, restricted.restricted, rawFilings.length - (await alreadyFiled(ports, channel, rawFilings)), now));
  try {
    return await storeBatch(ports, channel, batchId, rawFilings, now, restriction?.grade, signed.bodySm3);
  } catch (error) {
    // The batch failed: its filings are not held against today's quota (a retry counts them again).
    await restriction?.giveBack().catch(() => undefined);
    throw error;
  }
}

async function storeBatch(
  ports: SubmitBatchPorts,
  channel: Channel,
  batchId: string,
  rawFilings: readonly unknown[],
  now: Date,
  manualIntake: RestrictedGrade | undefined,
  bodySm3: string,
): Promise<SubmitBatchResult> {
  const at = now.toISOString();
  const inForce = await checklistsInForce(ports.checklists, rawFilings);
  const checked = checkItems(channel, rawFilings, ports.validate, inForce);

  const toEnqueue: IntakeMessage[] = [];
  const items = await mapWithConcurrency(checked, STORE_CONCURRENCY, async (item): Promise<BatchItem> => {
    if (!item.ok) return { index: item.index, clientRef: item.clientRef, status: 'INVALID', errors: item.errors };
    const record = await toRecord(ports, channel, batchId, item.input, at, inForce.get(item.input.businessType)?.version, manualIntake);
    const put = await ports.filings.putIfAbsent(record);
    if (put.kind === 'exists' && put.existing.contentHash !== record.contentHash) {
      return {
        index: item.index,
        clientRef: record.clientRef,
        status: 'INVALID',
        errors: [{ path: 'clientRef', code: 'CLIENT_REF_CONFLICT', message: 'This clientRef was already used by this channel for a different filing.' }],
      };
    }
    if (put.kind === 'created' || put.existing.status === 'SUBMITTED') toEnqueue.push({ v: 1, filingId: record.filingId });
    return { index: item.index, clientRef: record.clientRef, filingId: record.filingId, status: 'SUBMITTED' };
  });

  await ports.queue.enqueue(toEnqueue);
  const batch: BatchRecord = { batchId, channelId: channel.channelId, institutionId: channel.institutionId, createdAt: at, items };
  await ports.filings.putBatch(batch);
  await signalOutOfScope(ports, channel, batchId, checked, at);
  const submitted = items.filter((i) => i.status === 'SUBMITTED').length;
  // The receipt entry (DESIGN.md §5): keyed `batch:<batchId>` so it is logged once, committing to the exact
  // bytes the channel signed (SM3 of the body, as in its signature) and to what the registry answered per item.
  const answered = items.map((i) => ({ index: i.index, clientRef: i.clientRef, filingId: i.filingId, status: i.status }));
  await ports.audit.record({
    id: receiptKeyOf(batchId),
    at,
    tenant: channel.institutionId,
    actor: `channel:${channel.channelId}`,
    action: 'BATCH_SUBMITTED',
    outcome: 'SUCCESS',
    target: batchId,
    subject: { institutionId: channel.institutionId, channelId: channel.channelId },
    detail: { filings: items.length, submitted, invalid: items.length - submitted, bodySm3, itemsSm3: createHash('sm3').update(logCanonicalJson(answered), 'utf8').digest('hex') },
  });
  return { batchId, items, receipt: { href: `/v1/batches/${batchId}/receipt`, logId: logIdOf(channel.institutionId), entryKey: receiptKeyOf(batchId) } };
}

/** How many of the batch's filings this channel has stored already (by the id their clientRef gives): a restricted channel's quota counts them once. */
async function alreadyFiled(ports: SubmitBatchPorts, channel: Channel, rawFilings: readonly unknown[]): Promise<number> {
  const ids = [...new Set(rawFilings.map(clientRefOf).filter((ref): ref is string => ref !== undefined).map((ref) => filingIdFor(channel.channelId, ref)))];
  return ids.length === 0 ? 0 : (await ports.filings.getMany(ids)).length;
}

/**
 * DESIGN.md §4: a filing in a district not granted, or naming another institution as mortgagee, is an
 * out-of-scope attempt of the channel: one credit signal per item (`OOS:<channelId>:<clientRef>:<code>`, so the
 * same filing re-sent counts once; `<batchId>:<index>` for an item without a usable clientRef), and one audit record per code with the count and the first indexes, so a hostile batch
 * cannot amplify the audit.
 */
async function signalOutOfScope(ports: SubmitBatchPorts, channel: Channel, batchId: string, checked: readonly Checked[], at: string): Promise<void> {
  const signals: CreditSignal[] = [];
  const indexesByCode = new Map<string, number[]>();
  for (const item of checked) {
    if (item.ok) continue;
    const codes = OUT_OF_SCOPE_ITEM_CODES.filter((code) => item.errors.some((e) => e.code === code));
    if (codes.length === 0) continue;
    // The filer's own reference names the attempt: the same filing re-sent (a retry without an Idempotency-Key)
    // is one attempt; an item without a usable reference is named by its place in this batch.
    const signalId = item.clientRef !== undefined ? `OOS:${channel.channelId}:${item.clientRef}:${codes[0]}` : `${batchId}:${item.index}`;
    signals.push({ v: 1, signalId, channelId: channel.channelId, kind: 'OUT_OF_SCOPE', at, reasonCode: codes[0], evidence: { batchId, indexes: [item.index] } });
    for (const code of codes) indexesByCode.set(code, [...(indexesByCode.get(code) ?? []), item.index]);
  }
  if (signals.length > 0) await ports.credit.send(signals);
  for (const code of OUT_OF_SCOPE_ITEM_CODES) {
    const indexes = indexesByCode.get(code);
    if (!indexes) continue;
    await ports.audit.record({
      tenant: channel.institutionId,
      actor: `channel:${channel.channelId}`,
      action: 'OUT_OF_SCOPE_ATTEMPT',
      outcome: 'DENIED',
      target: batchId,
      detail: { reasonCode: code, filings: indexes.length, indexes: indexes.slice(0, 20).join(',') },
    });
  }
}
