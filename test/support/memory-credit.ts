/**
 * In-memory credit ports for unit tests of the credit use cases: the same conditions as the DynamoDB
 * adapter (version-conditioned state, institution and case writes; absence-conditioned events and appeals).
 * The adapter itself is tested against dynalite in test/integration/adapters/credit-store.test.ts.
 */
import { BUILT_IN_CREDIT_RULES, type ChannelStanding, type CreditAppeal, type CreditCase, type CreditRules, type CreditRulesDraft, type CreditState, type InstitutionCredit, type LedgerEvent } from '../../functions/core/domain/credit';
import type { Channel, ChannelDirectory, CreditRulesStore, CreditStore, InstitutionChannels, Page, StandingRegistry } from '../../functions/core/ports';
import type { InstitutionType } from '../../functions/core/domain/business-types';

const clone = <T>(value: T): T => structuredClone(value);

export class MemoryCreditStore implements CreditStore {
  readonly states = new Map<string, CreditState>();
  readonly events = new Map<string, LedgerEvent>();
  readonly institutions = new Map<string, InstitutionCredit>();
  readonly cases = new Map<string, CreditCase>();
  readonly appeals = new Map<string, CreditAppeal>();

  async getState(channelId: string) {
    const state = this.states.get(channelId);
    return state && clone(state);
  }
  async listPendingOutboxes(before: string, limit: number) {
    return [...this.states.values()].filter((s) => s.outbox !== undefined && s.updatedAt < before).sort((a, b) => a.updatedAt.localeCompare(b.updatedAt)).slice(0, limit).map((s) => s.channelId);
  }
  async putState(state: CreditState, expectedVersion: number) {
    const current = this.states.get(state.channelId);
    if ((current?.version ?? 0) !== expectedVersion || state.version !== expectedVersion + 1) return false;
    this.states.set(state.channelId, clone(state));
    return true;
  }
  async listStates(query: { grade?: CreditState['grade']; limit: number }): Promise<Page<CreditState>> {
    const all = [...this.states.values()].filter((s) => query.grade === undefined || s.grade === query.grade).sort((a, b) => a.score - b.score || a.channelId.localeCompare(b.channelId));
    return { items: all.slice(0, query.limit).map(clone) };
  }
  async statesOfType(institutionType: InstitutionType, institutionId?: string) {
    return [...this.states.values()].filter((s) => s.institutionType === institutionType && (institutionId === undefined || s.institutionId === institutionId)).map(clone);
  }
  async putEvent(event: LedgerEvent) {
    const key = `${event.channelId}#${event.eventId}`;
    const existing = this.events.get(key);
    if (existing) return { created: false, event: clone(existing) };
    this.events.set(key, clone(event));
    return { created: true, event: clone(event) };
  }
  async getEvent(channelId: string, eventId: string) {
    const event = this.events.get(`${channelId}#${eventId}`);
    return event && clone(event);
  }
  async listEvents(channelId: string, sinceIso: string) {
    return [...this.events.values()].filter((e) => e.channelId === channelId && e.at >= sinceIso).sort((a, b) => a.at.localeCompare(b.at)).map(clone);
  }
  async getInstitution(institutionId: string) {
    const institution = this.institutions.get(institutionId);
    return institution && clone(institution);
  }
  async putInstitution(institution: InstitutionCredit, expectedVersion: number) {
    if ((this.institutions.get(institution.institutionId)?.version ?? 0) !== expectedVersion) return false;
    this.institutions.set(institution.institutionId, clone(institution));
    return true;
  }
  async getCase(caseNo: string) {
    const found = this.cases.get(caseNo);
    return found && clone(found);
  }
  async createCase(creditCase: CreditCase) {
    const existing = this.cases.get(creditCase.caseNo);
    if (existing) return { created: false, creditCase: clone(existing) };
    this.cases.set(creditCase.caseNo, clone(creditCase));
    return { created: true, creditCase: clone(creditCase) };
  }
  async updateCase(creditCase: CreditCase, expectedVersion: number) {
    const current = this.cases.get(creditCase.caseNo);
    if (!current || current.version !== expectedVersion) return false;
    this.cases.set(creditCase.caseNo, clone(creditCase));
    return true;
  }
  async listCases(query: { status?: CreditCase['status']; channelId?: string; institutionId?: string; limit: number }): Promise<Page<CreditCase>> {
    const all = [...this.cases.values()]
      .filter((c) => (query.status === undefined || c.status === query.status) && (query.channelId === undefined || c.channelId === query.channelId) && (query.institutionId === undefined || c.institutionId === query.institutionId))
      .sort((a, b) => b.openedAt.localeCompare(a.openedAt));
    return { items: all.slice(0, query.limit).map(clone) };
  }
  async getAppeal(channelId: string, eventId: string) {
    const appeal = this.appeals.get(`${channelId}#${eventId}`);
    return appeal && clone(appeal);
  }
  async createAppeal(appeal: CreditAppeal) {
    const key = `${appeal.channelId}#${appeal.eventId}`;
    if (this.appeals.has(key)) return false;
    this.appeals.set(key, clone(appeal));
    return true;
  }
  async decideAppeal(appeal: CreditAppeal) {
    const key = `${appeal.channelId}#${appeal.eventId}`;
    if (this.appeals.get(key)?.status !== 'PENDING') return false;
    this.appeals.set(key, clone(appeal));
    return true;
  }
  async listAppeals(query: { status?: CreditAppeal['status']; channelId?: string; limit: number }): Promise<Page<CreditAppeal>> {
    const all = [...this.appeals.values()].filter((a) => (query.status === undefined || a.status === query.status) && (query.channelId === undefined || a.channelId === query.channelId));
    return { items: all.slice(0, query.limit).map(clone) };
  }
}

