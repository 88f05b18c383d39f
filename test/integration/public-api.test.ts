/**
 * The citizen progress lookup (POST /v1/public/progress) through the real handler with real-shaped events
 * (events/apigw/lookup-progress.json) against the in-process emulators: a filing submitted through the
 * channel API is found with the right name and ID number; every mismatch answers the same bytes; the
 * 11th lookup of a minute from one address is refused; malformed input is refused without echo; every
 * lookup is audited without the name or ID number.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { auditRecordsOf } from '../support/audit-records';
import { mortgageCreateFiling } from '../../infra/local/seed/demo-filings';
import { progressViewSchema } from '../../schemas/v1/progress';
import { apigwFixture, lambdaContext, signedEvent } from '../support/fixtures';
import { PEOPLE, startChannelWorld, UNITS, type ChannelWorld } from '../support/channel-world';

type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

const fixture = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../events/apigw/lookup-progress.json'), 'utf8')) as APIGatewayProxyEvent;

let world: ChannelWorld;
let lookup: ApiHandler;
let filingId: string;
let addressCounter = 0;
/** A fresh client address per test, so rate limits of one test do not reach another. */
const freshAddress = () => `198.51.100.${++addressCounter}`;

function lookupEvent(body: unknown, options: { address?: string; headers?: Record<string, string> } = {}): APIGatewayProxyEvent {
  const event = structuredClone(fixture);
  event.body = typeof body === 'string' ? body : JSON.stringify(body);
  event.requestContext.identity.sourceIp = options.address ?? freshAddress();
  event.headers = { ...event.headers, ...options.headers };
  return event;
}
const call = (event: APIGatewayProxyEvent, context = lambdaContext('lookupProgress')) => lookup(event, context);
const owner = () => ({ businessNumber: filingId, name: PEOPLE.owner.name, idNumber: PEOPLE.owner.idNumber });

beforeAll(async () => {
  world = await startChannelWorld('zt-public');
  // Handlers read their environment at module load, as on Lambda: import them after the world is up.
  const submit = (await import('../../functions/handlers/submit-batch')).handler as unknown as ApiHandler;
  lookup = (await import('../../functions/handlers/lookup-progress')).handler as unknown as ApiHandler;
  const filing = mortgageCreateFiling({ clientRef: 'PUB-1', unitCode: UNITS.owned, mortgagors: [PEOPLE.owner] });
  const response = await submit(signedEvent(apigwFixture('submit-batch'), world.bank, { body: JSON.stringify({ filings: [filing] }) }), lambdaContext('submitBatch'));
  filingId = (JSON.parse(response.body) as { items: { filingId: string }[] }).items[0]!.filingId;
});
afterAll(async () => world.stop());
afterEach(() => {
  vi.useRealTimers();
});

