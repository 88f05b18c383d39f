/**
 * The audit queue message, version 1 (DESIGN.md §5): one audit record on its way to its tenant's log — the
 * record's declared fields plus its deduplication `key` and its time `at`. Ids, codes and counts only, never
 * personal data (the callers' AuditDraft contract). The object is strict: a new shape is a new version.
 */
import { z } from 'zod';
import { RETENTION_CLASS_NAMES, TENANT, type RetentionClass } from '../../functions/core/domain/audit-log';
import type { AuditRecord } from '../../functions/core/ports';

/** A deduplication key: a lifecycle effect's `<filingId>:<effect id>`, `batch:<batchId>`, or 32 random hex. */
const KEY = /^[A-Za-z0-9._:#/@-]{1,200}$/;
const TEXT = z.string().max(2_000);

export const auditSubjectSchema = z.strictObject({
  institutionId: TEXT.optional(),
  channelId: TEXT.optional(),
  district: TEXT.optional(),
  businessType: TEXT.optional(),
  filingId: TEXT.optional(),
});

export const auditMessageV1Schema = z.strictObject({
  v: z.literal(1),
  key: z.string().regex(KEY),
  at: z.iso.datetime(),
  tenant: z.string().regex(TENANT),
  actor: TEXT.min(1),
  action: TEXT.min(1),
  outcome: z.enum(['SUCCESS', 'DENIED', 'ERROR']),
  retention: z.enum(RETENTION_CLASS_NAMES as [RetentionClass, ...RetentionClass[]]).optional(),
  target: TEXT.optional(),
  subject: auditSubjectSchema.optional(),
  detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});

export type AuditMessageV1 = z.output<typeof auditMessageV1Schema>;

/** The largest body the queue takes for one record (the appender's HEAD item holds ten of them). */
export const MAX_AUDIT_MESSAGE_BYTES = 32 * 1024;

/**
 * The message of a record: only its declared fields (a caller's stray property, possibly personal data, is
 * never sent), with its key and time. Throws if the record does not fit audit.v1.
 */
export function formatAuditMessage(record: AuditRecord, key: string, at: string): string {
  const message: AuditMessageV1 = auditMessageV1Schema.parse({
    v: 1,
    key,
    at,
    tenant: record.tenant,
    actor: record.actor,
    action: record.action,
    outcome: record.outcome,
    retention: record.retention,
    target: record.target,
    subject: record.subject,
    detail: record.detail,
  });
  return JSON.stringify(message);
}

/** Parses an SQS message body; throws an Error naming what is wrong (never the body's content). */
export function parseAuditMessage(body: string): AuditMessageV1 {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Error('Audit message body is not valid JSON');
  }
  const result = auditMessageV1Schema.safeParse(json);
  if (!result.success) {
    const where = result.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.code}`).join('; ');
    throw new Error(`Audit message does not match audit.v1 (${where})`);
  }
  return result.data;
}
