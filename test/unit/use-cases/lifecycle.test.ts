/**
 * Corrections, withdrawal, the urgent lane and the sweeper (issue 3 items 6, 9), on in-memory ports:
 * the deadline edge at the end of the CST day, withdrawal from every status, races on the status, and
 * the sweeper's two duties.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { builtInChecklist } from '../../../functions/core/domain/checklists';
import { ZtError } from '../../../functions/core/domain/errors';
import { FILING_STATUSES, type FilingRecord, type FilingStatus } from '../../../functions/core/domain/filing';
import { isCorrectionOverdue, WITHDRAWABLE_STATUSES } from '../../../functions/core/domain/lifecycle';
import type { StaffAccount } from '../../../functions/core/domain/staff';
import type { Channel, PersonalDataVault } from '../../../functions/core/ports';
import { correctFiling } from '../../../functions/core/use-cases/correct-filing';
import { takeDisposition } from '../../../functions/core/use-cases/disposition';
import { markUrgent } from '../../../functions/core/use-cases/mark-urgent';
import { processIntake } from '../../../functions/core/use-cases/process-intake';
import { sweep } from '../../../functions/core/use-cases/sweep';
import { withdrawFiling } from '../../../functions/core/use-cases/withdraw-filing';
import { validateCorrection } from '../../../schemas/v1/corrections';
import { fixedClock, MemoryAudit, MemoryDepartmentQueue, MemoryFilings, MemoryNotifications, MemoryQueue, MemoryStatisticsQueue } from '../../support/memory-ports';
import { startCoordination } from '../../../functions/core/domain/coordination';

const SM3 = 'ab'.repeat(32);
const UNIT = '370102001001GB00001F00010101';
const channel = { channelId: 'ch-bank-a', institutionId: 'INST-BANK-A' } as Pick<Channel, 'channelId' | 'institutionId'> as Channel;
const otherChannel = { channelId: 'ch-bank-b', institutionId: 'INST-BANK-B' } as Pick<Channel, 'channelId' | 'institutionId'> as Channel;
const clerk: StaffAccount = { staffId: 'stf-1', username: 'clerk.370102', displayName: '测试', role: 'CLERK', district: '370102', status: 'ACTIVE' };

/** These filings have no parties: a withdrawal or urgent reason opens no name, and the vault is never asked. */
const noVault: PersonalDataVault = {
  seal: () => Promise.reject(new Error('no vault in these tests')),
  open: () => Promise.reject(new Error('no vault in these tests')),
  blindIndex: () => Promise.reject(new Error('no vault in these tests')),
};

function filing(status: FilingStatus, overrides: Partial<FilingRecord> = {}): FilingRecord {
  const at = '2026-11-20T02:00:00.000Z';
  return {
    filingId: 'F-1',
    channelId: channel.channelId,
    institutionId: channel.institutionId,
    clientRef: 'LOAN-1',
    batchId: 'B-1',
    businessType: 'MORTGAGE_CREATE',
    unitCode: UNIT,
    district: '370102',
    content: {
      businessType: 'MORTGAGE_CREATE',
      mortgagors: [],
      mortgagee: { name: '示例银行', uscc: '91370100MA3C8AXX1X' },
      mortgageType: 'GENERAL',
      amountFen: '100',
      termStart: '2026-01-01',
      termEnd: '2046-01-01',
    },
    materials: [{ type: 'APPLICATION_FORM', ref: 'r-1', sm3: SM3 }],
    contentHash: 'h',
    status,
    createdAt: at,
    updatedAt: at,
    history: [{ at, status, by: 'worker:intake' }],
    ...overrides,
  };
}

const correctionPending = (deadline = '2026-11-27') =>
  filing('CORRECTION_REQUIRED', { missingMaterials: ['MAIN_DEBT_CONTRACT'], correctionDeadline: deadline });

let filings: MemoryFilings;
/** An approval's claim, as CLAIM_APPROVAL writes it. */
const claim = (filingId: string) => {
  const current = filings.filings.get(filingId)!;
  filings.filings.set(filingId, { ...current, approvalStartedAt: '2026-11-21T00:00:00.000Z', revision: (current.revision ?? 0) + 1 });
};
let queue: MemoryQueue;
let urgentQueue: MemoryQueue;
let notifications: MemoryNotifications;
let statistics: MemoryStatisticsQueue;
let audit: MemoryAudit;
beforeEach(() => {
  filings = new MemoryFilings();
  queue = new MemoryQueue();
  urgentQueue = new MemoryQueue();
  notifications = new MemoryNotifications();
  statistics = new MemoryStatisticsQueue();
  audit = new MemoryAudit();
});

const codeOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return 'OK';
  } catch (error) {
    if (error instanceof ZtError) return `${error.status} ${error.code}`;
    throw error;
  }
};

describe('the correction deadline: due by the end of its day in China Standard Time', () => {
  it.each([
    ['2026-11-27T15:59:59.999Z', false], // 23:59:59.999 CST on the deadline day
    ['2026-11-27T16:00:00.000Z', true], // 00:00 CST the next day
    ['2026-11-26T20:00:00.000Z', false], // 04:00 CST on the deadline day (already the 27th in CST, the 26th in UTC)
    ['2026-11-28T01:00:00.000Z', true],
  ])('at %s overdue is %s', (now, overdue) => {
    expect(isCorrectionOverdue('2026-11-27', new Date(now))).toBe(overdue);
  });

  it('a filing without a deadline is never overdue', () => {
    expect(isCorrectionOverdue(undefined, new Date('2030-01-01T00:00:00Z'))).toBe(false);
  });
});

describe('correctFiling', () => {
  const body = { materials: [{ type: 'MAIN_DEBT_CONTRACT', ref: 'oss://a/main-debt.pdf', sm3: SM3 }] };
  const correct = (now: string, raw: unknown = body, who: Channel = channel) =>
    correctFiling({ filings, intake: queue, notifications, audit, clock: fixedClock(now), validate: validateCorrection, checklists: { version: async (type) => builtInChecklist(type) } }, who, 'F-1', raw);

  it('at the last millisecond of the deadline day: merges the materials, back to SUBMITTED, enqueued, published', async () => {
    filings.put(correctionPending());
    filings.hold(UNIT, 'F-1', 'MORTGAGE_CREATE');
    const view = await correct('2026-11-27T15:59:59.999Z');
    expect(view).toMatchObject({ filingId: 'F-1', status: 'SUBMITTED' });
    const stored = (await filings.get('F-1'))!;
    expect(stored.materials.map((m) => m.type)).toEqual(['APPLICATION_FORM', 'MAIN_DEBT_CONTRACT']);
    expect(stored.missingMaterials).toBeUndefined();
    expect(stored.correctionDeadline).toBeUndefined();
    expect(stored.history.at(-1)).toMatchObject({ status: 'SUBMITTED', by: 'channel:ch-bank-a' });
    expect(queue.messages).toEqual([{ v: 1, filingId: 'F-1' }]);
    expect(notifications.events.map((e) => e.status)).toEqual(['SUBMITTED']);
    expect(audit.records.map((r) => r.action)).toEqual(['FILING_CORRECTED']);
    // The unit's lock stays with the filing: intake will take it again as its holder.
    expect(filings.holdersOf(UNIT)).toEqual(['F-1']);
  });

  it('from 00:00 CST the next day: refuses the filing (CORRECTION_OVERDUE), frees the unit, answers 409, and answers the same on retry', async () => {
    filings.put(correctionPending());
    filings.hold(UNIT, 'F-1', 'MORTGAGE_CREATE');
    expect(await codeOf(correct('2026-11-27T16:00:00.000Z'))).toBe('409 CORRECTION_OVERDUE');
    const stored = (await filings.get('F-1'))!;
    expect(stored).toMatchObject({ status: 'REFUSED', reasonCode: 'CORRECTION_OVERDUE' });
    expect(filings.holdersOf(UNIT)).toEqual([]);
    expect(notifications.events).toEqual([expect.objectContaining({ status: 'REFUSED', reasonCode: 'CORRECTION_OVERDUE' })]);
    expect(queue.messages).toEqual([]);
    expect(await codeOf(correct('2026-11-27T16:05:00.000Z'))).toBe('409 CORRECTION_OVERDUE');
    expect((await filings.get('F-1'))!.history).toHaveLength(2);
  });

  it.each(FILING_STATUSES.filter((s) => s !== 'CORRECTION_REQUIRED'))('refuses a %s filing with 409 FILING_NOT_CORRECTABLE', async (status) => {
    filings.put(filing(status));
    expect(await codeOf(correct('2026-11-21T00:00:00Z'))).toBe('409 FILING_NOT_CORRECTABLE');
  });

  it("answers another channel's filing and a missing one alike: 404 FILING_NOT_FOUND", async () => {
    filings.put(correctionPending());
    expect(await codeOf(correct('2026-11-21T00:00:00Z', body, otherChannel))).toBe('404 FILING_NOT_FOUND');
    filings.filings.clear();
    expect(await codeOf(correct('2026-11-21T00:00:00Z'))).toBe('404 FILING_NOT_FOUND');
  });

  it.each([
    ['a type outside the checklist', { materials: [{ type: 'LOAN_LETTER', ref: 'x', sm3: SM3 }] }, 'MATERIAL_TYPE_UNKNOWN'],
    ['no materials', { materials: [] }, 'TOO_FEW'],
    ['a bad digest', { materials: [{ type: 'MAIN_DEBT_CONTRACT', ref: 'x', sm3: 'nope' }] }, 'MATERIAL_SM3_FORMAT'],
    ['an extra field', { ...body, note: 'x' }, 'UNKNOWN_FIELD'],
  ])('refuses %s with 422 INVALID_CORRECTION and changes nothing', async (_name, raw, code) => {
    filings.put(correctionPending());
    const error = await correct('2026-11-21T00:00:00Z', raw).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 422, code: 'INVALID_CORRECTION' });
    expect(JSON.stringify((error as ZtError).extras)).toContain(code);
    expect((await filings.get('F-1'))!.status).toBe('CORRECTION_REQUIRED');
  });

  it('refuses a correction that still lacks a material asked for (422 MATERIALS_STILL_MISSING)', async () => {
    filings.put(correctionPending());
    const other = { materials: [{ type: 'POWER_OF_ATTORNEY', ref: 'x', sm3: SM3 }] };
    expect(await codeOf(correct('2026-11-21T00:00:00Z', other))).toBe('422 MATERIALS_STILL_MISSING');
    expect(queue.messages).toEqual([]);
  });

  it('starts over when the filing changes between the read and the write (the sweeper refused it meanwhile)', async () => {
    filings.put(correctionPending());
    filings.beforeCommit = (commit) => {
      filings.beforeCommit = undefined;
      const current = filings.filings.get(commit.filingId)!;
      filings.filings.set(commit.filingId, { ...current, status: 'REFUSED', reasonCode: 'CORRECTION_OVERDUE', revision: (current.revision ?? 0) + 1 });
    };
    expect(await codeOf(correct('2026-11-21T00:00:00Z'))).toBe('409 CORRECTION_OVERDUE');
    expect(queue.messages).toEqual([]);
  });
});

