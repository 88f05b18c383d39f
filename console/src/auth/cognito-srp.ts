/**
 * Signing in to the Cognito user pool with USER_SRP_AUTH (the only flow the console's app client allows:
 * infra/cdk/staff-identity.ts), straight against `cognito-idp.<region>.amazonaws.com` with fetch, BigInt and
 * WebCrypto — the password never leaves the browser, not even to Cognito. SRP-6a as Cognito defines it
 * (RFC 5054's 3072-bit group, SHA-256, k = H(N ‖ g), x = H(salt ‖ H(poolName ‖ userId ‖ ":" ‖ password)),
 * the session key by HKDF with info "Caldera Derived Key"), then the challenges an account may get:
 * PASSWORD_VERIFIER, SOFTWARE_TOKEN_MFA (TOTP; the pool's only second factor) and NEW_PASSWORD_REQUIRED.
 */

// RFC 5054 Appendix A, 3072-bit group.
const N_HEX =
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF';
export const N = BigInt(`0x${N_HEX}`);
export const g = 2n;
const INFO = new TextEncoder().encode('Caldera Derived Key');

export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = ((base % modulus) + modulus) % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

/** Cognito's padHex: even length, and a leading 00 where the first bit is set (a positive two's complement). */
export function padHex(value: bigint): string {
  const hex = value.toString(16);
  if (hex.length % 2 === 1) return `0${hex}`;
  return '89abcdef'.includes(hex[0]!) ? `00${hex}` : hex;
}

export const hexToBytes = (hex: string): Uint8Array => {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
};
export const bytesToHex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>));
}
/** H over hex: the bytes the hex string stands for, hashed; 64 hex digits. */
export const hexHash = async (hex: string): Promise<string> => bytesToHex(await sha256(hexToBytes(hex)));
async function hmac(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey('raw', key as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', k, data as Uint8Array<ArrayBuffer>));
}

export const kValue = async (): Promise<bigint> => BigInt(`0x${await hexHash(`${padHex(N)}${padHex(g)}`)}`);

/** The client's ephemeral pair: a random `a` (256 bits) and A = g^a mod N, A ≠ 0 mod N. */
export function ephemeral(random: (n: number) => Uint8Array = (n) => crypto.getRandomValues(new Uint8Array(n))): { a: bigint; A: bigint } {
  for (;;) {
    const a = BigInt(`0x${bytesToHex(random(32))}`);
    const A = modPow(g, a, N);
    if (A % N !== 0n) return { a, A };
  }
}

/** x = H(salt ‖ H(poolName ‖ userId ‖ ":" ‖ password)). */
export async function xValue(poolName: string, userId: string, password: string, salt: bigint): Promise<bigint> {
  const inner = bytesToHex(await sha256(utf8(`${poolName}${userId}:${password}`)));
  return BigInt(`0x${await hexHash(`${padHex(salt)}${inner}`)}`);
}

/** The 16-byte password authentication key of Cognito's SRP, from the server's B and salt. */
export async function passwordAuthenticationKey(input: { poolName: string; userId: string; password: string; a: bigint; A: bigint; B: bigint; salt: bigint }): Promise<Uint8Array> {
  if (input.B % N === 0n) throw new Error('SRP: the server sent B ≡ 0 (mod N)');
  const u = BigInt(`0x${await hexHash(`${padHex(input.A)}${padHex(input.B)}`)}`);
  if (u === 0n) throw new Error('SRP: u = 0');
  const x = await xValue(input.poolName, input.userId, input.password, input.salt);
  const k = await kValue();
  const S = modPow(input.B - k * modPow(g, x, N), input.a + u * x, N);
  // HKDF-SHA256 (RFC 5869) with one block: PRK = HMAC(salt = u, IKM = S), OKM = HMAC(PRK, info ‖ 0x01)[0..16].
  const prk = await hmac(hexToBytes(padHex(u)), hexToBytes(padHex(S)));
  return (await hmac(prk, concat(INFO, Uint8Array.of(1)))).slice(0, 16);
}

/** `Tue Dec 3 06:31:03 UTC 2026`: the timestamp format Cognito signs (day of month not padded). */
export function cognitoTimestamp(date: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number) => String(n).padStart(2, '0');
  return `${days[date.getUTCDay()]} ${months[date.getUTCMonth()]} ${date.getUTCDate()} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} UTC ${date.getUTCFullYear()}`;
}

