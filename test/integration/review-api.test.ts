/**
 * Review, registration and e-certificates (issue 3 items 4–5) through the real handlers with
 * real-shaped events against the in-process emulators: approving each business type updates the
 * register and issues a certificate that the channel downloads and anyone verifies with the platform
 * key; refusal with a reason; district tenancy; a crash between saga steps healed by a retry; public
 * verification (genuine, current, wrong digest, unknown number, superseded).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDocumentClient } from '../../functions/adapters/aws-clients';
import { DynamoCertificateStore } from '../../functions/adapters/dynamodb/certificate-store';
import { filingRepositoryFromEnv } from '../../functions/adapters/dynamodb/filing-repository';
import { DynamoRegisterRepository, registerRepositoryFromEnv } from '../../functions/adapters/dynamodb/register-repository';
import { vaultFromEnv } from '../../functions/adapters/keys/personal-data-vault';
import { canonicalJson, CERTIFICATE_NUMBER, type JsonValue } from '../../functions/core/domain/certificate';
import type { FilingRecord } from '../../functions/core/domain/filing';
import { isPersonOwner } from '../../functions/core/domain/register';
import { mortgageIdFor, planRegistration } from '../../functions/core/domain/registration';
import { sm2Verify } from '../../functions/shared/crypto/sm2';
import { sm3Hex } from '../../functions/shared/crypto/sm3';
import { tableEnvVar } from '../../infra/topology';
import { certificateViewSchema, verificationViewSchema } from '../../schemas/v1/certificate';
import { filingViewSchema } from '../../schemas/v1/filing-view';
import { reviewResultSchema } from '../../schemas/v1/review';
import { PEOPLE } from '../support/channel-world';
import { lambdaContext } from '../support/fixtures';
import {
  acceptedFiling,
  certificateEvent,
  ownersOf,
  putUnit,
  reviewEvent,
  sealPeople,
  staffFilingEvent,
  startReviewWorld,
  verifyEvent,
  type ReviewWorld,
} from '../support/review-world';
import { DISTRICTS } from '../support/staff-world';

type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

let world: ReviewWorld;
let review: ApiHandler;
let getStaffFiling: ApiHandler;
let getCertificate: ApiHandler;
let verify: ApiHandler;
let reviewerToken: string;

const unitCode = (n: number, district = '370102') => `${district}007007GB00001F${String(n).padStart(8, '0')}`;
const body = (response: APIGatewayProxyResult) => JSON.parse(response.body) as Record<string, unknown>;
const code = (response: APIGatewayProxyResult) => `${response.statusCode} ${String(body(response).code ?? 'OK')}`;
const BANK_ORG = { name: '示范银行济南分行', uscc: '91370100MA3C8AXX1X' };
const MORTGAGE_TERMS = { mortgageType: 'GENERAL' as const, amountFen: '80000000', termStart: '2026-01-01', termEnd: '2046-01-01' };

beforeAll(async () => {
  world = await startReviewWorld('zt-review-api');
  review = (await import('../../functions/handlers/review-filing')).handler as unknown as ApiHandler;
  getStaffFiling = (await import('../../functions/handlers/get-staff-filing')).handler as unknown as ApiHandler;
  getCertificate = (await import('../../functions/handlers/get-certificate')).handler as unknown as ApiHandler;
  verify = (await import('../../functions/handlers/verify-certificate')).handler as unknown as ApiHandler;
  reviewerToken = await world.tokenFor(world.account('REVIEWER'));
});
afterAll(async () => world.stop());

const approve = async (filing: FilingRecord, token = reviewerToken) => review(reviewEvent(token, filing.filingId, { decision: 'APPROVE', note: '材料齐全' }), lambdaContext('reviewFiling'));

/** Approves, then downloads and checks the certificate: signature, digest, masking, verification. */
async function approveAndCertify(filing: FilingRecord) {
  const response = await approve(filing);
  expect(code(response)).toBe('200 OK');
  const result = reviewResultSchema.parse(body(response));
  expect(result).toMatchObject({ status: 'CERTIFIED', decision: 'APPROVE' });
  expect(result.certificateNo).toMatch(CERTIFICATE_NUMBER);
  const channel = [world.bank, world.developer, world.agency].find((c) => c.channelId === filing.channelId)!;
  const download = await getCertificate(certificateEvent(channel, filing.filingId), lambdaContext('getCertificate'));
  expect(download.statusCode).toBe(200);
  const certificate = certificateViewSchema.parse(body(download));
  const bytes = Buffer.from(canonicalJson(certificate.document as unknown as JsonValue), 'utf8');
  expect(sm3Hex(bytes)).toBe(certificate.digest);
  const check = verificationViewSchema.parse(body(await verify(verifyEvent(certificate.certificateNo, certificate.digest), lambdaContext('verifyCertificate'))));
  expect(sm2Verify(bytes, Buffer.from(certificate.signature, 'base64'), check.platformPublicKey)).toBe(true);
  expect(check).toMatchObject({ certificateNo: result.certificateNo, genuine: true, current: true, keyId: certificate.keyId });
  // No plaintext personal data anywhere in what is downloaded.
  for (const person of Object.values(PEOPLE)) {
    expect(download.body).not.toContain(person.idNumber);
    expect(download.body).not.toContain(person.name);
  }
  const stored = (await filingRepositoryFromEnv().get(filing.filingId))!;
  expect(stored.status).toBe('CERTIFIED');
  expect(stored.history.slice(-2).map((h) => `${h.status} ${h.by}`)).toEqual([`REGISTERED staff:${world.account('REVIEWER').staffId}`, `CERTIFIED staff:${world.account('REVIEWER').staffId}`]);
  // The unit's disposition lock no longer lists the filing: another filing can take it.
  expect((await filingRepositoryFromEnv().readDisposition(filing.unitCode)).holders).not.toHaveProperty(filing.filingId);
  return certificate;
}

