/**
 * A small world for staff handler tests: emulators, the local keyring (hence the local token issuer),
 * and one active account per role in each of two districts, with local passwords, as the local
 * runtime's seeding makes them. Events come from the real-shaped fixtures in events/apigw/.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { staffDirectoryFromEnv, type DynamoStaffDirectory } from '../../functions/adapters/dynamodb/staff-directory';
import { LocalStaffIssuer } from '../../functions/adapters/identity/local-issuer';
import { hashPassword } from '../../functions/adapters/identity/password-hash';
import { STAFF_ROLES, type StaffAccount, type StaffRole } from '../../functions/core/domain/staff';
import { KEY_PROVIDER_ENV, LOCAL_KEYRING_DIR_ENV, PII_KEY_ENV } from '../../infra/topology';
import { startTestEmulators, type TestEmulators } from './emulators';

export const DISTRICTS = { own: '370102', other: '370103' } as const;
export type World = 'own' | 'other';

export interface StaffWorld {
  readonly emulators: TestEmulators;
  readonly issuer: LocalStaffIssuer;
  readonly directory: DynamoStaffDirectory;
  /** An active account per role in each district. */
  account(role: StaffRole, district?: string): StaffAccount;
  /** The local password of an account seeded here. */
  password(account: StaffAccount): string;
  /** A fresh access token of the local issuer for the account (as the login endpoint would issue). */
  tokenFor(account: Pick<StaffAccount, 'staffId' | 'username'>, now?: Date): Promise<string>;
  stop(): Promise<void>;
}

export const staffAccount = (role: StaffRole, district: string): StaffAccount => ({
  staffId: `stf-${district}-${role.toLowerCase().replaceAll('_', '-')}`,
  username: `${role.toLowerCase()}.${district}`,
  displayName: `测试${role}`,
  role,
  district,
  status: 'ACTIVE',
});

export async function startStaffWorld(prefix: string): Promise<StaffWorld> {
  const emulators = await startTestEmulators(prefix);
  const keyringDir = await mkdtemp(join(tmpdir(), 'zt-keyring-'));
  Object.assign(process.env, { [KEY_PROVIDER_ENV]: 'local', [LOCAL_KEYRING_DIR_ENV]: keyringDir, [PII_KEY_ENV]: 'local' });
  const issuer = await LocalStaffIssuer.open(keyringDir);
  const directory = staffDirectoryFromEnv();
  const passwords = new Map<string, string>();
  await Promise.all(
    Object.values(DISTRICTS).flatMap((district) =>
      STAFF_ROLES.map(async (role) => {
        const account = staffAccount(role, district);
        const password = `Pw-${account.username}-7`;
        passwords.set(account.staffId, password);
        await directory.putStaff(account, { passwordHash: await hashPassword(password) });
      }),
    ),
  );
  return {
    emulators,
    issuer,
    directory,
    account: (role, district = DISTRICTS.own) => staffAccount(role, district),
    password: (account) => passwords.get(account.staffId) ?? '',
    tokenFor: async (account, now) => (await issuer.issue(account, now)).accessToken,
    stop: async () => {
      await emulators.stop();
      await rm(keyringDir, { recursive: true, force: true });
    },
  };
}

const root = resolve(import.meta.dirname, '../..');
const fixtures = new Map<string, APIGatewayProxyEvent>();
type StaffFixture = 'staff-login' | 'list-staff-filings' | 'staff-jwks' | 'mark-urgent';

export function staffFixture(name: StaffFixture): APIGatewayProxyEvent {
  if (!fixtures.has(name)) fixtures.set(name, JSON.parse(readFileSync(resolve(root, 'events/apigw', `${name}.json`), 'utf8')) as APIGatewayProxyEvent);
  return structuredClone(fixtures.get(name)!);
}

function withHeaders(event: APIGatewayProxyEvent, headers: Record<string, string | undefined>): APIGatewayProxyEvent {
  const merged: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...event.headers, ...headers })) if (value !== undefined) merged[key] = value;
  event.headers = merged;
  event.multiValueHeaders = Object.fromEntries(Object.entries(merged).map(([k, v]) => [k, [v]]));
  return event;
}

/** A GET of a staff endpoint: `token` null sends no Authorization header; query values repeat when given as arrays. */
export function staffGet(
  name: Exclude<StaffFixture, 'staff-login'>,
  options: { token?: string | null; authorization?: string; query?: Readonly<Record<string, string | readonly string[]>> } = {},
): APIGatewayProxyEvent {
  const event = staffFixture(name);
  const authorization = options.authorization ?? (options.token === null || options.token === undefined ? undefined : `Bearer ${options.token}`);
  withHeaders(event, { Authorization: authorization });
  if (options.query) {
    const multi = Object.fromEntries(Object.entries(options.query).map(([k, v]) => [k, typeof v === 'string' ? [v] : [...v]]));
    event.multiValueQueryStringParameters = Object.keys(multi).length > 0 ? multi : null;
    event.queryStringParameters = Object.keys(multi).length > 0 ? Object.fromEntries(Object.entries(multi).map(([k, v]) => [k, v[v.length - 1]!])) : null;
  }
  return event;
}

/** A POST of a staff endpoint on one filing, with a bearer token and a JSON body. */
export function staffPost(name: 'mark-urgent', options: { token: string; filingId: string; body: unknown }): APIGatewayProxyEvent {
  const event = staffFixture(name);
  event.path = event.resource.replace('{filingId}', options.filingId);
  event.requestContext.path = `/${event.requestContext.stage}${event.path}`;
  event.pathParameters = { filingId: options.filingId };
  event.body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  return withHeaders(event, { Authorization: `Bearer ${options.token}` });
}

/** A POST /v1/staff/login with this body (an object is sent as JSON). */
export function loginEvent(body: unknown, headers: Record<string, string> = {}): APIGatewayProxyEvent {
  const event = staffFixture('staff-login');
  event.body = typeof body === 'string' ? body : JSON.stringify(body);
  return withHeaders(event, headers);
}
