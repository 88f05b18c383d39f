/**
 * The credit officers' use cases (functions/core/use-cases/credit-officer.ts) on in-memory ports, where a
 * crash between their steps can be staged: a decision recorded and its follow-up lost is completed by
 * deciding again, never refused as "not pending"; points beyond the rules in force are refused before any
 * write.
 */
import { describe, expect, it } from 'vitest';
import { ledgerEventIdOf, type CreditCase, type LedgerEvent } from '../../../functions/core/domain/credit';
import { ZtError } from '../../../functions/core/domain/errors';
import { decideAppeal, decideRectification, recordViolation } from '../../../functions/core/use-cases/credit-officer';
import { shutOff } from '../../../functions/core/use-cases/credit-standing';
import { MemoryAudit, MemoryNotifications } from '../../support/memory-ports';
import { MemoryChannels, MemoryCreditRules, MemoryCreditStore, testChannel } from '../../support/memory-credit';

const officer = { staffId: 'stf-credit-1', district: '370102' };

function world() {
  return {
    credit: new MemoryCreditStore(),
    rules: new MemoryCreditRules(),
    channels: new MemoryChannels([testChannel('ch-a')]),
    audit: new MemoryAudit(),
    notifications: new MemoryNotifications(),
    clock: { now: () => new Date('2026-12-02T02:00:00Z') },
  };
}

const codeOf = async (promise: Promise<unknown>) => promise.then(() => 'OK', (error: unknown) => (error instanceof ZtError ? `${error.status} ${error.code}` : String(error)));

describe('credit officers', () => {
  it('a reversal whose event was lost after the decision is recorded when the officer decides again', async () => {
    // Prepare: an event of -10, appealed, and the decision REVERSED recorded without its REVERSAL event (a crash).
    const ports = world();
    const event: LedgerEvent = {
      eventId: ledgerEventIdOf('ch-a', 'cause-1'),
      channelId: 'ch-a',
      institutionId: 'INST-TEST-BANK',
      kind: 'OUT_OF_SCOPE',
      points: -10,
      at: '2026-12-02T01:00:00.000Z',
      source: { type: 'AUTOMATIC', rule: 'OUT_OF_SCOPE', rulesVersion: 1 },
      evidence: {},
      cause: 'cause-1',
    };
    await ports.credit.putEvent(event);
    await ports.credit.createAppeal({ eventId: event.eventId, channelId: 'ch-a', submittedAt: '2026-12-02T01:30:00.000Z', grounds: 'Granted', status: 'PENDING' });
    await ports.credit.decideAppeal({ ...(await ports.credit.getAppeal('ch-a', event.eventId))!, status: 'REVERSED', decidedAt: '2026-12-02T01:40:00.000Z', decidedBy: `staff:${officer.staffId}`, reason: 'Granted' });
    // Act
    const appeal = await decideAppeal(ports, officer, 'ch-a', event.eventId, { decision: 'REVERSE', reason: 'Granted' });
    // Assess: the reversal is there, once, and the points are back.
    expect(appeal.status).toBe('REVERSED');
    const events = await ports.credit.listEvents('ch-a', '1970-01-01T00:00:00.000Z');
    expect(events.filter((e) => e.kind === 'REVERSAL')).toEqual([expect.objectContaining({ cancels: event.eventId, points: 10 })]);
    expect((await ports.credit.getState('ch-a'))?.score).toBe(100);
    expect(await codeOf(decideAppeal(ports, officer, 'ch-a', event.eventId, { decision: 'UPHOLD', reason: 'No' }))).toBe('409 APPEAL_NOT_PENDING');
  });

  it('an accepted report whose reopening was lost reopens the channel when the officer decides again', async () => {
    // Prepare: a shutoff with a report marked ACCEPTED, the case still open (a crash before the reopening).
    const ports = world();
    const opened = await shutOff(ports, { scope: 'CHANNEL', channelId: 'ch-a', detail: 'Forged', evidence: {}, actor: `staff:${officer.staffId}`, requestKey: 'k1' });
    const accepted: CreditCase = {
      ...opened,
      rectifications: [{ rectificationId: 'RC0000000000000001', channelId: 'ch-a', submittedAt: '2026-12-02T01:50:00.000Z', whatWasWrong: 'a', whatChanged: 'b', attachments: [], status: 'ACCEPTED', decidedAt: '2026-12-02T01:55:00.000Z', decidedBy: `staff:${officer.staffId}`, reasons: 'ok' }],
      version: opened.version + 1,
    };
    expect(await ports.credit.updateCase(accepted, opened.version)).toBe(true);
    // Act
    const closed = await decideRectification(ports, officer, opened.caseNo, 'RC0000000000000001', { decision: 'ACCEPT', reasons: 'ok' });
    // Assess
    expect(closed).toMatchObject({ status: 'CLOSED', closedHow: 'RECTIFICATION_ACCEPTED' });
    expect((await ports.credit.getState('ch-a'))?.grade).toBe('PROBATION');
  });

  it('refuses points beyond the rules in force before writing anything', async () => {
    const ports = world();
    expect(await codeOf(recordViolation(ports, officer, 'ch-a', { points: -51, reason: 'x', evidence: {} }))).toBe('422 INVALID_BODY');
    expect(ports.credit.events.size).toBe(0);
    expect(ports.audit.records).toHaveLength(0);
  });
});
