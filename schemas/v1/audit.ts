/**
 * Requests and answers of the audit log's read side (DESIGN.md §5): receipts, the log key, and the auditors'
 * search, trace, statistics, tree heads, proofs and exports. Hex is lowercase; sizes and seqs are integers
 * ≥ 0 within what the log committed; every query is a strict object (an unknown parameter is 400 INVALID_QUERY).
 */
import { z } from 'zod';
import { TENANT } from '../../functions/core/domain/audit-log';
import { MAX_EXPORT_ENTRIES } from '../../functions/core/use-cases/audit-export';
import { STATISTICS_GROUPS } from '../../functions/core/use-cases/audit-search';
import { FILING_ID } from './path-parameters';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
/**
 * A query integer written as plain decimal: digits only, no sign, no leading zero, no exponent, no spaces,
 * at most a safe integer ("12abc", "1e3", " 12", "012", "0x10" are refused, not read as numbers).
 */
const decimal = (description: string) =>
  z
    .string()
    .regex(/^(0|[1-9][0-9]{0,15})$/)
    .transform(Number)
    .pipe(z.number().int().max(Number.MAX_SAFE_INTEGER))
    .meta({ description });
const seq = decimal('An entry sequence number (leaf index): decimal digits, no sign or leading zero.');
const size = decimal('A tree size: decimal digits, no sign or leading zero.');
const isoTime = z.iso.datetime({ offset: false }).meta({ description: 'ISO 8601 UTC instant, e.g. `2026-12-01T00:00:00.000Z`.' });
const tenant = z.string().regex(TENANT).meta({ description: 'Whose log: a district code, an institution id, `public`, `unauthenticated`, `department:<id>`, `security`.' });
const shortText = z.string().min(1).max(128).regex(/^[A-Za-z0-9:_.#-]+$/);

export const AUDIT_PAGE_MAX = 500;

export const treeHeadSchema = z.object({ logId: z.string(), treeSize: z.number().int(), rootHash: hex64, timestamp: z.string() });
export const signedTreeHeadSchema = z.object({
  treeHead: treeHeadSchema,
  signature: z.string().describe('base64 DER SM2 signature (SM3, user id 1234567812345678) over canonicalJson(treeHead).'),
  keyId: z.string(),
});

// ——— channel: receipts ———

export const batchReceiptSchema = z.object({
  batchId: z.string(),
  logId: z.string(),
  leafIndex: z.number().int(),
  entry: z.string().describe('The entry as canonical JSON: exactly the bytes the leaf hash covers (SM3(0x00 ‖ entry)).'),
  leafHash: hex64,
  treeHead: signedTreeHeadSchema,
  inclusionProof: z.array(hex64).describe('RFC 9162 §2.1.3 audit path, leaf side first.'),
  logPublicKey: z.string(),
  keyId: z.string(),
});
export const receiptPendingSchema = z.object({ batchId: z.string(), status: z.literal('PENDING') });
export const receiptConsistencyQuerySchema = z.strictObject({ from: size.meta({ description: 'A tree size the institution holds (an earlier receipt head).' }) });
export const receiptConsistencySchema = z.object({ batchId: z.string(), from: z.number().int(), treeHead: signedTreeHeadSchema, proof: z.array(hex64) });
export const logKeySchema = z.object({
  keyId: z.string(),
  publicKey: z.string().describe('Uncompressed SM2 public key, hex (`04…`).'),
  algorithm: z.literal('SM2-with-SM3'),
  userId: z.literal('1234567812345678'),
});

// ——— staff: search, trace, statistics ———

const page = {
  limit: decimal(`Page size, 1 to ${AUDIT_PAGE_MAX}.`).pipe(z.number().min(1).max(AUDIT_PAGE_MAX)).default(100),
  cursor: z.string().min(1).max(2048).optional().meta({ description: 'The `nextCursor` of the previous page of the same search, unchanged; any other value is 400 `CURSOR_INVALID`.' }),
};

export const auditEntriesQuerySchema = z
  .strictObject({
    tenant: tenant.optional(),
    actor: shortText.optional(),
    action: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/).optional(),
    target: shortText.optional(),
    outcome: z.enum(['SUCCESS', 'DENIED', 'ERROR']).optional(),
    institutionId: shortText.optional(),
    from: isoTime.optional(),
    to: isoTime.optional(),
    ...page,
  })
  .refine((q) => q.tenant !== undefined || q.actor !== undefined || q.target !== undefined, { message: 'Name a tenant, an actor or a target.', path: ['tenant'] });

export const auditTraceQuerySchema = z
  .strictObject({
    filingId: z.string().regex(FILING_ID).optional(),
    staffId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
    from: isoTime.optional(),
    to: isoTime.optional(),
    ...page,
  })
  .refine((q) => (q.filingId === undefined) !== (q.staffId === undefined), { message: 'Name exactly one of filingId, staffId.', path: ['filingId'] });

export const auditStatisticsQuerySchema = z.strictObject({
  from: isoTime.optional(),
  to: isoTime.optional(),
  groupBy: z
    .string()
    .max(200)
    .transform((value) => value.split(','))
    .pipe(z.array(z.enum(STATISTICS_GROUPS)).min(1).max(STATISTICS_GROUPS.length).refine((groups) => new Set(groups).size === groups.length, { message: 'Each group once.' }))
    .meta({ description: `Comma-separated, of ${STATISTICS_GROUPS.join(', ')}.` }),
  tenant: tenant.optional(),
  action: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/).optional(),
});

