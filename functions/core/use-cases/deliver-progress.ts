/**
 * Delivering one event to its institution's webhook — a filing's progress (DESIGN.md §3 Progress;
 * 002 三(一)1) or a credit notice (DESIGN.md §4; 002 三(一)6) — SM2-signed by the platform, so the
 * institution can prove the registry sent it, and carrying only ids, statuses, codes and numbers — never
 * personal data. Both kinds travel the same way, with the same headers and signature.
 *
 * ```
 * POST <webhook url>
 * Content-Type: application/json; charset=utf-8
 * ZT-Event-Id: <eventId>
 * ZT-Timestamp: <unix seconds of this attempt>
 * ZT-Signature: ZT-SM2 keyId="<platform key id>",signature="<base64 of DER SM2 signature>"
 * signed string = timestamp "\n" eventId "\n" lowercase-hex(SM3(body bytes)) "\n"
 * ```
 *
 * Delivery is at least once: the worker retries failures with exponential backoff through the queue
 * (see {@link retryDelaySeconds}) and the queue dead-letters an event after its maxReceiveCount.
 * Receivers drop an `eventId` they have already seen and order by `at`, since retries can overtake.
 */
import { createHash } from 'node:crypto';
import { checkWebhookUrl, type WebhookUrlPolicy } from '../domain/webhook-url';
import type { AuditLog, ChannelDirectory, Clock, CreditNotice, PlatformSigner, ProgressEvent, WebhookEvent, WebhookOutcome, WebhookSender } from '../ports';

export const WEBHOOK_HEADERS = { eventId: 'ZT-Event-Id', timestamp: 'ZT-Timestamp', signature: 'ZT-Signature' } as const;
export const WEBHOOK_SIGNATURE_SCHEME = 'ZT-SM2';

/** First retry after 2 × 10 s, doubling per receive, never more than 15 minutes apart. */
export const RETRY_BASE_SECONDS = 10;
export const RETRY_CAP_SECONDS = 15 * 60;

/**
 * How long a failed event stays hidden before its next attempt: min(2^receiveCount × base, cap).
 * With the queue's maxReceiveCount of 8: 20 s, 40 s, 80 s, 160 s, 320 s, 640 s, 900 s, then the DLQ —
 * about 36 minutes of attempts.
 */
export function retryDelaySeconds(receiveCount: number, baseSeconds = RETRY_BASE_SECONDS, capSeconds = RETRY_CAP_SECONDS): number {
  const count = Number.isFinite(receiveCount) && receiveCount >= 1 ? Math.floor(receiveCount) : 1;
  // Whole seconds (SQS visibility timeouts are integers); the exponent is bounded, so no overflow for any count.
  return Math.min(capSeconds, Math.ceil(2 ** Math.min(count, 30) * baseSeconds));
}

/** The signed string of a delivery. */
export function webhookSignedString(timestamp: number, eventId: string, body: string): string {
  const bodyHash = createHash('sm3').update(body, 'utf8').digest('hex');
  return `${timestamp}\n${eventId}\n${bodyHash}\n`;
}

/**
 * The body posted: exactly the fields of a ProgressEvent, in a fixed order. Built field by field, so an
 * object that carries anything more (by mistake) still sends nothing more.
 */
export function progressEventBody(event: ProgressEvent): string {
  const { v, eventId, channelId, filingId, clientRef, businessType, status, at, reasonCode, coordination } = event;
  return JSON.stringify({
    v,
    eventId,
    channelId,
    filingId,
    clientRef,
    businessType,
    status,
    at,
    ...(reasonCode !== undefined ? { reasonCode } : {}),
    ...(coordination !== undefined ? { coordination: coordination.map(({ kind, state, reasonCode: code }) => ({ kind, state, ...(code !== undefined ? { reasonCode: code } : {}) })) } : {}),
  });
}

/**
 * The body posted for a credit notice: exactly the fields of a CreditNotice, in a fixed order, built field
 * by field like {@link progressEventBody}.
 */
export function creditNoticeBody(notice: CreditNotice): string {
  const { v, type, eventId, channelId, institutionId, change, at, score, grade, caseNo, ledgerEventId, kind, points, rectificationId } = notice;
  return JSON.stringify({
    v,
    type,
    eventId,
    channelId,
    institutionId,
    change,
    at,
    score,
    grade,
    ...(caseNo !== undefined ? { caseNo } : {}),
    ...(ledgerEventId !== undefined ? { ledgerEventId } : {}),
    ...(kind !== undefined ? { kind } : {}),
    ...(points !== undefined ? { points } : {}),
    ...(rectificationId !== undefined ? { rectificationId } : {}),
  });
}

