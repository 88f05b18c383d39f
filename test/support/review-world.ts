/**
 * A world for review, registration and e-certificate tests: the staff world (emulators, keyring, one
 * account per role in 370102 and 370103) plus a bank, a developer and an agency channel, and helpers to
 * seed units and ACCEPTED filings sealed exactly as intake stores them (people bound to the filing id).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { channelDirectoryFromEnv } from '../../functions/adapters/dynamodb/channel-directory';
import { filingRepositoryFromEnv } from '../../functions/adapters/dynamodb/filing-repository';
import { registerRepositoryFromEnv } from '../../functions/adapters/dynamodb/register-repository';
import { vaultFromEnv } from '../../functions/adapters/keys/personal-data-vault';
import { BUSINESS_TYPES_BY_INSTITUTION, type InstitutionType } from '../../functions/core/domain/business-types';
import type { FilingContent, FilingRecord, FilingStatus, SealedPerson } from '../../functions/core/domain/filing';
import type { PersonOwner, UnitView } from '../../functions/core/domain/register';
import type { Channel } from '../../functions/core/ports';
import { generateSm2KeyPair } from '../../functions/shared/crypto/sm2';
import { signedEvent, type Signer } from './fixtures';
import type { Person } from './channel-world';
import { startStaffWorld, type StaffWorld } from './staff-world';

export interface ReviewWorld extends StaffWorld {
  readonly bank: Channel & Signer;
  readonly developer: Channel & Signer;
  readonly agency: Channel & Signer;
}

function channel(channelId: string, institutionId: string, type: InstitutionType, uscc: string): Channel & Signer {
  const keys = generateSm2KeyPair();
  return {
    channelId,
    institutionId,
    institutionName: `${institutionId} 机构`,
    institutionType: type,
    uscc,
    status: 'ACTIVE',
    publicKey: keys.publicKey,
    privateKey: keys.privateKey,
    allowedBusinessTypes: BUSINESS_TYPES_BY_INSTITUTION[type],
    allowedDistricts: ['370102', '370103'],
  };
}

export async function startReviewWorld(prefix: string): Promise<ReviewWorld> {
  const staff = await startStaffWorld(prefix);
  const bank = channel('ch-rv-bank', 'INST-RV-BANK', 'BANK', '91370100MA3C8AXX1X');
  const developer = channel('ch-rv-dev', 'INST-RV-DEV', 'DEVELOPER', '91370100MA3C8DEV1X');
  const agency = channel('ch-rv-agency', 'INST-RV-AGENCY', 'AGENCY', '91370100MA3C8AGE1X');
  const directory = channelDirectoryFromEnv();
  for (const c of [bank, developer, agency]) {
    const { privateKey: _private, ...stored } = c;
    await directory.putChannel(stored);
  }
  return { ...staff, bank, developer, agency };
}

/** Register owners sealed as the register stores them (bound to the unit). */
export async function ownersOf(unitCode: string, people: readonly Person[]): Promise<PersonOwner[]> {
  const vault = await vaultFromEnv();
  const district = unitCode.slice(0, 6);
  return Promise.all(
    people.map(async (p) => ({
      name: await vault.seal(district, 'name', p.name, unitCode),
      idNumber: await vault.seal(district, 'idNumber', p.idNumber, unitCode),
      idIndex: await vault.blindIndex(district, 'idNumber', p.idNumber),
    })),
  );
}

export async function putUnit(unit: Partial<UnitView> & Pick<UnitView, 'unitCode'>): Promise<UnitView> {
  const full: UnitView = {
    version: 1,
    appliedFilings: [],
    district: unit.unitCode.slice(0, 6),
    status: 'REGISTERED',
    address: '济南市历下区示范路8号1单元101',
    areaM2: '96.20',
    owners: [],
    mortgages: [],
    seizures: [],
    ...unit,
  };
  await registerRepositoryFromEnv().putUnits([full]);
  return full;
}

