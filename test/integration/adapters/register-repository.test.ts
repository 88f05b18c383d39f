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
  version: 1,
  appliedFilings: [],
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

  it('reads back a unit with its owners, mortgage and seizure, stored as one item at version 1', async () => {
    const { version: _v, appliedFilings: _a, ...seed } = jointlyOwned;
    await register.putUnits([seed]);
    expect(await register.getUnit(jointlyOwned.unitCode)).toStrictEqual(jointlyOwned);
    const { Items } = await dynamoDocumentClient().send(
      new QueryCommand({
        TableName: emulators.env[tableEnvVar('register')],
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `UNIT#${jointlyOwned.unitCode}` },
      }),
    );
    expect(Items?.map((i) => i['sk'])).toEqual(['META']);
  });

  it('returns undefined for a unit not in the register', async () => {
    expect(await register.getUnit(unitCode(99_999_999))).toBeUndefined();
  });

  it('writes a unit only at the version the decision was made against, once per filing', async () => {
    const code = unitCode(2);
    await register.putUnits([{ ...jointlyOwned, unitCode: code }]);
    const before = (await register.getUnit(code))!;
    const discharged = { ...before, mortgages: [{ ...before.mortgages[0]!, status: 'DISCHARGED' as const }] };
    expect(await register.commit({ unitCode: code, filingId: 'F-1', expectedVersion: 1, next: discharged })).toBe('applied');
    expect(await register.getUnit(code)).toStrictEqual({ ...discharged, version: 2, appliedFilings: ['F-1'] });
    // The same filing again (a repeated saga step): already applied, nothing changes.
    expect(await register.commit({ unitCode: code, filingId: 'F-1', expectedVersion: 1, next: discharged })).toBe('alreadyApplied');
    // Another filing decided against version 1: stale, nothing changes.
    expect(await register.commit({ unitCode: code, filingId: 'F-2', expectedVersion: 1, next: { ...before, owners: [] } })).toBe('stale');
    expect((await register.getUnit(code))!.owners).toHaveLength(2);
    // A unit that does not exist is never created by a register write.
    expect(await register.commit({ unitCode: unitCode(3), filingId: 'F-3', expectedVersion: 1, next: { ...before, unitCode: unitCode(3) } })).toBe('stale');
    expect(await register.getUnit(unitCode(3))).toBeUndefined();
  });

  it('of 8 concurrent writes at one version, exactly one is applied', async () => {
    const code = unitCode(4);
    await register.putUnits([{ ...jointlyOwned, unitCode: code }]);
    const before = (await register.getUnit(code))!;
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) => register.commit({ unitCode: code, filingId: `F-C${i}`, expectedVersion: 1, next: { ...before, address: `addr ${i}` } })),
    );
    expect(outcomes.filter((o) => o === 'applied')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'stale')).toHaveLength(7);
    expect((await register.getUnit(code))!.appliedFilings).toHaveLength(1);
  });

  it('a refusal at commit and a register write of one filing at one version: exactly one changes the unit, and each answers the other', async () => {
    const code = unitCode(5);
    await register.putUnits([{ ...jointlyOwned, unitCode: code }]);
    const before = (await register.getUnit(code))!;
    const [written, refused] = await Promise.all([
      register.commit({ unitCode: code, filingId: 'F-R', expectedVersion: 1, next: { ...before, address: 'registered' } }),
      register.refuse({ unitCode: code, filingId: 'F-R', expectedVersion: 1, reasonCode: 'UNIT_SEIZED', unit: before }),
    ]);
    const after = (await register.getUnit(code))!;
    expect(after.version).toBe(2);
    if (written === 'applied') {
      expect(refused).toBe('alreadyApplied');
      expect(after.appliedFilings).toEqual(['F-R']);
      expect(after.refusals).toBeUndefined();
    } else {
      expect([written, refused]).toEqual(['stale', 'refused']);
      expect(after).toMatchObject({ appliedFilings: [], refusals: { 'F-R': 'UNIT_SEIZED' }, address: before.address });
      // Once refused on the unit, the filing cannot be recorded at the new version either... its approval reads the refusal first.
      expect(await register.refuse({ unitCode: code, filingId: 'F-R', expectedVersion: 1, reasonCode: 'UNIT_SEIZED', unit: before })).toBe('refused');
    }
  });

  it('writes 1,200 units across BatchWriteItem chunks, reads each back, and lists the districts they are in', async () => {
    const units: UnitView[] = Array.from({ length: 1200 }, (_, i) => ({
      unitCode: `${i % 2 === 0 ? '370102' : '370105'}${unitCode(1000 + i).slice(6)}`,
      version: 1,
      appliedFilings: [],
      district: i % 2 === 0 ? '370102' : '370105',
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
    expect((await register.listDistricts()).sort()).toEqual(['370102', '370105']);
  });
});
