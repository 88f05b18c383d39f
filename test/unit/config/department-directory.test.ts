/**
 * The department registry as configuration (DESIGN.md §7b): a JSON list checked once at start; one
 * department per kind and district; an unset variable is an empty registry.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ConfiguredDepartmentDirectory, departmentDirectoryFromEnv, parseDepartmentConfig } from '../../../functions/adapters/config/department-directory';
import type { Department } from '../../../functions/core/ports';
import { generateSm2KeyPair } from '../../../functions/shared/crypto/sm2';
import { DEPARTMENTS_ENV } from '../../../infra/topology';

const tax: Department = { departmentId: 'tax-lixia', kind: 'TAX', name: '历下区税务局', districts: ['370102', '370103'], endpoint: 'https://tax.example.cn/zt', publicKey: generateSm2KeyPair().publicKey };
const trading: Department = { departmentId: 'trading-jinan', kind: 'TRADING', name: '济南市住房交易中心', districts: ['370102'], endpoint: 'http://127.0.0.1:4101/requests', publicKey: generateSm2KeyPair().publicKey };

afterEach(() => {
  delete process.env[DEPARTMENTS_ENV];
});

describe('parseDepartmentConfig', () => {
  it('accepts a valid list', () => {
    expect(parseDepartmentConfig(JSON.stringify([tax, trading]))).toEqual([tax, trading]);
    expect(parseDepartmentConfig('[]')).toEqual([]);
  });

  it.each<[string, unknown]>([
    ['an unknown kind', [{ ...tax, kind: 'POLICE' }]],
    ['a district that is not 6 digits', [{ ...tax, districts: ['3701'] }]],
    ['no districts', [{ ...tax, districts: [] }]],
    ['an endpoint that is not http(s)', [{ ...tax, endpoint: 'ftp://tax.example.cn/' }]],
    ['a public key not on the curve', [{ ...tax, publicKey: `04${'1'.repeat(128)}` }]],
    ['an unknown field', [{ ...tax, privateKey: 'oops' }]],
    ['an object instead of a list', tax],
  ])('refuses %s, naming the variable', (_why, value) => {
    expect(() => parseDepartmentConfig(JSON.stringify(value))).toThrow(new RegExp(`^${DEPARTMENTS_ENV} is not a valid department list`));
  });

  it('refuses text that is not JSON', () => {
    expect(() => parseDepartmentConfig('[{')).toThrow(`${DEPARTMENTS_ENV} is not valid JSON`);
  });
});

describe('ConfiguredDepartmentDirectory', () => {
  const directory = new ConfiguredDepartmentDirectory([tax, trading]);

  it('finds a department by id and the one of a kind serving a district', () => {
    expect(directory.get('tax-lixia')).toEqual(tax);
    expect(directory.get('nobody')).toBeUndefined();
    expect(directory.serving('TAX', '370103')).toEqual(tax);
    expect(directory.serving('TRADING', '370102')).toEqual(trading);
    expect(directory.serving('TRADING', '370103')).toBeUndefined();
    expect(directory.all()).toEqual([tax, trading]);
  });

  it('refuses two departments of one kind serving one district (a result must have one place to come from)', () => {
    expect(() => new ConfiguredDepartmentDirectory([tax, { ...tax, departmentId: 'tax-2', districts: ['370103'] }])).toThrow(/Two TAX departments serve district 370103/);
  });

  it('is empty when the variable is unset or blank, and fails at start on a malformed one', () => {
    expect(departmentDirectoryFromEnv().all()).toEqual([]);
    process.env[DEPARTMENTS_ENV] = '  ';
    expect(departmentDirectoryFromEnv().all()).toEqual([]);
    process.env[DEPARTMENTS_ENV] = JSON.stringify([tax]);
    expect(departmentDirectoryFromEnv().serving('TAX', '370102')).toEqual(tax);
    process.env[DEPARTMENTS_ENV] = '{"nope":1}';
    expect(() => departmentDirectoryFromEnv()).toThrow(DEPARTMENTS_ENV);
  });
});