describe('withdrawFiling', () => {
  const withdraw = (reason?: string, who: Channel = channel) =>
    withdrawFiling({ filings, notifications, audit, vault: noVault, clock: fixedClock('2026-11-21T00:00:00.000Z') }, who, 'F-1', reason);

  it.each(WITHDRAWABLE_STATUSES)('withdraws a %s filing and frees the unit', async (status) => {
    filings.put(filing(status));
    filings.hold(UNIT, 'F-1', 'MORTGAGE_CREATE');
    expect(await withdraw('Loan cancelled')).toMatchObject({ status: 'WITHDRAWN' });
    const stored = (await filings.get('F-1'))!;
    expect(stored.history.at(-1)).toMatchObject({ status: 'WITHDRAWN', by: 'channel:ch-bank-a', note: 'Loan cancelled' });
    expect(filings.holdersOf(UNIT)).toEqual([]);
    expect(notifications.events.map((e) => e.status)).toEqual(['WITHDRAWN']);
    expect(audit.records).toEqual([expect.objectContaining({ action: 'FILING_WITHDRAWN', detail: expect.objectContaining({ from: status, to: 'WITHDRAWN', withReason: true }) })]);
    expect(JSON.stringify(audit.records)).not.toContain('Loan cancelled');
  });

  it.each(['REGISTERED', 'CERTIFIED', 'REFUSED', 'REVIEW_REFUSED'] as const)('refuses a %s filing: 409 FILING_NOT_WITHDRAWABLE', async (status) => {
    filings.put(filing(status));
    expect(await codeOf(withdraw())).toBe('409 FILING_NOT_WITHDRAWABLE');
    expect(notifications.events).toEqual([]);
  });

  it('answers a withdrawn filing again with its state, changing nothing', async () => {
    filings.put(filing('SUBMITTED'));
    await withdraw();
    expect(await withdraw()).toMatchObject({ status: 'WITHDRAWN' });
    expect((await filings.get('F-1'))!.history.map((h) => h.status)).toEqual(['SUBMITTED', 'WITHDRAWN']);
    expect(notifications.events).toHaveLength(1);
  });

  it('retries from the status it finds when intake moved the filing between the read and the write', async () => {
    filings.put(filing('SUBMITTED'));
    filings.beforeCommit = (commit) => {
      filings.beforeCommit = undefined;
      const current = filings.filings.get(commit.filingId)!;
      filings.filings.set(commit.filingId, { ...current, status: 'ACCEPTED', revision: (current.revision ?? 0) + 1 });
    };
    expect(await withdraw()).toMatchObject({ status: 'WITHDRAWN' });
    expect(audit.records[0]!.detail).toMatchObject({ from: 'ACCEPTED' });
  });

  it("answers another channel's filing like a missing one", async () => {
    filings.put(filing('SUBMITTED'));
    expect(await codeOf(withdraw(undefined, otherChannel))).toBe('404 FILING_NOT_FOUND');
  });

  it('refuses once an approval has claimed the filing (it may already have written the register): 409 REVIEW_IN_PROGRESS', async () => {
    filings.put(filing('ACCEPTED'));
    claim('F-1');
    expect(await codeOf(withdraw())).toBe('409 REVIEW_IN_PROGRESS');
    expect((await filings.get('F-1'))!.status).toBe('ACCEPTED');
    expect(notifications.events).toEqual([]);
  });

  it('loses the race to an approval that claims the filing between its read and its write', async () => {
    filings.put(filing('ACCEPTED'));
    filings.beforeCommit = () => {
      filings.beforeCommit = undefined;
      claim('F-1');
    };
    expect(await codeOf(withdraw())).toBe('409 REVIEW_IN_PROGRESS');
    expect((await filings.get('F-1'))!.status).toBe('ACCEPTED');
  });

  it('leaves the unit free when the filing is withdrawn while intake decides it (intake re-took the lock after the release)', async () => {
    // Prepare: a discharge intake will accept (the bank holds the mortgage); it is withdrawn just before intake's write.
    filings.put(filing('SUBMITTED', { businessType: 'MORTGAGE_DISCHARGE', content: { businessType: 'MORTGAGE_DISCHARGE', mortgageId: 'DY00000001', reason: 'REPAID' }, materials: [] }));
    const unit = { unitCode: UNIT, version: 1, appliedFilings: [], district: '370102', status: 'REGISTERED' as const, address: 'a', areaM2: '1', owners: [], seizures: [],
      mortgages: [{ mortgageId: 'DY00000001', holderInstitutionId: channel.institutionId, amountFen: '1', status: 'ACTIVE' as const }] };
    filings.beforeCommit = () => {
      filings.beforeCommit = undefined;
      const current = filings.filings.get('F-1')!;
      filings.filings.set('F-1', { ...current, status: 'WITHDRAWN', revision: (current.revision ?? 0) + 1 });
    };
    // Act
    const result = await processIntake(
      {
        filings,
        register: { getUnit: async () => unit, listDistricts: async () => ['370102'] },
        audit,
        clock: fixedClock('2026-11-21T00:00:00.000Z'),
        notifications,
        correctionWorkingDays: 5,
        checklists: { current: async (t) => builtInChecklist(t), version: async (t) => builtInChecklist(t), history: async () => [], publish: async () => { throw new Error('unused'); } },
      },
      { v: 1, filingId: 'F-1' },
    );
    // Assess
    expect(result).toEqual({ kind: 'skipped', status: 'WITHDRAWN' });
    expect(filings.holdersOf(UNIT)).toEqual([]);
  });
});

