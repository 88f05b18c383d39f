/**
 * POST /v1/batches and GET /v1/batches/{batchId} (DESIGN.md §7). A batch carries up to N filings; each
 * is validated on its own afterwards (`validateFilingInput`), so the request schema only bounds the list
 * and the batch answers per item (partial success).
 *
 * Response schemas are plain (stripping) objects: parsing a stored record through them drops internal
 * fields such as the channel id instead of leaking them.
 */
import { z } from 'zod';
import { FILING_STATUSES } from '../../functions/core/domain/filing';
import { fieldErrorSchema } from './problem';

export { fieldErrorSchema };

/** Default batch size limit (DESIGN.md §3); the deployed limit is configuration. */
export const MAX_FILINGS_PER_BATCH_DEFAULT = 500;

export const submitBatchRequestSchema = (max: number) =>
  z.strictObject({
    filings: z.array(z.unknown()).min(1).max(max),
  });

export type SubmitBatchRequest = z.output<ReturnType<typeof submitBatchRequestSchema>>;

const itemIndex = z.int().min(0).meta({ description: 'Position of the filing in the submitted `filings` array.' });
const clientRef = z.string().meta({ description: "The filer's reference, when the item carried a readable one." });
const filingId = z.string().meta({ description: 'Identifier of the stored filing; absent for invalid items.' });
const itemErrors = z.array(fieldErrorSchema).meta({ description: 'Why the item is INVALID.' });

export const BATCH_ITEM_STATUSES = ['SUBMITTED', 'INVALID'] as const;

export const submitBatchItemSchema = z.object({
  index: itemIndex,
  clientRef: clientRef.optional(),
  filingId: filingId.optional(),
  status: z.enum(BATCH_ITEM_STATUSES),
  errors: itemErrors.optional(),
});

/** Where the batch's receipt is (DESIGN.md §5): poll `href` until a signed tree head covers the entry `entryKey` of log `logId`. */
export const batchReceiptReferenceSchema = z.object({
  href: z.string().describe('`/v1/batches/<batchId>/receipt`: 202 PENDING until a signed tree head covers the entry, then the receipt.'),
  logId: z.string().describe("The institution's audit log, `zhitong/audit/v1/<institutionId>`."),
  entryKey: z.string().describe('The log entry key of the receipt entry, `batch:<batchId>`.'),
});

export const submitBatchResponseSchema = z.object({
  batchId: z.string(),
  items: z.array(submitBatchItemSchema),
  receipt: batchReceiptReferenceSchema,
});

export type SubmitBatchResponse = z.output<typeof submitBatchResponseSchema>;

export const batchViewItemSchema = z.object({
  index: itemIndex,
  clientRef: clientRef.optional(),
  filingId: filingId.optional(),
  status: z.enum([...FILING_STATUSES, 'INVALID']).meta({ description: "The filing's current status, or INVALID for an item refused at submission." }),
  errors: itemErrors.optional(),
});

export const batchViewSchema = z.object({
  batchId: z.string(),
  createdAt: z.iso.datetime({ offset: true }),
  items: z.array(batchViewItemSchema),
});

export type BatchView = z.output<typeof batchViewSchema>;
