/**
 * Registry staff accounts on the `staff` table:
 * - account: pk `STAFF#<staffId>`, sk `META`, attributes = the StaffAccount;
 * - login name: pk `USERNAME#<username>`, sk `META`, attributes staffId and, for the local token issuer
 *   only, `passwordHash` (scrypt, per-user salt; see identity/password-hash.ts). On AWS, Cognito holds
 *   usernames and passwords and no login item carries a hash.
 * The account is read strongly consistent on every staff request, so a deactivation or a role change
 * acts on the very next request (DESIGN.md §5 insider misuse; 000 二(三)).
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { conflict } from '../../core/domain/errors';
import type { StaffAccount, StaffLock } from '../../core/domain/staff';
import type { StaffDirectory, StaffLocks } from '../../core/ports';
import { tableEnvVar } from '../../../infra/topology';
import { getStringFromEnv } from '../../shared/config';
import { dynamoDocumentClient } from '../aws-clients';
import { isConditionalCheckFailed, withoutKeys } from './dynamo-support';

const staffKey = (staffId: string) => ({ pk: `STAFF#${staffId}`, sk: 'META' });
const usernameKey = (username: string) => ({ pk: `USERNAME#${username}`, sk: 'META' });
/** Attributes of the account item that are not StaffAccount fields. */
const BOOKKEEPING = ['deactivatedAt', 'lastUnlock'];

/** What the local issuer needs to check a password; `passwordHash` is absent for Cognito-managed accounts. */
export interface StaffLogin {
  readonly staffId: string;
  readonly passwordHash?: string;
}

export interface DynamoStaffDirectoryDeps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

export class DynamoStaffDirectory implements StaffDirectory, StaffLocks {
  constructor(private readonly deps: DynamoStaffDirectoryDeps) {}

  async get(staffId: string): Promise<StaffAccount | undefined> {
    const { Item } = await this.deps.client.send(new GetCommand({ TableName: this.deps.tableName, Key: staffKey(staffId), ConsistentRead: true }));
    if (Item === undefined) return undefined;
    const account = withoutKeys(Item, ...BOOKKEEPING) as unknown as StaffAccount;
    const unlockedAt = (Item.lastUnlock as { at?: unknown } | undefined)?.at;
    return typeof unlockedAt === 'string' ? { ...account, lastUnlockedAt: unlockedAt } : account;
  }

