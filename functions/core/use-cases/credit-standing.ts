/**
 * Credit standing (DESIGN.md §4): the one mechanism that turns signals and officers' decisions into ledger
 * events, score, grade, cases and the channel's projected standing. (Being written: signatures fixed.)
 */
import type { CreditCase, CreditChange, CreditEvidence, CreditSignal, CreditState, LedgerEvent, SanctionScope } from '../domain/credit';
import type { AuditLog, ChannelDirectory, Clock, CreditRulesStore, CreditStore, InstitutionChannels, NotificationQueue, StandingRegistry } from '../ports';

export interface CreditPorts {
  readonly credit: CreditStore;
  readonly rules: CreditRulesStore;
  readonly channels: ChannelDirectory & StandingRegistry & InstitutionChannels;
  readonly audit: AuditLog;
  readonly notifications: NotificationQueue;
  readonly clock: Clock;
}

const pending = (): never => {
  throw new Error('credit-standing: not written yet');
};

export async function applySignals(_ports: CreditPorts, _channelId: string, _signals: readonly CreditSignal[]): Promise<CreditState> {
  return pending();
}
export async function recordOfficerEvents(_ports: CreditPorts, _channelId: string, _events: readonly LedgerEvent[], _actor: string): Promise<CreditState> {
  return pending();
}
export async function shutOff(
  _ports: CreditPorts,
  _input: { scope: SanctionScope; channelId?: string; institutionId?: string; detail: string; evidence: CreditEvidence; actor: string; requestKey: string },
): Promise<CreditCase> {
  return pending();
}
export async function reopen(_ports: CreditPorts, _caseNo: string, _how: 'RECTIFICATION_ACCEPTED' | 'REOPENED_BY_OFFICER', _actor: string): Promise<CreditCase> {
  return pending();
}
export async function tellChannel(
  _ports: CreditPorts,
  _channelId: string,
  _change: CreditChange,
  _extra: { caseNo?: string; ledgerEventId?: string; rectificationId?: string; at: string; cause: string },
  _audit: { actor: string; action: string; detail?: Record<string, string | number | boolean> },
): Promise<void> {
  return pending();
}
export async function stateOf(_ports: Pick<CreditPorts, 'credit' | 'rules' | 'channels' | 'clock'>, _channelId: string): Promise<CreditState | undefined> {
  return pending();
}
