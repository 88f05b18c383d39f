/**
 * First-start seeding of the local runtime (issue 2): the demo register (sealed, never plaintext),
 * the three demo institutions with their channels, and their SM2 key pairs written to
 * `.data/demo/credentials.json` for the demo, the bench and your own client. Runs once per data directory.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDocumentClient } from '../../../functions/adapters/aws-clients';
import { channelDirectoryFromEnv } from '../../../functions/adapters/dynamodb/channel-directory';
import { registerRepositoryFromEnv } from '../../../functions/adapters/dynamodb/register-repository';
import { vaultFromEnv } from '../../../functions/adapters/keys/personal-data-vault';
import { generateSm2KeyPair } from '../../../functions/shared/crypto/sm2';
import { mapWithConcurrency } from '../../../functions/core/concurrency';
import type { PersonalDataVault } from '../../../functions/core/ports';
import type { RegisteredOwner, UnitView } from '../../../functions/core/domain/register';
import { getStringFromEnv } from '../../../functions/shared/config';
import { tableEnvVar } from '../../topology';
import { demoInstitutions, demoRegister, type DemoPerson, type DemoUnit } from './demo-data';

export interface DemoCredentials {
  readonly note: string;
  readonly channels: readonly {
    channelId: string;
    institutionId: string;
    institutionName: string;
    institutionType: string;
    allowedDistricts: readonly string[];
    allowedBusinessTypes: readonly string[];
    publicKey: string;
    privateKey: string;
  }[];
}

const SEED_MARKER = { pk: 'SEED#demo', sk: 'META' };

export const credentialsPath = (dataDir: string): string => join(dataDir, 'demo', 'credentials.json');

async function sealOwner(vault: PersonalDataVault, unit: DemoUnit, owner: DemoPerson): Promise<RegisteredOwner> {
  const [name, idNumber, idIndex] = await Promise.all([
    vault.seal(unit.district, 'name', owner.name, unit.unitCode),
    vault.seal(unit.district, 'idNumber', owner.idNumber, unit.unitCode),
    vault.blindIndex(unit.district, 'idNumber', owner.idNumber),
  ]);
  return { name, idNumber, idIndex, share: unit.owners.length > 1 ? `1/${unit.owners.length}` : undefined };
}

async function toUnitView(vault: PersonalDataVault, unit: DemoUnit): Promise<UnitView> {
  return {
    unitCode: unit.unitCode,
    district: unit.district,
    status: 'REGISTERED',
    address: unit.address,
    areaM2: unit.areaM2,
    owners: await Promise.all(unit.owners.map((owner) => sealOwner(vault, unit, owner))),
    mortgages: unit.mortgages.map((m) => ({ ...m, status: 'ACTIVE' as const })),
    seizures: unit.seized ? [{ seizureId: `S${unit.unitCode.slice(-12)}`, court: '济南市示范区人民法院', status: 'ACTIVE' as const }] : [],
  };
}

/** Seeds the demo data unless this data directory was seeded before. Returns whether it seeded. */
export async function seedDemoData(dataDir: string): Promise<boolean> {
  const client = dynamoDocumentClient();
  const channelsTable = getStringFromEnv(tableEnvVar('channels'));
  const { Item } = await client.send(new GetCommand({ TableName: channelsTable, Key: SEED_MARKER, ConsistentRead: true }));
  if (Item) return false;

  const vault = await vaultFromEnv();
  const units = await mapWithConcurrency(demoRegister(), 16, (unit) => toUnitView(vault, unit));
  await registerRepositoryFromEnv().putUnits(units);

  const directory = channelDirectoryFromEnv();
  const credentials: DemoCredentials['channels'][number][] = [];
  for (const institution of demoInstitutions()) {
    const keys = generateSm2KeyPair();
    await directory.putChannel({
      channelId: institution.channelId,
      institutionId: institution.institutionId,
      institutionName: institution.name,
      institutionType: institution.type,
      uscc: institution.uscc,
      status: 'ACTIVE',
      publicKey: keys.publicKey,
      allowedBusinessTypes: institution.allowedBusinessTypes,
      allowedDistricts: institution.allowedDistricts,
    });
    credentials.push({
      channelId: institution.channelId,
      institutionId: institution.institutionId,
      institutionName: institution.name,
      institutionType: institution.type,
      allowedDistricts: institution.allowedDistricts,
      allowedBusinessTypes: institution.allowedBusinessTypes,
      publicKey: keys.publicKey,
      privateKey: keys.privateKey,
    });
  }
  await mkdir(join(dataDir, 'demo'), { recursive: true, mode: 0o700 });
  const file: DemoCredentials = {
    note: 'Demo channels of the local runtime. Private keys are for local testing only; never reuse them.',
    channels: credentials,
  };
  await writeFile(credentialsPath(dataDir), `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  await client.send(new PutCommand({ TableName: channelsTable, Item: { ...SEED_MARKER, seededAt: new Date().toISOString(), units: units.length } }));
  return true;
}
