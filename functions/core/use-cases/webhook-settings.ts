/**
 * A channel's webhook settings (DESIGN.md §3 Progress, §7): the URL that receives its signed progress
 * events, and what the institution needs to verify them — the platform's SM2 public key and the
 * signature scheme. Polling (`GET /v1/filings/{id}`) stays available with or without a webhook.
 */
import { unprocessable } from '../domain/errors';
import { checkWebhookUrl, WEBHOOK_URL_CODES, type WebhookUrlPolicy } from '../domain/webhook-url';
import type { AuditLog, Channel, Clock, PlatformSigner, WebhookRegistry } from '../ports';
import { RETRY_CAP_SECONDS, WEBHOOK_HEADERS, WEBHOOK_SIGNATURE_SCHEME } from './deliver-progress';

export interface WebhookSignatureScheme {
  readonly scheme: typeof WEBHOOK_SIGNATURE_SCHEME;
  readonly keyId: string;
  readonly algorithm: string;
  readonly headers: readonly string[];
  readonly signatureHeader: string;
  readonly signedString: string;
  readonly delivery: string;
}

export interface WebhookView {
  readonly url?: string;
  readonly updatedAt?: string;
  /** The platform's SM2 public key, uncompressed hex (`04…`): verify every delivery with it. */
  readonly platformPublicKey: string;
  readonly signature: WebhookSignatureScheme;
}

type Signer = Pick<PlatformSigner, 'keyId' | 'publicKeyHex'>;

async function viewOf(signer: Signer, webhook: Channel['webhook']): Promise<WebhookView> {
  return {
    ...(webhook ? { url: webhook.url, updatedAt: webhook.updatedAt } : {}),
    platformPublicKey: await signer.publicKeyHex(),
    signature: {
      scheme: WEBHOOK_SIGNATURE_SCHEME,
      keyId: signer.keyId,
      algorithm: 'SM2 with SM3 over Z‖M, default user id 1234567812345678 (GM/T 0003, GM/T 0009); DER signature, base64',
      headers: [WEBHOOK_HEADERS.eventId, WEBHOOK_HEADERS.timestamp, WEBHOOK_HEADERS.signature],
      signatureHeader: `${WEBHOOK_HEADERS.signature}: ${WEBHOOK_SIGNATURE_SCHEME} keyId="<keyId>",signature="<base64 DER>"`,
      signedString: `${WEBHOOK_HEADERS.timestamp} "\\n" ${WEBHOOK_HEADERS.eventId} "\\n" lowercase-hex(SM3(raw body bytes)) "\\n"`,
      delivery:
        `POST application/json, the body is the progress event; any 2xx acknowledges it. Anything else, or no answer within 5 s, ` +
        `is retried with exponential backoff (20 s doubling, at most ${RETRY_CAP_SECONDS / 60} min apart) up to 8 attempts. ` +
        'At least once: drop an eventId already seen; order by `at`. Refuse a ZT-Timestamp more than 300 s from your clock.',
    },
  };
}

/** The channel's webhook and the means to verify deliveries. */
export async function getWebhookSettings(ports: { signer: Signer }, channel: Channel): Promise<WebhookView> {
  return viewOf(ports.signer, channel.webhook);
}

export interface SetWebhookPorts {
  readonly registry: WebhookRegistry;
  readonly signer: Signer;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly policy: WebhookUrlPolicy;
}

/**
 * Registers, changes or (with `null`) removes the channel's webhook.
 *
 * 1. Check the URL against the policy (https, no credentials, no localhost or non-public IP: SSRF);
 *    a refused URL answers 422 with a stable code and stores nothing.
 * 2. Store it, normalised, on the channel's record (the tenant is the authenticated channel, never the body).
 * 3. Audit the change in the institution's log, naming the host only.
 */
export async function setWebhookSettings(ports: SetWebhookPorts, channel: Channel, url: string | null): Promise<WebhookView> {
  let webhook: Channel['webhook'];
  if (url !== null) {
    const checked = checkWebhookUrl(url, ports.policy);
    if (!checked.ok) throw unprocessable(checked.code, WEBHOOK_URL_CODES[checked.code]);
    webhook = { url: checked.url.href, updatedAt: ports.clock.now().toISOString() };
  }
  await ports.registry.setWebhook(channel.channelId, webhook);
  await ports.audit.record({
    tenant: channel.institutionId,
    actor: `channel:${channel.channelId}`,
    action: webhook ? 'WEBHOOK_SET' : 'WEBHOOK_REMOVED',
    outcome: 'SUCCESS',
    target: channel.channelId,
    ...(webhook ? { detail: { host: new URL(webhook.url).host } } : {}),
  });
  return viewOf(ports.signer, webhook);
}
