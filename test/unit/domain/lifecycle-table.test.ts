/**
 * The lifecycle table's own invariants (functions/core/domain/lifecycle.ts): what a new row must respect
 * for the rest of the platform to stay consistent, checked over every row.
 */
import { describe, expect, it } from 'vitest';
import { BUSINESS_TYPES } from '../../../functions/core/domain/business-types';
import { CONFLICT_MATRIX, conflicts } from '../../../functions/core/domain/disposition';
import { FILING_STATUSES } from '../../../functions/core/domain/filing';
import { ACTIVE_STATUSES, DISPOSITION_HOLDING_STATUSES, effectsOf, FINAL_STATUSES, LIFECYCLE, type TransitionSpec } from '../../../functions/core/domain/lifecycle';

const rows = Object.entries(LIFECYCLE) as [string, TransitionSpec][];
const moves = rows.filter(([, spec]) => spec.to !== undefined);

describe('the lifecycle table', () => {
  it('partitions the statuses into active and final', () => {
    expect([...ACTIVE_STATUSES, ...FINAL_STATUSES].sort()).toEqual([...FILING_STATUSES].sort());
    for (const status of DISPOSITION_HOLDING_STATUSES) expect(ACTIVE_STATUSES).toContain(status);
  });

  it.each(moves)('%s: never leaves a final status, never stays where it is, and comes from active statuses only', (_name, spec) => {
    for (const from of spec.from) expect(ACTIVE_STATUSES).toContain(from);
    expect(spec.from).not.toContain(spec.to);
  });

  it.each(moves)('%s: is audited and tells the filer (a progress event)', (_name, spec) => {
    expect(spec.audit).toBeDefined();
    expect(spec.effects).toContain('audit');
    expect(spec.effects).toContain('progress');
  });

  it.each(moves.filter(([, spec]) => !DISPOSITION_HOLDING_STATUSES.includes(spec.to!) && spec.to !== 'SUBMITTED'))(
    '%s: ends the filing and releases its unit',
    (_name, spec) => {
      expect(FINAL_STATUSES).toContain(spec.to);
      expect(spec.effects).toContain('releaseDisposition');
    },
  );

  it.each(moves.filter(([, spec]) => DISPOSITION_HOLDING_STATUSES.includes(spec.to!) || spec.to === 'SUBMITTED'))('%s: keeps the filing alive and its unit locked', (_name, spec) => {
    expect(spec.effects).not.toContain('releaseDisposition');
  });

  it('lets every active status be left (nothing strands), and reaches every status', () => {
    for (const status of ACTIVE_STATUSES) expect(moves.some(([, spec]) => spec.from.includes(status)), status).toBe(true);
    for (const status of FILING_STATUSES.filter((s) => s !== 'SUBMITTED')) expect(moves.some(([, spec]) => spec.to === status), status).toBe(true);
  });

  it('guards every way out of a reviewable filing on the approval claim: refusal and withdrawal need none, the register steps need one', () => {
    const claimed = { status: 'READY_FOR_REVIEW', businessType: 'TRANSFER_RESALE', approvalStartedAt: '2026-11-21T00:00:00.000Z' } as never;
    const unclaimed = { status: 'READY_FOR_REVIEW', businessType: 'TRANSFER_RESALE' } as never;
    expect(LIFECYCLE.REVIEW_REFUSE.guard(claimed)).toBe('APPROVAL_STARTED');
    expect(LIFECYCLE.WITHDRAW.guard(claimed)).toBe('APPROVAL_STARTED');
    expect(LIFECYCLE.CLAIM_APPROVAL.guard(claimed)).toBe('APPROVAL_STARTED');
    expect(LIFECYCLE.REGISTER.guard(unclaimed)).toBe('APPROVAL_NOT_STARTED');
    expect(LIFECYCLE.REFUSE_AT_COMMIT.guard(unclaimed)).toBe('APPROVAL_NOT_STARTED');
    expect(LIFECYCLE.REVIEW_REFUSE.guard(unclaimed)).toBeUndefined();
  });

  it('lets review take a filing only once departments have answered: READY_FOR_REVIEW, or ACCEPTED needing no result', () => {
    const filing = (status: string, businessType: string) => ({ status, businessType }) as never;
    expect(LIFECYCLE.CLAIM_APPROVAL.guard(filing('ACCEPTED', 'TRANSFER_RESALE'))).toBe('COORDINATION_PENDING');
    expect(LIFECYCLE.REVIEW_REFUSE.guard(filing('ACCEPTED', 'FIRST_REGISTRATION'))).toBe('COORDINATION_PENDING');
    expect(LIFECYCLE.CLAIM_APPROVAL.guard(filing('ACCEPTED', 'MORTGAGE_CREATE'))).toBeUndefined();
    expect(LIFECYCLE.CLAIM_APPROVAL.guard(filing('READY_FOR_REVIEW', 'TRANSFER_RESALE'))).toBeUndefined();
    expect(LIFECYCLE.CLAIM_APPROVAL.from).not.toContain('AWAITING_COORDINATION');
    // A filing waiting on departments may be refused by a reviewer only once it is past its deadline.
    expect(LIFECYCLE.REVIEW_REFUSE.guard(filing('AWAITING_COORDINATION', 'TRANSFER_RESALE'))).toBe('COORDINATION_PENDING');
    expect(LIFECYCLE.REVIEW_REFUSE.guard({ status: 'AWAITING_COORDINATION', businessType: 'TRANSFER_RESALE', flaggedForStaff: { at: 'x', reason: 'COORDINATION_OVERDUE' } } as never)).toBeUndefined();
    expect(LIFECYCLE.REVIEW_REFUSE.guard({ status: 'AWAITING_COORDINATION', businessType: 'TRANSFER_RESALE', flaggedForStaff: { at: 'x', reason: 'DEPARTMENT_UNREACHABLE' } } as never)).toBe('COORDINATION_PENDING');
  });

  it('moves an accepted filing on by itself, and tells departments of a withdrawal, a refusal and a registration', () => {
    expect(LIFECYCLE.INTAKE_ACCEPT.effects).toContain('coordinate');
    expect(LIFECYCLE.WITHDRAW.from).toContain('AWAITING_COORDINATION');
    expect(LIFECYCLE.WITHDRAW.effects).toContain('cancelRequests');
    expect(LIFECYCLE.REFUSE_BY_DEPARTMENT.effects).toEqual(expect.arrayContaining(['releaseDisposition', 'cancelRequests']));
    expect(LIFECYCLE.CERTIFY.effects).toContain('pushRegistration');
    expect(LIFECYCLE.RECORD_DELIVERY.audit).toMatchObject({ retention: 'DATA_PROVIDED' });
  });

  it.each(rows)('%s: declares a credit signal exactly when it sends one (DESIGN.md §4: signals flow from the declared effects)', (_name, spec) => {
    expect(spec.effects.includes('creditSignal'), 'creditSignal effect').toBe(spec.signal !== undefined);
  });

  it('signals every intake outcome, corrections, overdue refusals and false materials; a WATCH filing is held, not accepted', () => {
    const filing = (reasonCode?: string) => ({ reasonCode }) as never;
    const kindOf = (spec: TransitionSpec, reasonCode?: string) => (typeof spec.signal === 'function' ? spec.signal(filing(reasonCode)) : spec.signal);
    expect(kindOf(LIFECYCLE.INTAKE_ACCEPT)).toBe('FILING_ACCEPTED');
    expect(kindOf(LIFECYCLE.INTAKE_REFUSE, 'UNIT_SEIZED')).toBe('INTAKE_REFUSED');
    expect(kindOf(LIFECYCLE.INTAKE_REFUSE, 'MORTGAGE_NOT_HELD')).toBe('OUT_OF_SCOPE');
    expect(kindOf(LIFECYCLE.INTAKE_REFUSE, 'NOT_OWN_PROJECT')).toBe('OUT_OF_SCOPE');
    expect(kindOf(LIFECYCLE.INTAKE_REQUEST_CORRECTION)).toBe('CORRECTION_REQUIRED');
    expect(kindOf(LIFECYCLE.REFUSE_OVERDUE_CORRECTION)).toBe('CORRECTION_OVERDUE');
    expect(kindOf(LIFECYCLE.REVIEW_REFUSE, 'FALSE_MATERIALS')).toBe('FALSE_MATERIALS');
    expect(kindOf(LIFECYCLE.REVIEW_REFUSE, 'DATA_MISMATCH')).toBeUndefined();
    expect(kindOf(LIFECYCLE.REFUSE_AFTER_INTAKE_REVIEW, 'FALSE_MATERIALS')).toBe('FALSE_MATERIALS');
    expect(kindOf(LIFECYCLE.ACCEPT_AFTER_INTAKE_REVIEW)).toBe('FILING_ACCEPTED');
    expect(LIFECYCLE.HOLD_FOR_INTAKE_REVIEW).toMatchObject({ from: ['SUBMITTED'], to: 'INTAKE_REVIEW' });
    expect(LIFECYCLE.HOLD_FOR_INTAKE_REVIEW.effects).not.toContain('coordinate');
  });

  it('gives a signal the id of its transition (as its progress event) and the ids of the audit records it wrote as evidence', () => {
    const history = [
      { at: '2026-12-01T00:00:00.000Z', status: 'SUBMITTED', by: 'channel:ch-1' },
      { at: '2026-12-01T00:01:00.000Z', status: 'REFUSED', by: 'worker:intake', reasonCode: 'UNIT_SEIZED' },
    ];
    const filing = { filingId: 'F1', channelId: 'ch-1', institutionId: 'I-1', district: '370102', unitCode: 'U', status: 'REFUSED', reasonCode: 'UNIT_SEIZED', history } as never;
    const effects = effectsOf({ name: 'INTAKE_REFUSE', filing, before: { ...(filing as object), status: 'SUBMITTED' } as never, actor: 'worker:intake', at: '2026-12-01T00:01:00.000Z', revision: 3 }, 3);
    const credit = effects.find((e) => e.kind === 'credit');
    const audits = effects.filter((e) => e.kind === 'audit').map((e) => `F1:${e.id}`);
    expect(credit).toMatchObject({ signal: { signalId: 'F1:2', channelId: 'ch-1', kind: 'INTAKE_REFUSED', reasonCode: 'UNIT_SEIZED', evidence: { filingIds: ['F1'], auditIds: audits } } });
    expect(audits.length).toBeGreaterThan(0);
  });
});

describe('the conflict matrix', () => {
  it('is symmetric, and every type conflicts with itself (one active filing of a type per unit)', () => {
    for (const a of BUSINESS_TYPES) {
      expect(conflicts(a, a)).toBe(true);
      for (const b of BUSINESS_TYPES) expect(conflicts(a, b)).toBe(conflicts(b, a));
    }
  });

  it('keeps a transfer and a mortgage by its seller apart, and lets a presale mortgage notice rely on a pending presale notice', () => {
    expect(CONFLICT_MATRIX.TRANSFER_RESALE).toContain('MORTGAGE_CREATE');
    expect(CONFLICT_MATRIX.TRANSFER_NEW).toContain('MORTGAGE_CREATE');
    expect(CONFLICT_MATRIX.FIRST_REGISTRATION).toContain('PRESALE_NOTICE');
    expect(conflicts('PRESALE_NOTICE', 'PRESALE_MORTGAGE_NOTICE')).toBe(false);
    expect(conflicts('MORTGAGE_DISCHARGE', 'TRANSFER_RESALE')).toBe(false);
  });
});
