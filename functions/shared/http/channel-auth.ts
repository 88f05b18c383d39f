/**
 * Channel authentication (DESIGN.md §5, §7; GB/T 39786 level 3 non-repudiation): every request is
 * SM2-signed over method, path and query, timestamp, nonce and SM3 of the raw body. Stale or future
 * timestamps and reused nonces are refused. Done inside the function rather than in an API Gateway
 * authorizer because the signature covers the body, which an authorizer never sees.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { forbidden, unauthenticated, ZtAuditedError } from '../../core/domain/errors';
import type { Channel, ChannelDirectory, Clock, NonceStore } from '../../core/ports';
import { canonicalRequestString, parseAuthorization, verifyRequestSignature } from '../crypto/request-signature';
import { header, pathAndQuery, rawBody } from './request';

export interface ChannelAuthDeps {
  readonly channels: ChannelDirectory;
  readonly nonces: NonceStore;
  readonly clock: Clock;
  /** Accepted clock skew in seconds either way (±300 s). */
  readonly maxSkewSeconds: number;
  /** How long a nonce stays used (600 s). Must exceed twice the skew so a replay can't outlive it. */
  readonly nonceTtlSeconds: number;
}

/**
 * An unknown channel and a bad signature answer alike, so that the answer tells no caller which channel
 * ids exist; the audit keeps which it was. `expectedStringToSign` (as AWS SigV4's
 * `SignatureDoesNotMatch` does) is built from the request alone — method, path, canonical query,
 * timestamp, nonce, SM3 of the body — so it reveals nothing the caller did not send, and it is what an
 * integrator needs to find a canonicalisation mistake.
 */
const authFailed = (auditCode: string, expectedStringToSign: string): ZtAuditedError =>
  new ZtAuditedError(
    401,
    'AUTH_FAILED',
    'Unauthenticated',
    'The request could not be authenticated: the channel is not registered, or the signature does not verify with its registered key. `expectedStringToSign` is the string the server expected to be signed.',
    { expectedStringToSign },
    auditCode,
  );

/** Returns the authenticated channel, or throws a 401/403 ZtError with a stable code. */
export async function authenticateChannel(event: APIGatewayProxyEvent, deps: ChannelAuthDeps): Promise<Channel> {
  const authorization = header(event, 'authorization');
  if (authorization === undefined) throw unauthenticated('AUTH_MISSING', 'The Authorization header is missing; sign the request with ZT-SM2.');
  const parsed = parseAuthorization(authorization);
  if (!parsed.ok) throw unauthenticated('AUTH_MALFORMED', `The Authorization header is malformed: ${parsed.reason}.`);
  const { channelId, timestamp, nonce, signature } = parsed.value;

  const nowSeconds = Math.floor(deps.clock.now().getTime() / 1000);
  if (Math.abs(nowSeconds - timestamp) > deps.maxSkewSeconds) {
    throw unauthenticated('AUTH_TIMESTAMP_OUT_OF_WINDOW', `The timestamp is more than ${deps.maxSkewSeconds} s away from the server clock.`, { serverTime: nowSeconds });
  }
  const signed = { method: event.httpMethod, pathAndQuery: pathAndQuery(event), timestamp, nonce, body: rawBody(event) };
  const channel = await deps.channels.get(channelId);
  if (!channel) throw authFailed('AUTH_UNKNOWN_CHANNEL', canonicalRequestString(signed));
  if (!verifyRequestSignature({ ...signed, signature, publicKeyHex: channel.publicKey })) throw authFailed('AUTH_BAD_SIGNATURE', canonicalRequestString(signed));
  // Status only after the signature, so that channel status is not revealed to an unauthenticated caller.
  if (channel.status !== 'ACTIVE') throw forbidden('CHANNEL_DISABLED', 'This channel is disabled; contact the registry.');
  if (!(await deps.nonces.claim(channel.channelId, nonce, deps.nonceTtlSeconds))) {
    throw unauthenticated('AUTH_NONCE_REUSED', 'This nonce was already used; every request needs a fresh nonce.');
  }
  return channel;
}