/** A credit notice rather than a filing's progress event (progress events carry no `type`). */
export const isCreditNotice = (event: WebhookEvent): event is CreditNotice => 'type' in event && event.type === 'CREDIT';

/** The body posted for either kind of event. */
export const webhookEventBody = (event: WebhookEvent): string => (isCreditNotice(event) ? creditNoticeBody(event) : progressEventBody(event));

export interface DeliverProgressPorts {
  readonly channels: ChannelDirectory;
  readonly sender: WebhookSender;
  readonly signer: PlatformSigner;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly policy: WebhookUrlPolicy;
}

export type DeliveryResult =
  | { readonly kind: 'delivered'; readonly httpStatus: number }
  /** Nothing to do: the channel registered no webhook (polling stays available), or no longer exists. */
  | { readonly kind: 'skipped'; readonly reason: 'NO_WEBHOOK' | 'CHANNEL_NOT_FOUND' }
  /** To be retried: a non-2xx answer, or no answer at all. */
  | { readonly kind: 'failed'; readonly httpStatus?: number; readonly reason: string };

const ACTOR = 'worker:notifier';
const ACTION = 'WEBHOOK_DELIVERY';

/**
 * Delivers one event (progress or credit notice), once; the caller (the notifier worker) owns retries.
 *
 * 1. Load the event's channel; a missing channel or one without a webhook ends here (audited).
 * 2. Re-check the stored URL against the SSRF policy (it may predate the policy).
 * 3. Build the body from the event's fields only, sign timestamp, event id and SM3 of the body.
 * 4. POST it (bounded time, no redirects); any 2xx is delivered, anything else (including every 4xx:
 *    a receiver may be misconfigured for a while) is a failure to retry.
 * 5. Audit the attempt in the institution's log (002 五(二)4: data provided to others).
 */
export async function deliverProgress(ports: DeliverProgressPorts, event: WebhookEvent, attempt: number): Promise<DeliveryResult> {
  // A progress event's record names its filing and status; a credit notice's its change and the channel.
  const credit = isCreditNotice(event);
  const common: Record<string, string | number> = credit ? { eventId: event.eventId, eventType: event.type, creditChange: event.change, attempt } : { eventId: event.eventId, eventStatus: event.status, attempt };
  const target = credit ? event.channelId : event.filingId;
  const channel = await ports.channels.get(event.channelId);
  if (!channel) {
    await ports.audit.record({ tenant: 'unknown', actor: ACTOR, action: ACTION, outcome: 'ERROR', target, detail: { ...common, result: 'CHANNEL_NOT_FOUND', channelId: event.channelId } });
    return { kind: 'skipped', reason: 'CHANNEL_NOT_FOUND' };
  }
  const audit = (outcome: 'SUCCESS' | 'ERROR', detail: Record<string, string | number | boolean>) =>
    ports.audit.record({ tenant: channel.institutionId, actor: ACTOR, action: ACTION, outcome, target, detail: { ...common, ...detail } });

  if (!channel.webhook) {
    await audit('SUCCESS', { result: 'NO_WEBHOOK' });
    return { kind: 'skipped', reason: 'NO_WEBHOOK' };
  }
  const checked = checkWebhookUrl(channel.webhook.url, ports.policy);
  if (!checked.ok) {
    await audit('ERROR', { result: 'FAILED', reason: checked.code });
    return { kind: 'failed', reason: checked.code };
  }
  // The host names where the event went; the path and query may hold the institution's own tokens.
  const host = checked.url.host;

  const body = webhookEventBody(event);
  const timestamp = Math.floor(ports.clock.now().getTime() / 1000);
  const signature = await ports.signer.sign(Buffer.from(webhookSignedString(timestamp, event.eventId, body), 'utf8'));
  const outcome: WebhookOutcome = await ports.sender.post({
    url: checked.url.href,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      [WEBHOOK_HEADERS.eventId]: event.eventId,
      [WEBHOOK_HEADERS.timestamp]: String(timestamp),
      [WEBHOOK_HEADERS.signature]: `${WEBHOOK_SIGNATURE_SCHEME} keyId="${ports.signer.keyId}",signature="${signature.toString('base64')}"`,
    },
    body,
  });

  if (outcome.kind === 'answered' && outcome.status >= 200 && outcome.status < 300) {
    await audit('SUCCESS', { result: 'DELIVERED', httpStatus: outcome.status, host });
    return { kind: 'delivered', httpStatus: outcome.status };
  }
  if (outcome.kind === 'answered') {
    await audit('ERROR', { result: 'FAILED', httpStatus: outcome.status, host });
    return { kind: 'failed', httpStatus: outcome.status, reason: `HTTP_${outcome.status}` };
  }
  await audit('ERROR', { result: 'FAILED', reason: outcome.reason, host });
  return { kind: 'failed', reason: outcome.reason };
}
