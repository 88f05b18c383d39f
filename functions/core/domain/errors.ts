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
