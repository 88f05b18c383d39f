/**
 * `config.json`, next to index.html, written by whoever serves the console: where the staff API is (`apiBase`,
 * '' for the console's own origin) and how staff sign in — the local token issuer (`npm start`) or the
 * Cognito user pool (AWS, written by the console stack).
 */
export type AuthConfig =
  | { readonly kind: 'local' }
  | { readonly kind: 'cognito'; readonly region: string; readonly userPoolId: string; readonly clientId: string };

export interface ConsoleConfig {
  readonly apiBase: string;
  readonly auth: AuthConfig;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const POOL = /^[a-z]{2}(-[a-z]+)+-\d_[A-Za-z0-9]+$/;

export function parseConfig(value: unknown): ConsoleConfig {
  const v = value as { apiBase?: unknown; auth?: { kind?: unknown; region?: unknown; userPoolId?: unknown; clientId?: unknown } };
  if (typeof v !== 'object' || v === null || typeof v.apiBase !== 'string' || (v.apiBase !== '' && !/^https?:\/\/[^/]+$/.test(v.apiBase))) throw new Error('config.json: apiBase');
  const auth = v.auth;
  if (auth?.kind === 'local') return { apiBase: v.apiBase, auth: { kind: 'local' } };
  if (auth?.kind === 'cognito' && typeof auth.region === 'string' && REGION.test(auth.region) && typeof auth.userPoolId === 'string' && POOL.test(auth.userPoolId) && typeof auth.clientId === 'string' && /^[a-z0-9]{1,128}$/.test(auth.clientId)) {
    return { apiBase: v.apiBase, auth: { kind: 'cognito', region: auth.region, userPoolId: auth.userPoolId, clientId: auth.clientId } };
  }
  throw new Error('config.json: auth');
}

export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch(new URL('config.json', document.baseURI), { cache: 'no-store', credentials: 'omit' });
  if (!response.ok) throw new Error(`config.json: ${response.status}`);
  return parseConfig(await response.json());
}