describe('POST /v1/public/progress', () => {
  it('answers the filing’s progress, the applicant masked, to the right business number, name and ID number', async () => {
    const response = await call(lookupEvent(owner()));
    expect(response.statusCode).toBe(200);
    const body = progressViewSchema.parse(JSON.parse(response.body));
    expect(body).toEqual({
      businessNumber: filingId,
      businessType: 'MORTGAGE_CREATE',
      status: 'SUBMITTED',
      updatedAt: expect.any(String),
      unitCode: UNITS.owned,
      applicant: '张*丰',
      history: [{ at: body.updatedAt, status: 'SUBMITTED' }],
      // Nobody unmasked it (test/integration/misuse-api.test.ts shows a disclosure).
      disclosures: [],
    });
    expect(response.body).not.toContain(PEOPLE.owner.idNumber);
    expect(response.body).not.toContain(PEOPLE.owner.name);
    // Spaces around the name, as a citizen may type them, still match (names are trimmed as on submission).
    expect((await call(lookupEvent({ ...owner(), name: ` ${PEOPLE.owner.name} ` }))).statusCode).toBe(200);
  });

  it('answers no such filing, a wrong name and a wrong ID number with byte-identical 404s', async () => {
    const responses = await Promise.all([
      call(lookupEvent({ ...owner(), businessNumber: 'F000000000000000000000000' })),
      call(lookupEvent({ ...owner(), name: '张三' })),
      call(lookupEvent({ ...owner(), idNumber: PEOPLE.stranger.idNumber })),
      call(lookupEvent({ ...owner(), name: PEOPLE.stranger.name, idNumber: PEOPLE.stranger.idNumber })),
    ]);
    for (const response of responses) {
      expect(response.statusCode).toBe(404);
      expect(response.body).toBe(responses[0]!.body);
      expect(response.headers).toEqual(responses[0]!.headers);
    }
    expect(JSON.parse(responses[0]!.body)).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(responses[0]!.headers?.['content-type']).toBe('application/problem+json');
  });

  it('refuses the 11th lookup of a window from one address with 429 RATE_LIMITED and Retry-After; other addresses go on', async () => {
    // Prepare: a fixed time 15 s into a minute, so the ten lookups cannot straddle two windows.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-01-01T08:00:15.000Z'));
    const address = freshAddress();
    // Act: ten lookups (wrong name: they count whatever they answer), then the 11th.
    for (let i = 0; i < 10; i++) expect((await call(lookupEvent({ ...owner(), name: '某人' }, { address }))).statusCode).toBe(404);
    const refused = await call(lookupEvent(owner(), { address }));
    // Assess
    expect(refused.statusCode).toBe(429);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 45 });
    expect(refused.headers?.['retry-after']).toBe('45');
    expect((await call(lookupEvent(owner()))).statusCode).toBe(200);
    // The next window starts afresh.
    vi.setSystemTime(new Date('2030-01-01T08:01:00.000Z'));
    expect((await call(lookupEvent(owner(), { address }))).statusCode).toBe(200);
  });

  it('limits failures per business number across addresses: after 20 misses in an hour, even the right answer is 429, and other numbers go on', async () => {
    // Prepare: a fixed hour of its own, so failures of other tests do not count.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2031-03-03T03:00:10.000Z'));
    // Act: 20 wrong names, each from an address of its own (under every per-address limit).
    for (let i = 0; i < 20; i++) expect((await call(lookupEvent({ ...owner(), name: `某人${i}` }))).statusCode).toBe(404);
    const refused = await call(lookupEvent(owner()));
    // Assess
    expect(refused.statusCode).toBe(429);
    expect(JSON.parse(refused.body)).toMatchObject({ status: 429, code: 'RATE_LIMITED', retryAfterSeconds: 3590 });
    expect(refused.body).not.toContain(filingId);
    // A number nobody failed on is still looked up (and answers its own 404).
    expect((await call(lookupEvent({ ...owner(), businessNumber: 'F0123456789ABCDEF01234567' }))).statusCode).toBe(404);
    vi.setSystemTime(new Date('2031-03-03T04:00:00.000Z'));
    expect((await call(lookupEvent(owner()))).statusCode).toBe(200);
  });

  it.each([
    ['malformed JSON', () => lookupEvent('{"businessNumber":'), '400 MALFORMED_JSON'],
    ['a wrong content type', () => lookupEvent(owner(), { headers: { 'Content-Type': 'text/plain' } }), '415 UNSUPPORTED_MEDIA_TYPE'],
    ['an oversized body', () => lookupEvent({ ...owner(), name: '张'.repeat(2000) }), '413 PAYLOAD_TOO_LARGE'],
    ['a business number of the wrong form', () => lookupEvent({ ...owner(), businessNumber: 'f0123-张三丰' }), '422 INVALID_BODY'],
    ['an ID number with a wrong check digit', () => lookupEvent({ ...owner(), idNumber: '370102198001011230' }), '422 INVALID_BODY'],
    ['an extra field', () => lookupEvent({ ...owner(), phone: '13812345678' }), '422 INVALID_BODY'],
    ['a missing name', () => lookupEvent({ businessNumber: 'F0123456789ABCDEF01234567', idNumber: PEOPLE.owner.idNumber }), '422 INVALID_BODY'],
  ] as const)('answers %s with problem+json, never echoing the input', async (_label, event, expected) => {
    const response = await call(event());
    const body = JSON.parse(response.body) as { code: string };
    expect(`${response.statusCode} ${body.code}`).toBe(expected);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
    expect(response.body).not.toMatch(/张三丰|370102198001011230|13812345678|f0123/);
  });

  it('audits each lookup under the tenant `public` with a pseudonym of the address, never the name or ID number', async () => {
    const address = freshAddress();
    const ok = lambdaContext('lookupProgress');
    await call(lookupEvent(owner(), { address }), ok);
    const denied = lambdaContext('lookupProgress');
    await call(lookupEvent({ ...owner(), name: '张三' }, { address }), denied);
    const day = new Date().toISOString().slice(0, 10);
    const records = await auditRecordsOf('public', day);
    const okRecord = records.find((r) => r.detail?.requestId === ok.awsRequestId);
    const deniedRecord = records.find((r) => r.detail?.requestId === denied.awsRequestId);
    expect(okRecord).toMatchObject({ action: 'API_LOOKUP_PROGRESS', outcome: 'SUCCESS', target: filingId, actor: expect.stringMatching(/^citizen:[0-9a-f]{16}$/) });
    expect(deniedRecord).toMatchObject({ outcome: 'DENIED', actor: okRecord!.actor, detail: { status: 404, code: 'NOT_FOUND' } });
    expect(JSON.stringify(records)).not.toMatch(new RegExp(`${PEOPLE.owner.name}|${PEOPLE.owner.idNumber}|张三|${address.replaceAll('.', '\\.')}`));
  });
});