const verification = async (certificateNo: string, digest: string) => verificationViewSchema.parse(body(await verify(verifyEvent(certificateNo, digest), lambdaContext('verifyCertificate'))));

describe('approving each business type', () => {
  it('MORTGAGE_CREATE → CHANGE → DISCHARGE: the mortgage is recorded, changed, discharged; each certificate supersedes the one before', async () => {
    // Prepare
    const unit = await putUnit({ unitCode: unitCode(1), owners: await ownersOf(unitCode(1), [PEOPLE.owner]) });
    const create = await acceptedFiling(world.bank, unit.unitCode, async (id) => ({
      businessType: 'MORTGAGE_CREATE',
      mortgagors: await sealPeople('370102', id, [PEOPLE.owner]),
      mortgagee: BANK_ORG,
      ...MORTGAGE_TERMS,
    }));
    // Act + Assess: create
    const first = await approveAndCertify(create);
    expect(first.document).toMatchObject({ kind: 'PROOF', kindName: '不动产登记证明', rightHolders: [BANK_ORG], obligors: [{ name: '张*丰', idNumber: '3701**********1237' }] });
    expect(first.certificateNo).toMatch(/^鲁\(\d{4}\)济南市历下区不动产证明第\d{7}号$/);
    const mortgageId = mortgageIdFor(create.filingId);
    expect((await registerRepositoryFromEnv().getUnit(unit.unitCode))!.mortgages).toEqual([
      expect.objectContaining({ mortgageId, holderInstitutionId: world.bank.institutionId, amountFen: '80000000', status: 'ACTIVE' }),
    ]);

    const change = await acceptedFiling(world.bank, unit.unitCode, async (id) => ({
      businessType: 'MORTGAGE_CHANGE',
      mortgageId,
      mortgagors: await sealPeople('370102', id, [PEOPLE.owner]),
      change: { amountFen: '60000000', termEnd: '2040-01-01' },
    }));
    const second = await approveAndCertify(change);
    expect(second.document.right).toMatchObject({ mortgageId, amountFen: '60000000', termEnd: '2040-01-01' });
    expect((await registerRepositoryFromEnv().getUnit(unit.unitCode))!.mortgages[0]).toMatchObject({ amountFen: '60000000', status: 'ACTIVE' });
    expect(await verification(first.certificateNo, first.digest)).toMatchObject({ genuine: true, current: false });

    const discharge = await acceptedFiling(world.bank, unit.unitCode, async () => ({ businessType: 'MORTGAGE_DISCHARGE', mortgageId, reason: 'REPAID' }));
    const third = await approveAndCertify(discharge);
    expect(third.document.right).toEqual({ mortgageId, status: 'DISCHARGED', reason: 'REPAID' });
    expect((await registerRepositoryFromEnv().getUnit(unit.unitCode))!.mortgages[0]).toMatchObject({ status: 'DISCHARGED' });
    // The discharge ends the mortgage: its last certificate is no longer current.
    expect(await verification(second.certificateNo, second.digest)).toMatchObject({ genuine: true, current: false });
  });

  it('PRESALE_NOTICE → PRESALE_MORTGAGE_NOTICE → FIRST_REGISTRATION → TRANSFER_NEW on one new home', async () => {
    const code1 = unitCode(2);
    const project = { projectId: 'QC-RV-01', developerInstitutionId: world.developer.institutionId, developerUscc: world.developer.uscc, developerName: '示范置业有限公司' };
    await putUnit({ unitCode: code1, status: 'SURVEYED', project });
    const buyers = [PEOPLE.coOwnerA, PEOPLE.coOwnerB];
    const buyerIndexes = (await sealPeople('370102', 'x', buyers)).map((b) => b.idIndex);

    const notice = await acceptedFiling(world.developer, code1, async (id) => ({
      businessType: 'PRESALE_NOTICE',
      buyers: await sealPeople('370102', id, buyers),
      seller: { name: '示范置业有限公司', uscc: world.developer.uscc },
      contractNo: 'YS-2026-0001',
      priceFen: '150000000',
    }));
    const noticeCertificate = await approveAndCertify(notice);
    expect(noticeCertificate.document).toMatchObject({ kind: 'PROOF', rightHolders: [{ name: '王*明' }, { name: '赵*' }] });
    let registered = (await registerRepositoryFromEnv().getUnit(code1))!;
    expect(registered.notices).toEqual([expect.objectContaining({ kind: 'PRESALE_NOTICE', status: 'ACTIVE', holderIndexes: buyerIndexes })]);

    const mortgageNotice = await acceptedFiling(world.bank, code1, async (id) => ({
      businessType: 'PRESALE_MORTGAGE_NOTICE',
      buyers: await sealPeople('370102', id, buyers),
      mortgagee: BANK_ORG,
      ...MORTGAGE_TERMS,
    }));
    await approveAndCertify(mortgageNotice);
    registered = (await registerRepositoryFromEnv().getUnit(code1))!;
    expect(registered.notices?.map((n) => `${n.kind} ${n.status} ${n.holderInstitutionId ?? '-'}`)).toEqual([
      'PRESALE_NOTICE ACTIVE -',
      `PRESALE_MORTGAGE_NOTICE ACTIVE ${world.bank.institutionId}`,
    ]);

    const first = await acceptedFiling(world.developer, code1, async () => ({ businessType: 'FIRST_REGISTRATION', projectId: 'QC-RV-01', completionRecordNo: 'JGBA-2026-0007' }));
    const title = await approveAndCertify(first);
    expect(title.certificateNo).toMatch(/不动产权第\d{7}号$/);
    expect(title.document).toMatchObject({ kind: 'TITLE', kindName: '不动产权证书', rightHolders: [{ name: '示范置业有限公司', uscc: world.developer.uscc }] });
    registered = (await registerRepositoryFromEnv().getUnit(code1))!;
    expect(registered).toMatchObject({ status: 'REGISTERED', owners: [{ kind: 'ORGANISATION', institutionId: world.developer.institutionId }] });

    const transfer = await acceptedFiling(world.developer, code1, async (id) => ({
      businessType: 'TRANSFER_NEW',
      buyers: await sealPeople('370102', id, buyers),
      contractNo: 'YS-2026-0001',
      priceFen: '150000000',
    }));
    const newTitle = await approveAndCertify(transfer);
    expect(newTitle.document.rightHolders).toHaveLength(2);
    registered = (await registerRepositoryFromEnv().getUnit(code1))!;
    // The buyers own the unit, sealed for the register record (bound to the unit, not to the filing).
    const vault = await vaultFromEnv();
    const owners = registered.owners.filter(isPersonOwner);
    expect(owners.map((o) => o.idIndex)).toEqual(buyerIndexes);
    expect(await Promise.all(owners.map((o) => vault.open('370102', 'name', o.name, code1)))).toEqual(buyers.map((b) => b.name));
    expect(registered.notices?.find((n) => n.kind === 'PRESALE_NOTICE')).toMatchObject({ status: 'CANCELLED', cancelledByFilingId: transfer.filingId });
    // Ownership passed: the developer's title and the buyers' presale notice are no longer current.
    expect(await verification(title.certificateNo, title.digest)).toMatchObject({ genuine: true, current: false });
    expect(await verification(noticeCertificate.certificateNo, noticeCertificate.digest)).toMatchObject({ genuine: true, current: false });
  });

  it('TRANSFER_RESALE: the buyers replace the sellers as owners', async () => {
    const code1 = unitCode(3);
    await putUnit({ unitCode: code1, owners: await ownersOf(code1, [PEOPLE.owner]) });
    const resale = await acceptedFiling(world.agency, code1, async (id) => ({
      businessType: 'TRANSFER_RESALE',
      sellers: await sealPeople('370102', id, [PEOPLE.owner]),
      buyers: await sealPeople('370102', id, [PEOPLE.stranger]),
      contractNo: 'CL-2026-0042',
      priceFen: '210000000',
    }));
    const certificate = await approveAndCertify(resale);
    expect(certificate.document).toMatchObject({ kind: 'TITLE', rightHolders: [{ name: '孙*空' }], obligors: [{ name: '张*丰' }] });
    const unit = (await registerRepositoryFromEnv().getUnit(code1))!;
    expect(unit.owners.filter(isPersonOwner).map((o) => o.idIndex)).toEqual((await sealPeople('370102', 'x', [PEOPLE.stranger])).map((p) => p.idIndex));
  });
});

