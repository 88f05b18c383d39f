/**
 * How errors are logged: with their stack, never with personal data (issue 7 §4). A module of its own,
 * apart from logger.ts, so that importing it (the local runtime does) builds no logger.
 */
/*
 * Personal data that can end up in an error's message (and so in the first line of its stack): an SDK or
 * library message that quotes a value. Names are Chinese characters; ID numbers, phone numbers and the
 * like are long digit runs. Both are masked; file paths, line numbers and codes stay readable.
 */
const CJK_RUN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{2ebef}]+/gu;
const LONG_DIGITS = /\d{6,}[\dXx]?/g;
const redact = (text: string): string => text.replace(CJK_RUN, '＊').replace(LONG_DIGITS, '#');

/**
 * What to log of an error: its name, message and stack (so an operator can find where it came from),
 * with anything that looks like personal data masked. `logger.error('…', errorForLog(error))`.
 */
export function errorForLog(error: unknown): { errorName: string; errorMessage?: string; stack?: string } {
  if (!(error instanceof Error)) return { errorName: typeof error };
  return { errorName: error.name, errorMessage: redact(error.message), ...(error.stack === undefined ? {} : { stack: redact(error.stack) }) };
}