export class MemoryCreditRules implements CreditRulesStore {
  private readonly versions: CreditRules[] = [BUILT_IN_CREDIT_RULES];
  async current() {
    return clone(this.versions.at(-1)!);
  }
  async version(version: number) {
    const found = this.versions.find((v) => v.version === version);
    return found && clone(found);
  }
  async history() {
    return [...this.versions].reverse().map(clone);
  }
  async publish(draft: CreditRulesDraft, publishedBy: string, at: Date) {
    const current = this.versions.at(-1)!;
    if (draft.baseVersion !== current.version) throw new Error('CREDIT_RULES_VERSION_CONFLICT');
    const { baseVersion: _base, ...body } = draft;
    const next: CreditRules = { ...body, version: current.version + 1, publishedAt: at.toISOString(), publishedBy };
    this.versions.push(next);
    return clone(next);
  }
}

export class MemoryChannels implements ChannelDirectory, StandingRegistry, InstitutionChannels {
  readonly channels = new Map<string, Channel>();
  constructor(channels: readonly Channel[] = []) {
    for (const channel of channels) this.channels.set(channel.channelId, clone(channel));
  }
  async get(channelId: string) {
    const channel = this.channels.get(channelId);
    return channel && clone(channel);
  }
  async setStanding(channelId: string, standing: ChannelStanding) {
    const channel = this.channels.get(channelId);
    if (!channel) throw new Error(`Channel ${channelId} does not exist`);
    // An older projection never overwrites a newer one (as the adapter's condition).
    if (standing.version !== undefined && channel.standing?.version !== undefined && channel.standing.version > standing.version) return;
    this.channels.set(channelId, { ...channel, standing: clone(standing) });
  }
  async channelIdsOf(institutionId: string) {
    return [...this.channels.values()].filter((c) => c.institutionId === institutionId).map((c) => c.channelId);
  }
}

/** A channel of a test institution. */
export const testChannel = (channelId: string, institutionId = 'INST-TEST-BANK', institutionType: InstitutionType = 'BANK'): Channel => ({
  channelId,
  institutionId,
  institutionName: '测试银行',
  institutionType,
  uscc: '91370100MA3C4XYZ1A',
  status: 'ACTIVE',
  publicKey: '04' + '1'.repeat(128),
  allowedBusinessTypes: ['MORTGAGE_CREATE'],
  allowedDistricts: ['370102'],
});
