import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDocumentClient } from '../../../functions/adapters/aws-clients';
import { staffDirectoryFromEnv, type DynamoStaffDirectory } from '../../../functions/adapters/dynamodb/staff-directory';
import { ZtError } from '../../../functions/core/domain/errors';
import type { StaffAccount } from '../../../functions/core/domain/staff';
import { tableEnvVar } from '../../../infra/topology';
import { startTestEmulators, type TestEmulators } from '../../support/emulators';

const reviewer: StaffAccount = {
  staffId: 'stf-370102-reviewer',
  username: 'reviewer.370102',
  displayName: '历下区审核员（演示）',
  role: 'REVIEWER',
  district: '370102',
  status: 'ACTIVE',
};

describe('DynamoStaffDirectory', () => {
  let emulators: TestEmulators;
  let directory: DynamoStaffDirectory;
  const rawItem = async (pk: string) =>
    (await dynamoDocumentClient().send(new GetCommand({ TableName: emulators.env[tableEnvVar('staff')], Key: { pk, sk: 'META' } }))).Item;

  beforeAll(async () => {
    emulators = await startTestEmulators('zt-staff');
    directory = staffDirectoryFromEnv();
  });
  afterAll(async () => emulators.stop());

  it('returns a stored account exactly: no storage keys, no password hash', async () => {
    await directory.putStaff(reviewer, { passwordHash: 'scrypt$32768$8$1$salt$hash' });
    expect(await directory.get(reviewer.staffId)).toStrictEqual(reviewer);
  });

  it('keeps the account under STAFF#<id> and the login under USERNAME#<username>, the hash only on the login item', async () => {
    expect(await rawItem(`STAFF#${reviewer.staffId}`)).not.toHaveProperty('passwordHash');
    expect(await rawItem(`USERNAME#${reviewer.username}`)).toMatchObject({ staffId: reviewer.staffId, passwordHash: 'scrypt$32768$8$1$salt$hash' });
    expect(await directory.findLogin(reviewer.username)).toEqual({ staffId: reviewer.staffId, passwordHash: 'scrypt$32768$8$1$salt$hash' });
  });

  it('returns undefined for an unknown account or username', async () => {
    expect(await directory.get('stf-nobody')).toBeUndefined();
    expect(await directory.findLogin('nobody.370102')).toBeUndefined();
  });

  it('stores an account without a local password (Cognito-managed) with a login item that has no hash', async () => {
    const cognitoUser = { ...reviewer, staffId: '3f1c1b9e-0d7e-4a43-9a43-1d2e3f4a5b6c', username: 'wang.li' };
    await directory.putStaff(cognitoUser);
    expect(await directory.findLogin('wang.li')).toEqual({ staffId: cognitoUser.staffId, passwordHash: undefined });
  });

  it('refuses to give a username that belongs to another account (409 USERNAME_TAKEN), changing nothing', async () => {
    const thief = { ...reviewer, staffId: 'stf-thief', role: 'ADMIN' as const };
    await expect(directory.putStaff(thief)).rejects.toSatisfy((e: unknown) => e instanceof ZtError && e.status === 409 && e.code === 'USERNAME_TAKEN');
    expect(await directory.get('stf-thief')).toBeUndefined();
    expect((await directory.findLogin(reviewer.username))?.staffId).toBe(reviewer.staffId);
  });

  it('releases the old username when an account is renamed', async () => {
    const account = { ...reviewer, staffId: 'stf-rename', username: 'old.name' };
    await directory.putStaff(account);
    await directory.putStaff({ ...account, username: 'new.name' });
    expect(await directory.findLogin('old.name')).toBeUndefined();
    expect((await directory.findLogin('new.name'))?.staffId).toBe('stf-rename');
  });

  it('deactivates an account at once (consistent read), idempotently, and reports an unknown one', async () => {
    const account = { ...reviewer, staffId: 'stf-leaver', username: 'leaver.370102' };
    await directory.putStaff(account);
    expect(await directory.deactivate(account.staffId, new Date('2026-11-23T09:00:00Z'))).toBe(true);
    expect(await directory.get(account.staffId)).toStrictEqual({ ...account, status: 'DEACTIVATED' });
    expect(await directory.deactivate(account.staffId, new Date('2026-12-01T09:00:00Z'))).toBe(true);
    expect(await rawItem(`STAFF#${account.staffId}`)).toMatchObject({ status: 'DEACTIVATED', deactivatedAt: '2026-11-23T09:00:00.000Z' });
    expect(await directory.deactivate('stf-nobody')).toBe(false);
    expect(await directory.get('stf-nobody')).toBeUndefined();
  });
});
