/**
 * Channel authentication (DESIGN.md §5, §7; GB/T 39786 level 3 non-repudiation): every request is
 * SM2-signed over method, path and query, timestamp, nonce and SM3 of the raw body. Stale or future
 * timestamps and reused nonces are refused. Done inside the function rather than in an API Gateway
 * authorizer because the signature covers the body, which an authorizer never sees.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { forbidden, unauthenticated, ZtAuditedError } from '../../core/domain/errors';
import type { Channel, ChannelDirectory, Clock, NonceStore } from '../../core/ports';
import { canonicalRequestString, parseAuthorization, verifyRequestSignature, type Signer } from '../crypto/request-signature';
import { header, pathAndQuery, rawBody } from './request';
import { carriesPersonalIdentifier } from '../../../schemas/identifiers';

/** What checking any ZT-SM2 signed request needs (DESIGN.md §7). */
export interface SignatureCheckDeps {
  readonly nonces: NonceStore;
  readonly clock: Clock;
  /** Accepted clock skew in seconds either way (±300 s). */
  readonly maxSkewSeconds: number;
  /** How long a nonce stays used (600 s). Must exceed twice the skew so a replay can't outlive it. */
  readonly nonceTtlSeconds: number;
}

export interface ChannelAuthDeps extends SignatureCheckDeps {
  readonly channels: ChannelDirectory;
}

/** How one kind of signer is found and checked once its signature verified. */
export interface SignerLookup<S> {
  readonly param: Signer;
  find(id: string): Promise<S | undefined>;
  publicKeyOf(signer: S): string;
  /** The scope in which a nonce is single-use. */
  nonceScope(signer: S): string;
  /** Refuses a signer that may not call now (e.g. a disabled channel); after the signature, so it reveals nothing to others. */
  check?(signer: S): void;
}

/**
 * An unknown channel and a bad signature answer alike, so that the answer tells no caller which channel
 * ids exist; the audit keeps which it was. `expectedStringToSign` (as AWS SigV4's
 * `SignatureDoesNotMatch` does) is built from the request alone — method, path, canonical query,
 * timestamp, nonce, SM3 of the body — so it reveals nothing the caller did not send, and it is what an
 * integrator needs to find a canonicalisation mistake.
 */
const authFailed = (auditCode: string, expectedStringToSign: string): ZtAuditedError =>
  carriesPersonalData(expectedStringToSign)
    ? new ZtAuditedError(
        401,
        'AUTH_FAILED',
        'Unauthenticated',
        'The request could not be authenticated: the signer (channel or department) is not registered, or the signature does not verify with its registered key. (The string expected to be signed is not shown: the request path or query carries what looks like personal data, which no endpoint takes there.)',
        {},
        auditCode,
      )
    : new ZtAuditedError(
        401,
        'AUTH_FAILED',
        'Unauthenticated',
        'The request could not be authenticated: the signer (channel or department) is not registered, or the signature does not verify with its registered key. `expectedStringToSign` is the string the server expected to be signed.',
        { expectedStringToSign },
        auditCode,
      );

/**
 * Whether the path or query as sent carries an ID or phone number, or a name (any non-ASCII text, which no
 * path or query of the API takes): a 401 never echoes personal data back, even the caller's own (002 五(一)).
 */
function carriesPersonalData(signedString: string): boolean {
  const firstLines = signedString.split('\n').slice(0, 2).join('\n');
  let decoded: string;
  try {
    decoded = decodeURIComponent(firstLines);
  } catch {
    // Not decodable as a whole (a stray `%zz` beside an encoded digit, say): not echoed, whatever it holds.
    return true;
  }
  return carriesPersonalIdentifier(decoded) || /[^ -~\n]/.test(decoded);
}

/** Returns the authenticated channel, or throws a 401/403 ZtError with a stable code. */
export function authenticateChannel(event: APIGatewayProxyEvent, deps: ChannelAuthDeps): Promise<Channel> {
  return authenticateSigner(event, deps, {
    param: 'channel',
    find: (id) => deps.channels.get(id),
    publicKeyOf: (channel) => channel.publicKey,
    nonceScope: (channel) => channel.channelId,
    check: (channel) => {
      if (channel.status !== 'ACTIVE') throw forbidden('CHANNEL_DISABLED', 'This channel is disabled; contact the registry.');
    },
  });
}

/**
 * Authenticates a ZT-SM2 signed request of any kind of signer: header syntax, timestamp window, the
 * signer's registered key, then single use of the nonce. Unknown signer and bad signature answer alike.
 */
export async function authenticateSigner<S>(event: APIGatewayProxyEvent, deps: SignatureCheckDeps, lookup: SignerLookup<S>): Promise<S> {
  const authorization = header(event, 'authorization');
  if (authorization === undefined) throw unauthenticated('AUTH_MISSING', 'The Authorization header is missing; sign the request with ZT-SM2.');
  const parsed = parseAuthorization(authorization, lookup.param);
  if (!parsed.ok) throw unauthenticated('AUTH_MALFORMED', `The Authorization header is malformed: ${parsed.reason}.`);
  const { channelId, timestamp, nonce, signature } = parsed.value;

  const nowSeconds = Math.floor(deps.clock.now().getTime() / 1000);
  if (Math.abs(nowSeconds - timestamp) > deps.maxSkewSeconds) {
    throw unauthenticated('AUTH_TIMESTAMP_OUT_OF_WINDOW', `The timestamp is more than ${deps.maxSkewSeconds} s away from the server clock.`, { serverTime: nowSeconds });
  }
  const signed = { method: event.httpMethod, pathAndQuery: pathAndQuery(event), timestamp, nonce, body: rawBody(event) };
  const signer = await lookup.find(channelId);
  if (!signer) throw authFailed(lookup.param === 'channel' ? 'AUTH_UNKNOWN_CHANNEL' : 'AUTH_UNKNOWN_DEPARTMENT', canonicalRequestString(signed));
  if (!verifyRequestSignature({ ...signed, signature, publicKeyHex: lookup.publicKeyOf(signer) })) throw authFailed('AUTH_BAD_SIGNATURE', canonicalRequestString(signed));
  // Status only after the signature, so that it is not revealed to an unauthenticated caller.
  lookup.check?.(signer);
  if (!(await deps.nonces.claim(lookup.nonceScope(signer), nonce, deps.nonceTtlSeconds))) {
    throw unauthenticated('AUTH_NONCE_REUSED', 'This nonce was already used; every request needs a fresh nonce.');
  }
  return signer;
}
