/**
 * The credit worker at handler level on the emulators (DESIGN.md §4; 002 三(一)6): real-shaped SQS events
 * (events/sqs/credit.json) carrying credit.v1 signals, the real credit store, rules store, channel
 * directory and audit log on dynalite. What it protects: a signal delivered five times changes the score
 * once; a run of intake refusals moves a branch channel NORMAL → WATCH → SHUT_OFF exactly where the built-in
 * rules say, opens a case and projects the standing onto the channel record, while the institution's other
 * branch is untouched; an unparsable message, or the messages of a channel whose evaluation fails, fail
 * alone in the partial batch response.
 *
 * The notifications queue is replaced by a recorder here: its SQS adapter carries progress events only
 * (notification.v1) until the credit notices' message version lands (the webhook room); the recorder
 * keeps the notices the worker publishes so that this test can assert on them.
 */
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { auditRecordsOf } from '../support/audit-records';
import { channelDirectoryFromEnv } from '../../functions/adapters/dynamodb/channel-directory';
import { creditStoreFromEnv } from '../../functions/adapters/dynamodb/credit-store';
import { BUILT_IN_CREDIT_RULES, type CreditNotice, type CreditSignal } from '../../functions/core/domain/credit';
import type { Channel, NotificationQueue, WebhookEvent } from '../../functions/core/ports';
import { formatCreditMessage } from '../../schemas/messages/credit.v1';
import { lambdaContext, sqsFixture } from '../support/fixtures';
import { startTestEmulators, type TestEmulators } from '../support/emulators';

const published = vi.hoisted(() => [] as WebhookEvent[]);
vi.mock('../../functions/adapters/sqs/notification-queue', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../functions/adapters/sqs/notification-queue')>()),
  notificationQueueFromEnv: (): NotificationQueue => ({
    publish: async (events) => {
      published.push(...events);
    },
  }),
}));

type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

const INSTITUTION = 'inst-bank-credit';
const branch = (channelId: string, branchName: string): Channel => ({
  channelId,
  institutionId: INSTITUTION,
  institutionName: '示例银行',
  institutionType: 'BANK',
  uscc: '91370100MA3C000009',
  status: 'ACTIVE',
  publicKey: `04${'cd'.repeat(64)}`,
  allowedBusinessTypes: ['MORTGAGE_CREATE'],
  allowedDistricts: ['370102'],
  branchName,
});

let emulators: TestEmulators;
let worker: SqsHandler;
let messageCounter = 0;

/** A record of the SQS fixture carrying `body`, under a fresh message id. */
function recordOf(body: string, receiveCount = 1): SQSRecord {
  const [template] = sqsFixture('credit').Records;
  messageCounter += 1;
  return { ...template!, messageId: `msg-${messageCounter}`, body, attributes: { ...template!.attributes, ApproximateReceiveCount: String(receiveCount) } };
}
const eventOf = (...records: SQSRecord[]): SQSEvent => ({ Records: records });
const invoke = (event: SQSEvent) => worker(event, lambdaContext('creditWorker'));

/** An intake refusal of one filing, as the lifecycle signals it (signalId `<filingId>:<history entry>`). */
function refusal(channelId: string, n: number, at = new Date(Date.now() - 60_000 + n).toISOString()): CreditSignal {
  const filingId = `F${channelId.toUpperCase().replace(/[^A-Z0-9]/g, '')}${String(n).padStart(6, '0')}`;
  return { v: 1, signalId: `${filingId}:2`, channelId, kind: 'INTAKE_REFUSED', at, reasonCode: 'UNIT_SEIZED', evidence: { filingIds: [filingId], auditIds: [`${filingId}:2.1`] } };
}

beforeAll(async () => {
  emulators = await startTestEmulators('zt-credit-worker');
  const directory = channelDirectoryFromEnv();
  for (const id of ['ch-cw-dup', 'ch-cw-east', 'ch-cw-west', 'ch-cw-parse-a', 'ch-cw-parse-b']) await directory.putChannel(branch(id, `网点 ${id}`));
  worker = (await import('../../functions/workers/credit')).handler as unknown as SqsHandler;
});
afterAll(async () => emulators.stop());
beforeEach(() => {
  published.length = 0;
});