describe('markUrgent', () => {
  const mark = (staff: StaffAccount = clerk, reason = 'Court deadline') => markUrgent({ filings, urgentIntake: urgentQueue, notifications, audit, vault: noVault, clock: fixedClock('2026-11-21T00:00:00.000Z') }, staff, 'F-1', reason);

  it('marks a SUBMITTED filing and puts it on the priority lane', async () => {
    filings.put(filing('SUBMITTED'));
    expect(await mark()).toMatchObject({ urgent: true, status: 'SUBMITTED' });
    expect(await filings.get('F-1')).toMatchObject({ urgent: true, urgentReason: 'Court deadline', urgentBy: 'staff:stf-1', status: 'SUBMITTED' });
    expect(urgentQueue.messages).toEqual([{ v: 1, filingId: 'F-1' }]);
    expect(audit.records).toEqual([expect.objectContaining({ tenant: '370102', actor: 'staff:stf-1', action: 'FILING_MARKED_URGENT' })]);
  });

  it('marks a filing past intake without enqueueing it, and keeps the first reason when marked again', async () => {
    filings.put(filing('READY_FOR_REVIEW'));
    await mark();
    await mark(clerk, 'Another reason');
    expect(await filings.get('F-1')).toMatchObject({ urgent: true, urgentReason: 'Court deadline' });
    expect(urgentQueue.messages).toEqual([]);
    expect(audit.records).toHaveLength(1);
  });

  it('answers a filing of another district like an unknown one (404), and refuses a finished one (409)', async () => {
    filings.put(filing('SUBMITTED', { district: '370103' }));
    expect(await codeOf(mark())).toBe('404 FILING_NOT_FOUND');
    expect(urgentQueue.messages).toEqual([]);
    filings.put(filing('REGISTERED'));
    expect(await codeOf(mark())).toBe('409 FILING_NOT_URGENT_ELIGIBLE');
    filings.filings.clear();
    expect(await codeOf(mark())).toBe('404 FILING_NOT_FOUND');
  });
});

