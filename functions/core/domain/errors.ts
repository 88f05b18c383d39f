/**
 * The one error model (STYLE.md habit 3). Every error a user can cause is a {@link ZtError} with a
 * stable `code`; one mapper (`functions/shared/http/problem.ts`) turns it into application/problem+json.
 * Messages and details never carry personal data or internals.
 */
export interface FieldError {
  /** Dotted path inside the filing, e.g. `mortgagors.0.idNumber`. */
  readonly path: string;
  /** Stable machine-readable code, e.g. `ID_CHECK_DIGIT`. */
  readonly code: string;
  /** Human-readable explanation; never echoes the submitted value. */
  readonly message: string;
}

export class ZtError extends Error {
  override readonly name: string = 'ZtError';
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly extras: Readonly<Record<string, unknown>> = {},
  ) {
    super(`${code}: ${detail}`);
  }
}

/**
 * An error that answers the caller less than the audit records: e.g. an unknown channel and a bad
 * signature answer the same `AUTH_FAILED`, while the audit keeps which it was (`auditCode`).
 */
export class ZtAuditedError extends ZtError {
  override readonly name: string = 'ZtAuditedError';
  constructor(status: number, code: string, title: string, detail: string, extras: Readonly<Record<string, unknown>>, readonly auditCode: string) {
    super(status, code, title, detail, extras);
  }
}

/** The code an audit record names for an error: the finer one when the answer hides it. */
export const auditCodeOf = (error: ZtError): string => (error instanceof ZtAuditedError ? error.auditCode : error.code);

const make =
  (status: number, title: string) =>
  (code: string, detail: string, extras?: Record<string, unknown>): ZtError =>
    new ZtError(status, code, title, detail, extras);

export const badRequest = make(400, 'Bad request');
export const unauthenticated = make(401, 'Unauthenticated');
export const forbidden = make(403, 'Forbidden');
export const notFound = make(404, 'Not found');
export const conflict = make(409, 'Conflict');
export const payloadTooLarge = make(413, 'Payload too large');
export const unsupportedMediaType = make(415, 'Unsupported media type');
export const unprocessable = make(422, 'Unprocessable content');

/** Raised when sealed personal data fails its integrity check: a fault on our side, never the caller's. */
export class IntegrityError extends Error {
  override readonly name = 'IntegrityError';
}
