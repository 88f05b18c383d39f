/**
 * The intake queue message, version 1: which filing to run the intake rules on. It carries no personal
 * data (the worker reads the sealed filing), so a dead-lettered or logged message leaks nothing.
 * A new shape is a new version (`intake.v2.ts`) with its own fixture in `events/messages/`.
 */
import { z } from 'zod';

export const intakeMessageV1Schema = z.strictObject({
  v: z.literal(1),
  filingId: z.string().regex(/^[A-Za-z0-9._:#-]{1,128}$/),
});

export type IntakeMessageV1 = z.output<typeof intakeMessageV1Schema>;

/** Builds the body of an intake message. */
export const formatIntakeMessage = (filingId: string): string =>
  JSON.stringify(intakeMessageV1Schema.parse({ v: 1, filingId } satisfies IntakeMessageV1));

/** Parses an SQS message body; throws an Error naming what is wrong (never the body's content). */
export function parseIntakeMessage(body: string): IntakeMessageV1 {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Error('Intake message body is not valid JSON');
  }
  const result = intakeMessageV1Schema.safeParse(json);
  if (!result.success) {
    const where = result.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.code}`).join('; ');
    throw new Error(`Intake message does not match intake.v1 (${where})`);
  }
  return result.data;
}
