/**
 * The notifications queue message, version 1: one event for an institution's webhook, in one of two
 * strict shapes —
 * - a filing's **progress event**, exactly the fields of `ProgressEvent` (DESIGN.md §3 Progress; no `type`
 *   member, as it always was: every earlier message stays valid byte for byte);
 * - a **credit notice** (`type: 'CREDIT'`), exactly the fields of `CreditNotice` (DESIGN.md §4: every credit
 *   change is pushed to the institution's webhook).
 *
 * The notifier posts this same JSON, unchanged, to the institution's webhook, so what is on the queue is
 * what the institution receives: ids, statuses, codes and numbers, never personal data. Both objects are
 * strict, so nothing else can ride along; a new shape is a new version (`notification.v2.ts`) with its own
 * fixture in `events/messages/` (`notification.v1.json`, `credit-notice.v1.json`).
 */
import { z } from 'zod';
import { BUSINESS_TYPES } from '../../functions/core/domain/business-types';
import { RESULT_KINDS, RESULT_OUTCOMES } from '../../functions/core/domain/coordination';
import { FILING_STATUSES } from '../../functions/core/domain/filing';
import { CREDIT_CHANGES, CREDIT_GRADES, LEDGER_KINDS } from '../../functions/core/domain/credit';
import type { CreditNotice, ProgressEvent, WebhookEvent } from '../../functions/core/ports';

const ID = /^[A-Za-z0-9._:#-]{1,160}$/;

export const notificationMessageV1Schema = z.strictObject({
  v: z.literal(1),
  eventId: z.string().regex(ID).meta({ description: 'Stable per transition: a receiver drops an event id it has seen.' }),
  channelId: z.string().regex(ID),
  filingId: z.string().regex(ID),
  clientRef: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/).meta({ description: "The institution's own reference for the filing." }),
  businessType: z.enum(BUSINESS_TYPES),
  status: z.enum(FILING_STATUSES),
  at: z.iso.datetime({ offset: true }).meta({ description: 'When the transition happened (ISO 8601).' }),
  reasonCode: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]{0,63}$/)
    .optional()
    .meta({ description: 'Why, for refusals and correction requests: a code, never free text.' }),
  // Added in place (optional, so every earlier message and receiver stays valid): where each department result stands.
  coordination: z
    .array(
      z.strictObject({
        kind: z.enum(RESULT_KINDS),
        state: z.enum(['REQUESTED', ...RESULT_OUTCOMES, 'CANCELLED']),
        reasonCode: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/).optional(),
      }),
    )
    .max(RESULT_KINDS.length)
    .optional()
    .meta({
      description:
        'For filings that need department results (DESIGN.md §3 Coordination): each result kind and its state, with the department reason code. An event whose `status` did not change (a PENDING answer, one result of two) has an event id `<filingId>:<n>.<revision>`.',
    }),
});

export type NotificationMessageV1 = z.output<typeof notificationMessageV1Schema>;

/** A credit notice (DESIGN.md §4), told apart from a progress event by `type: 'CREDIT'`. */
export const creditNoticeMessageV1Schema = z.strictObject({
  v: z.literal(1),
  type: z.literal('CREDIT'),
  eventId: z.string().regex(ID).meta({ description: "Derived from the change's cause: a redelivered notice carries the same id; a receiver drops an id it has seen." }),
  channelId: z.string().regex(ID),
  institutionId: z.string().regex(ID),
  change: z.enum(CREDIT_CHANGES),
  at: z.iso.datetime({ offset: true }).meta({ description: 'When the change happened (ISO 8601).' }),
  score: z.number().int().min(0).meta({ description: "The channel's score after the change." }),
  grade: z.enum(CREDIT_GRADES).meta({ description: "The channel's grade after the change." }),
  caseNo: z.string().regex(ID).optional(),
  ledgerEventId: z.string().regex(ID).optional(),
  kind: z.enum(LEDGER_KINDS).optional(),
  points: z.number().int().optional(),
  rectificationId: z.string().regex(ID).optional(),
});

export type CreditNoticeMessageV1 = z.output<typeof creditNoticeMessageV1Schema>;

/** Either shape; strict both, so a message is exactly one of them. */
export const webhookMessageV1Schema = z.union([notificationMessageV1Schema, creditNoticeMessageV1Schema]);
export type WebhookMessageV1 = z.output<typeof webhookMessageV1Schema>;

// Compile-time guards: the messages and the port's ProgressEvent / CreditNotice describe the same things, both ways.
const _eventIsMessage = (event: ProgressEvent): NotificationMessageV1 => event;
const _messageIsEvent = (message: NotificationMessageV1): ProgressEvent => message;
const _noticeIsMessage = (notice: CreditNotice): CreditNoticeMessageV1 => notice;
const _messageIsNotice = (message: CreditNoticeMessageV1): CreditNotice => message;
const _webhookEventIsMessage = (event: WebhookEvent): WebhookMessageV1 => event;
const _messageIsWebhookEvent = (message: WebhookMessageV1): WebhookEvent => message;

/** The strict schema of the event's shape (chosen by `type`, so an error names the right fields). */
const schemaOf = (json: unknown) =>
  typeof json === 'object' && json !== null && (json as { type?: unknown }).type === 'CREDIT' ? creditNoticeMessageV1Schema : notificationMessageV1Schema;

/**
 * The body of a notification message, and byte for byte the body posted to the webhook: the event
 * parsed through its strict schema (which drops nothing but refuses anything extra), keys in schema order.
 */
export const formatNotificationMessage = (event: WebhookEvent): string => JSON.stringify(schemaOf(event).parse(event));

/** Parses an SQS message body; throws an Error naming what is wrong (never the body's content). */
export function parseNotificationMessage(body: string): WebhookMessageV1 {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Error('Notification message body is not valid JSON');
  }
  const result = schemaOf(json).safeParse(json);
  if (!result.success) {
    const where = result.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.code}`).join('; ');
    throw new Error(`Notification message does not match notification.v1 (${where})`);
  }
  return result.data;
}