describe('idempotency and the saga', () => {
  it('answers the same result when approving a CERTIFIED filing again, changing nothing', async () => {
    const code1 = unitCode(4);
    await putUnit({ unitCode: code1, owners: await ownersOf(code1, [PEOPLE.owner]) });
    const filing = await acceptedFiling(world.bank, code1, async (id) => ({ businessType: 'MORTGAGE_CREATE', mortgagors: await sealPeople('370102', id, [PEOPLE.owner]), mortgagee: BANK_ORG, ...MORTGAGE_TERMS }));
    const first = body(await approve(filing));
    const historyBefore = (await filingRepositoryFromEnv().get(filing.filingId))!.history;
    const again = body(await approve(filing));
    expect(again).toEqual(first);
    expect((await filingRepositoryFromEnv().get(filing.filingId))!.history).toEqual(historyBefore);
  });

  it('heals a crash between saga steps: the retry ends with one certificate, one register change, a consistent history', async () => {
    // Prepare: the certificate store fails once, after the register was written and the filing REGISTERED.
    const code1 = unitCode(5);
    await putUnit({ unitCode: code1, owners: await ownersOf(code1, [PEOPLE.owner]) });
    const filing = await acceptedFiling(world.bank, code1, async (id) => ({ businessType: 'MORTGAGE_CREATE', mortgagors: await sealPeople('370102', id, [PEOPLE.owner]), mortgagee: BANK_ORG, ...MORTGAGE_TERMS }));
    const crash = vi.spyOn(DynamoCertificateStore.prototype, 'putIfAbsent').mockRejectedValueOnce(new Error('simulated crash'));
    // Act: the first attempt fails midway
    expect(code(await approve(filing))).toBe('500 INTERNAL_ERROR');
    expect((await filingRepositoryFromEnv().get(filing.filingId))!.status).toBe('REGISTERED');
    crash.mockRestore();
    // Act: the retry resumes
    const retried = reviewResultSchema.parse(body(await approve(filing)));
    // Assess
    expect(retried.status).toBe('CERTIFIED');
    const { Items } = await dynamoDocumentClient().send(new ScanCommand({ TableName: process.env[tableEnvVar('certificates')]!, FilterExpression: 'filingId = :f', ExpressionAttributeValues: { ':f': filing.filingId } }));
    const certificates = (Items ?? []).filter((i) => String(i['pk']).startsWith('CERT#'));
    expect(certificates.map((c) => c['certificateNo'])).toEqual([retried.certificateNo]);
    const unit = (await registerRepositoryFromEnv().getUnit(code1))!;
    expect(unit.mortgages.map((m) => m.mortgageId)).toEqual([mortgageIdFor(filing.filingId)]);
    const history = (await filingRepositoryFromEnv().get(filing.filingId))!.history.map((h) => h.status);
    expect(history).toEqual(['SUBMITTED', 'ACCEPTED', 'READY_FOR_REVIEW', 'REGISTERED', 'CERTIFIED']);
  });

  it('heals a crash before the register write: the filing cannot be refused any more, and approving again completes it', async () => {
    const code1 = unitCode(11);
    await putUnit({ unitCode: code1, owners: await ownersOf(code1, [PEOPLE.owner]) });
    const filing = await acceptedFiling(world.bank, code1, async (id) => ({ businessType: 'MORTGAGE_CREATE', mortgagors: await sealPeople('370102', id, [PEOPLE.owner]), mortgagee: BANK_ORG, ...MORTGAGE_TERMS }));
    const crash = vi.spyOn(DynamoRegisterRepository.prototype, 'commit').mockRejectedValueOnce(new Error('simulated crash'));
    expect(code(await approve(filing))).toBe('500 INTERNAL_ERROR');
    crash.mockRestore();
    expect((await filingRepositoryFromEnv().get(filing.filingId))!.status).toBe('READY_FOR_REVIEW');
    const refusal = await review(reviewEvent(reviewerToken, filing.filingId, { decision: 'REFUSE', reasonCode: 'FALSE_MATERIALS' }), lambdaContext('reviewFiling'));
    expect(code(refusal)).toBe('409 REVIEW_IN_PROGRESS');
    const first = reviewResultSchema.parse(body(await approve(filing)));
    expect(first.status).toBe('CERTIFIED');
    expect((await registerRepositoryFromEnv().getUnit(code1))!.mortgages).toHaveLength(1);
  });

});

