/**
 * GET and PUT /v1/channel/webhook (DESIGN.md §3 Progress, §7): the URL that receives the channel's
 * SM2-signed progress events, and what an institution needs to verify them.
 */
import { z } from 'zod';
import { WEBHOOK_URL_CODES, WEBHOOK_URL_MAX_LENGTH } from '../../functions/core/domain/webhook-url';
import { carriesPersonalIdentifier, PERSONAL_DATA_IN_TEXT } from '../identifiers';
import type { WebhookView } from '../../functions/core/use-cases/webhook-settings';

export { WEBHOOK_URL_CODES };

/** The URL with its percent-encoding undone where it can be, so that `%33%37…` hides nothing. */
function decodedForCheck(url: string): string {
  try {
    return `${url} ${decodeURIComponent(url)}`;
  } catch {
    return url;
  }
}

export const putWebhookRequestSchema = z.strictObject({
  url: z
    .string()
    .max(WEBHOOK_URL_MAX_LENGTH)
    // The URL is stored in the clear and shown back: it must not carry a resident ID or phone number.
    .superRefine((value, ctx) => {
      if (carriesPersonalIdentifier(decodedForCheck(value))) {
        ctx.addIssue({ code: 'custom', message: 'The URL must not carry a resident ID number or a phone number.', params: { code: PERSONAL_DATA_IN_TEXT } });
      }
    })
    .nullable()
    .meta({
      description:
        'An absolute https URL without user name, password or fragment, on a public host (not localhost, not a loopback, ' +
        'private or link-local address); `null` removes the webhook. Progress stays available by polling either way.',
      examples: ['https://bank.example.cn/zhitong/progress'],
    }),
});

export type PutWebhookRequest = z.output<typeof putWebhookRequestSchema>;

export const webhookSignatureSchemeSchema = z.object({
  scheme: z.literal('ZT-SM2'),
  keyId: z.string().meta({ description: 'The platform key that signs deliveries, as named in the `ZT-Signature` header.' }),
  algorithm: z.string(),
  headers: z.array(z.string()).readonly().meta({ description: 'Headers every delivery carries.' }),
  signatureHeader: z.string(),
  signedString: z.string(),
  delivery: z.string().meta({ description: 'Acknowledgement, retries and ordering.' }),
});

export const webhookViewSchema = z.object({
  url: z.string().optional().meta({ description: 'The registered URL; absent when the channel has none.' }),
  updatedAt: z.iso.datetime({ offset: true }).optional(),
  platformPublicKey: z
    .string()
    .regex(/^04[0-9a-f]{128}$/)
    .meta({ description: "The platform's SM2 public key (uncompressed, hex): verify every delivery's signature with it." }),
  signature: webhookSignatureSchemeSchema,
});

// Compile-time guard: what the use case answers is what the schema documents.
const _viewMatches = (view: WebhookView): z.input<typeof webhookViewSchema> => view;