describe('credit worker', () => {
  it('takes the fixture: its signal is parsed and applied (an unknown channel fails that message only)', async () => {
    // The fixture names ch-bank-demo, which this world has not registered: the one record fails, and nothing is written.
    const result = await invoke(sqsFixture('credit'));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: sqsFixture('credit').Records[0]!.messageId }]);
    expect(await creditStoreFromEnv().getState('ch-bank-demo')).toBeUndefined();
  });

  it('changes the score once for a signal delivered five times (twice in one batch, then three more times)', async () => {
    // Prepare
    const body = formatCreditMessage(refusal('ch-cw-dup', 1));
    // Act
    const first = await invoke(eventOf(recordOf(body), recordOf(body)));
    const again = [];
    for (let i = 0; i < 3; i++) again.push(await invoke(eventOf(recordOf(body, i + 2))));
    // Assess
    expect(first.batchItemFailures).toEqual([]);
    expect(again.map((r) => r.batchItemFailures)).toEqual([[], [], []]);
    const store = creditStoreFromEnv();
    const state = await store.getState('ch-cw-dup');
    expect(state).toMatchObject({ score: BUILT_IN_CREDIT_RULES.startScore + BUILT_IN_CREDIT_RULES.points.INTAKE_REFUSED, grade: 'NORMAL' });
    expect(state?.outbox).toBeUndefined();
    const ledger = await store.listEvents('ch-cw-dup', '1970-01-01T00:00:00.000Z');
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ kind: 'INTAKE_REFUSED', points: BUILT_IN_CREDIT_RULES.points.INTAKE_REFUSED, reasonCode: 'UNIT_SEIZED', source: { type: 'AUTOMATIC', rule: 'INTAKE_REFUSED', rulesVersion: 1 } });
    // Counted once in the day's counts too (the refusal rate and the indicators read them).
    expect(Object.values(state!.days).reduce((sum, day) => sum + day.refused, 0)).toBe(1);
    const ledgerNotices = published.filter((e): e is CreditNotice => 'type' in e && e.type === 'CREDIT' && e.change === 'LEDGER_EVENT');
    expect(new Set(ledgerNotices.map((n) => n.eventId)).size).toBe(1);
  });

  it('moves a branch NORMAL → WATCH → SHUT_OFF on a run of refusals as the built-in rules say, opening a case; the other branch is untouched', async () => {
    const rules = BUILT_IN_CREDIT_RULES;
    const store = creditStoreFromEnv();
    const directory = channelDirectoryFromEnv();
    const grades: string[] = [];
    const scores: number[] = [];
    // Act: one refusal per invocation, each batch also carrying a clean acceptance of the other branch, until shut off.
    for (let n = 1; n <= 100 && grades.at(-1) !== 'SHUT_OFF'; n++) {
      const accepted: CreditSignal = { v: 1, signalId: `FWEST${String(n).padStart(6, '0')}:2`, channelId: 'ch-cw-west', kind: 'FILING_ACCEPTED', at: new Date(Date.now() - 30_000).toISOString(), evidence: { filingIds: [`FWEST${n}`] }, clean: true };
      const result = await invoke(eventOf(recordOf(formatCreditMessage(refusal('ch-cw-east', n))), recordOf(formatCreditMessage(accepted))));
      expect(result.batchItemFailures).toEqual([]);
      const state = await store.getState('ch-cw-east');
      grades.push(state!.grade);
      scores.push(state!.score);
    }
    // Assess: the score falls by the rule's points per refusal; WATCH below watchBelow; at the 20th decided
    // filing (refusalRate.minFilings) the refusal rate (100% > 30%) adds its own event, and the score falls
    // below shutOffBelow: SHUT_OFF.
    const expected = Array.from({ length: scores.length }, (_, i) => {
      const n = i + 1;
      return rules.startScore + n * rules.points.INTAKE_REFUSED + (n >= rules.refusalRate.minFilings ? rules.points.REFUSAL_RATE : 0);
    });
    expect(scores).toEqual(expected);
    const gradeOf = (score: number) => (score < rules.thresholds.shutOffBelow ? 'SHUT_OFF' : score < rules.thresholds.watchBelow ? 'WATCH' : 'NORMAL');
    expect(grades).toEqual(expected.map(gradeOf));
    expect(grades.indexOf('WATCH')).toBe(expected.findIndex((score) => score < rules.thresholds.watchBelow));
    expect(grades.indexOf('SHUT_OFF')).toBe(expected.findIndex((score) => score < rules.thresholds.shutOffBelow));
    expect(grades.at(-1)).toBe('SHUT_OFF');
    expect(grades.indexOf('WATCH')).toBeGreaterThan(0);

    const state = (await store.getState('ch-cw-east'))!;
    expect(state.openCaseNo).toMatch(/^CS\d{8}[0-9A-F]{8}$/);
    const creditCase = await store.getCase(state.openCaseNo!);
    expect(creditCase).toMatchObject({ scope: 'CHANNEL', channelId: 'ch-cw-east', institutionId: INSTITUTION, status: 'OPEN', reason: 'SCORE_BELOW_THRESHOLD', openedBy: 'registry:credit' });
    expect((await store.listCases({ channelId: 'ch-cw-east', limit: 10 })).items.map((c) => c.caseNo)).toEqual([state.openCaseNo]);
    // The gate's projection on the channel record (read with the channel on every signed request).
    const channel = await directory.get('ch-cw-east');
    expect(channel?.standing).toMatchObject({ grade: 'SHUT_OFF', score: expected.at(-1), caseNo: state.openCaseNo, scope: 'CHANNEL' });
    expect(channel).toMatchObject({ branchName: '网点 ch-cw-east', status: 'ACTIVE' });
    const ledger = await store.listEvents('ch-cw-east', '1970-01-01T00:00:00.000Z');
    expect(ledger.filter((e) => e.kind === 'INTAKE_REFUSED')).toHaveLength(scores.length);
    expect(ledger.filter((e) => e.kind === 'REFUSAL_RATE')).toHaveLength(1);

    // The other branch of the same institution: clean filings, still NORMAL at the start score.
    expect(await store.getState('ch-cw-west')).toMatchObject({ grade: 'NORMAL', score: rules.startScore });
    expect((await directory.get('ch-cw-west'))?.standing?.grade ?? 'NORMAL').toBe('NORMAL');

    // Every change is told: two grade changes and the case opening, on the channel's webhook feed and in the audit.
    const notices = published.filter((e): e is CreditNotice => 'type' in e && e.type === 'CREDIT' && e.channelId === 'ch-cw-east');
    expect(notices.filter((n) => n.change === 'GRADE_CHANGED').map((n) => n.grade)).toEqual(['WATCH', 'SHUT_OFF']);
    expect(notices.filter((n) => n.change === 'CASE_OPENED').map((n) => n.caseNo)).toEqual([state.openCaseNo]);
    const audit = await auditRecordsOf(INSTITUTION, new Date().toISOString().slice(0, 10));
    expect(audit.filter((r) => r.action === 'CREDIT_GRADE_CHANGED' && r.detail?.['channelId'] === 'ch-cw-east').map((r) => r.detail?.['to'])).toEqual(['WATCH', 'SHUT_OFF']);
    expect(audit.filter((r) => r.action === 'CHANNEL_SHUT_OFF' && r.target === state.openCaseNo)).toHaveLength(1);
  });

  it('fails an unparsable message alone, without its content in the log; the rest of the batch is applied', async () => {
    const out = vi.spyOn(process.stdout, 'write');
    const err = vi.spyOn(process.stderr, 'write');
    const bad = [
      recordOf('not json at all 370102198001011237'),
      recordOf(JSON.stringify({ ...refusal('ch-cw-parse-a', 1), mortgagorName: '张三丰' })),
      recordOf(JSON.stringify({ ...refusal('ch-cw-parse-a', 2), kind: 'SOMETHING_ELSE' })),
    ];
    const good = [recordOf(formatCreditMessage(refusal('ch-cw-parse-a', 3))), recordOf(formatCreditMessage(refusal('ch-cw-parse-b', 1)))];
    try {
      const result = await invoke(eventOf(good[0]!, ...bad, good[1]!));
      expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(bad.map((r) => r.messageId).sort());
      const written = [...out.mock.calls, ...err.mock.calls].map((call) => String(call[0])).join('');
      expect(written).toContain('Credit message does not parse');
      expect(written).not.toMatch(/370102198001011237|张三丰/);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
    const store = creditStoreFromEnv();
    const once = BUILT_IN_CREDIT_RULES.startScore + BUILT_IN_CREDIT_RULES.points.INTAKE_REFUSED;
    expect((await store.getState('ch-cw-parse-a'))?.score).toBe(once);
    expect((await store.getState('ch-cw-parse-b'))?.score).toBe(once);
  });

  it("fails only the messages of a channel whose evaluation fails, applying the other channels' signals", async () => {
    const unknown = [recordOf(formatCreditMessage(refusal('ch-cw-nobody', 1))), recordOf(formatCreditMessage(refusal('ch-cw-nobody', 2)))];
    const known = recordOf(formatCreditMessage(refusal('ch-cw-parse-b', 2)));
    const result = await invoke(eventOf(unknown[0]!, known, unknown[1]!));
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(unknown.map((r) => r.messageId).sort());
    expect((await creditStoreFromEnv().getState('ch-cw-parse-b'))?.score).toBe(BUILT_IN_CREDIT_RULES.startScore + 2 * BUILT_IN_CREDIT_RULES.points.INTAKE_REFUSED);
  });
});
