import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDocumentClient } from '../../../functions/adapters/aws-clients';
import { DynamoCreditRulesStore, DynamoCreditStore } from '../../../functions/adapters/dynamodb/credit-store';
import {
  BUILT_IN_CREDIT_RULES,
  initialCreditState,
  ledgerEventIdOf,
  type CreditAppeal,
  type CreditCase,
  type CreditGrade,
  type CreditRulesDraft,
  type CreditState,
  type LedgerEvent,
} from '../../../functions/core/domain/credit';
import type { InstitutionType } from '../../../functions/core/domain/business-types';
import { ZtError } from '../../../functions/core/domain/errors';
import { tableEnvVar } from '../../../infra/topology';
import { startTestEmulators, type TestEmulators } from '../../support/emulators';

const AT = '2026-11-23T09:00:00.000Z';
const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'OK',
    (e: unknown) => (e instanceof ZtError ? `${e.status} ${e.code}` : String(e)),
  );

const stateOf = (channelId: string, extra: Partial<CreditState> & { institutionId?: string; institutionType?: InstitutionType } = {}): CreditState => ({
  ...initialCreditState({ channelId, institutionId: extra.institutionId ?? 'inst-a', institutionType: extra.institutionType ?? 'BANK' }, BUILT_IN_CREDIT_RULES, AT),
  ...extra,
});

const eventOf = (channelId: string, cause: string, at: string, points = -2): LedgerEvent => ({
  eventId: ledgerEventIdOf(channelId, cause),
  channelId,
  institutionId: 'inst-a',
  kind: 'INTAKE_REFUSED',
  points,
  at,
  source: { type: 'AUTOMATIC', rule: 'INTAKE_REFUSED', rulesVersion: 1 },
  evidence: { filingIds: [`F-${cause}`], auditIds: [`F-${cause}:1`] },
  reasonCode: 'UNIT_SEIZED',
  cause,
});

const caseOf = (caseNo: string, openedAt: string, extra: Partial<CreditCase> = {}): CreditCase => ({
  caseNo,
  scope: 'CHANNEL',
  channelId: 'ch-case-1',
  institutionId: 'inst-case',
  status: 'OPEN',
  reason: 'SCORE_BELOW_THRESHOLD',
  detail: 'score below 60',
  evidence: { filingIds: ['F-1'] },
  openedAt,
  openedBy: 'registry:credit',
  rectifications: [],
  version: 1,
  ...extra,
});

const appealOf = (channelId: string, eventId: string, submittedAt: string): CreditAppeal => ({
  eventId,
  channelId,
  submittedAt,
  grounds: 'The unit was not seized when we filed.',
  status: 'PENDING',
});

/** Every item of a listing, following its cursors; counts the pages. */
async function drain<T>(list: (cursor?: string) => Promise<{ items: readonly T[]; nextCursor?: string }>): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await list(cursor);
    items.push(...page.items);
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor !== undefined && pages < 100);
  return { items, pages };
}

const tamper = (cursor: string, edit: (value: Record<string, unknown>) => Record<string, unknown>): string =>
  Buffer.from(JSON.stringify(edit(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>)), 'utf8').toString('base64url');

// One emulator for the file: the SDK's document client is built once per process, bound to its endpoint.
let emulators: TestEmulators;
let tableName: string;
beforeAll(async () => {
  emulators = await startTestEmulators('zt-credit');
  tableName = emulators.env[tableEnvVar('credit')]!;
});
afterAll(async () => emulators.stop());

