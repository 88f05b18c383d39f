/**
 * Error responses: RFC 9457 problem details (`application/problem+json`), with field-level errors
 * where relevant (DESIGN.md §7). One mapper turns domain errors into this shape (STYLE.md habit 3).
 */
import { z } from 'zod';
import type { FieldError } from '../../functions/core/domain/errors';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export const fieldErrorSchema = z.object({
  path: z.string().meta({ description: "Dotted path inside the filing, e.g. `mortgagors.0.idNumber`; '' for the filing itself." }),
  code: z.string().meta({ description: 'Stable machine-readable code, e.g. `ID_CHECK_DIGIT`.' }),
  message: z.string().meta({ description: 'Human-readable explanation; never echoes the submitted value.' }),
});
// Compile-time guard: the schema and the domain's FieldError must describe the same thing.
const _fieldErrorMatchesDomain: z.ZodType<FieldError> = fieldErrorSchema;

export const problemSchema = z.object({
  type: z.string().meta({ description: 'URI identifying the problem type; `about:blank` when the status says it all.' }),
  title: z.string().meta({ description: 'Short summary of the problem type.' }),
  status: z.int().min(400).max(599),
  detail: z.string().meta({ description: 'Explanation of this occurrence; never carries personal data.' }),
  code: z.string().meta({ description: 'Stable machine-readable code, e.g. `SIGNATURE_INVALID`.' }),
  instance: z.string().optional(),
  errors: z.array(fieldErrorSchema).optional(),
});

/** An RFC 9457 problem details body. */
export type ProblemDetails = z.output<typeof problemSchema>;
