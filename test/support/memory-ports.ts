/**
 * In-memory ports for use-case unit tests: plain objects that keep what the core did, so each rule can be
 * tested without emulators. The filing repository applies transitions conditionally, as DynamoDB does.
 */
import type { BusinessType } from '../../functions/core/domain/business-types';
import type { FilingRecord } from '../../functions/core/domain/filing';
import type {
  AuditRecord,
  FilingRepository,
  FilingSummaryPage,
  IntakeMessage,
  IntakeQueue,
  MarkUrgentRequest,
  NotificationQueue,
  ProgressEvent,
  TransitionRequest,
} from '../../functions/core/ports';

export class MemoryFilings implements FilingRepository {
  readonly filings = new Map<string, FilingRecord>();
  readonly locks = new Map<string, string>();
  /** Called before each transition: a seam to simulate a concurrent change. */
  beforeTransition?: (request: TransitionRequest) => void;

  put(filing: FilingRecord): void {
    this.filings.set(filing.filingId, structuredClone(filing));
  }
  async putIfAbsent(filing: FilingRecord) {
    const existing = this.filings.get(filing.filingId);
    if (existing) return { kind: 'exists' as const, existing };
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
  async transition(request: TransitionRequest) {
    this.beforeTransition?.(request);
    const filing = this.filings.get(request.filingId);
    if (!filing || filing.status !== request.from) return false;
    if (request.unlessApprovalStarted && filing.approvalStartedAt !== undefined) return false;
    const next: Record<string, unknown> = { ...filing, status: request.to, updatedAt: request.entry.at, history: [...filing.history, request.entry] };
    for (const [key, value] of Object.entries(request.set ?? {})) {
      if (value === undefined) delete next[key];
      else next[key] = value;
    }
    this.filings.set(request.filingId, next as unknown as FilingRecord);
    return true;
  }
  async putBatch() {}
  async getBatch() {
    return undefined;
  }
  async lockActive(unitCode: string, businessType: BusinessType, filingId: string) {
    const key = `${unitCode}#${businessType}`;
    const holder = this.locks.get(key);
    if (holder !== undefined && holder !== filingId) return false;
    this.locks.set(key, filingId);
    return true;
  }
  async activeFilingId(unitCode: string, businessType: BusinessType) {
    return this.locks.get(`${unitCode}#${businessType}`);
  }
  async releaseActive(unitCode: string, businessType: BusinessType, filingId: string) {
    const key = `${unitCode}#${businessType}`;
    if (this.locks.get(key) === filingId) this.locks.delete(key);
  }
  async startApproval(filingId: string, status: FilingRecord['status'], at: string) {
    const filing = this.filings.get(filingId);
    if (!filing || filing.status !== status) return false;
    this.filings.set(filingId, { ...filing, approvalStartedAt: filing.approvalStartedAt ?? at });
    return true;
  }
  async markUrgent(request: MarkUrgentRequest) {
    const filing = this.filings.get(request.filingId);
    if (!filing || filing.status !== request.status) return false;
    this.filings.set(request.filingId, { ...filing, urgent: true, urgentReason: request.reason, urgentBy: request.by });
    return true;
  }
  async listByDistrictStatus(district: string, status: FilingRecord['status'], page: { readonly limit: number; readonly cursor?: string }): Promise<FilingSummaryPage> {
    const all = [...this.filings.values()]
      .filter((f) => f.district === district && f.status === status)
      .sort((a, b) => (`${a.updatedAt}#${a.filingId}` < `${b.updatedAt}#${b.filingId}` ? -1 : 1));
    const start = page.cursor === undefined ? 0 : Number(page.cursor);
    const items = all.slice(start, start + page.limit).map(({ filingId, businessType, unitCode, institutionId, district: d, status: s, updatedAt, urgent }) => ({
      filingId,
      businessType,
      unitCode,
      institutionId,
      district: d,
      status: s,
      updatedAt,
      urgent,
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

export class MemoryNotifications implements NotificationQueue {
  readonly events: ProgressEvent[] = [];
  async publish(events: readonly ProgressEvent[]) {
    this.events.push(...events);
  }
}

export class MemoryAudit {
  readonly records: AuditRecord[] = [];
  async record(entry: AuditRecord) {
    this.records.push(entry);
  }
}

export const fixedClock = (iso: string) => ({ now: () => new Date(iso) });