describe('DynamoCreditStore', () => {
  let store: DynamoCreditStore;
  beforeAll(() => {
    store = new DynamoCreditStore({ client: dynamoDocumentClient(), tableName });
  });

  describe('channel state', () => {
    it('creates a state only when absent and answers it exactly, without storage keys', async () => {
      const state = stateOf('ch-state-1');
      expect(await store.getState('ch-state-1')).toBeUndefined();
      expect(await store.putState({ ...state, version: 1 }, 0)).toBe(true);
      expect(await store.getState('ch-state-1')).toStrictEqual({ ...state, version: 1 });
      // A second creator (expected 0) loses.
      expect(await store.putState({ ...state, score: 10, version: 1 }, 0)).toBe(false);
      expect((await store.getState('ch-state-1'))?.score).toBe(100);
    });

    it('writes on the expected version only, and always as expected + 1', async () => {
      expect(await store.putState(stateOf('ch-state-2'), 0)).toBe(true);
      expect((await store.getState('ch-state-2'))?.version).toBe(1);
      expect(await store.putState({ ...stateOf('ch-state-2'), score: 90, grade: 'NORMAL' }, 1)).toBe(true);
      // A writer that read version 1 too is refused: its update would be lost otherwise.
      expect(await store.putState({ ...stateOf('ch-state-2'), score: 50, grade: 'SHUT_OFF' }, 1)).toBe(false);
      expect(await store.getState('ch-state-2')).toMatchObject({ score: 90, version: 2 });
      // A version from the future is refused as well.
      expect(await store.putState(stateOf('ch-state-2'), 7)).toBe(false);
    });

    it('indexes the state by grade and score, and by institution type and institution', async () => {
      await store.putState(stateOf('ch-state-3', { score: 7, grade: 'SHUT_OFF', institutionId: 'inst-z', institutionType: 'AGENCY' }), 0);
      const { Item } = await dynamoDocumentClient().send(new GetCommand({ TableName: tableName, Key: { pk: 'CHANNEL#ch-state-3', sk: 'STATE' } }));
      expect(Item).toMatchObject({ gsi1pk: 'GRADE#SHUT_OFF', gsi1sk: '0007#ch-state-3', gsi2pk: 'TYPE#AGENCY', gsi2sk: 'inst-z#ch-state-3' });
    });
  });

  describe('pending outboxes', () => {
    it('lists a state while its outbox is pending and older than asked, and no longer once it is cleared', async () => {
      const outbox = { audits: [], notices: [] };
      await store.putState({ ...stateOf('ch-outbox-1'), updatedAt: '2026-12-01T00:00:00.000Z', outbox }, 0);
      await store.putState({ ...stateOf('ch-outbox-2'), updatedAt: '2026-12-01T00:10:00.000Z', outbox }, 0);
      await store.putState({ ...stateOf('ch-outbox-3'), updatedAt: '2026-12-01T00:00:00.000Z' }, 0);
      expect(await store.listPendingOutboxes('2026-12-01T00:05:00.000Z', 10)).toEqual(['ch-outbox-1']);
      expect((await store.listPendingOutboxes('2026-12-01T01:00:00.000Z', 10)).sort()).toEqual(['ch-outbox-1', 'ch-outbox-2']);
      expect(await store.putState({ ...stateOf('ch-outbox-1'), updatedAt: '2026-12-01T00:20:00.000Z' }, 1)).toBe(true);
      expect(await store.listPendingOutboxes('2026-12-01T01:00:00.000Z', 10)).toEqual(['ch-outbox-2']);
    });
  });

  describe('listStates', () => {
    // Its own institution type keeps these states apart from the other tests' (statesOfType below).
    const grades: Record<string, { score: number; grade: CreditGrade }> = {
      'ls-a': { score: 100, grade: 'NORMAL' },
      'ls-b': { score: 92, grade: 'NORMAL' },
      'ls-c': { score: 84, grade: 'WATCH' },
      'ls-d': { score: 70, grade: 'WATCH' },
      'ls-e': { score: 59, grade: 'SHUT_OFF' },
      'ls-f': { score: 75, grade: 'PROBATION' },
      'ls-g': { score: 92, grade: 'NORMAL' },
    };
    const mine = (items: readonly CreditState[]) => items.filter((s) => s.channelId.startsWith('ls-'));
    beforeAll(async () => {
      for (const [channelId, standing] of Object.entries(grades)) {
        expect(await store.putState(stateOf(channelId, { ...standing, institutionId: 'inst-ls', institutionType: 'DEVELOPER' }), 0)).toBe(true);
      }
      // A state that moves grade leaves its old grade's partition.
      expect(await store.putState(stateOf('ls-b', { score: 92, grade: 'NORMAL', institutionId: 'inst-ls', institutionType: 'DEVELOPER' }), 1)).toBe(true);
    });

    it('lists one grade lowest score first, page by page', async () => {
      const { items, pages } = await drain((cursor) => store.listStates({ grade: 'WATCH', limit: 1, ...(cursor ? { cursor } : {}) }));
      expect(mine(items).map((s) => s.channelId)).toEqual(['ls-d', 'ls-c']);
      expect(pages).toBeGreaterThanOrEqual(2);
    });

    it('merges every grade lowest score first, each state once, across pages of any size', async () => {
      for (const limit of [1, 2, 3, 50]) {
        const { items, pages } = await drain((cursor) => store.listStates({ limit, ...(cursor ? { cursor } : {}) }));
        const scores = items.map((s) => s.score);
        expect(scores).toEqual([...scores].sort((a, b) => a - b));
        expect(new Set(items.map((s) => s.channelId)).size).toBe(items.length);
        // Ties break by channel id: ls-b before ls-g at 92.
        expect(mine(items).map((s) => s.channelId)).toEqual(['ls-e', 'ls-d', 'ls-f', 'ls-c', 'ls-b', 'ls-g', 'ls-a']);
        expect(pages).toBe(Math.max(1, Math.ceil(items.length / limit)));
      }
    });

    it('answers no cursor on the last page', async () => {
      const page = await store.listStates({ grade: 'PROBATION', limit: 50 });
      expect(page.nextCursor).toBeUndefined();
    });

    it('refuses a cursor that was edited, is not ours, or belongs to another listing (400 CURSOR_INVALID)', async () => {
      const first = await store.listStates({ grade: 'NORMAL', limit: 1 });
      expect(first.nextCursor).toBeDefined();
      const cursor = first.nextCursor!;
      expect(await codeOf(store.listStates({ grade: 'SHUT_OFF', limit: 1, cursor }))).toBe('400 CURSOR_INVALID');
      expect(await codeOf(store.listStates({ limit: 1, cursor }))).toBe('400 CURSOR_INVALID');
      expect(await codeOf(store.listStates({ grade: 'NORMAL', limit: 1, cursor: 'not-a-cursor' }))).toBe('400 CURSOR_INVALID');
      expect(await codeOf(store.listStates({ grade: 'NORMAL', limit: 1, cursor: tamper(cursor, (v) => ({ ...v, s: 'states:WATCH' })) }))).toBe('400 CURSOR_INVALID');
      expect(await codeOf(store.listStates({ grade: 'NORMAL', limit: 1, cursor: tamper(cursor, (v) => ({ ...v, a: 42 })) }))).toBe('400 CURSOR_INVALID');
      expect(await codeOf(store.listStates({ grade: 'NORMAL', limit: 1, cursor: tamper(cursor, (v) => ({ ...v, a: '0000#x\u0000' })) }))).toBe('400 CURSOR_INVALID');
      expect(await codeOf(store.listStates({ grade: 'NORMAL', limit: 1, cursor: tamper(cursor, (v) => ({ ...v, extra: 1 })) }))).toBe('400 CURSOR_INVALID');
      expect(await codeOf(store.listStates({ grade: 'NORMAL', limit: 1, cursor }))).toBe('OK');
    });

    it('reads every state of an institution type, or of one institution of it', async () => {
      await store.putState(stateOf('ls-other', { institutionId: 'inst-ls2', institutionType: 'DEVELOPER' }), 0);
      const ofType = await store.statesOfType('DEVELOPER');
      expect(ofType.map((s) => s.channelId).sort()).toEqual(['ls-a', 'ls-b', 'ls-c', 'ls-d', 'ls-e', 'ls-f', 'ls-g', 'ls-other']);
      const ofInstitution = await store.statesOfType('DEVELOPER', 'inst-ls');
      expect(ofInstitution.map((s) => s.channelId).sort()).toEqual(['ls-a', 'ls-b', 'ls-c', 'ls-d', 'ls-e', 'ls-f', 'ls-g']);
      // A prefix of another institution's id does not match it.
      expect(await store.statesOfType('DEVELOPER', 'inst-l')).toEqual([]);
      expect(await store.statesOfType('DEVELOPER', 'inst-nobody')).toEqual([]);
      expect(ofType[0]).not.toHaveProperty('gsi2pk');
    });
  });

  describe('ledger', () => {
    it('records an event once: the second put answers the event in force, unchanged', async () => {
      const event = eventOf('ch-ledger-1', 'F-1:2', '2026-11-20T01:00:00.000Z');
      expect(await store.putEvent(event)).toStrictEqual({ created: true, event });
      const again = await store.putEvent({ ...event, points: -40, at: '2026-11-21T01:00:00.000Z' });
      expect(again).toStrictEqual({ created: false, event });
      expect(await store.getEvent('ch-ledger-1', event.eventId)).toStrictEqual(event);
      expect(await store.getEvent('ch-ledger-2', event.eventId)).toBeUndefined();
    });

    it('records each of five identical deliveries racing at once exactly once', async () => {
      const event = eventOf('ch-ledger-race', 'F-9:1', '2026-11-20T01:00:00.000Z');
      const results = await Promise.all(Array.from({ length: 5 }, () => store.putEvent(event)));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(await store.listEvents('ch-ledger-race', '1970-01-01T00:00:00.000Z')).toHaveLength(1);
    });

    it('lists the window oldest first, leaving out older events and other records of the channel', async () => {
      const channelId = 'ch-ledger-3';
      const times = ['2026-11-22T00:00:00.000Z', '2025-01-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z'];
      for (const [i, at] of times.entries()) await store.putEvent(eventOf(channelId, `F-${i}:1`, at));
      await store.putState(stateOf(channelId), 0);
      await store.createAppeal(appealOf(channelId, ledgerEventIdOf(channelId, 'F-0:1'), AT));
      const events = await store.listEvents(channelId, '2026-01-01T00:00:00.000Z');
      expect(events.map((e) => e.at)).toEqual(['2026-03-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z', '2026-11-22T00:00:00.000Z']);
      expect(events.every((e) => e.kind === 'INTAKE_REFUSED')).toBe(true);
      expect(events[0]).not.toHaveProperty('pk');
    });

    it('pages through a ledger larger than one query page', async () => {
      // About 1 KB each: 1,200 of them exceed a query page (1 MB), so listEvents must follow LastEvaluatedKey.
      const channelId = 'ch-ledger-big';
      const note = 'x'.repeat(900);
      const events = Array.from({ length: 1200 }, (_, i) => ({
        ...eventOf(channelId, `F-big-${i}:1`, new Date(Date.parse('2026-06-01T00:00:00.000Z') + i * 60_000).toISOString()),
        evidence: { note },
      }));
      for (let i = 0; i < events.length; i += 50) await Promise.all(events.slice(i, i + 50).map((e) => store.putEvent(e)));
      const first = await dynamoDocumentClient().send(
        new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `CHANNEL#${channelId}` } }),
      );
      expect(first.LastEvaluatedKey).toBeDefined();
      const listed = await store.listEvents(channelId, '2026-01-01T00:00:00.000Z');
      expect(listed).toHaveLength(1200);
      expect(listed.map((e) => e.at)).toEqual(events.map((e) => e.at));
    });
  });

  describe('institution sanctions', () => {
    it('creates when absent and updates on the expected version only', async () => {
      expect(await store.getInstitution('inst-s')).toBeUndefined();
      expect(await store.putInstitution({ institutionId: 'inst-s', openCaseNo: 'CS1', version: 1, updatedAt: AT }, 0)).toBe(true);
      expect(await store.putInstitution({ institutionId: 'inst-s', version: 1, updatedAt: AT }, 0)).toBe(false);
      expect(await store.putInstitution({ institutionId: 'inst-s', probationUntil: '2027-03-01T00:00:00.000Z', version: 2, updatedAt: AT }, 1)).toBe(true);
      expect(await store.putInstitution({ institutionId: 'inst-s', openCaseNo: 'CS2', version: 2, updatedAt: AT }, 1)).toBe(false);
      expect(await store.getInstitution('inst-s')).toStrictEqual({ institutionId: 'inst-s', probationUntil: '2027-03-01T00:00:00.000Z', version: 2, updatedAt: AT });
    });
  });

  describe('cases', () => {
    it('creates a case once and answers the case in force on a second create', async () => {
      const c = caseOf('CS20261123AAAA0001', '2026-11-23T01:00:00.000Z');
      expect(await store.createCase(c)).toStrictEqual({ created: true, creditCase: c });
      expect(await store.createCase({ ...c, detail: 'another' })).toStrictEqual({ created: false, creditCase: c });
      expect(await store.getCase(c.caseNo)).toStrictEqual(c);
      expect(await store.getCase('CS-nothing')).toBeUndefined();
    });

    it('updates a case on the expected version only, and moves it between status partitions', async () => {
      const c = caseOf('CS20261123AAAA0002', '2026-11-23T02:00:00.000Z', { channelId: 'ch-case-2', institutionId: 'inst-case-2' });
      await store.createCase(c);
      const submitted: CreditCase = {
        ...c,
        status: 'RECTIFICATION_SUBMITTED',
        rectifications: [{ rectificationId: 'RC0000000000000001', channelId: 'ch-case-2', submittedAt: AT, whatWasWrong: 'a', whatChanged: 'b', attachments: [{ name: 'plan.pdf', sm3: 'a'.repeat(64) }], status: 'SUBMITTED' }],
        version: 2,
      };
      expect(await store.updateCase(submitted, 1)).toBe(true);
      expect(await store.updateCase({ ...c, status: 'CLOSED', version: 2 }, 1)).toBe(false);
      expect(await store.getCase(c.caseNo)).toStrictEqual(submitted);
      const open = await drain((cursor) => store.listCases({ status: 'OPEN', limit: 10, ...(cursor ? { cursor } : {}) }));
      expect(open.items.map((x) => x.caseNo)).not.toContain(c.caseNo);
      const pending = await store.listCases({ status: 'RECTIFICATION_SUBMITTED', limit: 10 });
      expect(pending.items.map((x) => x.caseNo)).toContain(c.caseNo);
    });

    it('heals the references of a case whose first create crashed after the case write', async () => {
      const c = caseOf('CS20261123AAAA0003', '2026-11-23T03:00:00.000Z', { channelId: 'ch-case-crash', institutionId: 'inst-case-crash' });
      // Prepare: the case item alone, as a crash between the writes would leave it.
      await dynamoDocumentClient().send(
        new PutCommand({ TableName: tableName, Item: { pk: `CASE#${c.caseNo}`, sk: 'META', ...c, gsi3pk: 'CASES#OPEN', gsi3sk: `${c.openedAt}#${c.caseNo}` } }),
      );
      expect((await store.listCases({ channelId: 'ch-case-crash', limit: 10 })).items).toEqual([]);
      // Act: the retry.
      expect((await store.createCase(c)).created).toBe(false);
      // Assess
      expect((await store.listCases({ channelId: 'ch-case-crash', limit: 10 })).items).toStrictEqual([c]);
      expect((await store.listCases({ institutionId: 'inst-case-crash', limit: 10 })).items).toStrictEqual([c]);
    });

    it('lists cases newest first by status, by channel, by institution and all together, page by page', async () => {
      const inst = 'inst-list';
      const made = [
        caseOf('CS20261101LIST0001', '2026-11-01T00:00:00.000Z', { channelId: 'ch-list-1', institutionId: inst }),
        caseOf('CS20261102LIST0002', '2026-11-02T00:00:00.000Z', { channelId: 'ch-list-2', institutionId: inst, status: 'CLOSED' }),
        caseOf('CS20261103LIST0003', '2026-11-03T00:00:00.000Z', { channelId: 'ch-list-1', institutionId: inst, status: 'CLOSED' }),
        caseOf('CS20261104LIST0004', '2026-11-04T00:00:00.000Z', { scope: 'INSTITUTION', channelId: 'ch-list-2', institutionId: inst, reason: 'OFFICER_DECISION', openedBy: 'staff:officer' }),
        caseOf('CS20261105LIST0005', '2026-11-05T00:00:00.000Z', { scope: 'INSTITUTION', institutionId: inst, reason: 'OFFICER_DECISION', openedBy: 'staff:officer' }),
      ];
      for (const c of made) await store.createCase(c);
      const nos = (items: readonly CreditCase[]) => items.filter((c) => c.caseNo.includes('LIST')).map((c) => c.caseNo.slice(-4));
      for (const limit of [1, 2, 10]) {
        const list = (q: Omit<Parameters<DynamoCreditStore['listCases']>[0], 'limit' | 'cursor'>) =>
          drain((cursor) => store.listCases({ ...q, limit, ...(cursor ? { cursor } : {}) })).then((r) => r.items);
        expect(nos(await list({ institutionId: inst }))).toEqual(['0005', '0004', '0003', '0002', '0001']);
        expect(nos(await list({ channelId: 'ch-list-1' }))).toEqual(['0003', '0001']);
        expect(nos(await list({ channelId: 'ch-list-2', status: 'OPEN' }))).toEqual(['0004']);
        expect(nos(await list({ institutionId: inst, status: 'CLOSED' }))).toEqual(['0003', '0002']);
        expect(nos(await list({ status: 'CLOSED' }))).toEqual(['0003', '0002']);
        expect(nos(await list({}))).toEqual(['0005', '0004', '0003', '0002', '0001']);
        const all = await list({});
        const opened = all.map((c) => c.openedAt);
        expect(opened).toEqual([...opened].sort().reverse());
      }
      const first = await store.listCases({ institutionId: inst, limit: 2 });
      expect(await codeOf(store.listCases({ institutionId: 'inst-other', limit: 2, cursor: first.nextCursor! }))).toBe('400 CURSOR_INVALID');
      expect(await codeOf(store.listCases({ institutionId: inst, status: 'OPEN', limit: 2, cursor: first.nextCursor! }))).toBe('400 CURSOR_INVALID');
      expect(await codeOf(store.listCases({ limit: 2, cursor: first.nextCursor! }))).toBe('400 CURSOR_INVALID');
    });
  });

  describe('appeals', () => {
    it('creates one appeal per event: a second is refused and changes nothing', async () => {
      const appeal = appealOf('ch-appeal-1', 'CE000000000000000000000001', AT);
      expect(await store.createAppeal(appeal)).toBe(true);
      expect(await store.createAppeal({ ...appeal, grounds: 'again' })).toBe(false);
      expect(await store.getAppeal('ch-appeal-1', appeal.eventId)).toStrictEqual(appeal);
      expect(await store.getAppeal('ch-appeal-2', appeal.eventId)).toBeUndefined();
    });

    it('decides a PENDING appeal once: the second decision is refused', async () => {
      const appeal = appealOf('ch-appeal-1', 'CE000000000000000000000002', AT);
      await store.createAppeal(appeal);
      const reversed: CreditAppeal = { ...appeal, status: 'REVERSED', decidedAt: AT, decidedBy: 'staff:o1', reason: 'seizure lifted', reversalEventId: 'CE0000000000000000000000R2' };
      expect(await store.decideAppeal(reversed)).toBe(true);
      expect(await store.decideAppeal({ ...appeal, status: 'UPHELD', decidedAt: AT, decidedBy: 'staff:o2', reason: 'no' })).toBe(false);
      expect(await store.getAppeal('ch-appeal-1', appeal.eventId)).toStrictEqual(reversed);
      // An appeal never made cannot be decided into existence.
      expect(await store.decideAppeal({ ...reversed, eventId: 'CE000000000000000000000404' })).toBe(false);
      expect(await store.getAppeal('ch-appeal-1', 'CE000000000000000000000404')).toBeUndefined();
    });

    it('lists appeals newest first by status, by channel and all together, page by page', async () => {
      const made = [
        appealOf('ch-appeal-l1', 'CE0000000000000000000L0001', '2026-10-01T00:00:00.000Z'),
        appealOf('ch-appeal-l2', 'CE0000000000000000000L0002', '2026-10-02T00:00:00.000Z'),
        appealOf('ch-appeal-l1', 'CE0000000000000000000L0003', '2026-10-03T00:00:00.000Z'),
        appealOf('ch-appeal-l1', 'CE0000000000000000000L0004', '2026-10-04T00:00:00.000Z'),
      ];
      for (const a of made) expect(await store.createAppeal(a)).toBe(true);
      expect(await store.decideAppeal({ ...made[2]!, status: 'UPHELD', decidedAt: AT, decidedBy: 'staff:o', reason: 'stands' })).toBe(true);
      const ids = (items: readonly CreditAppeal[]) => items.filter((a) => a.eventId.includes('L000')).map((a) => a.eventId.slice(-2));
      for (const limit of [1, 3, 10]) {
        const list = (q: { status?: CreditAppeal['status']; channelId?: string }) => drain((cursor) => store.listAppeals({ ...q, limit, ...(cursor ? { cursor } : {}) })).then((r) => r.items);
        expect(ids(await list({ channelId: 'ch-appeal-l1' }))).toEqual(['04', '03', '01']);
        expect(ids(await list({ channelId: 'ch-appeal-l1', status: 'PENDING' }))).toEqual(['04', '01']);
        expect(ids(await list({ status: 'PENDING' }))).toEqual(['04', '02', '01']);
        expect(ids(await list({ status: 'UPHELD' }))).toEqual(['03']);
        expect(ids(await list({}))).toEqual(['04', '03', '02', '01']);
      }
      const first = await store.listAppeals({ status: 'PENDING', limit: 1 });
      expect(await codeOf(store.listAppeals({ status: 'UPHELD', limit: 1, cursor: first.nextCursor! }))).toBe('400 CURSOR_INVALID');
      expect(await codeOf(store.listAppeals({ channelId: 'ch-appeal-l1', limit: 1, cursor: first.nextCursor! }))).toBe('400 CURSOR_INVALID');
    });
  });
});

