/**
 * The credit mechanism (functions/core/use-cases/credit-standing.ts) on in-memory ports: signals counted
 * once, grades derived from the ledger as the built-in rules say, cases opened and closed, officers'
 * events, and a crash before every port call healed by running again.
 */
import { describe, expect, it } from 'vitest';
import { BUILT_IN_CREDIT_RULES, ledgerEventIdOf, type CreditSignal, type LedgerEvent } from '../../../functions/core/domain/credit';
import { applySignals, healCreditOutboxes, recordOfficerEvents, reopen, shutOff, stateOf, type CreditPorts } from '../../../functions/core/use-cases/credit-standing';
import { MemoryAudit, MemoryNotifications } from '../../support/memory-ports';
import { MemoryChannels, MemoryCreditRules, MemoryCreditStore, testChannel } from '../../support/memory-credit';
import type { CreditNotice } from '../../../functions/core/ports';

const rules = BUILT_IN_CREDIT_RULES;

function world(start = new Date('2026-12-02T02:00:00Z')) {
  // Time moves on by a millisecond at every reading, as it does.
  let ticks = 0;
  const clock = { now: () => new Date(start.getTime() + ticks++) };
  const ports = {
    credit: new MemoryCreditStore(),
    rules: new MemoryCreditRules(),
    channels: new MemoryChannels([testChannel('ch-a'), testChannel('ch-b'), testChannel('ch-dev', 'INST-DEV', 'DEVELOPER')]),
    audit: new MemoryAudit(),
    notifications: new MemoryNotifications(),
    clock,
  };
  return ports;
}

let n = 0;
const signal = (kind: CreditSignal['kind'], extra: Partial<CreditSignal> = {}): CreditSignal => ({
  v: 1,
  signalId: `F${String(++n).padStart(24, '0')}:2`,
  channelId: 'ch-a',
  kind,
  at: '2026-12-02T01:59:00.000Z',
  evidence: { filingIds: [`F${String(n).padStart(24, '0')}`] },
  ...extra,
});

const credits = (ports: ReturnType<typeof world>) => (ports.notifications.events as unknown as CreditNotice[]).filter((e) => e.type === 'CREDIT');

