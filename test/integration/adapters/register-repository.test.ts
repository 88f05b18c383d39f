import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { UnitView } from '../../../functions/core/domain/register';
import { dynamoDocumentClient } from '../../../functions/adapters/aws-clients';
import { registerRepositoryFromEnv, type DynamoRegisterRepository } from '../../../functions/adapters/dynamodb/register-repository';
import { tableEnvVar } from '../../../infra/topology';
import { startTestEmulators, type TestEmulators } from '../../support/emulators';

const unitCode = (n: number): string => `370102001001GB00001F${String(n).padStart(8, '0')}`;

const jointlyOwned: UnitView = {
  unitCode: unitCode(1),
  district: '370102',
  status: 'REGISTERED',
  address: '历下区示例路1号1单元101',
  areaM2: '89.45',
  owners: [
    { name: 'sealed:name-1', idNumber: 'sealed:id-1', idIndex: 'bi:1', share: '1/2' },
    { name: 'sealed:name-2', idNumber: 'sealed:id-2', idIndex: 'bi:2', share: '1/2' },
  ],
  mortgages: [{ mortgageId: 'm-1', holderInstitutionId: 'inst-bank', amountFen: '100000000', status: 'ACTIVE' }],
  seizures: [{ seizureId: 's-1', court: '济南市历下区人民法院', status: 'ACTIVE' }],
};

describe('DynamoRegisterRepository', () => {
  let emulators: TestEmulators;
  let register: DynamoRegisterRepository;
  beforeAll(async () => {
    emulators = await startTestEmulators('zt-register');
    register = registerRepositoryFromEnv();
  });
  afterAll(async () => emulators.stop());

  it('reads back a unit with its owners, mortgage and seizure, stored as META + one item per right', async () => {
    await register.putUnits([jointlyOwned]);
    expect(await register.getUnit(jointlyOwned.unitCode)).toStrictEqual(jointlyOwned);
    const { Items } = await dynamoDocumentClient().send(
      new QueryCommand({
        TableName: emulators.env[tableEnvVar('register')],
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `UNIT#${jointlyOwned.unitCode}` },
      }),
    );
    expect(Items?.map((i) => i['sk'])).toEqual(['META', 'MORTGAGE#m-1', 'SEIZURE#s-1']);
  });

  it('returns undefined for a unit not in the register', async () => {
    expect(await register.getUnit(unitCode(99_999_999))).toBeUndefined();
  });

  it('writes 1,200 units across BatchWriteItem chunks and reads each back', async () => {
    const units: UnitView[] = Array.from({ length: 1200 }, (_, i) => ({
      unitCode: unitCode(1000 + i),
      district: '370102',
      status: i % 10 === 0 ? 'SURVEYED' : 'REGISTERED',
      address: `历下区示例路${i}号`,
      areaM2: `${60 + (i % 80)}.00`,
      owners: i % 10 === 0 ? [] : [{ name: `sealed:n-${i}`, idNumber: `sealed:i-${i}`, idIndex: `bi:${i}` }],
      mortgages:
        i % 3 === 0 ? [{ mortgageId: `m-${i}`, holderInstitutionId: 'inst-bank', amountFen: String(i * 100_000), status: 'ACTIVE' }] : [],
      seizures: i % 50 === 0 ? [{ seizureId: `s-${i}`, court: '济南市中级人民法院', status: 'ACTIVE' }] : [],
    }));
    await register.putUnits(units);
    const readBack = await Promise.all(units.map((u) => register.getUnit(u.unitCode)));
    expect(readBack).toStrictEqual(units);
  });
});
