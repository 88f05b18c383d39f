/**
 * The department connectors' queue message, version 1 (one queue per department kind, DESIGN.md §7b):
 * ids only — the connector reads the filing and builds what it delivers, so no personal data is ever on a
 * queue. `type` says what to deliver: the REQUEST for a result, its CANCEL (the filing was withdrawn or
 * refused), or the REGISTRATION_RESULT once the filing is registered. A new shape is a new version.
 */
import { z } from 'zod';
import { REQUEST_ID_PATTERN } from '../../functions/core/domain/coordination';
import type { DepartmentMessage } from '../../functions/core/ports';
import { FILING_ID } from '../v1/path-parameters';

export const departmentMessageV1Schema = z.strictObject({
  v: z.literal(1),
  type: z.enum(['REQUEST', 'CANCEL', 'REGISTRATION_RESULT']),
  filingId: z.string().regex(FILING_ID),
  requestId: z.string().regex(REQUEST_ID_PATTERN),
});

export type DepartmentMessageV1 = z.output<typeof departmentMessageV1Schema>;

// Compile-time guards: the message and the lifecycle's DepartmentMessage describe the same thing, both ways.
const _messageIsPort = (message: DepartmentMessageV1): DepartmentMessage => message;
const _portIsMessage = (message: DepartmentMessage): DepartmentMessageV1 => message;

export const formatDepartmentMessage = (message: DepartmentMessage): string => JSON.stringify(departmentMessageV1Schema.parse(message));

/** Parses an SQS message body; throws an Error naming what is wrong (never the body's content). */
export function parseDepartmentMessage(body: string): DepartmentMessageV1 {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Error('Department message body is not valid JSON');
  }
  const result = departmentMessageV1Schema.safeParse(json);
  if (!result.success) {
    const where = result.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.code}`).join('; ');
    throw new Error(`Department message does not match department.v1 (${where})`);
  }
  return result.data;
}
