/**
 * The signed-in staff member: an access token (the local issuer's, or Cognito's) and the account it names,
 * as `GET /v1/staff/me` answers it. Kept in sessionStorage — this tab only, gone when it closes — and dropped
 * when the token expires or the API answers 401.
 */
import type { StaffSelf } from '../../../schemas/v1/staff';
import { ApiError } from '../api';
import type { ConsoleConfig } from '../config';
import { cognitoSignIn, type SignInStep } from './cognito-srp';

export interface Session {
  readonly token: string;
  readonly expiresAt: number;
  readonly self: StaffSelf;
}

const KEY = 'zt.console.session';

export function restoreSession(now = Date.now()): Session | undefined {
  try {
    const session = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Session | null;
    if (session === null || typeof session.token !== 'string' || session.expiresAt <= now + 30_000) return undefined;
    return session;
  } catch {
    return undefined;
  }
}

export function storeSession(session: Session | undefined): void {
  if (session === undefined) sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, JSON.stringify(session));
}

async function selfOf(config: ConsoleConfig, token: string): Promise<StaffSelf> {
  const response = await fetch(`${config.apiBase}/v1/staff/me`, { headers: { authorization: `Bearer ${token}` }, credentials: 'omit', cache: 'no-store' });
  if (!response.ok) {
    const problem = (await response.json().catch(() => ({}))) as { code?: string };
    throw new ApiError(response.status, problem.code ?? `HTTP_${response.status}`, '');
  }
  return (await response.json()) as StaffSelf;
}

/** A sign-in in progress: done, or waiting for a TOTP code or a new password (Cognito only). */
export type SignInProgress =
  | { readonly kind: 'done'; readonly session: Session }
  | { readonly kind: 'mfa' | 'newPassword'; answer(value: string): Promise<SignInProgress> };

async function finish(config: ConsoleConfig, token: string, expiresIn: number): Promise<SignInProgress> {
  const session: Session = { token, expiresAt: Date.now() + expiresIn * 1000, self: await selfOf(config, token) };
  storeSession(session);
  return { kind: 'done', session };
}

async function fromCognito(config: ConsoleConfig, step: SignInStep): Promise<SignInProgress> {
  if (step.kind === 'done') return finish(config, step.tokens.accessToken, step.tokens.expiresIn);
  return { kind: step.kind, answer: async (value) => fromCognito(config, await step.answer(value)) };
}

export async function signIn(config: ConsoleConfig, username: string, password: string): Promise<SignInProgress> {
  if (config.auth.kind === 'cognito') return fromCognito(config, await cognitoSignIn(config.auth, username, password));
  const response = await fetch(`${config.apiBase}/v1/staff/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
    credentials: 'omit',
    cache: 'no-store',
  });
  if (!response.ok) {
    const problem = (await response.json().catch(() => ({}))) as { code?: string };
    throw new ApiError(response.status, problem.code ?? `HTTP_${response.status}`, '');
  }
  const { accessToken, expiresIn } = (await response.json()) as { accessToken: string; expiresIn: number };
  return finish(config, accessToken, expiresIn);
}