export const logEntrySchema = z.object({
  v: z.literal(1),
  logId: z.string(),
  seq: z.number().int(),
  key: z.string(),
  at: z.string(),
  tenant: z.string(),
  actor: z.string(),
  action: z.string(),
  outcome: z.string(),
  retention: z.string(),
  target: z.string().optional(),
  subject: z.record(z.string(), z.string()).optional(),
  detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});

export const entryViewSchema = z.object({ tenant: z.string(), seq: z.number().int(), leafHash: hex64, retention: z.string(), entry: logEntrySchema.optional() });
export const entryListSchema = z.object({ items: z.array(entryViewSchema), nextCursor: z.string().optional() });
export const statisticsSchema = z.object({
  from: z.string(),
  to: z.string(),
  groupBy: z.array(z.enum(STATISTICS_GROUPS)),
  total: z.number().int(),
  groups: z.array(z.object({ key: z.record(z.string(), z.string()), count: z.number().int() })),
});

// ——— staff: tree heads, proofs ———

export const logPath = z.strictObject({ tenant });
export const treeHeadsQuerySchema = z.strictObject({ fromSize: size.default(0), toSize: size.optional() });
export const treeHeadListSchema = z.object({ items: z.array(signedTreeHeadSchema), truncated: z.boolean() });
export const inclusionQuerySchema = z.strictObject({ seq, treeSize: decimal('A tree size ≥ 1: decimal digits, no sign or leading zero.').pipe(z.number().min(1)).optional() });
export const inclusionSchema = z.object({
  leafIndex: z.number().int(),
  treeSize: z.number().int(),
  leafHash: hex64,
  entry: logEntrySchema.optional(),
  proof: z.array(hex64),
  treeHead: signedTreeHeadSchema.optional(),
});
export const consistencyQuerySchema = z.strictObject({ first: size, second: size });
export const consistencySchema = z.object({ first: z.number().int(), second: z.number().int(), proof: z.array(hex64) });

// ——— staff: exports ———

// fromSeq/toSeq: numbers here, their range checked by the use case (audit-export.ts checkExportRange) before any
// read, so that every range refusal is 422 with a code of its own rather than INVALID_BODY for some of them (F9).
export const postExportRequestSchema = z.strictObject({
  tenant,
  fromSeq: z
    .number()
    .optional()
    .meta({ description: 'The first seq, an integer ≥ 0 (default 0). Negative, fractional or ≥ `toSeq`: 422 `EXPORT_RANGE_INVALID`; at or beyond the latest signed head: 422 `EXPORT_EMPTY`.' }),
  toSeq: z
    .number()
    .optional()
    .meta({
      description: `Exclusive, an integer ≥ 1; the export ends at the latest signed head of size ≤ toSeq (beyond the log: the latest head). At most ${MAX_EXPORT_ENTRIES} entries per export (422 \`EXPORT_TOO_LARGE\`).`,
    }),
  filter: z
    .strictObject({
      action: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/).optional(),
      actor: shortText.optional(),
      target: shortText.optional(),
      from: isoTime.optional(),
      to: isoTime.optional(),
    })
    .optional(),
});
export type PostExportRequest = z.output<typeof postExportRequestSchema>;

export const EXPORT_ID = /^X[0-9A-F]{24}$/;
export const exportPath = z.strictObject({ exportId: z.string().regex(EXPORT_ID) });
export const exportManifestSchema = z.object({
  type: z.literal('manifest'),
  lines: z.number().int(),
  entries: z.number().int(),
  exportHash: hex64,
  exportedAt: z.string(),
  treeHead: treeHeadSchema,
  signature: z.string().meta({ description: "The end tree head's signature (the log key, as in `treeHead` lines)." }),
  keyId: z.string(),
  platformKeyId: z.string().meta({ description: 'The platform key that signed this manifest (not the log key).' }),
  platformPublicKey: z.string().meta({ description: 'Its uncompressed SM2 public key (hex); pin it from `GET /v1/channel/webhook` or a certificate verification.' }),
  platformSignature: z.string().meta({ description: 'Base64 DER SM2 (SM3 over Z ‖ M, user id 1234567812345678) over canonical JSON of this manifest without `platformSignature`.' }),
});
export const createdExportSchema = z.object({
  exportId: z.string(),
  href: z.string().meta({ description: '`/v1/staff/audit/exports/<exportId>`: where to GET the export (JSON Lines).' }),
  manifest: exportManifestSchema,
});
