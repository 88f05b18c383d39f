/**
 * First-start seeding of the local runtime: the demo register (sealed, never plaintext) with the demo
 * developer's project, the three demo institutions with their channels (two branch channels for the bank),
 * demo staff, and the channels'
 * SM2 key pairs and the staff passwords written to `.data/demo/credentials.json` for the demo, the bench
 * and your own client, with the sandbox register beside it (`sandbox.json`, see sandbox.ts). Runs once per
 * data directory; on a data directory seeded before, it only refreshes those two files.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDocumentClient } from '../../../functions/adapters/aws-clients';
import { channelDirectoryFromEnv } from '../../../functions/adapters/dynamodb/channel-directory';
import { registerRepositoryFromEnv } from '../../../functions/adapters/dynamodb/register-repository';
import { staffDirectoryFromEnv } from '../../../functions/adapters/dynamodb/staff-directory';
import { hashPassword } from '../../../functions/adapters/identity/password-hash';
import { vaultFromEnv } from '../../../functions/adapters/keys/personal-data-vault';
import { generateSm2KeyPair } from '../../../functions/shared/crypto/sm2';
import { mapWithConcurrency } from '../../../functions/core/concurrency';
import type { PersonalDataVault } from '../../../functions/core/ports';
import type { RegisteredOwner } from '../../../functions/core/domain/register';
import type { SeedUnit } from '../../../functions/adapters/dynamodb/register-repository';
import { getStringFromEnv } from '../../../functions/shared/config';
import { tableEnvVar } from '../../topology';
import { demoProjectUnitViews } from './seed-projects';
import { channelFacts, demoInstitutions, demoRegister, demoStaff, SEIZURE_COURT, seizureIdOf, type DemoInstitution, type DemoPerson, type DemoUnit } from './demo-data';
import { writeSandbox } from './sandbox';

export interface DemoCredentials {
  readonly note: string;
  readonly channels: readonly {
    channelId: string;
    institutionId: string;
    institutionName: string;
    institutionType: string;
    /** The branch the channel files from (an institution with several channels: the demo bank). */
    branchName?: string;
    /** The institution's unified social credit code (GB 32100): a bank's mortgagee, a developer's seller. */
    uscc: string;
    allowedDistricts: readonly string[];
    allowedBusinessTypes: readonly string[];
    publicKey: string;
    privateKey: string;
  }[];
  /** Demo staff accounts of the local token issuer (POST /v1/staff/login), one per role and district. */
  readonly staff?: readonly DemoStaffCredential[];
  /** The simulated tax and trading departments (infra/local/simulators/), written when they run. */
  readonly departments?: readonly DemoDepartmentCredential[];
  /** A key pair registered for no department: a result signed with it is refused 401. */
  readonly wrongDepartmentKey?: { readonly note: string; readonly publicKey: string; readonly privateKey: string };
}

/** A simulated department: sign results as it (`department="<departmentId>"`) with its private key. */
export interface DemoDepartmentCredential {
  readonly departmentId: string;
  readonly kind: 'TAX' | 'TRADING';
  readonly name: string;
  readonly districts: readonly string[];
  /** Where the registry delivers requests to it. */
  readonly endpoint: string;
  /** Its control endpoints (`/deliveries`, `/status`, `/mode`), loopback only. */
  readonly controlUrl: string;
  readonly publicKey: string;
  readonly privateKey: string;
}

export interface DemoStaffCredential {
  readonly username: string;
  readonly password: string;
  readonly staffId: string;
  readonly role: string;
  readonly district: string;
}

const SEED_MARKER = { pk: 'SEED#demo', sk: 'META' };
/** Staff are seeded apart (in the staff table), so data directories seeded before staff existed get them too. */
const STAFF_SEED_MARKER = { pk: 'SEED#demo-staff', sk: 'META' };

export const credentialsPath = (dataDir: string): string => join(dataDir, 'demo', 'credentials.json');

async function sealOwner(vault: PersonalDataVault, unit: DemoUnit, owner: DemoPerson): Promise<RegisteredOwner> {
  const [name, idNumber, idIndex] = await Promise.all([
    vault.seal(unit.district, 'name', owner.name, unit.unitCode),
    vault.seal(unit.district, 'idNumber', owner.idNumber, unit.unitCode),
    vault.blindIndex(unit.district, 'idNumber', owner.idNumber),
  ]);
  return { name, idNumber, idIndex, share: unit.owners.length > 1 ? `1/${unit.owners.length}` : undefined };
}

async function toUnitView(vault: PersonalDataVault, unit: DemoUnit): Promise<SeedUnit> {
  return {
    unitCode: unit.unitCode,
    district: unit.district,
    status: 'REGISTERED',
    address: unit.address,
    areaM2: unit.areaM2,
    owners: await Promise.all(unit.owners.map((owner) => sealOwner(vault, unit, owner))),
    mortgages: unit.mortgages.map((m) => ({ ...m, status: 'ACTIVE' as const })),
    seizures: unit.seized ? [{ seizureId: seizureIdOf(unit.unitCode), court: SEIZURE_COURT, status: 'ACTIVE' as const }] : [],
  };
}