/** People sealed as intake stores a filing's parties (bound to the filing id). */
export async function sealPeople(district: string, filingId: string, people: readonly Person[]): Promise<SealedPerson[]> {
  const vault = await vaultFromEnv();
  return Promise.all(
    people.map(async (p) => ({
      name: await vault.seal(district, 'name', p.name, filingId),
      idType: 'RESIDENT_ID' as const,
      idNumber: await vault.seal(district, 'idNumber', p.idNumber, filingId),
      idIndex: await vault.blindIndex(district, 'idNumber', p.idNumber),
    })),
  );
}

let counter = 0;

/**
 * Stores a filing accepted by intake and past coordination — READY_FOR_REVIEW, as review finds it — and
 * takes its unit's disposition lock.
 */
export async function acceptedFiling(
  by: Channel,
  unitCode: string,
  content: (filingId: string) => Promise<FilingContent>,
  status: FilingStatus = 'READY_FOR_REVIEW',
): Promise<FilingRecord> {
  counter += 1;
  const filingId = `F${process.pid.toString(16).toUpperCase().padStart(8, '0')}${String(counter).padStart(16, '0')}`;
  const at = new Date(Date.now() - 60_000).toISOString();
  const body = await content(filingId);
  const filing: FilingRecord = {
    filingId,
    channelId: by.channelId,
    institutionId: by.institutionId,
    institutionType: by.institutionType,
    clientRef: `rv-${counter}`,
    batchId: 'B-RV',
    businessType: body.businessType,
    unitCode,
    district: unitCode.slice(0, 6),
    content: body,
    materials: [],
    contentHash: 'cd'.repeat(32),
    status,
    createdAt: at,
    updatedAt: at,
    history: [
      { at, status: 'SUBMITTED', by: `channel:${by.channelId}` },
      ...(status === 'READY_FOR_REVIEW'
        ? [
            { at, status: 'ACCEPTED' as const, by: 'worker:intake' },
            { at, status, by: 'worker:lifecycle' },
          ]
        : [{ at, status, by: 'worker:intake' }]),
    ],
  };
  const repository = filingRepositoryFromEnv();
  await repository.putIfAbsent(filing);
  const lock = await repository.readDisposition(unitCode);
  if (!(await repository.writeDisposition(lock, { ...lock.holders, [filingId]: filing.businessType }))) throw new Error(`Could not lock ${unitCode} for ${filingId}`);
  return filing;
}

const root = resolve(import.meta.dirname, '../..');
const load = (name: string): APIGatewayProxyEvent => JSON.parse(readFileSync(resolve(root, 'events/apigw', `${name}.json`), 'utf8')) as APIGatewayProxyEvent;

function withAuthorization(event: APIGatewayProxyEvent, token: string): APIGatewayProxyEvent {
  event.headers = { ...event.headers, Authorization: `Bearer ${token}` };
  event.multiValueHeaders = Object.fromEntries(Object.entries(event.headers).map(([k, v]) => [k, [v ?? '']]));
  return event;
}

function onFiling(event: APIGatewayProxyEvent, filingId: string): APIGatewayProxyEvent {
  event.path = event.resource.replace('{filingId}', filingId);
  event.requestContext.path = `/${event.requestContext.stage}${event.path}`;
  event.pathParameters = { filingId };
  return event;
}

export const staffFilingEvent = (token: string, filingId: string): APIGatewayProxyEvent => withAuthorization(onFiling(load('get-staff-filing'), filingId), token);

export function reviewEvent(token: string, filingId: string, body: unknown): APIGatewayProxyEvent {
  const event = onFiling(load('review-filing'), filingId);
  event.body = typeof body === 'string' ? body : JSON.stringify(body);
  return withAuthorization(event, token);
}

export const certificateEvent = (signer: Signer, filingId: string): APIGatewayProxyEvent =>
  signedEvent(load('get-certificate'), signer, { path: `/v1/filings/${filingId}/certificate`, pathParameters: { filingId } });

export function verifyEvent(certificateNo: string, digest: string): APIGatewayProxyEvent {
  const event = load('verify-certificate');
  event.path = `/v1/certificates/${encodeURIComponent(certificateNo)}/verification`;
  event.pathParameters = { certificateNo };
  event.queryStringParameters = { digest };
  event.multiValueQueryStringParameters = { digest: [digest] };
  return event;
}