describe('approval against the register as it is at commit time (DESIGN.md §3)', () => {
  it('a transfer approved, then the former owner\'s mortgage (both accepted, as before the conflict rule): refused MORTGAGOR_NOT_OWNER, no mortgage recorded', async () => {
    // Prepare: both filings accepted on one unit (intake would now refuse the second as UNIT_DISPOSITION_PENDING).
    const code1 = unitCode(31);
    await putUnit({ unitCode: code1, owners: await ownersOf(code1, [PEOPLE.owner]) });
    const transfer = await acceptedFiling(world.agency, code1, async (id) => ({
      businessType: 'TRANSFER_RESALE',
      sellers: await sealPeople('370102', id, [PEOPLE.owner]),
      buyers: await sealPeople('370102', id, [PEOPLE.coOwnerA]),
      contractNo: 'HT-31',
      priceFen: '150000000',
    }));
    const mortgage = await acceptedFiling(world.bank, code1, async (id) => ({ businessType: 'MORTGAGE_CREATE', mortgagors: await sealPeople('370102', id, [PEOPLE.owner]), mortgagee: BANK_ORG, ...MORTGAGE_TERMS }));
    // Act
    expect(reviewResultSchema.parse(body(await approve(transfer))).status).toBe('CERTIFIED');
    const refused = await approve(mortgage);
    // Assess
    expect(code(refused)).toBe('409 APPROVAL_REFUSED');
    expect(body(refused)).toMatchObject({ status: 409, filingStatus: 'REVIEW_REFUSED', reasonCode: 'MORTGAGOR_NOT_OWNER' });
    expect(await filingRepositoryFromEnv().get(mortgage.filingId)).toMatchObject({ status: 'REVIEW_REFUSED', reasonCode: 'MORTGAGOR_NOT_OWNER' });
    const unit = (await registerRepositoryFromEnv().getUnit(code1))!;
    expect(unit.mortgages).toEqual([]);
    expect(unit.appliedFilings).toEqual([transfer.filingId]);
    expect(await new DynamoCertificateStore({ client: dynamoDocumentClient(), tableName: process.env[tableEnvVar('certificates')]! }).allocationOf(mortgage.filingId)).toBeUndefined();
    // Approving again answers the same refusal; the unit is free.
    expect(code(await approve(mortgage))).toBe('409 APPROVAL_REFUSED');
    expect((await filingRepositoryFromEnv().readDisposition(code1)).holders).toEqual({});
  });

  it('two approvals of one filing at once, one deciding on a stale unit: the filing ends as the register says (never refused with its change recorded)', async () => {
    // Prepare: a mortgage on a seized unit; approval A reads the seized unit, then (before A decides) the
    // seizure is lifted and approval B writes the register for the filing and stops (a crash before REGISTERED).
    const code1 = unitCode(34);
    await putUnit({ unitCode: code1, owners: await ownersOf(code1, [PEOPLE.owner]), seizures: [{ seizureId: 'S-34', court: '法院', status: 'ACTIVE' }] });
    const filing = await acceptedFiling(world.bank, code1, async (id) => ({ businessType: 'MORTGAGE_CREATE', mortgagors: await sealPeople('370102', id, [PEOPLE.owner]), mortgagee: BANK_ORG, ...MORTGAGE_TERMS }));
    const register = registerRepositoryFromEnv();
    const original = DynamoRegisterRepository.prototype.getUnit;
    let interleaved = false;
    const spy = vi.spyOn(DynamoRegisterRepository.prototype, 'getUnit').mockImplementation(async function (this: DynamoRegisterRepository, unitCode: string) {
      const unit = await original.call(this, unitCode);
      if (unitCode === code1 && !interleaved) {
        interleaved = true;
        const now = (await original.call(register, code1))!;
        await register.commit({ unitCode: code1, filingId: 'COURT-LIFT-34', expectedVersion: now.version, next: { ...now, seizures: [{ seizureId: 'S-34', court: '法院', status: 'LIFTED' }] } });
        const lifted = (await original.call(register, code1))!;
        expect(await register.commit(planRegistration(filing, { unit: lifted }).commit)).toBe('applied');
      }
      return unit;
    });
    // Act: approval A goes on with the seized view it read.
    const first = await approve(filing);
    spy.mockRestore();
    // Assess
    expect(body(first)).toMatchObject({ status: 'CERTIFIED' });
    const stored = (await filingRepositoryFromEnv().get(filing.filingId))!;
    expect(stored.status).toBe('CERTIFIED');
    const unit = (await register.getUnit(code1))!;
    expect(unit.appliedFilings).toEqual(['COURT-LIFT-34', filing.filingId]);
    expect(unit.refusals).toBeUndefined();
    expect(unit.mortgages).toHaveLength(1);
  });

  it('a presale mortgage notice relying on a presale notice accepted but not registered waits for it (409, not refused), then registers', async () => {
    const code1 = unitCode(35);
    const project = { projectId: 'QC-RV-35', developerInstitutionId: world.developer.institutionId, developerUscc: world.developer.uscc, developerName: '示范置业有限公司' };
    await putUnit({ unitCode: code1, status: 'SURVEYED', project });
    const buyers = [PEOPLE.coOwnerA];
    const notice = await acceptedFiling(world.developer, code1, async (id) => ({
      businessType: 'PRESALE_NOTICE',
      buyers: await sealPeople('370102', id, buyers),
      seller: { name: '示范置业有限公司', uscc: world.developer.uscc },
      contractNo: 'YS-2026-0035',
      priceFen: '150000000',
    }));
    const mortgageNotice = await acceptedFiling(world.bank, code1, async (id) => ({ businessType: 'PRESALE_MORTGAGE_NOTICE', buyers: await sealPeople('370102', id, buyers), mortgagee: BANK_ORG, ...MORTGAGE_TERMS }));
    // Act / Assess: the mortgage notice first is not registered and not refused.
    const early = await approve(mortgageNotice);
    expect(code(early)).toBe('409 PRESALE_NOTICE_NOT_REGISTERED');
    expect((await filingRepositoryFromEnv().get(mortgageNotice.filingId))!.status).toBe('READY_FOR_REVIEW');
    expect((await registerRepositoryFromEnv().getUnit(code1))!.notices ?? []).toEqual([]);
    // The presale notice, then the mortgage notice.
    expect(reviewResultSchema.parse(body(await approve(notice))).status).toBe('CERTIFIED');
    expect(reviewResultSchema.parse(body(await approve(mortgageNotice))).status).toBe('CERTIFIED');
    expect((await registerRepositoryFromEnv().getUnit(code1))!.notices?.map((n) => n.kind)).toEqual(['PRESALE_NOTICE', 'PRESALE_MORTGAGE_NOTICE']);
  });

  it('a seizure recorded after intake: the approval is refused UNIT_SEIZED and nothing is registered', async () => {
    const code1 = unitCode(32);
    await putUnit({ unitCode: code1, owners: await ownersOf(code1, [PEOPLE.owner]) });
    const filing = await acceptedFiling(world.bank, code1, async (id) => ({ businessType: 'MORTGAGE_CREATE', mortgagors: await sealPeople('370102', id, [PEOPLE.owner]), mortgagee: BANK_ORG, ...MORTGAGE_TERMS }));
    const register = registerRepositoryFromEnv();
    const before = (await register.getUnit(code1))!;
    await register.commit({ unitCode: code1, filingId: 'COURT-ORDER-32', expectedVersion: before.version, next: { ...before, seizures: [{ seizureId: 'S-32', court: '济南市历下区人民法院', status: 'ACTIVE' }] } });
    expect(body(await approve(filing))).toMatchObject({ code: 'APPROVAL_REFUSED', reasonCode: 'UNIT_SEIZED' });
    expect((await register.getUnit(code1))!.mortgages).toEqual([]);
  });

  it('a register write racing the approval (the unit changed between its read and its write) is decided again on the unit as it now is', async () => {
    const code1 = unitCode(33);
    await putUnit({ unitCode: code1, owners: await ownersOf(code1, [PEOPLE.owner]) });
    const filing = await acceptedFiling(world.bank, code1, async (id) => ({ businessType: 'MORTGAGE_CREATE', mortgagors: await sealPeople('370102', id, [PEOPLE.owner]), mortgagee: BANK_ORG, ...MORTGAGE_TERMS }));
    const register = registerRepositoryFromEnv();
    // Just before the approval's write, a court seizes the unit: the write at the old version is refused as stale.
    const original = DynamoRegisterRepository.prototype.commit;
    const race = vi.spyOn(DynamoRegisterRepository.prototype, 'commit').mockImplementationOnce(async function (this: DynamoRegisterRepository, commit) {
      const now = (await register.getUnit(code1))!;
      await original.call(register, { unitCode: code1, filingId: 'COURT-ORDER-33', expectedVersion: now.version, next: { ...now, seizures: [{ seizureId: 'S-33', court: '法院', status: 'ACTIVE' }] } });
      return original.call(this, commit);
    });
    const answer = await approve(filing);
    race.mockRestore();
    expect(body(answer)).toMatchObject({ code: 'APPROVAL_REFUSED', reasonCode: 'UNIT_SEIZED' });
    const unit = (await register.getUnit(code1))!;
    expect(unit.mortgages).toEqual([]);
    expect(unit.appliedFilings).toEqual(['COURT-ORDER-33']);
  });
});

