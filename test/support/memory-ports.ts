/**
 * In-memory ports for use-case unit tests: plain objects that keep what the core did, so each rule can be
 * tested without emulators. The filing repository applies transitions conditionally, as DynamoDB does.
 */
import type { BusinessType } from '../../functions/core/domain/business-types';
import type { FilingRecord } from '../../functions/core/domain/filing';
import type { DispositionLock } from '../../functions/core/domain/disposition';
import type { AuditRecord, FilingCommit, FilingRepository, FilingSummaryPage, IntakeMessage, IntakeQueue, NotificationQueue, ProgressEvent, DepartmentMessage, DepartmentQueue, CreditQueue, CreditSignal } from '../../functions/core/ports';

export class MemoryFilings implements FilingRepository {
  readonly filings = new Map<string, FilingRecord>();
  readonly locks = new Map<string, DispositionLock>();
  /** Called before each lifecycle write: a seam to simulate a concurrent change. */
  beforeCommit?: (commit: FilingCommit) => void;

  put(filing: FilingRecord): void {
    this.filings.set(filing.filingId, structuredClone({ ...filing, revision: filing.revision ?? 1, outbox: filing.outbox ?? {} }));
  }
  async putIfAbsent(filing: FilingRecord) {
    const existing = this.filings.get(filing.filingId);
    if (existing) return { kind: 'exists' as const, existing: structuredClone(existing) };
    this.put(filing);
    return { kind: 'created' as const };
  }
  async get(filingId: string) {
    const filing = this.filings.get(filingId);
    return filing === undefined ? undefined : structuredClone(filing);
  }
  async getMany(filingIds: readonly string[]) {
    return filingIds.flatMap((id) => {
      const filing = this.filings.get(id);
      return filing ? [structuredClone(filing)] : [];
    });
  }
  /** As DynamoDB does: one conditional write on the revision (and on the outbox being there as read). */
  async commit(commit: FilingCommit) {
    this.beforeCommit?.(commit);
    const filing = this.filings.get(commit.filingId);
    if (!filing || (filing.revision ?? 0) !== commit.expectedRevision || (filing.outbox !== undefined) !== commit.hadOutbox) return false;
    const next: Record<string, unknown> = { ...filing, revision: commit.expectedRevision + 1 };
    if (commit.entry) Object.assign(next, { status: commit.status, updatedAt: commit.entry.at, history: [...filing.history, commit.entry] });
    for (const [key, value] of Object.entries(commit.set ?? {})) {
      if (value === undefined) delete next[key];
      else next[key] = structuredClone(value);
    }
    const kept = Object.fromEntries(Object.entries(filing.outbox ?? {}).filter(([id]) => !(commit.completes ?? []).includes(id)));
    next['outbox'] = { ...kept, ...Object.fromEntries(commit.effects.map((e) => [e.id, structuredClone(e)])) };
    if (commit.effects.length > 0) next['pendingSince'] = commit.at;
    this.filings.set(commit.filingId, next as unknown as FilingRecord);
    return true;
  }
  async completeEffects(filingId: string, effectIds: readonly string[], clearPendingAt?: number) {
    const filing = this.filings.get(filingId) as (FilingRecord & { pendingSince?: string }) | undefined;
    if (!filing) return;
    const outbox = { ...filing.outbox };
    for (const id of effectIds) delete outbox[id];
    const next: Record<string, unknown> = { ...filing, outbox };
    if (clearPendingAt !== undefined && (filing.revision ?? 0) === clearPendingAt) delete next['pendingSince'];
    this.filings.set(filingId, next as unknown as FilingRecord);
  }
  async listPendingEffects(district: string, before: string, page: { readonly limit: number; readonly cursor?: string }): Promise<FilingSummaryPage> {
    const pending = [...this.filings.values()].filter((f) => {
      const since = (f as FilingRecord & { pendingSince?: string }).pendingSince;
      return f.district === district && since !== undefined && since < before;
    });
    return this.page(pending, page);
  }
  async putBatch() {}
  async getBatch() {
    return undefined;
  }
  async readDisposition(unitCode: string): Promise<DispositionLock> {
    return structuredClone(this.locks.get(unitCode) ?? { unitCode, version: 0, holders: {} });
  }
  async writeDisposition(expected: DispositionLock, holders: Readonly<Record<string, BusinessType>>) {
    if ((this.locks.get(expected.unitCode)?.version ?? 0) !== expected.version) return false;
    this.locks.set(expected.unitCode, { unitCode: expected.unitCode, version: expected.version + 1, holders: { ...holders } });
    return true;
  }
  async releaseDisposition(unitCode: string, filingId: string) {
    const lock = this.locks.get(unitCode);
    if (!lock || lock.holders[filingId] === undefined) return;
    const { [filingId]: _gone, ...holders } = lock.holders;
    this.locks.set(unitCode, { unitCode, version: lock.version + 1, holders });
  }
  /** The holder ids of a unit's disposition lock. */
  holdersOf(unitCode: string): string[] {
    return Object.keys(this.locks.get(unitCode)?.holders ?? {});
  }
  /** Takes the lock for a filing directly (tests that start from an accepted filing). */
  hold(unitCode: string, filingId: string, businessType: BusinessType): void {
    const lock = this.locks.get(unitCode) ?? { unitCode, version: 0, holders: {} };
    this.locks.set(unitCode, { unitCode, version: lock.version + 1, holders: { ...lock.holders, [filingId]: businessType } });
  }
  async listByDistrictStatus(district: string, status: FilingRecord['status'], page: { readonly limit: number; readonly cursor?: string }): Promise<FilingSummaryPage> {
    return this.page([...this.filings.values()].filter((f) => f.district === district && f.status === status), page);
  }
  private page(filings: FilingRecord[], page: { readonly limit: number; readonly cursor?: string }): FilingSummaryPage {
    const all = filings.sort((a, b) => (`${a.updatedAt}#${a.filingId}` < `${b.updatedAt}#${b.filingId}` ? -1 : 1));
    const start = page.cursor === undefined ? 0 : Number(page.cursor);
    const items = all.slice(start, start + page.limit).map(({ filingId, businessType, unitCode, institutionId, district: d, status: s, updatedAt, urgent, flaggedForStaff, approvalStartedAt }) => ({
      approvalStartedAt,
      filingId,
      businessType,
      unitCode,
      institutionId,
      district: d,
      status: s,
      updatedAt,
      urgent,
      flaggedForStaff,
    }));
    return { items, nextCursor: start + page.limit < all.length ? String(start + page.limit) : undefined };
  }
}