describe('sweep', () => {
  const NOW = '2026-11-30T02:00:00.000Z';
  const register = { listDistricts: async () => ['370102', '370103'] };
  const run = () => sweep({ filings, register, intake: queue, urgentIntake: urgentQueue, notifications, statistics, audit, clock: fixedClock(NOW) }, { staleMinutes: 10, pageSize: 2 });
  const at = (minutesAgo: number) => new Date(Date.parse(NOW) - minutesAgo * 60_000).toISOString();

  it('re-enqueues SUBMITTED filings unchanged for longer than N minutes (urgent ones on the priority lane), and no recent one', async () => {
    filings.put(filing('SUBMITTED', { filingId: 'F-OLD-1', updatedAt: at(60) }));
    filings.put(filing('SUBMITTED', { filingId: 'F-OLD-2', updatedAt: at(11), district: '370103' }));
    filings.put(filing('SUBMITTED', { filingId: 'F-OLD-3', updatedAt: at(30) }));
    filings.put(filing('SUBMITTED', { filingId: 'F-URGENT', updatedAt: at(20), urgent: true }));
    filings.put(filing('SUBMITTED', { filingId: 'F-NEW', updatedAt: at(5) }));
    filings.put(filing('ACCEPTED', { filingId: 'F-DONE', updatedAt: at(90) }));
    // F-DONE, ACCEPTED long ago and never moved on (stored before coordination existed), goes on to review.
    expect(await run()).toEqual({ districts: 2, healed: 0, reenqueued: 3, reenqueuedUrgent: 1, flagged: 0, refusedOverdue: 0, movedOn: 1, resent: 0 });
    expect((await filings.get('F-DONE'))!.status).toBe('READY_FOR_REVIEW');
    expect(queue.messages.map((m) => m.filingId).sort()).toEqual(['F-OLD-1', 'F-OLD-2', 'F-OLD-3']);
    expect(urgentQueue.messages).toEqual([{ v: 1, filingId: 'F-URGENT' }]);
    expect((await filings.get('F-OLD-1'))!.requeues).toBe(1);
  });

  it('refuses corrections past their deadline, frees their units, publishes; leaves those still in time; a second run changes nothing', async () => {
    filings.put(correctionPending('2026-11-27'));
    filings.hold(UNIT, 'F-1', 'MORTGAGE_CREATE');
    // 2026-11-30T02:00Z is 10:00 CST on the 30th: a deadline of the 30th is still open.
    filings.put({ ...correctionPending('2026-11-30'), filingId: 'F-2', unitCode: `${UNIT.slice(0, -1)}2` });
    expect(await run()).toMatchObject({ refusedOverdue: 1 });
    expect(await filings.get('F-1')).toMatchObject({ status: 'REFUSED', reasonCode: 'CORRECTION_OVERDUE' });
    expect((await filings.get('F-1'))!.history.at(-1)).toMatchObject({ by: 'worker:sweeper' });
    expect((await filings.get('F-2'))!.status).toBe('CORRECTION_REQUIRED');
    expect(filings.holdersOf(UNIT)).toEqual([]);
    expect(notifications.events).toEqual([expect.objectContaining({ filingId: 'F-1', status: 'REFUSED', reasonCode: 'CORRECTION_OVERDUE' })]);
    expect(audit.records.map((r) => r.action)).toEqual(['CORRECTION_OVERDUE_REFUSED']);
    expect(await run()).toMatchObject({ refusedOverdue: 0 });
    expect(notifications.events).toHaveLength(1);
  });
});

