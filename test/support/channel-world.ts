/**
 * A small world for handler and use-case tests: emulators, the local keyring, two bank channels and a
 * handful of registered units, sealed exactly as the local runtime's seeding does.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { channelDirectoryFromEnv } from '../../functions/adapters/dynamodb/channel-directory';
import { registerRepositoryFromEnv } from '../../functions/adapters/dynamodb/register-repository';
import { vaultFromEnv } from '../../functions/adapters/keys/personal-data-vault';
import { BUSINESS_TYPES_BY_INSTITUTION } from '../../functions/core/domain/business-types';
import type { UnitView } from '../../functions/core/domain/register';
import type { Channel } from '../../functions/core/ports';
import { demoInstitutions } from '../../infra/local/seed/demo-data';
import { generateSm2KeyPair } from '../../functions/shared/crypto/sm2';
import { KEY_PROVIDER_ENV, LOCAL_KEYRING_DIR_ENV, PII_KEY_ENV, tableEnvVar, type TableName } from '../../infra/topology';
import { startTestEmulators, type TestEmulators } from './emulators';
import { drainAuditQueue } from './audit-records';
import type { Signer } from './fixtures';

export interface Person {
  readonly name: string;
  readonly idNumber: string;
  readonly phone?: string;
}

/** Fictional people with well-formed resident ID numbers (valid check digits). */
export const PEOPLE = {
  owner: { name: '张三丰', idNumber: '370102198001011237', phone: '13812345678' },
  seizedOwner: { name: '李四', idNumber: '370102197505050016' },
  coOwnerA: { name: '王小明', idNumber: '370103199002020021' },
  coOwnerB: { name: '赵丽', idNumber: '370103199103030026' },
  stranger: { name: '孙悟空', idNumber: '370102200001010015' },
} as const satisfies Record<string, Person>;

export const UNITS = {
  owned: '370102001001GB00001F00010101',
  seized: '370102001001GB00001F00010201',
  coOwned: '370103001001GB00002F00010301',
  notRegistered: '370102001001GB09999F99999999',
  otherDistrict: '370105001001GB00001F00010101',
} as const;

export interface ChannelWorld {
  readonly emulators: TestEmulators;
  readonly bank: Channel & Signer;
  readonly otherBank: Channel & Signer;
  /** A channel the registry has disabled: its signatures are valid, its requests are refused. */
  readonly disabledBank: Channel & Signer;
  countItems(table: TableName): Promise<number>;
  queueDepth(): Promise<number>;
  /** Empties the intake queue. */
  purgeQueue(): Promise<void>;
  stop(): Promise<void>;
}

async function sealedUnit(unitCode: string, owners: readonly Person[], seized = false): Promise<UnitView> {
  const vault = await vaultFromEnv();
  const district = unitCode.slice(0, 6);
  return {
    unitCode,
    version: 1,
    appliedFilings: [],
    district,
    status: 'REGISTERED',
    address: '济南市示范路1号',
    areaM2: '89.50',
    owners: await Promise.all(
      owners.map(async (o) => ({
        name: await vault.seal(district, 'name', o.name, unitCode),
        idNumber: await vault.seal(district, 'idNumber', o.idNumber, unitCode),
        idIndex: await vault.blindIndex(district, 'idNumber', o.idNumber),
      })),
    ),
    mortgages: [],
    seizures: seized ? [{ seizureId: 'S1', court: '济南市示范区人民法院', status: 'ACTIVE' }] : [],
  };
}

/** The demo bank's USCC for the first bank (the filings of `infra/local/seed/demo-filings.ts` name it as mortgagee); another for the rest. */
function bankChannel(channelId: string, institutionId: string, uscc = '91370100MA3C8AXX1X'): Channel & Signer {
  const keys = generateSm2KeyPair();
  return {
    channelId,
    institutionId,
    institutionName: `${institutionId} 银行`,
    institutionType: 'BANK',
    uscc,
    status: 'ACTIVE',
    publicKey: keys.publicKey,
    privateKey: keys.privateKey,
    allowedBusinessTypes: BUSINESS_TYPES_BY_INSTITUTION.BANK,
    allowedDistricts: ['370102', '370103'],
  };
}

export async function startChannelWorld(prefix: string): Promise<ChannelWorld> {
  const emulators = await startTestEmulators(prefix);
  const keyringDir = await mkdtemp(join(tmpdir(), 'zt-keyring-'));
  Object.assign(process.env, { [KEY_PROVIDER_ENV]: 'local', [LOCAL_KEYRING_DIR_ENV]: keyringDir, [PII_KEY_ENV]: 'local' });

  const bank = bankChannel('ch-bank-a', 'INST-BANK-A', demoInstitutions()[0]!.uscc);
  const otherBank = bankChannel('ch-bank-b', 'INST-BANK-B');
  const disabledBank: Channel & Signer = { ...bankChannel('ch-bank-off', 'INST-BANK-OFF'), status: 'DISABLED' };
  const directory = channelDirectoryFromEnv();
  for (const channel of [bank, otherBank, disabledBank]) {
    const { privateKey: _private, ...stored } = channel;
    await directory.putChannel(stored);
  }
  await registerRepositoryFromEnv().putUnits([
    await sealedUnit(UNITS.owned, [PEOPLE.owner]),
    await sealedUnit(UNITS.seized, [PEOPLE.seizedOwner], true),
    await sealedUnit(UNITS.coOwned, [PEOPLE.coOwnerA, PEOPLE.coOwnerB]),
  ]);

  const dynamo = new DynamoDBClient({});
  const sqs = new SQSClient({});
  const queueUrl = emulators.queueUrls.intake.url;
  return {
    emulators,
    bank,
    otherBank,
    disabledBank,
    countItems: async (table) => {
      if (table === 'audit') {
        // The audit log: records are queued first; count the log's entries once the appender has them.
        await drainAuditQueue();
        const { Count } = await dynamo.send(
          new ScanCommand({ TableName: process.env[tableEnvVar(table)]!, Select: 'COUNT', FilterExpression: 'begins_with(sk, :e)', ExpressionAttributeValues: { ':e': { S: 'E#' } } }),
        );
        return Count ?? 0;
      }
      const { Count } = await dynamo.send(new ScanCommand({ TableName: process.env[tableEnvVar(table)]!, Select: 'COUNT' }));
      return Count ?? 0;
    },
    queueDepth: async () => {
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
      );
      return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
    },
    // Drains by receive + delete: (emulated) PurgeQueue is allowed only once a minute.
    purgeQueue: async () => {
      for (;;) {
        const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
        if (!Messages?.length) return;
        await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
      }
    },
    stop: async () => {
      await emulators.stop();
      await rm(keyringDir, { recursive: true, force: true });
    },
  };
}
