/** Which results each business type needs, and what a department's answer does (DESIGN.md §3, §7b). */
import { describe, expect, it } from 'vitest';
import { BUSINESS_TYPES } from '../../../functions/core/domain/business-types';
import {
  cancelOpenRequests,
  decideResult,
  DEPARTMENT_OF,
  MAX_ANSWERS_KEPT,
  REQUEST_ID_PATTERN,
  REQUIRED_RESULTS,
  requestIdOf,
  startCoordination,
  type Coordination,
} from '../../../functions/core/domain/coordination';
import type { FilingRecord } from '../../../functions/core/domain/filing';

const FILING_ID = 'F0123456789ABCDEF01234567';
const AT = '2026-12-01T00:00:00.000Z';
const started = (businessType: FilingRecord['businessType'] = 'TRANSFER_RESALE') => startCoordination({ filingId: FILING_ID, businessType } as FilingRecord, AT, 30);

describe('the results each business type needs', () => {
  it('transfers need contract filing and tax clearance, presale notices the contract filing, first registrations the completion record, mortgages none', () => {
    expect(REQUIRED_RESULTS.TRANSFER_RESALE).toEqual(['CONTRACT_FILING', 'TAX_CLEARANCE']);
    expect(REQUIRED_RESULTS.TRANSFER_NEW).toEqual(['CONTRACT_FILING', 'TAX_CLEARANCE']);
    expect(REQUIRED_RESULTS.PRESALE_NOTICE).toEqual(['CONTRACT_FILING']);
    expect(REQUIRED_RESULTS.FIRST_REGISTRATION).toEqual(['COMPLETION_RECORD']);
    for (const type of ['MORTGAGE_CREATE', 'MORTGAGE_CHANGE', 'MORTGAGE_DISCHARGE', 'PRESALE_MORTGAGE_NOTICE'] as const) expect(REQUIRED_RESULTS[type]).toEqual([]);
    expect(Object.keys(REQUIRED_RESULTS).sort()).toEqual([...BUSINESS_TYPES].sort());
    expect(DEPARTMENT_OF).toEqual({ CONTRACT_FILING: 'TRADING', TAX_CLEARANCE: 'TAX', COMPLETION_RECORD: 'TRADING' });
  });

  it('starts one request per result, with ids derived from filing and kind, and the deadline 30 days on', () => {
    const coordination = started();
    expect(coordination.deadline).toBe('2026-12-31T00:00:00.000Z');
    expect(coordination.requests.TAX_CLEARANCE).toMatchObject({ requestId: `${FILING_ID}-TC`, departmentKind: 'TAX', state: 'REQUESTED' });
    expect(coordination.requests.CONTRACT_FILING).toMatchObject({ requestId: `${FILING_ID}-CF`, departmentKind: 'TRADING' });
    expect(requestIdOf(FILING_ID, 'COMPLETION_RECORD')).toMatch(REQUEST_ID_PATTERN);
  });
});

describe('a department result', () => {
  const answer = (c: Coordination, kind: 'TAX_CLEARANCE' | 'CONTRACT_FILING', outcome: 'CONFIRMED' | 'PENDING' | 'REJECTED', reasonCode?: string) =>
    decideResult(c, c.requests[kind]!, { requestId: c.requests[kind]!.requestId, kind, outcome, reasonCode }, AT);
  const apply = (c: Coordination, decision: ReturnType<typeof answer>): Coordination => ('coordination' in decision ? decision.coordination : c);

  it('PENDING waits, repeated PENDING changes nothing, CONFIRMED of the last outstanding result completes', () => {
    let c = started();
    const pending = answer(c, 'TAX_CLEARANCE', 'PENDING', 'TAX_UNPAID');
    expect(pending.kind).toBe('record');
    c = apply(c, pending);
    expect(answer(c, 'TAX_CLEARANCE', 'PENDING', 'TAX_UNPAID').kind).toBe('repeat');
    c = apply(c, answer(c, 'TAX_CLEARANCE', 'CONFIRMED'));
    expect(c.requests.TAX_CLEARANCE!.answers.map((a) => a.outcome)).toEqual(['PENDING', 'CONFIRMED']);
    expect(answer(c, 'CONTRACT_FILING', 'CONFIRMED').kind).toBe('complete');
  });

  it('a department re-pushing PENDING for the same reason changes nothing, whatever its reference; answers kept are bounded', () => {
    let c = started();
    c = apply(c, answer(c, 'TAX_CLEARANCE', 'PENDING', 'TAX_UNPAID'));
    const again = decideResult(c, c.requests.TAX_CLEARANCE!, { requestId: c.requests.TAX_CLEARANCE!.requestId, kind: 'TAX_CLEARANCE', outcome: 'PENDING', reasonCode: 'TAX_UNPAID', reference: 'Q-42' }, AT);
    expect(again.kind).toBe('repeat');
    // Alternating reasons for weeks: the filing keeps the first answer and the latest ones only.
    for (let i = 0; i < 100; i++) c = apply(c, answer(c, 'TAX_CLEARANCE', 'PENDING', i % 2 === 0 ? 'TAX_ASSESSING' : 'TAX_UNPAID'));
    expect(c.requests.TAX_CLEARANCE!.answers).toHaveLength(MAX_ANSWERS_KEPT);
    expect(c.requests.TAX_CLEARANCE!.answers[0]).toMatchObject({ reasonCode: 'TAX_UNPAID' });
  });

  it('a final answer is final: the same again is a repeat, anything else contradicts it', () => {
    let c = started();
    c = apply(c, answer(c, 'TAX_CLEARANCE', 'CONFIRMED'));
    expect(answer(c, 'TAX_CLEARANCE', 'CONFIRMED').kind).toBe('repeat');
    expect(answer(c, 'TAX_CLEARANCE', 'PENDING', 'TAX_UNPAID').kind).toBe('contradicts');
    expect(answer(c, 'TAX_CLEARANCE', 'REJECTED', 'TAX_ASSESSMENT_REFUSED').kind).toBe('contradicts');
  });

  it('REJECTED refuses with the department reason; answers to a cancelled request are not wanted', () => {
    const c = started();
    const rejected = answer(c, 'CONTRACT_FILING', 'REJECTED', 'CONTRACT_NOT_FILED');
    expect(rejected).toMatchObject({ kind: 'refuse', reasonCode: 'CONTRACT_NOT_FILED' });
    const cancelled = cancelOpenRequests(apply(c, rejected), AT);
    expect(cancelled.requests.TAX_CLEARANCE!.state).toBe('CANCELLED');
    expect(cancelled.requests.CONTRACT_FILING!.state).toBe('REJECTED');
    expect(answer(cancelled, 'TAX_CLEARANCE', 'CONFIRMED').kind).toBe('cancelled');
  });
});
