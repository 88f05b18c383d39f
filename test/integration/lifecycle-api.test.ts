/**
 * Corrections, withdrawal, the urgent lane and the sweeper (issue 3 items 6, 9) through the real handlers
 * and workers, with real-shaped events (events/), against the in-process emulators. The tests run in
 * order and share the world's units: each leaves the unit it used in a known state.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context, ScheduledEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { dynamoDocumentClient } from '../../functions/adapters/aws-clients';
import { filingRepositoryFromEnv } from '../../functions/adapters/dynamodb/filing-repository';
import { staffDirectoryFromEnv } from '../../functions/adapters/dynamodb/staff-directory';
import { LocalStaffIssuer } from '../../functions/adapters/identity/local-issuer';
import type { FilingRecord } from '../../functions/core/domain/filing';
import { toSqsRecord } from '../../infra/local/queue-poller';
import { mortgageCreateFiling, REQUIRED_MORTGAGE_MATERIALS } from '../../infra/local/seed/demo-filings';
import { LOCAL_KEYRING_DIR_ENV, tableEnvVar, type QueueName } from '../../infra/topology';
import { apigwFixture, lambdaContext, signedEvent } from '../support/fixtures';
import { PEOPLE, startChannelWorld, UNITS, type ChannelWorld } from '../support/channel-world';
import { staffAccount, staffPost } from '../support/staff-world';

type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
type ScheduledHandler = (event: ScheduledEvent, context: Context) => Promise<unknown>;

let world: ChannelWorld;
let issuer: LocalStaffIssuer;
let submit: ApiHandler;
let correct: ApiHandler;
let withdraw: ApiHandler;
let urgent: ApiHandler;
let intake: SqsHandler;
let sweeper: ScheduledHandler;
const sqs = new SQSClient({});

beforeAll(async () => {
  world = await startChannelWorld('zt-lifecycle');
  Object.assign(process.env, { SWEEPER_STALE_MINUTES: '10' });
  issuer = await LocalStaffIssuer.open(process.env[LOCAL_KEYRING_DIR_ENV]!);
  for (const district of ['370102', '370103']) await staffDirectoryFromEnv().putStaff(staffAccount('CLERK', district));
  // Handlers read their environment at module load, as on Lambda: import them after the world is up.
  submit = (await import('../../functions/handlers/submit-batch')).handler as unknown as ApiHandler;
  correct = (await import('../../functions/handlers/correct-filing')).handler as unknown as ApiHandler;
  withdraw = (await import('../../functions/handlers/withdraw-filing')).handler as unknown as ApiHandler;
  urgent = (await import('../../functions/handlers/mark-urgent')).handler as unknown as ApiHandler;
  intake = (await import('../../functions/workers/intake')).handler as unknown as SqsHandler;
  sweeper = (await import('../../functions/workers/sweeper')).handler as unknown as ScheduledHandler;
  await drain('intake');
});
afterAll(async () => world.stop());

let refCounter = 0;
const nextRef = (label: string) => `L-${label}-${++refCounter}`;
const body = (response: APIGatewayProxyResult) => JSON.parse(response.body) as Record<string, unknown>;
const outcome = (response: APIGatewayProxyResult) => `${response.statusCode} ${String(body(response).code ?? body(response).status)}`;
const stored = async (filingId: string) => (await filingRepositoryFromEnv().get(filingId))!;

async function submitOne(filing: Record<string, unknown>): Promise<string> {
  const response = await submit(signedEvent(apigwFixture('submit-batch'), world.bank, { body: JSON.stringify({ filings: [filing] }) }), lambdaContext('submitBatch'));
  return (body(response).items as { filingId: string }[])[0]!.filingId;
}

/** Receives (and deletes) everything on a queue. */
async function drain(queue: QueueName): Promise<Message[]> {
  const url = world.emulators.queueUrls[queue].url;
  const all: Message[] = [];
  for (;;) {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, AttributeNames: ['All'] }));
    if (!Messages?.length) return all;
    all.push(...Messages);
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
  }
}
const filingIdsOf = (messages: readonly Message[]) => messages.map((m) => (JSON.parse(m.Body!) as { filingId: string }).filingId);

/** Hands what is on a queue to the intake worker module, as the queue's event source mapping would. */
async function runIntake(queue: QueueName, functionName: string): Promise<string[]> {
  const messages = await drain(queue);
  if (messages.length > 0) {
    const event: SQSEvent = { Records: messages.map((m) => toSqsRecord(m, `arn:aws:sqs:cn-north-1:123456789012:${queue}`, 'cn-north-1')) };
    expect(await intake(event, lambdaContext(functionName))).toEqual({ batchItemFailures: [] });
  }
  return filingIdsOf(messages);
}