export class MemoryQueue implements IntakeQueue {
  readonly messages: IntakeMessage[] = [];
  async enqueue(messages: readonly IntakeMessage[]) {
    this.messages.push(...messages);
  }
}

/** A department connector's queue in memory (DESIGN.md §7b): what the lifecycle asked to deliver. */
export class MemoryDepartmentQueue implements DepartmentQueue {
  readonly messages: DepartmentMessage[] = [];
  async send(messages: readonly DepartmentMessage[]) {
    this.messages.push(...messages);
  }
}

/** Both connectors' queues. */
export const memoryDepartmentQueues = () => ({ TAX: new MemoryDepartmentQueue(), TRADING: new MemoryDepartmentQueue() });

export class MemoryCreditQueue implements CreditQueue {
  readonly signals: CreditSignal[] = [];
  async send(signals: readonly CreditSignal[]) {
    this.signals.push(...signals);
  }
}

export class MemoryNotifications implements NotificationQueue {
  readonly events: ProgressEvent[] = [];
  async publish(events: readonly ProgressEvent[]) {
    this.events.push(...events);
  }
}

/** Keeps a record with an id at most once, as the audit log does. */
export class MemoryAudit {
  readonly records: AuditRecord[] = [];
  async record(entry: AuditRecord) {
    if (entry.id !== undefined && this.records.some((r) => r.id === entry.id)) return;
    this.records.push(entry);
  }
}

export const fixedClock = (iso: string) => ({ now: () => new Date(iso) });

import type { WebhookOutcome, WebhookRequest } from '../../functions/core/ports';

/**
 * An HTTP port that keeps every request and answers from a script (by default 204), for the department
 * connector: `answers` is consumed in order, then `fallback` answers.
 */
export class MemorySender {
  readonly sent: WebhookRequest[] = [];
  readonly answers: WebhookOutcome[] = [];
  fallback: WebhookOutcome = { kind: 'answered', status: 204 };
  async post(request: WebhookRequest): Promise<WebhookOutcome> {
    this.sent.push(request);
    return this.answers.shift() ?? this.fallback;
  }
}

/** The statistics queue in memory: the status changes the lifecycle counted. */
export class MemoryStatisticsQueue implements StatisticsQueue {
  readonly events: StatisticsEvent[] = [];
  async send(events: readonly StatisticsEvent[]) {
    this.events.push(...events);
  }
}
import type { StatisticsQueue } from '../../functions/core/ports';
import type { StatisticsEvent } from '../../functions/core/domain/statistics';