/** Seeds the demo data unless this data directory was seeded before. Returns whether it seeded. */
export async function seedDemoData(dataDir: string): Promise<boolean> {
  const client = dynamoDocumentClient();
  const channelsTable = getStringFromEnv(tableEnvVar('channels'));
  const { Item } = await client.send(new GetCommand({ TableName: channelsTable, Key: SEED_MARKER, ConsistentRead: true }));
  if (Item) {
    const staff = await seedDemoStaff();
    if (staff) await addStaffCredentials(dataDir, staff);
    await refreshDemoFiles(dataDir);
    return false;
  }

  const vault = await vaultFromEnv();
  const units = [...(await mapWithConcurrency(demoRegister(), 16, (unit) => toUnitView(vault, unit))), ...(await demoProjectUnitViews(vault))];
  await registerRepositoryFromEnv().putUnits(units);

  const credentials: DemoCredentials['channels'][number][] = [];
  for (const institution of demoInstitutions()) credentials.push(await seedChannel(institution));
  await mkdir(join(dataDir, 'demo'), { recursive: true, mode: 0o700 });
  const file: DemoCredentials = {
    note: 'Demo channels and staff of the local runtime. Private keys and passwords are for local testing only; never reuse them.',
    channels: credentials,
    staff: (await seedDemoStaff()) ?? [],
  };
  await writeFile(credentialsPath(dataDir), `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  await writeSandbox(dataDir);
  await client.send(new PutCommand({ TableName: channelsTable, Item: { ...SEED_MARKER, seededAt: new Date().toISOString(), units: units.length } }));
  return true;
}

/** Registers one demo channel with a fresh SM2 key pair; returns its credentials. */
async function seedChannel(institution: DemoInstitution): Promise<DemoCredentials['channels'][number]> {
  const keys = generateSm2KeyPair();
  await channelDirectoryFromEnv().putChannel({
    channelId: institution.channelId,
    institutionId: institution.institutionId,
    institutionName: institution.name,
    institutionType: institution.type,
    uscc: institution.uscc,
    status: 'ACTIVE',
    publicKey: keys.publicKey,
    allowedBusinessTypes: institution.allowedBusinessTypes,
    allowedDistricts: institution.allowedDistricts,
    ...(institution.branchName !== undefined ? { branchName: institution.branchName } : {}),
  });
  return { ...channelFacts(institution), publicKey: keys.publicKey, privateKey: keys.privateKey };
}

/**
 * Seeds the demo staff (one account per role in each demo district) with random local passwords, unless
 * this data directory has them already. Returns their credentials when it seeded, for the credentials file.
 */
export async function seedDemoStaff(): Promise<DemoStaffCredential[] | undefined> {
  const client = dynamoDocumentClient();
  const staffTable = getStringFromEnv(tableEnvVar('staff'));
  const { Item } = await client.send(new GetCommand({ TableName: staffTable, Key: STAFF_SEED_MARKER, ConsistentRead: true }));
  if (Item) return undefined;
  const directory = staffDirectoryFromEnv();
  const credentials = await mapWithConcurrency(demoStaff(), 4, async (staff) => {
    const password = randomBytes(12).toString('base64url');
    await directory.putStaff({ ...staff, status: 'ACTIVE' }, { passwordHash: await hashPassword(password) });
    return { username: staff.username, password, staffId: staff.staffId, role: staff.role, district: staff.district };
  });
  await client.send(new PutCommand({ TableName: staffTable, Item: { ...STAFF_SEED_MARKER, seededAt: new Date().toISOString(), accounts: credentials.length } }));
  return credentials;
}

/** Adds the staff credentials to an existing credentials file (0600), keeping everything else in it. */
async function addStaffCredentials(dataDir: string, staff: readonly DemoStaffCredential[]): Promise<void> {
  let file: DemoCredentials = { note: 'Demo staff of the local runtime. Passwords are for local testing only; never reuse them.', channels: [] };
  try {
    file = JSON.parse(await readFile(credentialsPath(dataDir), 'utf8')) as DemoCredentials;
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) throw error;
  }
  await mkdir(join(dataDir, 'demo'), { recursive: true, mode: 0o700 });
  await writeFile(credentialsPath(dataDir), `${JSON.stringify({ ...file, staff }, null, 2)}\n`, { mode: 0o600 });
}

/**
 * For a data directory seeded by an earlier version: the sandbox register is written again (it is
 * deterministic), channels in the credentials file get their institution's USCC if they lack it, and demo
 * channels added since (the bank's second branch) are registered and added to the file.
 */
async function refreshDemoFiles(dataDir: string): Promise<void> {
  await mkdir(join(dataDir, 'demo'), { recursive: true, mode: 0o700 });
  await writeSandbox(dataDir);
  let file: DemoCredentials;
  try {
    file = JSON.parse(await readFile(credentialsPath(dataDir), 'utf8')) as DemoCredentials;
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return;
    throw error;
  }
  const usccOf = new Map(demoInstitutions().map((i) => [i.institutionId, i.uscc]));
  const listed = new Set(file.channels.map((c) => c.channelId));
  const directory = channelDirectoryFromEnv();
  const added: DemoCredentials['channels'][number][] = [];
  for (const institution of demoInstitutions()) {
    // A channel registered but missing from the file keeps its key (the file is the only copy of the private key).
    if (listed.has(institution.channelId) || (await directory.get(institution.channelId))) continue;
    added.push(await seedChannel(institution));
  }
  if (added.length === 0 && file.channels.every((c) => c.uscc)) return;
  const channels = [...file.channels.map((c) => ({ ...c, uscc: c.uscc ?? usccOf.get(c.institutionId) ?? '' })), ...added];
  await writeFile(credentialsPath(dataDir), `${JSON.stringify({ ...file, channels }, null, 2)}\n`, { mode: 0o600 });
}