describe('the disposition lock (one per unit, functions/core/domain/disposition.ts)', () => {
  const other = (filingId: string, status: FilingStatus, businessType: FilingRecord['businessType']) =>
    filing(status, { filingId, businessType, content: { businessType: 'MORTGAGE_DISCHARGE', mortgageId: 'DY1', reason: 'REPAID' } as FilingRecord['content'] });

  it('refuses a conflicting filing while the holder is active: the same type is a duplicate, another type a pending disposition', async () => {
    filings.put(other('F-HOLDER', 'ACCEPTED', 'TRANSFER_RESALE'));
    filings.hold(UNIT, 'F-HOLDER', 'TRANSFER_RESALE');
    expect(await takeDisposition(filings, other('F-SAME', 'SUBMITTED', 'TRANSFER_RESALE'))).toMatchObject({ kind: 'blocked', reasonCode: 'DUPLICATE_ACTIVE_FILING', holderId: 'F-HOLDER' });
    expect(await takeDisposition(filings, other('F-MORT', 'SUBMITTED', 'MORTGAGE_CREATE'))).toMatchObject({ kind: 'blocked', reasonCode: 'UNIT_DISPOSITION_PENDING' });
    // A compatible type shares the unit.
    expect(await takeDisposition(filings, other('F-DIS', 'SUBMITTED', 'MORTGAGE_DISCHARGE'))).toEqual({ kind: 'held' });
    expect(filings.holdersOf(UNIT).sort()).toEqual(['F-DIS', 'F-HOLDER']);
  });

  it('takes over a lock whose holder is no longer active (a crash before its release), never leaving it to block', async () => {
    filings.put(other('F-GONE', 'WITHDRAWN', 'MORTGAGE_CREATE'));
    filings.hold(UNIT, 'F-GONE', 'MORTGAGE_CREATE');
    filings.hold(UNIT, 'F-VANISHED', 'MORTGAGE_CREATE');
    expect(await takeDisposition(filings, other('F-NEW', 'SUBMITTED', 'MORTGAGE_CREATE'))).toEqual({ kind: 'held' });
    expect(filings.holdersOf(UNIT)).toEqual(['F-NEW']);
    // Taking it again as its holder succeeds (a redelivered intake).
    expect(await takeDisposition(filings, other('F-NEW', 'SUBMITTED', 'MORTGAGE_CREATE'))).toEqual({ kind: 'held' });
  });

  it('of concurrent intakes of conflicting filings on one unit, exactly one holds the lock', async () => {
    const contenders = Array.from({ length: 6 }, (_, i) => other(`F-C${i}`, 'SUBMITTED', i % 2 === 0 ? 'MORTGAGE_CREATE' : 'TRANSFER_RESALE'));
    for (const c of contenders) filings.put(c);
    const outcomes = await Promise.all(contenders.map((c) => takeDisposition(filings, c)));
    expect(outcomes.filter((o) => o.kind === 'held')).toHaveLength(1);
    expect(filings.holdersOf(UNIT)).toHaveLength(1);
  });
});

