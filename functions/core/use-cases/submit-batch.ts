import { assertBatchBusinessTypes, channelMayFileIn, mortgageeIsFiler } from '../domain/channel-grants';
import { mapWithConcurrency } from '../concurrency';
import type { FieldError } from '../domain/errors';
import { PERSON_LIST_FIELDS, type BatchItem, type BatchRecord, type FilingContent, type FilingRecord, type SealedPerson } from '../domain/filing';
import { filingIdFor, newBatchId } from '../domain/identifiers';
import { isBusinessType, type BusinessType, type MaterialChecklist } from '../domain/business-types';
import type { ChecklistVersion } from '../domain/checklists';
import type { AuditLog, ChecklistStore, Channel, Clock, FilingRepository, IntakeMessage, IntakeQueue, PersonalDataVault } from '../ports';
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
}

export interface SubmitBatchResult {
  readonly batchId: string;
  readonly items: readonly BatchItem[];
}

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
async function toRecord(ports: SubmitBatchPorts, channel: Channel, batchId: string, input: FilingInput, at: string, checklistVersion?: number): Promise<FilingRecord> {
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
  };
}

/**
 * Submits a batch of filings from an authenticated channel (DESIGN.md §3, §7).
 *
 * 1. Refuse the whole batch if a filing names a business type that is unknown, not permitted to this
 *    channel, or not supported yet (nothing is stored).
 * 2. Validate each filing on its own, its materials against the checklist version in force for its type
 *    (recorded on the filing as `checklistVersion`); an invalid one is answered `INVALID` with field errors
 *    and never stored.
 * 3. Seal each valid filing's personal data and store it with a conditional write on an id derived from
 *    (channel, clientRef): a re-sent filing with the same content is answered with its existing id; the
 *    same clientRef with different content is `INVALID` (`CLIENT_REF_CONFLICT`).
 * 4. Enqueue every filing that is waiting for intake (new ones, and re-sent ones still `SUBMITTED`, which
 *    heals a crash between storing and enqueueing).
 * 5. Store the batch record and audit the submission.
 */
export async function submitBatch(ports: SubmitBatchPorts, channel: Channel, rawFilings: readonly unknown[]): Promise<SubmitBatchResult> {
  assertBatchBusinessTypes(channel, rawFilings);
  const now = ports.clock.now();
  const at = now.toISOString();
  const batchId = newBatchId(now);
  const inForce = await checklistsInForce(ports.checklists, rawFilings);
  const checked = checkItems(channel, rawFilings, ports.validate, inForce);

  const toEnqueue: IntakeMessage[] = [];
  const items = await mapWithConcurrency(checked, STORE_CONCURRENCY, async (item): Promise<BatchItem> => {
    if (!item.ok) return { index: item.index, clientRef: item.clientRef, status: 'INVALID', errors: item.errors };
    const record = await toRecord(ports, channel, batchId, item.input, at, inForce.get(item.input.businessType)?.version);
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
  // DESIGN.md §4: naming another institution as mortgagee is an out-of-scope attempt of the channel.
  // One record per batch, with the count and the first indexes, so a hostile batch cannot amplify the audit.
  const notFiler = checked.filter((item) => !item.ok && item.errors.some((e) => e.code === 'MORTGAGEE_NOT_FILER')).map((item) => item.index);
  if (notFiler.length > 0) {
    await ports.audit.record({
      tenant: channel.institutionId,
      actor: `channel:${channel.channelId}`,
      action: 'OUT_OF_SCOPE_ATTEMPT',
      outcome: 'DENIED',
      target: batchId,
      detail: { reasonCode: 'MORTGAGEE_NOT_FILER', filings: notFiler.length, indexes: notFiler.slice(0, 20).join(',') },
    });
  }
  const submitted = items.filter((i) => i.status === 'SUBMITTED').length;
  await ports.audit.record({
    tenant: channel.institutionId,
    actor: `channel:${channel.channelId}`,
    action: 'BATCH_SUBMITTED',
    outcome: 'SUCCESS',
    target: batchId,
    detail: { filings: items.length, submitted, invalid: items.length - submitted },
  });
  return { batchId, items };
}
