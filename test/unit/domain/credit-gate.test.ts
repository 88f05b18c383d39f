import { describe, expect, it } from 'vitest';
import {
  batchTooLarge,
  channelShutOff,
  expiredProbation,
  overDailyQuota,
  quotaCounterOf,
  quotaExceeded,
  standingGate,
} from '../../../functions/core/domain/credit-gate';
import { BUILT_IN_CREDIT_RULES, type ChannelStanding } from '../../../functions/core/domain/credit';

const since = '2026-12-01T00:00:00.000Z';
const standing = (s: Partial<ChannelStanding>): ChannelStanding => ({ grade: 'NORMAL', score: 100, since, ...s });

describe('standingGate', () => {
  it('is open with no standing and for NORMAL', () => {
    expect(standingGate(undefined)).toEqual({ kind: 'OPEN' });
    expect(standingGate(standing({ grade: 'NORMAL', score: 90 }))).toEqual({ kind: 'OPEN' });
  });

  it('refuses SHUT_OFF with the case and its scope (CHANNEL when the projection names none)', () => {
    expect(standingGate(standing({ grade: 'SHUT_OFF', caseNo: 'CS20261201ABCDEF01', scope: 'INSTITUTION' }))).toEqual({ kind: 'SHUT_OFF', caseNo: 'CS20261201ABCDEF01', scope: 'INSTITUTION' });
    expect(standingGate(standing({ grade: 'SHUT_OFF' }))).toEqual({ kind: 'SHUT_OFF', scope: 'CHANNEL' });
  });

  it('restricts WATCH and PROBATION', () => {
    expect(standingGate(standing({ grade: 'WATCH', score: 80 }))).toEqual({ kind: 'RESTRICTED', grade: 'WATCH' });
    expect(standingGate(standing({ grade: 'PROBATION', score: 75, probationUntil: '2027-03-01T00:00:00.000Z' }))).toEqual({ kind: 'RESTRICTED', grade: 'PROBATION' });
  });
});

describe('expiredProbation', () => {
  const now = new Date('2026-12-02T00:00:00.000Z');
  it('is undefined while the probation lasts, and for other grades', () => {
    expect(expiredProbation(standing({ grade: 'PROBATION', score: 75, probationUntil: '2026-12-03T00:00:00.000Z' }), BUILT_IN_CREDIT_RULES, now)).toBeUndefined();
    expect(expiredProbation(standing({ grade: 'WATCH', score: 75, probationUntil: '2026-11-03T00:00:00.000Z' }), BUILT_IN_CREDIT_RULES, now)).toBeUndefined();
  });
  it('once over, judges the score alone: WATCH below the watch threshold, NORMAL otherwise', () => {
    expect(expiredProbation(standing({ grade: 'PROBATION', score: 75, probationUntil: '2026-12-01T00:00:00.000Z' }), BUILT_IN_CREDIT_RULES, now)).toBe('WATCH');
    expect(expiredProbation(standing({ grade: 'PROBATION', score: 85, probationUntil: '2026-12-01T00:00:00.000Z' }), BUILT_IN_CREDIT_RULES, now)).toBe('NORMAL');
  });
});

describe('quota', () => {
  it('counts per channel and CST day, and waits until CST midnight', () => {
    // 2026-12-01T15:59:00Z is 23:59 CST on 1 December.
    expect(quotaCounterOf('ch-1', new Date('2026-12-01T15:59:00.000Z'))).toEqual({ key: 'credit-quota#ch-1#2026-12-01', expiresAt: Date.parse('2026-12-02T16:00:00.000Z') / 1000, retryAfterSeconds: 60 });
    // 16:00Z is midnight CST: the next day.
    expect(quotaCounterOf('ch-1', new Date('2026-12-01T16:00:00.000Z'))).toMatchObject({ key: 'credit-quota#ch-1#2026-12-02', retryAfterSeconds: 24 * 3600 });
  });

  it('holds a batch to maxBatchSize and the day to dailyQuota, the limits themselves allowed', () => {
    const restricted = { dailyQuota: 50, maxBatchSize: 20 };
    expect(batchTooLarge(restricted, 20)).toBe(false);
    expect(batchTooLarge(restricted, 21)).toBe(true);
    expect(overDailyQuota(restricted, 50)).toBe(false);
    expect(overDailyQuota(restricted, 51)).toBe(true);
  });
});

describe('answers', () => {
  it('403 CHANNEL_SHUT_OFF carries caseNo and scope and says what to do', () => {
    const error = channelShutOff({ caseNo: 'CS20261201ABCDEF01', scope: 'CHANNEL' });
    expect(error).toMatchObject({ status: 403, code: 'CHANNEL_SHUT_OFF', extras: { caseNo: 'CS20261201ABCDEF01', scope: 'CHANNEL' } });
    expect(error.detail).toContain('POST /v1/channel/rectifications');
  });

  it('429 QUOTA_EXCEEDED carries the quota; retryAfterSeconds only for the daily quota', () => {
    const quota = { dailyQuota: 50, usedToday: 45, maxBatchSize: 20 };
    expect(quotaExceeded('DAILY_QUOTA', 'WATCH', quota, 3600)).toMatchObject({ status: 429, code: 'QUOTA_EXCEEDED', extras: { quota, retryAfterSeconds: 3600 } });
    expect(quotaExceeded('BATCH_TOO_LARGE', 'PROBATION', quota).extras).toEqual({ quota });
  });
});