export async function passwordClaimSignature(key: Uint8Array, poolName: string, userId: string, secretBlock: string, timestamp: string): Promise<string> {
  const secret = Uint8Array.from(atob(secretBlock), (c) => c.charCodeAt(0));
  const signature = await hmac(key, concat(utf8(poolName), utf8(userId), secret, utf8(timestamp)));
  return btoa(String.fromCharCode(...signature));
}

export interface CognitoTokens {
  readonly accessToken: string;
  readonly expiresIn: number;
}

/** What signing in needs next from the person: a TOTP code, a new password, or nothing (tokens). */
export type SignInStep =
  | { readonly kind: 'done'; readonly tokens: CognitoTokens }
  | { readonly kind: 'mfa'; answer(code: string): Promise<SignInStep> }
  | { readonly kind: 'newPassword'; answer(password: string): Promise<SignInStep> };

export class CognitoError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

interface Settings {
  readonly region: string;
  readonly userPoolId: string;
  readonly clientId: string;
}

type Challenge = { ChallengeName?: string; ChallengeParameters?: Record<string, string>; Session?: string; AuthenticationResult?: { AccessToken: string; ExpiresIn: number } };

async function call(settings: Settings, target: string, body: unknown): Promise<Challenge> {
  const response = await fetch(`https://cognito-idp.${settings.region}.amazonaws.com/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${target}` },
    body: JSON.stringify(body),
    credentials: 'omit',
  });
  const json = (await response.json()) as Challenge & { __type?: string; message?: string };
  if (!response.ok) throw new CognitoError((json.__type ?? 'Unknown').split('#').pop()!, json.message ?? '');
  return json;
}

export async function cognitoSignIn(settings: Settings, username: string, password: string, now: () => Date = () => new Date()): Promise<SignInStep> {
  const poolName = settings.userPoolId.split('_')[1]!;
  const { a, A } = ephemeral();
  const start = await call(settings, 'InitiateAuth', { AuthFlow: 'USER_SRP_AUTH', ClientId: settings.clientId, AuthParameters: { USERNAME: username, SRP_A: A.toString(16) } });
  if (start.ChallengeName !== 'PASSWORD_VERIFIER' || start.ChallengeParameters === undefined) throw new CognitoError('UnexpectedChallenge', start.ChallengeName ?? '');
  const p = start.ChallengeParameters;
  const userId = p['USER_ID_FOR_SRP']!;
  const key = await passwordAuthenticationKey({ poolName, userId, password, a, A, B: BigInt(`0x${p['SRP_B']}`), salt: BigInt(`0x${p['SALT']}`) });
  const timestamp = cognitoTimestamp(now());
  const signature = await passwordClaimSignature(key, poolName, userId, p['SECRET_BLOCK']!, timestamp);
  const answered = await call(settings, 'RespondToAuthChallenge', {
    ChallengeName: 'PASSWORD_VERIFIER',
    ClientId: settings.clientId,
    ChallengeResponses: { USERNAME: userId, PASSWORD_CLAIM_SECRET_BLOCK: p['SECRET_BLOCK'], PASSWORD_CLAIM_SIGNATURE: signature, TIMESTAMP: timestamp },
  });
  return next(settings, userId, answered);
}

function next(settings: Settings, userId: string, step: Challenge): SignInStep {
  if (step.AuthenticationResult) return { kind: 'done', tokens: { accessToken: step.AuthenticationResult.AccessToken, expiresIn: step.AuthenticationResult.ExpiresIn } };
  const respond = async (name: string, responses: Record<string, string>) =>
    next(settings, userId, await call(settings, 'RespondToAuthChallenge', { ChallengeName: name, ClientId: settings.clientId, Session: step.Session, ChallengeResponses: { USERNAME: userId, ...responses } }));
  if (step.ChallengeName === 'SOFTWARE_TOKEN_MFA') return { kind: 'mfa', answer: (code) => respond('SOFTWARE_TOKEN_MFA', { SOFTWARE_TOKEN_MFA_CODE: code }) };
  if (step.ChallengeName === 'NEW_PASSWORD_REQUIRED') return { kind: 'newPassword', answer: (password) => respond('NEW_PASSWORD_REQUIRED', { NEW_PASSWORD: password }) };
  throw new CognitoError('UnexpectedChallenge', step.ChallengeName ?? '');
}
