/**
 * Channel authentication (DESIGN.md §5, §7; GB/T 39786 level 3 non-repudiation): every request is
 * SM2-signed over method, path and query, timestamp, nonce and SM3 of the raw body. Stale or future
 * timestamps and reused nonces are refused. Done inside the function rather than in an API Gateway
 * authorizer because the signature covers the body, which an authorizer never sees.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { forbidden, unauthenticated } from '../../core/domain/errors';
import type { Channel, ChannelDirectory, Clock, NonceStore } from '../../core/ports';
import { parseAuthorization, verifyRequestSignature } from '../crypto/request-signature';
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
  const channel = await deps.channels.get(channelId);
  if (!channel) throw unauthenticated('AUTH_UNKNOWN_CHANNEL', 'No channel with this id is registered.');

  const valid = verifyRequestSignature({
    method: event.httpMethod,
    pathAndQuery: pathAndQuery(event),
    timestamp,
    nonce,
    body: rawBody(event),
    signature,
    publicKeyHex: channel.publicKey,
  });
  if (!valid) throw unauthenticated('AUTH_BAD_SIGNATURE', 'The signature does not verify with the public key registered for this channel.');
  // Status only after the signature, so that channel status is not revealed to an unauthenticated caller.
  if (channel.status !== 'ACTIVE') throw forbidden('CHANNEL_DISABLED', 'This channel is disabled; contact the registry.');
  if (!(await deps.nonces.claim(channel.channelId, nonce, deps.nonceTtlSeconds))) {
    throw unauthenticated('AUTH_NONCE_REUSED', 'This nonce was already used; every request needs a fresh nonce.');
  }
  return channel;
}
