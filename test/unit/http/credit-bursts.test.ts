/**
 * Edge bursts (functions/shared/http/credit-bursts.ts): which refusals count, for which channel, and that
 * only the (burst + 1)-th of a window sends a signal, with an id of its window.
 */
import { describe, expect, it } from 'vitest';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { BUILT_IN_CREDIT_RULES, type CreditRules, type CreditSignal } from '../../../functions/core/domain/credit';
import { ZtAuditedError, ZtError } from '../../../functions/core/domain/errors';
import type { CreditRulesStore } from '../../../functions/core/ports';
import { burstOf, countCreditBurst, type CreditBurstDeps } from '../../../functions/shared/http/credit-bursts';

const RULES: CreditRules = { ...BUILT_IN_CREDIT_RULES, signatureFailures: { burst: 2, windowMinutes: 10 }, rateLimitAbuse: { burst: 1, windowMinutes: 60 } };
const rulesStore: CreditRulesStore = { current: async () => RULES, version: async () => RULES, history: async () => [RULES], publish: async () => RULES };

const eventWith = (authorization?: string): APIGatewayProxyEvent => ({ headers: authorization ? { Authorization: authorization } : {} }) as unknown as APIGatewayProxyEvent;
const header = (channel: string) => `ZT-SM2 channel="${channel}",timestamp="1700000000",nonce="abcdefghijklmnop",signature="MEUCIQ=="`;
const badSignature = new ZtAuditedError(401, 'AUTH_FAILED', 'Unauthenticated', 'x', {}, 'AUTH_BAD_SIGNATURE');
const unknownChannel = new ZtAuditedError(401, 'AUTH_FAILED', 'Unauthenticated', 'x', {}, 'AUTH_UNKNOWN_CHANNEL');
const replay = new ZtError(401, 'AUTH_NONCE_REUSED', 'Unauthenticated', 'x');
const quota = new ZtError(429, 'QUOTA_EXCEEDED', 'Quota exceeded', 'x');

function world(startMs = Date.parse('2026-12-02T03:00:00.000Z')) {
  const counts = new Map<string, number>();
  const sent: CreditSignal[] = [];
  let nowMs = startMs;
  const deps: CreditBurstDeps = {
    rate: { increment: async (key) => counts.set(key, (counts.get(key) ?? 0) + 1).get(key)! },
    clock: { now: () => new Date(nowMs) },
    creditQueue: async () => ({ send: async (signals) => void sent.push(...signals) }),
    creditRules: async () => rulesStore,
  };
  return { deps, sent, advance: (ms: number) => (nowMs += ms) };
}

describe('burstOf', () => {
  it('counts replays for the channel of the header, quota answers for the authenticated channel; never a bad signature (anyone can claim an id)', () => {
    expect(burstOf(badSignature, eventWith(header('ch-1')), undefined)).toBeUndefined();
    expect(burstOf(replay, eventWith(header('ch-1')), undefined)).toEqual({ kind: 'SIGNATURE_FAILURES', channelId: 'ch-1' });
    expect(burstOf(quota, eventWith(header('ch-2')), 'ch-2')).toEqual({ kind: 'RATE_LIMIT_ABUSE', channelId: 'ch-2' });
  });

  it('counts nothing else: an unknown channel, other refusals, a header it cannot parse, a non-ZtError', () => {
    expect(burstOf(unknownChannel, eventWith(header('ch-1')), undefined)).toBeUndefined();
    expect(burstOf(new ZtError(401, 'AUTH_TIMESTAMP_OUT_OF_WINDOW', 'x', 'x'), eventWith(header('ch-1')), undefined)).toBeUndefined();
    expect(burstOf(replay, eventWith('ZT-SM2 channel="a",channel="b"'), undefined)).toBeUndefined();
    expect(burstOf(quota, eventWith(header('ch-2')), undefined)).toBeUndefined();
    expect(burstOf(new Error('boom'), eventWith(header('ch-1')), 'ch-1')).toBeUndefined();
  });
});

describe('countCreditBurst', () => {
  it('sends one signal at the (burst + 1)-th failure of a window, none after, and one again in the next window', async () => {
    const { deps, sent, advance } = world();
    const fail = () => countCreditBurst(deps, replay, eventWith(header('ch-1')), undefined, (e) => { throw e; });
    for (let i = 0; i < 5; i++) await fail();
    expect(sent).toEqual([
      { v: 1, signalId: 'SIGNATURE_FAILURES:ch-1:2026-12-02T03:00:00.000Z', channelId: 'ch-1', kind: 'SIGNATURE_FAILURES', at: '2026-12-02T03:00:00.000Z', evidence: { count: 3, window: '2026-12-02T03:00:00.000Z/2026-12-02T03:10:00.000Z' } },
    ]);
    advance(10 * 60_000);
    for (let i = 0; i < 3; i++) await fail();
    expect(sent.map((s) => s.signalId)).toEqual(['SIGNATURE_FAILURES:ch-1:2026-12-02T03:00:00.000Z', 'SIGNATURE_FAILURES:ch-1:2026-12-02T03:10:00.000Z']);
  });

  it('counts channels apart', async () => {
    const { deps, sent } = world();
    for (let i = 0; i < 2; i++) await countCreditBurst(deps, quota, eventWith(), 'ch-a', () => undefined);
    await countCreditBurst(deps, quota, eventWith(), 'ch-b', () => undefined);
    expect(sent.map((s) => s.signalId)).toEqual(['RATE_LIMIT_ABUSE:ch-a:2026-12-02T03:00:00.000Z']);
  });

  it('never throws: a failing queue is reported, the request keeps its own answer', async () => {
    const { deps } = world();
    const failures: unknown[] = [];
    const broken: CreditBurstDeps = { ...deps, creditQueue: async () => ({ send: async () => Promise.reject(new Error('queue down')) }) };
    for (let i = 0; i < 2; i++) await expect(countCreditBurst(broken, quota, eventWith(), 'ch-a', (e) => failures.push(e))).resolves.toBeUndefined();
    expect(failures).toHaveLength(1);
  });
});