const post = (handler: ApiHandler, fixture: 'correct-filing' | 'withdraw-filing', suffix: string, filingId: string, payload: unknown, signer = world.bank) =>
  handler(
    signedEvent(apigwFixture(fixture), signer, { path: `/v1/filings/${filingId}/${suffix}`, pathParameters: { filingId }, body: JSON.stringify(payload) }),
    lambdaContext(fixture),
  );
const correction = (filingId: string, signer = world.bank) =>
  post(correct, 'correct-filing', 'corrections', filingId, { materials: [{ type: 'MORTGAGE_CONTRACT', ref: `oss://bank-a/${filingId}/mortgage.pdf`, sm3: 'ab'.repeat(32) }] }, signer);
const withdrawal = (filingId: string, payload: unknown = { reason: 'The borrower cancelled the loan.' }, signer = world.bank) =>
  post(withdraw, 'withdraw-filing', 'withdrawal', filingId, payload, signer);
const partialFiling = (unitCode: string, mortgagors: readonly { name: string; idNumber: string }[]) =>
  mortgageCreateFiling({ clientRef: nextRef('partial'), unitCode, mortgagors, materialTypes: REQUIRED_MORTGAGE_MATERIALS.filter((t) => t !== 'MORTGAGE_CONTRACT') });

/** Moves a filing's last change back in time (its worklist key included), as if it had waited that long. */
async function age(filing: FilingRecord, minutes: number, extra: Record<string, unknown> = {}): Promise<void> {
  const at = new Date(Date.now() - minutes * 60_000).toISOString();
  const sets = Object.keys(extra).map((k, i) => `#x${i} = :x${i}`);
  await dynamoDocumentClient().send(
    new UpdateCommand({
      TableName: process.env[tableEnvVar('filings')]!,
      Key: { pk: `FILING#${filing.filingId}`, sk: 'META' },
      UpdateExpression: `SET updatedAt = :at, gsi1sk = :gsk${sets.map((s) => `, ${s}`).join('')}`,
      ExpressionAttributeNames: Object.keys(extra).length > 0 ? Object.fromEntries(Object.keys(extra).map((k, i) => [`#x${i}`, k])) : undefined,
      ExpressionAttributeValues: { ':at': at, ':gsk': `${at}#${filing.filingId}`, ...Object.fromEntries(Object.values(extra).map((v, i) => [`:x${i}`, v])) },
    }),
  );
}

const scheduledEvent = (): ScheduledEvent => ({ ...(JSON.parse(readFileSync(resolve(import.meta.dirname, '../../events/eventbridge/scheduled.json'), 'utf8')) as ScheduledEvent), time: new Date().toISOString().slice(0, 19) + 'Z' });

