/**
 * Personal names in staff free text (DESIGN.md §5: personal data never appears unmasked in logs, errors,
 * answers or stored free text; 002 五(一)). The edge refuses ID and phone numbers in any free text
 * (schemas/identifiers.ts); names cannot be recognised without knowing them, so the use cases that store a
 * text about a known filing or person check it against that filing's parties or those staff members here,
 * before anything is stored.
 *
 * Matching is on folded forms, so that a name cannot be slipped past by writing it differently: NFKC
 * (full-width letters and digits, compatibility ideographs, the ideographic space), lower case, and only
 * letters and digits kept — spaces of any width, zero-width characters, punctuation and symbols put between
 * the characters of a name vanish. A name that folds to fewer than two characters is not looked for: a
 * one-character name would refuse every text holding that character.
 */
import { unprocessable, type FieldError } from './errors';

export const PERSONAL_DATA_IN_TEXT = 'PERSONAL_DATA_IN_TEXT';

/** Shortest folded name looked for. */
const MIN_NAME_LENGTH = 2;

/** Everything but letters and digits: separators, format characters (zero-width), punctuation, symbols, marks. */
const NOT_LETTER_OR_DIGIT = /[^\p{L}\p{N}]+/gu;

/** The form both a text and a name are compared in. */
export const foldForMatching = (value: string): string => value.normalize('NFKC').toLowerCase().replace(NOT_LETTER_OR_DIGIT, '');

/** Whether `text` carries any of `names` (two characters or more once folded), however spaced or written. */
export function namesIn(text: string, names: readonly string[]): boolean {
  const folded = foldForMatching(text);
  return names.some((name) => {
    const needle = foldForMatching(name);
    // Characters, not UTF-16 units: a name of one character outside the BMP is still one character.
    return [...needle].length >= MIN_NAME_LENGTH && folded.includes(needle);
  });
}

/**
 * Refuses, as the edge refuses an ID number in free text (422 `INVALID_BODY`, the field's
 * `PERSONAL_DATA_IN_TEXT`, the text never echoed), each of `texts` that names one of `names`. Absent
 * texts are skipped. Paths are the body's field names.
 */
export function refuseNamesIn(texts: Readonly<Record<string, string | undefined>>, names: readonly string[]): void {
  const errors: FieldError[] = Object.entries(texts)
    .filter((entry): entry is [string, string] => entry[1] !== undefined && namesIn(entry[1], names))
    .map(([path]) => ({ path, code: PERSONAL_DATA_IN_TEXT, message: 'Free text must not name a person it concerns (a party to the filing, a staff member); refer to people by their role.' }));
  if (errors.length > 0) {
    const error = unprocessable('INVALID_BODY', 'The body does not have the shape this endpoint takes; see `errors` and the OpenAPI document.', { errors });
    // The refusal confirms that a guessed name is a party's: for the misuse detector it is an unmasking.
    Object.defineProperty(error, NAME_MATCHED, { value: true });
    throw error;
  }
}

const NAME_MATCHED = Symbol('zhitong.nameMatched');

/**
 * Whether an error is a refusal of free text for naming a person the platform knows (not a pattern such as an
 * ID number): it tells the caller their guess of a masked name is right, so the staff endpoint chain counts
 * it as an unmasking (functions/shared/http/staff-endpoint.ts) — guessing names one refusal at a time runs
 * into the unmasking threshold like unmasking does.
 */
export const isNameRefusal = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[NAME_MATCHED] === true;
