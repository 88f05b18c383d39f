/**
 * Material checklists as data, through the real handlers (staff GET/PUT, channel submission, the intake
 * worker) with real-shaped events against the in-process emulators: an administrator publishes version 2
 * of MORTGAGE_CREATE requiring an extra material; a filing submitted before keeps version 1 and is
 * accepted without it; a filing submitted after is asked for a correction listing it. Other roles may
 * read but not publish; a stale baseVersion is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { filingRepositoryFromEnv } from '../../functions/adapters/dynamodb/filing-repository';
import { staffDirectoryFromEnv } from '../../functions/adapters/dynamodb/staff-directory';
import { LocalStaffIssuer } from '../../functions/adapters/identity/local-issuer';
import type { StaffRole } from '../../functions/core/domain/staff';
import { LOCAL_KEYRING_DIR_ENV } from '../../infra/topology';
import { mortgageCreateFiling, REQUIRED_MORTGAGE_MATERIALS } from '../../infra/local/seed/demo-filings';
import { checklistViewSchema } from '../../schemas/v1/checklist';
import { getChecklistEvent, putChecklistEvent } from '../support/checklist-events';
import { apigwFixture, lambdaContext, signedEvent, sqsFixture } from '../support/fixtures';
import { PEOPLE, startChannelWorld, UNITS, type ChannelWorld } from '../support/channel-world';
import { staffAccount } from '../support/staff-world';

type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

let world: ChannelWorld;
let submit: ApiHandler;
let getChecklist: ApiHandler;
let putChecklist: ApiHandler;
let intake: SqsHandler;
let issuer: LocalStaffIssuer;

const EXTRA = 'HOUSEHOLD_REGISTER';
const tokenOf = async (role: StaffRole) => (await issuer.issue(staffAccount(role, '370102'))).accessToken;
const codeOf = (response: APIGatewayProxyResult) => `${response.statusCode} ${(JSON.parse(response.body) as { code?: string }).code ?? 'OK'}`;

async function submitOne(filing: Record<string, unknown>) {
  const response = await submit(signedEvent(apigwFixture('submit-batch'), world.bank, { body: JSON.stringify({ filings: [filing] }) }), lambdaContext('submitBatch'));
  return (JSON.parse(response.body) as { items: { status: string; filingId?: string; errors?: { path: string; code: string }[] }[] }).items[0]!;
}

async function runIntake(filingId: string) {
  const event = sqsFixture('intake');
  event.Records[0]!.body = JSON.stringify({ v: 1, filingId });
  event.Records[0]!.messageId = `m-${filingId}`;
  expect(await intake(event, lambdaContext('intake'))).toEqual({ batchItemFailures: [] });
  return (await filingRepositoryFromEnv().get(filingId))!;
}

beforeAll(async () => {
  world = await startChannelWorld('zt-checklist-api');
  issuer = await LocalStaffIssuer.open(process.env[LOCAL_KEYRING_DIR_ENV]!);
  const directory = staffDirectoryFromEnv();
  for (const role of ['ADMIN', 'CLERK', 'AUDITOR'] as const) await directory.putStaff(staffAccount(role, '370102'));
  // Handlers read their environment at module load, as on Lambda: import them after the world is up.
  submit = (await import('../../functions/handlers/submit-batch')).handler as unknown as ApiHandler;
  getChecklist = (await import('../../functions/handlers/get-checklist')).handler as unknown as ApiHandler;
  putChecklist = (await import('../../functions/handlers/put-checklist')).handler as unknown as ApiHandler;
  intake = (await import('../../functions/workers/intake')).handler as unknown as SqsHandler;
});
afterAll(async () => world.stop());

describe('material checklists as data', () => {
  it('applies a new version only to filings submitted after it', async () => {
    // Prepare: before the change, the extra material is unknown, and a filing is submitted without it.
    const unknownBefore = await submitOne(
      mortgageCreateFiling({ clientRef: 'CL-unknown', unitCode: UNITS.owned, mortgagors: [PEOPLE.owner], materialTypes: [...REQUIRED_MORTGAGE_MATERIALS, EXTRA] }),
    );
    expect(unknownBefore).toMatchObject({ status: 'INVALID', errors: [{ path: `materials.${REQUIRED_MORTGAGE_MATERIALS.length}.type`, code: 'MATERIAL_TYPE_UNKNOWN' }] });
    const before = await submitOne(mortgageCreateFiling({ clientRef: 'CL-before', unitCode: UNITS.owned, mortgagors: [PEOPLE.owner] }));
    expect(before.status).toBe('SUBMITTED');

    // Act: the administrator publishes version 2, requiring the extra material.
    const published = await putChecklist(putChecklistEvent(await tokenOf('ADMIN')), lambdaContext('putChecklist'));
    expect(codeOf(published)).toBe('200 OK');
    const view = checklistViewSchema.parse(JSON.parse(published.body));
    expect(view.current).toMatchObject({ version: 2, publishedBy: 'staff:stf-370102-admin' });
    expect(view.current.required).toContain(EXTRA);
    expect(view.versions.map((v) => v.version)).toEqual([2, 1]);
    const after = await submitOne(mortgageCreateFiling({ clientRef: 'CL-after', unitCode: UNITS.coOwned, mortgagors: [PEOPLE.coOwnerA, PEOPLE.coOwnerB] }));
    expect(after.status).toBe('SUBMITTED');

    // Assess: each filing recorded its version and is judged by it.
    const beforeDecided = await runIntake(before.filingId!);
    expect(beforeDecided).toMatchObject({ checklistVersion: 1, status: 'READY_FOR_REVIEW' });
    const afterDecided = await runIntake(after.filingId!);
    expect(afterDecided).toMatchObject({ checklistVersion: 2, status: 'CORRECTION_REQUIRED', missingMaterials: [EXTRA] });
    // The new material type is now known at submission.
    const withExtra = await submitOne(
      mortgageCreateFiling({ clientRef: 'CL-extra', unitCode: UNITS.seized, mortgagors: [PEOPLE.seizedOwner], materialTypes: [...REQUIRED_MORTGAGE_MATERIALS, EXTRA] }),
    );
    expect(withExtra.status).toBe('SUBMITTED');
  });

  it('shows the checklist to every staff role, and lets only an administrator publish', async () => {
    const read = await getChecklist(getChecklistEvent(await tokenOf('CLERK'), 'PRESALE_NOTICE'), lambdaContext('getChecklist'));
    expect(codeOf(read)).toBe('200 OK');
    expect(checklistViewSchema.parse(JSON.parse(read.body)).current).toMatchObject({ version: 1, publishedBy: 'builtin' });
    for (const role of ['CLERK', 'AUDITOR'] as const) {
      expect(codeOf(await putChecklist(putChecklistEvent(await tokenOf(role), 'PRESALE_NOTICE', { baseVersion: 1, required: ['APPLICATION_FORM'], optional: [] }), lambdaContext('putChecklist')))).toBe(
        '403 ROLE_FORBIDDEN',
      );
    }
  });

  it('refuses a stale baseVersion with 409 CHECKLIST_VERSION_CONFLICT and changes nothing', async () => {
    const admin = await tokenOf('ADMIN');
    const body = { baseVersion: 1, required: ['APPLICATION_FORM', 'SURVEY_REPORT'], optional: [] };
    expect(codeOf(await putChecklist(putChecklistEvent(admin, 'FIRST_REGISTRATION', body), lambdaContext('putChecklist')))).toBe('200 OK');
    expect(codeOf(await putChecklist(putChecklistEvent(admin, 'FIRST_REGISTRATION', { ...body, required: ['APPLICATION_FORM'] }), lambdaContext('putChecklist')))).toBe(
      '409 CHECKLIST_VERSION_CONFLICT',
    );
    const view = checklistViewSchema.parse(JSON.parse((await getChecklist(getChecklistEvent(admin, 'FIRST_REGISTRATION'), lambdaContext('getChecklist'))).body));
    expect(view.current).toMatchObject({ version: 2, required: ['APPLICATION_FORM', 'SURVEY_REPORT'] });
  });

  it.each([
    ['a malformed code', { baseVersion: 1, required: ['application form'], optional: [] }],
    ['a type both required and optional', { baseVersion: 1, required: ['APPLICATION_FORM'], optional: ['APPLICATION_FORM'] }],
    ['more than 30 required types', { baseVersion: 1, required: Array.from({ length: 31 }, (_, i) => `DOC_${i}`), optional: [] }],
    ['a missing baseVersion', { required: [], optional: [] }],
    ['an extra field', { baseVersion: 1, required: [], optional: [], district: '370102' }],
  ])('refuses %s with 422 INVALID_BODY', async (_label, body) => {
    const response = await putChecklist(putChecklistEvent(await tokenOf('ADMIN'), 'TRANSFER_NEW', body), lambdaContext('putChecklist'));
    expect(codeOf(response)).toBe('422 INVALID_BODY');
    expect(response.body).not.toContain('application form');
  });

  it('answers a path that names no business type with 404 UNKNOWN_BUSINESS_TYPE, not echoing it', async () => {
    const response = await getChecklist(getChecklistEvent(await tokenOf('CLERK'), 'NOT_A_TYPE'), lambdaContext('getChecklist'));
    expect(codeOf(response)).toBe('404 UNKNOWN_BUSINESS_TYPE');
    expect(response.body).not.toContain('NOT_A_TYPE');
  });
});
