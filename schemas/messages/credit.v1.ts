/**
 * The credit queue message, version 1 (DESIGN.md §4): one credit signal — ids, codes and counts, never
 * personal data. `signalId` is derived from the signal's cause (a transition's `<filingId>:<n>`, a
 * submit-time item's `<batchId>:<index>`, a burst's `<kind>:<channelId>:<window>`), so the worker counts a
 * signal delivered twice once. The object is strict: a new shape is a new version with its own fixture.
 */
import { z } from 'zod';
import { SIGNAL_KINDS, type CreditSignal } from '../../functions/core/domain/credit';

const ID = /^[A-Za-z0-9._:#-]{1,160}$/;
const CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

export const creditEvidenceSchema = z.strictObject({
  filingIds: z.array(z.string().regex(ID)).max(100).optional(),
  auditIds: z.array(z.string().regex(ID)).max(100).optional(),
  batchId: z.string().regex(ID).optional(),
  indexes: z.array(z.int().min(0)).max(1000).optional(),
  count: z.int().min(0).optional(),
  window: z.string().regex(/^[0-9TZ:.+-]{10,40}\/[0-9TZ:.+-]{10,40}$/).optional(),
  rate: z.number().min(0).max(1).optional(),
  note: z.string().max(2000).optional(),
});

export const creditMessageV1Schema = z.strictObject({
  v: z.literal(1),
  signalId: z.string().regex(ID),
  channelId: z.string().regex(ID),
  kind: z.enum(SIGNAL_KINDS),
  at: z.iso.datetime({ offset: true }),
  reasonCode: z.string().regex(CODE).optional(),
  evidence: creditEvidenceSchema,
  clean: z.boolean().optional(),
  hoursToCorrect: z.number().min(0).optional(),
});

export type CreditMessageV1 = z.output<typeof creditMessageV1Schema>;

// Compile-time guards: the message and the domain's CreditSignal describe the same thing, both ways.
const _messageIsSignal = (message: CreditMessageV1): CreditSignal => message;
const _signalIsMessage = (signal: CreditSignal): CreditMessageV1 => ({ ...signal, evidence: { ...signal.evidence, filingIds: signal.evidence.filingIds && [...signal.evidence.filingIds], auditIds: signal.evidence.auditIds && [...signal.evidence.auditIds], indexes: signal.evidence.indexes && [...signal.evidence.indexes] } });

export const formatCreditMessage = (signal: CreditSignal): string => JSON.stringify(creditMessageV1Schema.parse(signal));

/** Parses an SQS message body; throws an Error naming what is wrong (never the body's content). */
export function parseCreditMessage(body: string): CreditMessageV1 {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Error('Credit message body is not valid JSON');
  }
  const result = creditMessageV1Schema.safeParse(json);
  if (!result.success) {
    const where = result.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.code}`).join('; ');
    throw new Error(`Credit message does not match credit.v1 (${where})`);
  }
  return result.data;
}