describe('corrections', () => {
  let corrected: string;

  it('a correction before the deadline: 202 SUBMITTED, then intake runs again and accepts (the unit lock is already the filing’s)', async () => {
    corrected = await submitOne(partialFiling(UNITS.owned, [PEOPLE.owner]));
    await runIntake('intake', 'intake');
    expect(await stored(corrected)).toMatchObject({ status: 'CORRECTION_REQUIRED', missingMaterials: ['MORTGAGE_CONTRACT'] });

    const response = await correction(corrected);
    expect(outcome(response)).toBe('202 SUBMITTED');
    expect(body(response)).toMatchObject({ filingId: corrected, status: 'SUBMITTED' });
    const resubmitted = await stored(corrected);
    expect(resubmitted.missingMaterials).toBeUndefined();
    expect(resubmitted.correctionDeadline).toBeUndefined();
    expect(resubmitted.materials.map((m) => m.type)).toContain('MORTGAGE_CONTRACT');

    expect(await runIntake('intake', 'intake')).toEqual([corrected]);
    const accepted = await stored(corrected);
    // A mortgage needs no department result: accepted, it goes straight on to review.
    expect(accepted.status).toBe('READY_FOR_REVIEW');
    expect(accepted.history.map((h) => h.status)).toEqual(['SUBMITTED', 'CORRECTION_REQUIRED', 'SUBMITTED', 'ACCEPTED', 'READY_FOR_REVIEW']);
  });

  it('a correction of a filing that is not waiting for one: 409 FILING_NOT_CORRECTABLE; of another channel’s: 404', async () => {
    expect(outcome(await correction(corrected))).toBe('409 FILING_NOT_CORRECTABLE');
    expect(outcome(await correction(corrected, world.otherBank))).toBe('404 FILING_NOT_FOUND');
  });

  it('an overdue correction: the filing becomes REFUSED (CORRECTION_OVERDUE) and the request answers 409 CORRECTION_OVERDUE', async () => {
    const late = await submitOne(partialFiling(UNITS.coOwned, [PEOPLE.coOwnerA, PEOPLE.coOwnerB]));
    await runIntake('intake', 'intake');
    await age(await stored(late), 0, { correctionDeadline: '2026-01-02' });
    expect(outcome(await correction(late))).toBe('409 CORRECTION_OVERDUE');
    expect(await stored(late)).toMatchObject({ status: 'REFUSED', reasonCode: 'CORRECTION_OVERDUE' });
    expect(await drain('intake')).toEqual([]);
    // The unit is free again.
    expect((await filingRepositoryFromEnv().readDisposition(UNITS.coOwned)).holders).toEqual({});
  });

  describe('withdrawal', () => {
    it('withdraws an accepted filing, and frees its unit: a new filing on the unit is accepted', async () => {
      const response = await withdrawal(corrected);
      expect(outcome(response)).toBe('200 WITHDRAWN');
      expect((await stored(corrected)).history.at(-1)).toMatchObject({ status: 'WITHDRAWN', by: `channel:${world.bank.channelId}` });
      // Withdrawing again answers the same state.
      expect(outcome(await withdrawal(corrected, {}))).toBe('200 WITHDRAWN');

      const next = await submitOne(mortgageCreateFiling({ clientRef: nextRef('after'), unitCode: UNITS.owned, mortgagors: [PEOPLE.owner] }));
      await runIntake('intake', 'intake');
      expect((await stored(next)).status).toBe('READY_FOR_REVIEW');
      expect(outcome(await withdrawal(next))).toBe('200 WITHDRAWN');
    });

    it('refuses a filing that cannot be withdrawn (409), another channel’s (404), and a bad body (422)', async () => {
      const seized = await submitOne(mortgageCreateFiling({ clientRef: nextRef('seized'), unitCode: UNITS.seized, mortgagors: [PEOPLE.seizedOwner] }));
      await runIntake('intake', 'intake');
      expect(outcome(await withdrawal(seized))).toBe('409 FILING_NOT_WITHDRAWABLE');
      const mine = await submitOne(mortgageCreateFiling({ clientRef: nextRef('mine'), unitCode: UNITS.owned, mortgagors: [PEOPLE.owner] }));
      expect(outcome(await withdrawal(mine, {}, world.otherBank))).toBe('404 FILING_NOT_FOUND');
      expect(outcome(await withdrawal(mine, { reason: 'x'.repeat(201) }))).toBe('422 INVALID_BODY');
      expect(outcome(await withdrawal(mine))).toBe('200 WITHDRAWN');
      await drain('intake');
    });

    it.each([
      ['as written', `${PEOPLE.owner.name} cancelled the loan.`],
      ['with spaces', '张 三 丰 cancelled the loan.'],
      ['with full-width and zero-width characters', '张\u3000三\u200b丰 cancelled the loan.'],
    ])('refuses a reason naming a party of the filing (%s): 422 PERSONAL_DATA_IN_TEXT on reason, not echoed, the filing unchanged', async (_label, reason) => {
      const mine = await submitOne(mortgageCreateFiling({ clientRef: nextRef('named'), unitCode: UNITS.owned, mortgagors: [PEOPLE.owner] }));
      const before = await stored(mine);
      const response = await withdrawal(mine, { reason });
      expect(outcome(response)).toBe('422 INVALID_BODY');
      expect(body(response).errors).toEqual([expect.objectContaining({ path: 'reason', code: 'PERSONAL_DATA_IN_TEXT' })]);
      expect(response.body).not.toContain('三');
      expect(await stored(mine)).toEqual(before);
      expect(outcome(await withdrawal(mine, { reason: 'The borrower cancelled; 三方 agreed.' }))).toBe('200 WITHDRAWN');
      await drain('intake');
    });
  });
});