describe('sweep: healing and giving up', () => {
  const NOW = '2026-11-30T02:00:00.000Z';
  const register = { listDistricts: async () => ['370102', '370105'] };
  const run = (config: Partial<Parameters<typeof sweep>[1]> = {}) =>
    sweep({ filings, register, intake: queue, urgentIntake: urgentQueue, notifications, statistics, audit, clock: fixedClock(NOW) }, { staleMinutes: 10, ...config });

  it('performs effects left pending by a crash after a transition, in every district the register holds, and only once', async () => {
    // Prepare: a withdrawal whose write happened in district 370105 (listed by the register only) and whose effects did not.
    filings.put(filing('ACCEPTED', { district: '370105' }));
    filings.hold(UNIT, 'F-1', 'MORTGAGE_CREATE');
    const crashingAudit = { record: async () => { throw new Error('crash'); } };
    const reported: string[] = [];
    const onEffectsPending = (filingId: string, error: unknown) => reported.push(`${filingId} ${(error as Error).message}`);
    // The withdrawal happened, so the filer is told so; its effects wait for the sweeper.
    expect(await withdrawFiling({ filings, notifications, audit: crashingAudit, vault: noVault, clock: fixedClock('2026-11-30T01:00:00.000Z'), onEffectsPending }, channel, 'F-1', undefined)).toMatchObject({ status: 'WITHDRAWN' });
    expect(reported).toEqual(['F-1 crash']);
    // Free the unit, the audit record, the progress event, the status count.
    expect(Object.keys((await filings.get('F-1'))!.outbox ?? {})).toHaveLength(4);
    // Act
    const result = await run();
    // Assess
    expect(result).toMatchObject({ districts: 2, healed: 1 });
    expect(filings.holdersOf(UNIT)).toEqual([]);
    expect(audit.records.map((r) => r.action)).toEqual(['FILING_WITHDRAWN']);
    expect(notifications.events.map((e) => e.status)).toEqual(['WITHDRAWN']);
    expect(statistics.events.map((e) => [e.from, e.to])).toEqual([['ACCEPTED', 'WITHDRAWN']]);
    expect((await filings.get('F-1'))!.outbox).toEqual({});
    expect(await run()).toMatchObject({ healed: 0 });
    expect(audit.records).toHaveLength(1);
    expect(statistics.events).toHaveLength(1);
  });

  it('leaves effects younger than pendingSeconds to the request still running them', async () => {
    filings.put(filing('ACCEPTED'));
    const crashingAudit = { record: async () => { throw new Error('crash'); } };
    await withdrawFiling({ filings, notifications, audit: crashingAudit, vault: noVault, clock: fixedClock('2026-11-30T01:59:50.000Z') }, channel, 'F-1', undefined);
    expect(await run({ pendingSeconds: 60 })).toMatchObject({ healed: 0 });
    expect(await run({ pendingSeconds: 5 })).toMatchObject({ healed: 1 });
  });

  it('re-enqueues a stranded filing at most once per staleMinutes, flags it for staff after maxRequeues, and a status change clears both', async () => {
    filings.put(filing('SUBMITTED', { updatedAt: '2026-11-30T01:00:00.000Z' }));
    const at = (minutes: number) => sweep({ filings, register, intake: queue, urgentIntake: urgentQueue, notifications, statistics, audit, clock: fixedClock(new Date(Date.parse(NOW) + minutes * 60_000).toISOString()) }, { staleMinutes: 10, maxRequeues: 3 });
    expect(await at(0)).toMatchObject({ reenqueued: 1, flagged: 0 });
    // Five minutes later it is still within its staleMinutes since the last re-enqueue: left to intake.
    expect(await at(5)).toMatchObject({ reenqueued: 0, flagged: 0 });
    expect(await at(11)).toMatchObject({ reenqueued: 1 });
    expect(await at(22)).toMatchObject({ reenqueued: 1 });
    expect(await at(33)).toMatchObject({ reenqueued: 0, flagged: 1 });
    expect(await at(44)).toMatchObject({ reenqueued: 0, flagged: 0 });
    expect(queue.messages).toHaveLength(3);
    expect(await filings.get('F-1')).toMatchObject({ status: 'SUBMITTED', requeues: 3, flaggedForStaff: { reason: 'INTAKE_KEEPS_FAILING' } });
    expect(audit.records.map((r) => r.action)).toEqual(['FILING_FLAGGED_FOR_STAFF']);
    // The filer withdraws it: the sweeper's marks go with the status it leaves.
    await withdrawFiling({ filings, notifications, audit, vault: noVault, clock: fixedClock(NOW) }, channel, 'F-1', undefined);
    const withdrawn = (await filings.get('F-1'))!;
    expect(withdrawn).not.toHaveProperty('requeues');
    expect(withdrawn).not.toHaveProperty('flaggedForStaff');
    expect(withdrawn).not.toHaveProperty('lastRequeuedAt');
  });

  it('flags approvals that stopped midway (claimed, or REGISTERED and not certified) for staff, and leaves recent ones', async () => {
    filings.put(filing('ACCEPTED', { filingId: 'F-CLAIMED', approvalStartedAt: '2026-11-30T01:00:00.000Z' }));
    filings.put(filing('REGISTERED', { filingId: 'F-REG', approvalStartedAt: '2026-11-30T01:00:00.000Z', updatedAt: '2026-11-30T01:00:00.000Z' }));
    filings.put(filing('ACCEPTED', { filingId: 'F-RECENT', approvalStartedAt: '2026-11-30T01:55:00.000Z' }));
    filings.put(filing('ACCEPTED', { filingId: 'F-UNCLAIMED', updatedAt: '2026-11-29T01:00:00.000Z' }));
    expect(await run()).toMatchObject({ flagged: 2 });
    expect((await filings.get('F-CLAIMED'))!.flaggedForStaff).toMatchObject({ reason: 'APPROVAL_STALLED' });
    expect((await filings.get('F-REG'))!.flaggedForStaff).toMatchObject({ reason: 'APPROVAL_STALLED' });
    expect((await filings.get('F-RECENT'))!.flaggedForStaff).toBeUndefined();
    expect((await filings.get('F-UNCLAIMED'))!.flaggedForStaff).toBeUndefined();
    expect(await run()).toMatchObject({ flagged: 0 });
  });
});