describe('refusal, tenancy, roles', () => {
  it('refuses with a reason: REVIEW_REFUSED, lock released, the same answer again, approval then refused (409)', async () => {
    const code1 = unitCode(7);
    await putUnit({ unitCode: code1, owners: await ownersOf(code1, [PEOPLE.owner]) });
    const filing = await acceptedFiling(world.bank, code1, async (id) => ({ businessType: 'MORTGAGE_CREATE', mortgagors: await sealPeople('370102', id, [PEOPLE.owner]), mortgagee: BANK_ORG, ...MORTGAGE_TERMS }), 'READY_FOR_REVIEW');
    const refuse = () => review(reviewEvent(reviewerToken, filing.filingId, { decision: 'REFUSE', reasonCode: 'DATA_MISMATCH', note: '合同金额与申请不符' }), lambdaContext('reviewFiling'));
    expect(body(await refuse())).toEqual({ filingId: filing.filingId, decision: 'REFUSE', status: 'REVIEW_REFUSED', reasonCode: 'DATA_MISMATCH' });
    const stored = (await filingRepositoryFromEnv().get(filing.filingId))!;
    expect(stored).toMatchObject({ status: 'REVIEW_REFUSED', reasonCode: 'DATA_MISMATCH' });
    expect(stored.history.at(-1)).toMatchObject({ status: 'REVIEW_REFUSED', reasonCode: 'DATA_MISMATCH', note: '合同金额与申请不符' });
    expect((await filingRepositoryFromEnv().readDisposition(code1)).holders).toEqual({});
    expect(code(await refuse())).toBe('200 OK');
    expect(code(await approve(filing))).toBe('409 FILING_NOT_REVIEWABLE');
    expect((await registerRepositoryFromEnv().getUnit(code1))!.mortgages).toEqual([]);
  });

  it.each([
    ['a refusal without a reason', { decision: 'REFUSE' }],
    ['OTHER without a note', { decision: 'REFUSE', reasonCode: 'OTHER' }],
    ['an unknown decision', { decision: 'MAYBE' }],
    ['a note over 500 characters', { decision: 'APPROVE', note: '长'.repeat(501) }],
  ])('answers %s with 422 INVALID_BODY', async (_name, request) => {
    expect(code(await review(reviewEvent(reviewerToken, 'F61867E83DD0108A0ABA12D76', request), lambdaContext('reviewFiling')))).toBe('422 INVALID_BODY');
  });

  it.each([
    ['a resident ID number', `核对 ${PEOPLE.owner.idNumber} 的材料`],
    ['a phone number', '联系 138-1234-5678'],
  ])('refuses a note carrying %s: 422 PERSONAL_DATA_IN_TEXT, not echoed, nothing recorded', async (_name, note) => {
    const response = await review(reviewEvent(reviewerToken, 'F61867E83DD0108A0ABA12D76', { decision: 'REFUSE', reasonCode: 'OTHER', note }), lambdaContext('reviewFiling'));
    expect(code(response)).toBe('422 INVALID_BODY');
    expect(JSON.parse(response.body).errors).toEqual([expect.objectContaining({ path: 'note', code: 'PERSONAL_DATA_IN_TEXT' })]);
    expect(response.body).not.toMatch(/1381234|5678|\d{17}/);
  });

  it.each([
    ['a refusal note naming the mortgagor', 41, 'REFUSE', `${PEOPLE.owner.name}的合同金额不符`],
    ['a refusal note naming the mortgagor with spaces', 42, 'REFUSE', '张 三 丰的合同金额不符'],
    ['a refusal note naming the mortgagor with full-width and zero-width characters', 43, 'REFUSE', '张\u3000三\u200b丰的合同金额不符'],
    ['an approval note naming the mortgagor in full-width punctuation', 44, 'APPROVE', '张、三、丰材料齐全'],
  ] as const)('refuses %s: 422 PERSONAL_DATA_IN_TEXT on note, not echoed, the filing unchanged', async (_name, unit, decision, note) => {
    const code1 = unitCode(unit);
    await putUnit({ unitCode: code1, owners: await ownersOf(code1, [PEOPLE.owner]) });
    const filing = await acceptedFiling(world.bank, code1, async (id) => ({ businessType: 'MORTGAGE_CREATE', mortgagors: await sealPeople('370102', id, [PEOPLE.owner]), mortgagee: BANK_ORG, ...MORTGAGE_TERMS }), 'READY_FOR_REVIEW');
    const before = (await filingRepositoryFromEnv().get(filing.filingId))!;
    const request = decision === 'REFUSE' ? { decision, reasonCode: 'OTHER', note } : { decision, note };
    const response = await review(reviewEvent(reviewerToken, filing.filingId, request), lambdaContext('reviewFiling'));
    expect(code(response)).toBe('422 INVALID_BODY');
    expect(JSON.parse(response.body).errors).toEqual([expect.objectContaining({ path: 'note', code: 'PERSONAL_DATA_IN_TEXT' })]);
    expect(response.body).not.toContain('三');
    expect(await filingRepositoryFromEnv().get(filing.filingId)).toEqual(before);
    expect((await registerRepositoryFromEnv().getUnit(code1))!.mortgages).toEqual([]);
    // A note naming nobody decides as before.
    expect(code(await review(reviewEvent(reviewerToken, filing.filingId, { decision: 'REFUSE', reasonCode: 'OTHER', note: '合同金额不符，三方确认' }), lambdaContext('reviewFiling')))).toBe('200 OK');
  });

  it("answers another district's filing exactly like a missing one (404), for reading and reviewing", async () => {
    const code1 = unitCode(8);
    await putUnit({ unitCode: code1, owners: await ownersOf(code1, [PEOPLE.owner]) });
    const filing = await acceptedFiling(world.bank, code1, async (id) => ({ businessType: 'MORTGAGE_CREATE', mortgagors: await sealPeople('370102', id, [PEOPLE.owner]), mortgagee: BANK_ORG, ...MORTGAGE_TERMS }));
    const otherToken = await world.tokenFor(world.account('REVIEWER', DISTRICTS.other));
    const otherReview = await review(reviewEvent(otherToken, filing.filingId, { decision: 'APPROVE' }), lambdaContext('reviewFiling'));
    const missingReview = await review(reviewEvent(otherToken, 'F307E95C5BDC648E0133C8DF3', { decision: 'APPROVE' }), lambdaContext('reviewFiling'));
    expect(code(otherReview)).toBe('404 FILING_NOT_FOUND');
    expect(otherReview.body).toBe(missingReview.body);
    expect(code(await getStaffFiling(staffFilingEvent(otherToken, filing.filingId), lambdaContext('getStaffFiling')))).toBe('404 FILING_NOT_FOUND');
    expect((await filingRepositoryFromEnv().get(filing.filingId))!.status).toBe('READY_FOR_REVIEW');
    // Own district: the masked view.
    const own = await getStaffFiling(staffFilingEvent(await world.tokenFor(world.account('CLERK')), filing.filingId), lambdaContext('getStaffFiling'));
    expect(own.statusCode).toBe(200);
    expect(filingViewSchema.parse(body(own)).parties.mortgagors).toEqual([{ name: '张*丰', idType: 'RESIDENT_ID', idNumber: '3701**********1237' }]);
    expect(own.body).not.toContain(PEOPLE.owner.idNumber);
  });

  it('refuses a clerk (403 ROLE_FORBIDDEN) and serves no certificate of another channel or of an uncertified filing', async () => {
    const code1 = unitCode(9);
    await putUnit({ unitCode: code1, owners: await ownersOf(code1, [PEOPLE.owner]) });
    const filing = await acceptedFiling(world.bank, code1, async (id) => ({ businessType: 'MORTGAGE_CREATE', mortgagors: await sealPeople('370102', id, [PEOPLE.owner]), mortgagee: BANK_ORG, ...MORTGAGE_TERMS }));
    expect(code(await approve(filing, await world.tokenFor(world.account('CLERK'))))).toBe('403 ROLE_FORBIDDEN');
    expect(code(await getCertificate(certificateEvent(world.bank, filing.filingId), lambdaContext('getCertificate')))).toBe('404 CERTIFICATE_NOT_FOUND');
    await approve(filing);
    expect(code(await getCertificate(certificateEvent(world.agency, filing.filingId), lambdaContext('getCertificate')))).toBe('404 CERTIFICATE_NOT_FOUND');
    expect(code(await getCertificate(certificateEvent(world.bank, filing.filingId), lambdaContext('getCertificate')))).toBe('200 OK');
  });
});