describe('the urgent lane', () => {
  const mark = async (district: string, filingId: string, reason = 'Court deadline') =>
    urgent(staffPost('mark-urgent', { token: (await issuer.issue(staffAccount('CLERK', district))).accessToken, filingId, body: { reason } }), lambdaContext('markUrgent'));

  it.each([
    ['as written', `${PEOPLE.coOwnerA.name}的法院期限`],
    ['with spaces', '王 小 明的法院期限'],
    ['with full-width and zero-width characters', '王\u3000小\u200b明的法院期限'],
  ])('a reason naming a party of the filing (%s) is refused: 422 PERSONAL_DATA_IN_TEXT on reason, not echoed, the filing unchanged, nothing enqueued', async (_label, reason) => {
    const filingId = await submitOne(mortgageCreateFiling({ clientRef: nextRef('urgent-named'), unitCode: UNITS.coOwned, mortgagors: [PEOPLE.coOwnerA, PEOPLE.coOwnerB] }));
    const before = await stored(filingId);
    const response = await mark('370103', filingId, reason);
    expect(outcome(response)).toBe('422 INVALID_BODY');
    expect(body(response).errors).toEqual([expect.objectContaining({ path: 'reason', code: 'PERSONAL_DATA_IN_TEXT' })]);
    expect(response.body).not.toContain('小');
    expect(await stored(filingId)).toEqual(before);
    expect(await drain('intakeUrgent')).toEqual([]);
    await withdrawal(filingId);
    await drain('intake');
  });

  it('a filing marked urgent lands on the urgent queue and is decided by the intakeUrgent worker', async () => {
    const filingId = await submitOne(mortgageCreateFiling({ clientRef: nextRef('urgent'), unitCode: UNITS.coOwned, mortgagors: [PEOPLE.coOwnerA, PEOPLE.coOwnerB] }));
    const response = await mark('370103', filingId);
    expect(response.statusCode).toBe(200);
    expect(body(response)).toMatchObject({ filingId, urgent: true, status: 'SUBMITTED' });
    expect(await stored(filingId)).toMatchObject({ urgent: true, urgentReason: 'Court deadline', urgentBy: 'staff:stf-370103-clerk' });

    expect(await runIntake('intakeUrgent', 'intakeUrgent')).toEqual([filingId]);
    expect((await stored(filingId)).status).toBe('READY_FOR_REVIEW');
    // The message of the normal lane, delivered later, changes nothing.
    expect(await runIntake('intake', 'intake')).toEqual([filingId]);
    expect((await stored(filingId)).history.map((h) => h.status)).toEqual(['SUBMITTED', 'ACCEPTED', 'READY_FOR_REVIEW']);
    await withdrawal(filingId);
  });

  it("staff of another district get 404, exactly like a missing filing, and nothing is enqueued", async () => {
    const filingId = await submitOne(mortgageCreateFiling({ clientRef: nextRef('cross'), unitCode: UNITS.coOwned, mortgagors: [PEOPLE.coOwnerA, PEOPLE.coOwnerB] }));
    const response = await mark('370102', filingId);
    expect(outcome(response)).toBe('404 FILING_NOT_FOUND');
    expect(body(response)).toEqual(body(await mark('370102', 'FNOSUCHFILING')));
    expect(await drain('intakeUrgent')).toEqual([]);
    expect((await stored(filingId)).urgent).toBeUndefined();
    expect(outcome(await mark('370103', 'FNOSUCHFILING'))).toBe('404 FILING_NOT_FOUND');
    await withdrawal(filingId);
    await drain('intake');
  });
});

describe('the sweeper', () => {
  it('re-enqueues a stranded SUBMITTED filing (no message anywhere), which intake then decides', async () => {
    const stranded = await submitOne(mortgageCreateFiling({ clientRef: nextRef('stranded'), unitCode: UNITS.owned, mortgagors: [PEOPLE.owner] }));
    await drain('intake'); // the message is lost
    const fresh = await submitOne(mortgageCreateFiling({ clientRef: nextRef('fresh'), unitCode: UNITS.seized, mortgagors: [PEOPLE.seizedOwner] }));
    await drain('intake');
    await age(await stored(stranded), 30);

    const result = await sweeper(scheduledEvent(), lambdaContext('sweeper'));
    expect(result).toMatchObject({ reenqueued: 1, reenqueuedUrgent: 0 });
    expect(await runIntake('intake', 'intake')).toEqual([stranded]);
    expect((await stored(stranded)).status).toBe('READY_FOR_REVIEW');
    // A filing submitted moments ago is not the sweeper's business yet.
    expect((await stored(fresh)).status).toBe('SUBMITTED');
  });

  it('refuses a correction past its deadline (CORRECTION_OVERDUE) and frees its unit; a second sweep changes nothing', async () => {
    const repository = filingRepositoryFromEnv();
    const waiting = await submitOne(partialFiling(UNITS.coOwned, [PEOPLE.coOwnerA, PEOPLE.coOwnerB]));
    await runIntake('intake', 'intake');
    expect((await stored(waiting)).status).toBe('CORRECTION_REQUIRED');
    await age(await stored(waiting), 60 * 24 * 10, { correctionDeadline: '2026-01-02' });

    expect(await sweeper(scheduledEvent(), lambdaContext('sweeper'))).toMatchObject({ refusedOverdue: 1 });
    const refused = await stored(waiting);
    expect(refused).toMatchObject({ status: 'REFUSED', reasonCode: 'CORRECTION_OVERDUE' });
    expect(refused.history.at(-1)).toMatchObject({ by: 'worker:sweeper' });
    expect((await repository.readDisposition(UNITS.coOwned)).holders).toEqual({});
    expect(await sweeper(scheduledEvent(), lambdaContext('sweeper'))).toMatchObject({ refusedOverdue: 0 });
  });
});