describe('sweep: coordination', () => {
  const NOW = '2026-11-30T02:00:00.000Z';
  const register = { listDistricts: async () => ['370102'] };
  const departments = () => ({ TAX: new MemoryDepartmentQueue(), TRADING: new MemoryDepartmentQueue() });
  const at = (minutesAgo: number) => new Date(Date.parse(NOW) - minutesAgo * 60_000).toISOString();
  const transfer = (overrides: Partial<FilingRecord>, requestedMinutesAgo: number, deadlineDays = 30) => {
    const base = filing('AWAITING_COORDINATION', { businessType: 'TRANSFER_RESALE', updatedAt: at(requestedMinutesAgo), ...overrides });
    return { ...base, coordination: startCoordination(base, at(requestedMinutesAgo), deadlineDays) };
  };

  it('sends again requests never delivered for staleMinutes, at most once per staleMinutes, and flags the filing after maxRequeues (still sending)', async () => {
    const queues = departments();
    const run = (now = NOW) =>
      sweep({ filings, register, intake: queue, urgentIntake: urgentQueue, notifications, statistics, audit, departments: queues, clock: fixedClock(now) }, { staleMinutes: 10, maxRequeues: 2 });
    filings.put(transfer({ filingId: 'F-LOST' }, 30));
    filings.put(transfer({ filingId: 'F-FRESH' }, 5));
    expect(await run()).toMatchObject({ resent: 1 });
    expect(queues.TAX.messages.map((m) => `${m.type} ${m.requestId}`)).toEqual(['REQUEST F-LOST-TC']);
    expect(queues.TRADING.messages.map((m) => `${m.type} ${m.requestId}`)).toEqual(['REQUEST F-LOST-CF']);
    // Within staleMinutes of the resend: nothing again.
    expect(await run()).toMatchObject({ resent: 0 });
    // Eleven minutes on, both are stale (F-FRESH was asked 16 minutes before): both are sent again.
    expect(await run(new Date(Date.parse(NOW) + 11 * 60_000).toISOString())).toMatchObject({ resent: 2 });
    // F-LOST has been sent again twice: staff must look at it, and it is still sent again; F-FRESH gets its second resend.
    expect(await run(new Date(Date.parse(NOW) + 22 * 60_000).toISOString())).toMatchObject({ resent: 2, flagged: 1 });
    const lost = (await filings.get('F-LOST'))!;
    expect(lost.flaggedForStaff).toMatchObject({ reason: 'DEPARTMENT_UNREACHABLE' });
    expect(lost.status).toBe('AWAITING_COORDINATION');
    expect(lost.coordination!.resends).toBe(3);
    expect((await filings.get('F-FRESH'))!.coordination!.resends).toBe(2);
    // Flagged once; sent again on every later sweep that finds it stale.
    expect(await run(new Date(Date.parse(NOW) + 33 * 60_000).toISOString())).toMatchObject({ flagged: 1, resent: 2 });
  });

  it('leaves delivered requests to their departments, and flags a filing waiting past its coordination deadline', async () => {
    const queues = departments();
    const delivered = transfer({ filingId: 'F-ASKED' }, 60);
    const requests = Object.fromEntries(Object.entries(delivered.coordination.requests).map(([k, r]) => [k, { ...r!, deliveredAt: at(59), departmentId: 'd' }]));
    filings.put({ ...delivered, coordination: { ...delivered.coordination, requests } });
    filings.put(transfer({ filingId: 'F-LATE' }, 31 * 24 * 60));
    const result = await sweep({ filings, register, intake: queue, urgentIntake: urgentQueue, notifications, statistics, audit, departments: queues, clock: fixedClock(NOW) }, { staleMinutes: 10 });
    // F-LATE is overdue (flagged) and was never delivered (sent again); F-ASKED's departments have it.
    expect(result).toMatchObject({ resent: 1, flagged: 1 });
    expect(queues.TAX.messages.map((m) => m.filingId)).toEqual(['F-LATE']);
    expect((await filings.get('F-LATE'))!.flaggedForStaff).toMatchObject({ reason: 'COORDINATION_OVERDUE' });
    expect((await filings.get('F-ASKED'))!.flaggedForStaff).toBeUndefined();
  });

  it('moves on an ACCEPTED filing stored before coordination existed: a transfer to coordination with its requests', async () => {
    const queues = departments();
    filings.put(filing('ACCEPTED', { filingId: 'F-OLD', businessType: 'TRANSFER_RESALE', updatedAt: at(90) }));
    const result = await sweep({ filings, register, intake: queue, urgentIntake: urgentQueue, notifications, statistics, audit, departments: queues, clock: fixedClock(NOW) }, { staleMinutes: 10 });
    expect(result).toMatchObject({ movedOn: 1 });
    const moved = (await filings.get('F-OLD'))!;
    expect(moved.status).toBe('AWAITING_COORDINATION');
    expect(Object.keys(moved.coordination!.requests).sort()).toEqual(['CONTRACT_FILING', 'TAX_CLEARANCE']);
    expect(queues.TAX.messages.map((m) => m.requestId)).toEqual(['F-OLD-TC']);
    expect(moved.outbox ?? {}).toEqual({});
  });
});
