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
import type { StaffAccount } from '../../core/domain/staff';
import type { StaffDirectory } from '../../core/ports';
import { tableEnvVar } from '../../../infra/topology';
import { getStringFromEnv } from '../../shared/config';
import { dynamoDocumentClient } from '../aws-clients';
import { isConditionalCheckFailed, withoutKeys } from './dynamo-support';

const staffKey = (staffId: string) => ({ pk: `STAFF#${staffId}`, sk: 'META' });
const usernameKey = (username: string) => ({ pk: `USERNAME#${username}`, sk: 'META' });
/** Attributes of the account item that are not StaffAccount fields. */
const BOOKKEEPING = ['deactivatedAt'];

/** What the local issuer needs to check a password; `passwordHash` is absent for Cognito-managed accounts. */
export interface StaffLogin {
  readonly staffId: string;
  readonly passwordHash?: string;
}

export interface DynamoStaffDirectoryDeps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

export class DynamoStaffDirectory implements StaffDirectory {
  constructor(private readonly deps: DynamoStaffDirectoryDeps) {}

  async get(staffId: string): Promise<StaffAccount | undefined> {
    const { Item } = await this.deps.client.send(new GetCommand({ TableName: this.deps.tableName, Key: staffKey(staffId), ConsistentRead: true }));
    return Item === undefined ? undefined : (withoutKeys(Item, ...BOOKKEEPING) as unknown as StaffAccount);
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