describe('DynamoCreditRulesStore', () => {
  const at = new Date(AT);
  const rules = (ttlMs = 0, nowMs?: () => number) => new DynamoCreditRulesStore({ client: dynamoDocumentClient(), tableName, currentTtlMs: ttlMs, ...(nowMs ? { nowMs } : {}) });
  const draft = (baseVersion: number, watchBelow = 80): CreditRulesDraft => {
    const { version: _v, publishedAt: _p, publishedBy: _b, note: _n, ...body } = BUILT_IN_CREDIT_RULES;
    return { ...body, thresholds: { ...body.thresholds, watchBelow }, baseVersion };
  };

  it('answers the built-in rules as version 1 while none is published, writing nothing', async () => {
    const s = rules();
    expect(await s.current()).toStrictEqual(BUILT_IN_CREDIT_RULES);
    expect(await s.version(1)).toStrictEqual(BUILT_IN_CREDIT_RULES);
    expect(await s.version(2)).toBeUndefined();
    expect(await s.history()).toStrictEqual([BUILT_IN_CREDIT_RULES]);
    const { Items } = await dynamoDocumentClient().send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'RULES' } }));
    expect(Items ?? []).toHaveLength(0);
  });

  it('publishes versions on top of the current one, keeps every version, and refuses a stale or future base with 409', async () => {
    const s = rules();
    const v2 = await s.publish({ ...draft(1, 80), note: 'watch earlier' }, 'staff:credit-1', at);
    expect(v2).toMatchObject({ version: 2, publishedBy: 'staff:credit-1', publishedAt: AT, note: 'watch earlier', thresholds: { watchBelow: 80 } });
    expect(v2).not.toHaveProperty('baseVersion');
    expect(await codeOf(s.publish(draft(1, 70), 'staff:credit-2', at))).toBe('409 CREDIT_RULES_VERSION_CONFLICT');
    expect(await codeOf(s.publish(draft(9, 70), 'staff:credit-2', at))).toBe('409 CREDIT_RULES_VERSION_CONFLICT');
    const v3 = await s.publish(draft(2, 90), 'staff:credit-2', at);
    expect(await s.current()).toStrictEqual(v3);
    expect((await s.history()).map((r) => r.version)).toEqual([3, 2, 1]);
    expect(await rules().version(2)).toStrictEqual(v2);
    expect((await rules().version(1))?.thresholds.watchBelow).toBe(BUILT_IN_CREDIT_RULES.thresholds.watchBelow);
  });

  it('lets exactly one of several concurrent publishers on the same base win', async () => {
    const base = (await rules().current()).version;
    const outcomes = await Promise.all(Array.from({ length: 5 }, (_, i) => codeOf(rules().publish(draft(base, 75 + i), `staff:${i}`, at))));
    expect(outcomes.filter((o) => o === 'OK')).toHaveLength(1);
    expect(outcomes.filter((o) => o === '409 CREDIT_RULES_VERSION_CONFLICT')).toHaveLength(4);
    expect(await rules().current()).toMatchObject({ version: base + 1, publishedBy: `staff:${outcomes.indexOf('OK')}` });
  });

  it('caches the current rules for their TTL; a publish through the same store is seen at once', async () => {
    let now = 0;
    const reader = rules(30_000, () => now);
    const before = (await reader.current()).version;
    await rules().publish(draft(before), 'staff:other-instance', at);
    expect((await reader.current()).version).toBe(before);
    now += 30_001;
    expect((await reader.current()).version).toBe(before + 1);
    await reader.publish(draft(before + 1), 'staff:this-instance', at);
    expect((await reader.current()).version).toBe(before + 2);
  });
});
