/**
 * The notifications queue message, version 1: one filing's progress event, exactly the fields of
 * `ProgressEvent` (DESIGN.md §3 Progress). The notifier posts this same JSON, unchanged, to the
 * institution's webhook, so what is on the queue is what the institution receives: ids, statuses and
 * reason codes, never personal data. The object is strict, so nothing else can ride along; a new shape
 * is a new version (`notification.v2.ts`) with its own fixture in `events/messages/`.
 */
import { z } from 'zod';
import { BUSINESS_TYPES } from '../../functions/core/domain/business-types';
import { RESULT_KINDS, RESULT_OUTCOMES } from '../../functions/core/domain/coordination';
import { FILING_STATUSES } from '../../functions/core/domain/filing';
import type { ProgressEvent } from '../../functions/core/ports';

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

// Compile-time guards: the message and the port's ProgressEvent describe the same thing, both ways.
const _eventIsMessage = (event: ProgressEvent): NotificationMessageV1 => event;
const _messageIsEvent = (message: NotificationMessageV1): ProgressEvent => message;

/**
 * The body of a notification message, and byte for byte the body posted to the webhook: the event
 * parsed through the strict schema (which drops nothing but refuses anything extra), keys in schema order.
 */
export const formatNotificationMessage = (event: ProgressEvent): string => JSON.stringify(notificationMessageV1Schema.parse(event));

/** Parses an SQS message body; throws an Error naming what is wrong (never the body's content). */
export function parseNotificationMessage(body: string): NotificationMessageV1 {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Error('Notification message body is not valid JSON');
  }
  const result = notificationMessageV1Schema.safeParse(json);
  if (!result.success) {
    const where = result.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.code}`).join('; ');
    throw new Error(`Notification message does not match notification.v1 (${where})`);
  }
  return result.data;
}