describe('credit standing', () => {
  it('counts the same signal delivered five times once', async () => {
    const ports = world();
    const refused = signal('INTAKE_REFUSED', { reasonCode: 'UNIT_SEIZED' });
    for (let i = 0; i < 5; i++) await applySignals(ports, 'ch-a', [refused]);
    await applySignals(ports, 'ch-a', [refused, refused]);
    const state = await stateOf(ports, 'ch-a');
    expect(state?.score).toBe(rules.startScore + rules.points.INTAKE_REFUSED);
    expect(ports.credit.events.size).toBe(1);
    expect(Object.values(state!.days)[0]!.refused).toBe(1);
    expect(credits(ports).filter((e) => e.change === 'LEDGER_EVENT')).toHaveLength(1);
  });

  it('falls to WATCH, then SHUT_OFF with a case, as the rules say; the channel record carries the standing', async () => {
    const ports = world();
    // 100 - 5 × 4 = 80: not below 80, still NORMAL; one more: 75 < 80: WATCH.
    await applySignals(ports, 'ch-a', [1, 2, 3, 4].map(() => signal('OUT_OF_SCOPE', { reasonCode: 'MORTGAGE_NOT_HELD' })));
    expect((await stateOf(ports, 'ch-a'))?.grade).toBe('NORMAL');
    await applySignals(ports, 'ch-a', [signal('OUT_OF_SCOPE', { reasonCode: 'MORTGAGE_NOT_HELD' })]);
    expect((await stateOf(ports, 'ch-a'))?.grade).toBe('WATCH');
    expect((await ports.channels.get('ch-a'))?.standing).toMatchObject({ grade: 'WATCH', score: 75 });
    // 75 - 5 × 4 = 55 < 60: SHUT_OFF.
    const state = await applySignals(ports, 'ch-a', [1, 2, 3, 4].map(() => signal('OUT_OF_SCOPE', { evidence: { batchId: 'B1', indexes: [0] } })));
    expect(state.grade).toBe('SHUT_OFF');
    expect(state.openCaseNo).toMatch(/^CS\d{8}[0-9A-F]{8}$/);
    const standing = (await ports.channels.get('ch-a'))?.standing;
    expect(standing).toMatchObject({ grade: 'SHUT_OFF', caseNo: state.openCaseNo, scope: 'CHANNEL' });
    expect((await ports.credit.getCase(state.openCaseNo!))?.reason).toBe('SCORE_BELOW_THRESHOLD');
    expect(credits(ports).map((e) => e.change)).toEqual(expect.arrayContaining(['GRADE_CHANGED', 'CASE_OPENED']));
    expect(ports.audit.records.map((r) => r.action)).toEqual(expect.arrayContaining(['CREDIT_EVENT_RECORDED', 'CREDIT_GRADE_CHANGED', 'CHANNEL_SHUT_OFF']));
    // The other branch is untouched.
    expect((await ports.channels.get('ch-b'))?.standing).toBeUndefined();
  });

  it('shuts off at once on a severe violation', async () => {
    const ports = world();
    const state = await applySignals(ports, 'ch-a', [signal('FALSE_MATERIALS', { reasonCode: 'FALSE_MATERIALS' })]);
    expect(state.score).toBe(60);
    expect(state.grade).toBe('SHUT_OFF');
    expect((await ports.credit.getCase(state.openCaseNo!))?.reason).toBe('SEVERE_VIOLATION');
  });

  it('reopens on probation with the score restored, and the severe event does not shut it again', async () => {
    const ports = world();
    const shut = await applySignals(ports, 'ch-a', [signal('FALSE_MATERIALS')]);
    const closed = await reopen(ports, shut.openCaseNo!, 'RECTIFICATION_ACCEPTED', 'staff:officer-1');
    expect(closed.status).toBe('CLOSED');
    const state = await stateOf(ports, 'ch-a');
    expect(state).toMatchObject({ grade: 'PROBATION', score: rules.probation.reopenScore });
    expect(state?.openCaseNo).toBeUndefined();
    expect((await ports.channels.get('ch-a'))?.standing).toMatchObject({ grade: 'PROBATION' });
    // Another signal re-derives: still PROBATION (80 - 5 = 75 >= 70), not SHUT_OFF again.
    expect((await applySignals(ports, 'ch-a', [signal('OUT_OF_SCOPE')])).grade).toBe('PROBATION');
    // On probation the stricter threshold applies: 75 - 5 - 1 = 69 < 70 (not yet below 60).
    const again = await applySignals(ports, 'ch-a', [signal('OUT_OF_SCOPE'), signal('INTAKE_REFUSED')]);
    expect(again.grade).toBe('SHUT_OFF');
    expect(again.openCaseNo).not.toBe(shut.openCaseNo);
  });

  it('an officer shuts a whole institution off and reopens it', async () => {
    const ports = world();
    const opened = await shutOff(ports, { scope: 'INSTITUTION', institutionId: 'INST-TEST-BANK', detail: 'Forged contracts across branches', evidence: { note: 'inspection' }, actor: 'staff:officer-1', requestKey: 'req-1' });
    for (const id of ['ch-a', 'ch-b']) expect((await ports.channels.get(id))?.standing).toMatchObject({ grade: 'SHUT_OFF', caseNo: opened.caseNo, scope: 'INSTITUTION' });
    expect((await ports.channels.get('ch-dev'))?.standing).toBeUndefined();
    // The same request again answers the same case; another request is refused with the open case's number.
    expect((await shutOff(ports, { scope: 'INSTITUTION', institutionId: 'INST-TEST-BANK', detail: 'x', evidence: {}, actor: 'staff:officer-1', requestKey: 'req-1' })).caseNo).toBe(opened.caseNo);
    await expect(shutOff(ports, { scope: 'CHANNEL', channelId: 'ch-a', detail: 'x', evidence: {}, actor: 'staff:officer-1', requestKey: 'req-2' })).rejects.toMatchObject({ code: 'ALREADY_SHUT_OFF', extras: { caseNo: opened.caseNo } });
    await reopen(ports, opened.caseNo, 'REOPENED_BY_OFFICER', 'staff:officer-1');
    for (const id of ['ch-a', 'ch-b']) expect((await ports.channels.get(id))?.standing?.grade).toBe('PROBATION');
  });

  it('a reversal restores exactly the points of the event it cancels', async () => {
    const ports = world();
    await applySignals(ports, 'ch-a', [signal('OUT_OF_SCOPE'), signal('INTAKE_REFUSED')]);
    const [charged] = await ports.credit.listEvents('ch-a', '2000-01-01');
    const reversal: LedgerEvent = {
      eventId: ledgerEventIdOf('ch-a', `REVERSAL:${charged!.eventId}`),
      channelId: 'ch-a',
      institutionId: 'INST-TEST-BANK',
      kind: 'REVERSAL',
      points: -charged!.points,
      at: '2026-12-02T02:00:00.000Z',
      source: { type: 'OFFICER', staffId: 'officer-1', reason: 'Appeal upheld' },
      evidence: {},
      cancels: charged!.eventId,
      cause: `REVERSAL:${charged!.eventId}`,
    };
    const before = (await stateOf(ports, 'ch-a'))!.score;
    const after = await recordOfficerEvents(ports, 'ch-a', [reversal, reversal], 'staff:officer-1');
    expect(after.score).toBe(before - charged!.points);
    expect((await recordOfficerEvents(ports, 'ch-a', [reversal], 'staff:officer-1')).score).toBe(after.score);
  });

  it('a reversal after a reopening gives back the points of an event from before it', async () => {
    const ports = world();
    const shut = await applySignals(ports, 'ch-a', Array.from({ length: 9 }, () => signal('OUT_OF_SCOPE')));
    await reopen(ports, shut.openCaseNo!, 'RECTIFICATION_ACCEPTED', 'staff:officer-1');
    const charged = (await ports.credit.listEvents('ch-a', '2000-01-01')).find((e) => e.kind === 'OUT_OF_SCOPE')!;
    const cause = `REVERSAL:${charged.eventId}`;
    const reversal: LedgerEvent = { eventId: ledgerEventIdOf('ch-a', cause), channelId: 'ch-a', institutionId: 'INST-TEST-BANK', kind: 'REVERSAL', points: -charged.points, at: '2026-12-02T02:00:00.500Z', source: { type: 'OFFICER', staffId: 'officer-1', reason: 'Appeal upheld' }, evidence: {}, cancels: charged.eventId, cause };
    expect((await recordOfficerEvents(ports, 'ch-a', [reversal], 'staff:officer-1')).score).toBe(rules.probation.reopenScore - charged.points);
  });

  it('earns good standing back after a run of clean filings, never above the start score', async () => {
    const ports = world();
    await applySignals(ports, 'ch-a', [signal('INTAKE_REFUSED')]);
    const clean = Array.from({ length: rules.goodStanding.cleanFilings }, () => signal('FILING_ACCEPTED', { clean: true }));
    expect((await applySignals(ports, 'ch-a', clean)).score).toBe(100);
    const more = Array.from({ length: rules.goodStanding.cleanFilings }, () => signal('FILING_ACCEPTED', { clean: true }));
    expect((await applySignals(ports, 'ch-a', more)).score).toBe(100);
    expect([...ports.credit.events.values()].filter((e) => e.kind === 'GOOD_STANDING')).toHaveLength(1);
  });

  it('a refusal rate over the threshold is one REFUSAL_RATE event per window', async () => {
    const ports = world();
    const accepted = Array.from({ length: 10 }, () => signal('FILING_ACCEPTED', { clean: false }));
    const refused = Array.from({ length: 10 }, () => signal('INTAKE_REFUSED', { reasonCode: 'UNIT_SEIZED' }));
    // Refusals the rules score 0 count for nothing, not even the rate.
    const nobodysFault = Array.from({ length: 30 }, () => signal('INTAKE_REFUSED', { reasonCode: 'UNIT_DISPOSITION_PENDING' }));
    await applySignals(ports, 'ch-a', [...accepted, ...nobodysFault]);
    expect([...ports.credit.events.values()]).toHaveLength(0);
    await applySignals(ports, 'ch-a', refused);
    await applySignals(ports, 'ch-a', [signal('INTAKE_REFUSED', { reasonCode: 'UNIT_SEIZED' })]);
    const rate = [...ports.credit.events.values()].filter((e) => e.kind === 'REFUSAL_RATE');
    expect(rate).toHaveLength(1);
    expect(rate[0]!.evidence.rate).toBeCloseTo(0.5, 2);
    expect((await stateOf(ports, 'ch-a'))?.score).toBe(100 + 11 * rules.points.INTAKE_REFUSED + rules.points.REFUSAL_RATE);
  });

  it('a reopening resets the score, however far below 0 the sum went, and later violations count on top of it', async () => {
    const ports = world();
    const shut = await applySignals(ports, 'ch-a', Array.from({ length: 30 }, () => signal('OUT_OF_SCOPE')));
    expect(shut).toMatchObject({ score: 0, grade: 'SHUT_OFF' });
    await reopen(ports, shut.openCaseNo!, 'RECTIFICATION_ACCEPTED', 'staff:officer-1');
    expect(await stateOf(ports, 'ch-a')).toMatchObject({ score: rules.probation.reopenScore, grade: 'PROBATION' });
    const later = await applySignals(ports, 'ch-a', [signal('OUT_OF_SCOPE', { at: new Date(Date.parse('2026-12-02T02:00:00Z') + 60_000).toISOString() })]);
    expect(later).toMatchObject({ score: rules.probation.reopenScore + rules.points.OUT_OF_SCOPE, grade: 'PROBATION' });
  });

  it('a severe violation signalled late, after a reopening, still shuts the channel off', async () => {
    const ports = world();
    const shut = await applySignals(ports, 'ch-a', Array.from({ length: 9 }, () => signal('OUT_OF_SCOPE')));
    await reopen(ports, shut.openCaseNo!, 'REOPENED_BY_OFFICER', 'staff:officer-1');
    // Found at review before the reopening, delivered after it.
    const late = await applySignals(ports, 'ch-a', [signal('FALSE_MATERIALS', { at: '2026-12-02T01:00:00.000Z' })]);
    expect(late.grade).toBe('SHUT_OFF');
    expect(late.openCaseNo).not.toBe(shut.openCaseNo);
  });

  it('two evaluations racing across the threshold open one case, and an officer racing the rules opens none of his own', async () => {
    const ports = world();
    await applySignals(ports, 'ch-a', Array.from({ length: 8 }, () => signal('OUT_OF_SCOPE')));
    // Both read the same state (60) and both cross it with a different newest event: one case number.
    const results = await Promise.all([applySignals(ports, 'ch-a', [signal('OUT_OF_SCOPE')]), applySignals(ports, 'ch-a', [signal('OUT_OF_SCOPE')])]);
    expect(results.map((r) => r.grade)).toEqual(['SHUT_OFF', 'SHUT_OFF']);
    expect([...ports.credit.cases.values()].filter((c) => c.status === 'OPEN')).toHaveLength(1);
    const held = (await stateOf(ports, 'ch-a'))!.openCaseNo!;
    await expect(shutOff(ports, { scope: 'CHANNEL', channelId: 'ch-a', detail: 'x', evidence: {}, actor: 'staff:officer-1', requestKey: 'late' })).rejects.toMatchObject({ code: 'ALREADY_SHUT_OFF', extras: { caseNo: held } });
    expect([...ports.credit.cases.values()].map((c) => c.caseNo)).toEqual([held]);
  });

  it('projects the standing before anything that may fail after the write, and never an older projection over a newer one', async () => {
    const ports = world();
    const failing = { ...ports, notifications: { publish: () => Promise.reject(new Error('queue down')) } };
    await expect(applySignals(failing, 'ch-a', [signal('FALSE_MATERIALS')])).rejects.toThrow('queue down');
    // The gate reads the channel record: shut off although the notices are not out yet.
    expect((await ports.channels.get('ch-a'))?.standing).toMatchObject({ grade: 'SHUT_OFF' });
    const current = (await ports.channels.get('ch-a'))!.standing!;
    await ports.channels.setStanding('ch-a', { ...current, grade: 'NORMAL', version: (current.version ?? 0) - 1 });
    expect((await ports.channels.get('ch-a'))?.standing?.grade).toBe('SHUT_OFF');
    // The next evaluation performs what was left (the notices) and clears the outbox.
    await applySignals(ports, 'ch-a', []);
    expect((await stateOf(ports, 'ch-a'))?.outbox).toBeUndefined();
    expect(credits(ports).map((n) => n.change)).toEqual(expect.arrayContaining(['CASE_OPENED', 'LEDGER_EVENT']));
  });

  it('the sweeper performs follow-ups an officer request left pending (no later signal needed)', async () => {
    const ports = world();
    const failing = { ...ports, notifications: { publish: () => Promise.reject(new Error('queue down')) } };
    await expect(shutOff(failing, { scope: 'CHANNEL', channelId: 'ch-b', detail: 'inspection', evidence: {}, actor: 'staff:officer-1', requestKey: 'r-9' })).rejects.toThrow('queue down');
    expect((await ports.credit.getState('ch-b'))?.outbox).toBeDefined();
    // Too recent: left alone.
    expect(await healCreditOutboxes(ports, { olderThanSeconds: 60, limit: 10 })).toBe(0);
    const later = { ...ports, clock: { now: () => new Date(Date.parse('2026-12-02T02:05:00Z')) } };
    expect(await healCreditOutboxes(later, { olderThanSeconds: 60, limit: 10 })).toBe(1);
    expect((await ports.credit.getState('ch-b'))?.outbox).toBeUndefined();
    expect(credits(ports).filter((n) => n.channelId === 'ch-b').map((n) => n.change)).toEqual(expect.arrayContaining(['CASE_OPENED', 'GRADE_CHANGED']));
    expect(await healCreditOutboxes(later, { olderThanSeconds: 60, limit: 10 })).toBe(0);
  });

  it('heals a crash before any port call: running again decides the same and performs what was missing', async () => {
    const signals = () => {
      n = 1000;
      return [1, 2, 3, 4, 5, 6, 7, 8, 9].map(() => signal('OUT_OF_SCOPE'));
    };
    const reference = world();
    await applySignals(reference, 'ch-a', signals());
    const expected = {
      state: await stateOf(reference, 'ch-a'),
      audits: new Set(reference.audit.records.map((r) => r.id)),
      notices: new Set(credits(reference).map((e) => e.eventId)),
      standing: (await reference.channels.get('ch-a'))?.standing,
    };
    let crashes = 0;
    for (let crashAt = 1; ; crashAt++) {
      const ports = world();
      let calls = 0;
      const faulty = failingAt(ports, () => ++calls === crashAt);
      const crashed = await applySignals(faulty, 'ch-a', signals()).then(
        () => false,
        () => true,
      );
      if (!crashed) break;
      crashes++;
      await applySignals(ports, 'ch-a', signals());
      const state = await stateOf(ports, 'ch-a');
      expect({ score: state?.score, grade: state?.grade, openCaseNo: state?.openCaseNo, outbox: state?.outbox }).toEqual({
        score: expected.state?.score,
        grade: expected.state?.grade,
        openCaseNo: expected.state?.openCaseNo,
        outbox: undefined,
      });
      expect(new Set(ports.audit.records.map((r) => r.id))).toEqual(expected.audits);
      expect(new Set(credits(ports).map((e) => e.eventId))).toEqual(expected.notices);
      expect((await ports.channels.get('ch-a'))?.standing).toMatchObject({ grade: expected.standing!.grade, caseNo: expected.standing!.caseNo });
      expect(ports.credit.events.size).toBe(9);
    }
    expect(crashes).toBeGreaterThan(10);
  });
});

/** The ports with every method of every port throwing when `fail()` says so (a crash before that call). */
function failingAt(ports: CreditPorts, fail: () => boolean): CreditPorts {
  const wrap = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(object, property, receiver) {
        const value = Reflect.get(object, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (fail()) return Promise.reject(new Error(`crash before ${String(property)}`));
          return (value as (...a: unknown[]) => unknown).apply(object, args);
        };
      },
    });
  return { ...ports, credit: wrap(ports.credit), rules: wrap(ports.rules), channels: wrap(ports.channels), audit: wrap(ports.audit), notifications: wrap(ports.notifications) };
}