  /**
   * Registers or replaces an account (seeding; later, staff administration). The username is claimed
   * first with a conditional write, so two accounts can never share one; `passwordHash` is for the
   * local issuer only.
   */
  async putStaff(account: StaffAccount, options: { readonly passwordHash?: string } = {}): Promise<void> {
    const previous = await this.get(account.staffId);
    try {
      await this.deps.client.send(
        new PutCommand({
          TableName: this.deps.tableName,
          Item: { ...usernameKey(account.username), staffId: account.staffId, passwordHash: options.passwordHash },
          ConditionExpression: 'attribute_not_exists(pk) OR staffId = :me',
          ExpressionAttributeValues: { ':me': account.staffId },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw conflict('USERNAME_TAKEN', 'Another staff account already has this username.');
      throw error;
    }
    await this.deps.client.send(
      new PutCommand({
        TableName: this.deps.tableName,
        Item: {
          ...staffKey(account.staffId),
          staffId: account.staffId,
          username: account.username,
          displayName: account.displayName,
          role: account.role,
          district: account.district,
          status: account.status,
        },
      }),
    );
    // A renamed account must not keep signing in under its old name.
    if (previous !== undefined && previous.username !== account.username) await this.releaseUsername(previous.username, account.staffId);
  }

  private async releaseUsername(username: string, staffId: string): Promise<void> {
    try {
      await this.deps.client.send(
        new DeleteCommand({
          TableName: this.deps.tableName,
          Key: usernameKey(username),
          ConditionExpression: 'staffId = :me',
          ExpressionAttributeValues: { ':me': staffId },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  /** The login item of a username, for the local issuer; undefined for an unknown username. */
  async findLogin(username: string): Promise<StaffLogin | undefined> {
    const { Item } = await this.deps.client.send(new GetCommand({ TableName: this.deps.tableName, Key: usernameKey(username), ConsistentRead: true }));
    if (Item === undefined || typeof Item.staffId !== 'string') return undefined;
    return { staffId: Item.staffId, passwordHash: typeof Item.passwordHash === 'string' ? Item.passwordHash : undefined };
  }

  /**
   * Locks an ACTIVE account (the misuse detector, 004 第二十五条): refused from its next request on, and at
   * sign-in. Conditional on ACTIVE, so a deactivated account stays deactivated and a second hit does not
   * overwrite the first lock's reasons.
   */
  async lock(staffId: string, lock: StaffLock): Promise<boolean> {
    return this.conditionalUpdate({
      Key: staffKey(staffId),
      UpdateExpression: 'SET #status = :locked, #lock = :lock',
      ConditionExpression: 'attribute_exists(pk) AND #status = :active',
      ExpressionAttributeNames: { '#status': 'status', '#lock': 'lock' },
      ExpressionAttributeValues: { ':locked': 'LOCKED', ':active': 'ACTIVE', ':lock': lock },
    });
  }

  async noteIncident(staffId: string, alertId: string, incidentId: string): Promise<void> {
    await this.conditionalUpdate({
      Key: staffKey(staffId),
      UpdateExpression: 'SET #lock.incidentId = :incident',
      ConditionExpression: '#status = :locked AND #lock.alertId = :alert',
      ExpressionAttributeNames: { '#status': 'status', '#lock': 'lock' },
      ExpressionAttributeValues: { ':locked': 'LOCKED', ':alert': alertId, ':incident': incidentId },
    });
  }

  /** LOCKED → ACTIVE; of two racing unlocks exactly one succeeds (conditional on LOCKED, and on the alert when named). */
  async unlock(staffId: string, unlock: { readonly by: string; readonly at: string; readonly alertId?: string }): Promise<boolean> {
    return this.conditionalUpdate({
      Key: staffKey(staffId),
      UpdateExpression: 'SET #status = :active, lastUnlock = :unlock REMOVE #lock',
      ConditionExpression: unlock.alertId === undefined ? '#status = :locked' : '#status = :locked AND #lock.alertId = :alert',
      ExpressionAttributeNames: { '#status': 'status', '#lock': 'lock' },
      ExpressionAttributeValues: {
        ':active': 'ACTIVE',
        ':locked': 'LOCKED',
        ':unlock': { by: unlock.by, at: unlock.at, ...(unlock.alertId === undefined ? {} : { alertId: unlock.alertId }) },
        ...(unlock.alertId === undefined ? {} : { ':alert': unlock.alertId }),
      },
    });
  }

  private async conditionalUpdate(input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>): Promise<boolean> {
    try {
      await this.deps.client.send(new UpdateCommand({ TableName: this.deps.tableName, ...input }));
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /**
   * Deactivates an account (staff leaving, or locked by the misuse detector): refused from its next
   * request on. Returns false when there is no such account. Idempotent.
   */
  async deactivate(staffId: string, at: Date = new Date()): Promise<boolean> {
    try {
      await this.deps.client.send(
        new UpdateCommand({
          TableName: this.deps.tableName,
          Key: staffKey(staffId),
          UpdateExpression: 'SET #status = :off, deactivatedAt = if_not_exists(deactivatedAt, :at)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':off': 'DEACTIVATED', ':at': at.toISOString() },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }
}

export function staffDirectoryFromEnv(): DynamoStaffDirectory {
  return new DynamoStaffDirectory({ client: dynamoDocumentClient(), tableName: getStringFromEnv(tableEnvVar('staff')) });
}