describe('public verification', () => {
  it('answers genuine: false in the same shape for a wrong digest and an unknown number, revealing nothing', async () => {
    const code1 = unitCode(10);
    await putUnit({ unitCode: code1, owners: await ownersOf(code1, [PEOPLE.owner]) });
    const filing = await acceptedFiling(world.bank, code1, async (id) => ({ businessType: 'MORTGAGE_CREATE', mortgagors: await sealPeople('370102', id, [PEOPLE.owner]), mortgagee: BANK_ORG, ...MORTGAGE_TERMS }));
    const { certificateNo } = reviewResultSchema.parse(body(await approve(filing)));
    const wrong = await verify(verifyEvent(certificateNo!, 'ab'.repeat(32)), lambdaContext('verifyCertificate'));
    const unknown = await verify(verifyEvent('鲁(2026)济南市历下区不动产证明第9999999号', 'ab'.repeat(32)), lambdaContext('verifyCertificate'));
    expect(body(wrong)).toMatchObject({ certificateNo, genuine: false, current: false });
    expect(Object.keys(body(unknown)).sort()).toEqual(Object.keys(body(wrong)).sort());
    expect(body(unknown)).toMatchObject({ genuine: false, current: false });
    expect(wrong.body).not.toMatch(/unitCode|address|张/);
  });

  it('refuses a malformed digest (400 INVALID_QUERY) without authentication being asked', async () => {
    expect(code(await verify(verifyEvent('鲁(2026)济南市历下区不动产证明第0000001号', 'not-hex'), lambdaContext('verifyCertificate')))).toBe('400 INVALID_QUERY');
  });

  it('answers a 2 KB certificate number and prototype-named query parameters with problems, never a 500', async () => {
    const digest = 'a'.repeat(64);
    expect(code(await verify(verifyEvent('鲁'.repeat(2048), digest), lambdaContext('verifyCertificate')))).toBe('404 CERTIFICATE_NOT_FOUND');
    const event = verifyEvent('鲁(2026)济南市历下区不动产证明第0000001号', digest);
    event.multiValueQueryStringParameters = { digest: [digest], constructor: ['x'], ['__proto__']: ['y'] };
    event.queryStringParameters = { digest, constructor: 'x', ['__proto__']: 'y' };
    expect(code(await verify(event, lambdaContext('verifyCertificate')))).toBe('400 INVALID_QUERY');
  });

  it('rate-limits verification per address: the 61st check of a minute answers 429 RATE_LIMITED with Retry-After', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date('2032-05-05T05:05:05.000Z'));
      const from = () => {
        const event = verifyEvent('鲁(2026)济南市历下区不动产证明第0000009号', 'b'.repeat(64));
        event.requestContext.identity.sourceIp = '203.0.113.200';
        return event;
      };
      for (let i = 0; i < 60; i++) expect((await verify(from(), lambdaContext('verifyCertificate'))).statusCode).toBe(200);
      const refused = await verify(from(), lambdaContext('verifyCertificate'));
      expect(code(refused)).toBe('429 RATE_LIMITED');
      expect(refused.headers?.['retry-after']).toBe('55');
    } finally {
      vi.useRealTimers();
    }
  });
});
