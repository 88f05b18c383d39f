/**
 * Identifiers and values that every filing carries: resident ID numbers, unified social credit codes,
 * property unit codes, money, phones, dates, names and materials.
 *
 * Each rule is a pure check (`…Problem`) that returns a {@link CheckProblem} with a stable code, and a zod
 * schema that reports that problem as a custom issue carrying `params: { code }`, so that
 * `validateFilingInput` can hand the code to the filer unchanged. Messages describe the rule, never
 * the submitted value: names and ID numbers must not leak into responses or logs (002 五(一)).
 */
import { z } from 'zod';
import { PERSONAL_DATA_IN_TEXT } from '../functions/core/domain/free-text';

/** A failed check: a stable machine-readable code and a sentence that never contains the input. */
export interface CheckProblem {
  readonly code: string;
  readonly message: string;
}

const problem = (code: string, message: string): CheckProblem => ({ code, message });

/**
 * A string schema that runs `check` and reports its problem with the problem's code. `json` adds
 * JSON Schema keywords (pattern, lengths) so the OpenAPI document shows the rule as well.
 */
function checkedString(check: (value: string) => CheckProblem | undefined, json: Record<string, unknown> = {}) {
  return z
    .string()
    .superRefine((value, ctx) => {
      const found = check(value);
      if (found) ctx.addIssue({ code: 'custom', message: found.message, params: { code: found.code } });
    })
    .meta(json);
}

// ---------------------------------------------------------------------------------------------------
// Dates

/** True when year/month/day name a day of the proleptic Gregorian calendar. */
function isCalendarDate(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day <= days;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a `YYYY-MM-DD` string naming a real calendar day. */
export function isValidDate(value: string): boolean {
  const m = DATE_RE.exec(value);
  return m !== null && isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

export function dateProblem(value: string): CheckProblem | undefined {
  return isValidDate(value) ? undefined : problem('DATE_FORMAT', 'Must be a real calendar date written YYYY-MM-DD.');
}

/**
 * Today's date (`YYYY-MM-DD`) in China Standard Time (UTC+8, no daylight saving): birth dates in
 * resident IDs are Beijing dates, so a baby born just after midnight in Beijing is not "in the future".
 */
export function todayInChina(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

export const dateSchema = checkedString(dateProblem, { format: 'date', pattern: DATE_RE.source });

// ---------------------------------------------------------------------------------------------------
// Resident ID number (GB 11643-1999 公民身份号码)

// GB 11643-1999 §8.2 (ISO 7064 MOD 11-2): weight of position i (1-based from the left) is 2^(18-i) mod 11.
const RESIDENT_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
// GB 11643-1999 §8.2: the check character for each value of the weighted sum mod 11; 10 is written X.
const RESIDENT_ID_CHECK_CHARS = '10X98765432';
const RESIDENT_ID_RE = /^\d{17}[0-9X]$/;

/** The GB 11643-1999 check character for the first 17 digits of a resident ID number. */
export function residentIdCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new Error('residentIdCheckChar expects exactly 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (RESIDENT_ID_WEIGHTS[i] ?? 0);
  return RESIDENT_ID_CHECK_CHARS.charAt(sum % 11);
}

/** Lowercase x is a common way to type the check character 10; GB 11643-1999 writes it as X. */
export const normaliseResidentId = (value: string): string => value.toUpperCase();

/**
 * Checks a resident ID number: 6-digit region, 8-digit birth date, 3-digit sequence, check character
 * (GB 11643-1999 §4). The birth date must be a real day from 1900 on and not after today (China time).
 */
export function residentIdProblem(value: string, now: Date = new Date()): CheckProblem | undefined {
  const id = normaliseResidentId(value);
  if (!RESIDENT_ID_RE.test(id)) {
    return problem('ID_FORMAT', 'Must be an 18-character resident ID number: 17 digits and a check character (0-9 or X).');
  }
  const birth = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  if (!isValidDate(birth) || birth < '1900-01-01' || birth > todayInChina(now)) {
    return problem('ID_BIRTH_DATE', 'The birth date in the resident ID number is not a real date between 1900 and today.');
  }
  if (residentIdCheckChar(id.slice(0, 17)) !== id.charAt(17)) {
    return problem('ID_CHECK_DIGIT', 'The check character of the resident ID number does not match (GB 11643-1999).');
  }
  return undefined;
}

export const isValidResidentId = (value: string, now?: Date): boolean => residentIdProblem(value, now) === undefined;

/** Resident ID number; the output is normalised to an uppercase X check character. */
export const residentIdSchema = checkedString((v) => residentIdProblem(v), {
  pattern: '^[0-9]{17}[0-9Xx]$',
  description: 'Resident ID number (GB 11643-1999): 17 digits and a check character; lowercase x is accepted.',
}).transform(normaliseResidentId);

// ---------------------------------------------------------------------------------------------------
// Unified social credit code (GB 32100-2015 统一社会信用代码)

// GB 32100-2015 §4.2: the 31-character code set, digits and capital letters without I, O, S, V, Z.
const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_RE = /^[0-9A-HJ-NP-RTUW-Y]{18}$/;

/** The GB 32100-2015 check character for the first 17 characters of a USCC. */
export function usccCheckChar(first17: string): string {
  if (!/^[0-9A-HJ-NP-RTUW-Y]{17}$/.test(first17)) throw new Error('usccCheckChar expects 17 characters of the GB 32100-2015 code set');
  // GB 32100-2015 Annex B: weight of position i (0-based) is 3^i mod 31; check value is 31 - (sum mod 31), 31 → 0.
  let sum = 0;
  let weight = 1;
  for (let i = 0; i < 17; i++) {
    sum += USCC_CHARSET.indexOf(first17.charAt(i)) * weight;
    weight = (weight * 3) % 31;
  }
  return USCC_CHARSET.charAt((31 - (sum % 31)) % 31);
}

export function usccProblem(value: string): CheckProblem | undefined {
  if (!USCC_RE.test(value)) {
    return problem('USCC_FORMAT', 'Must be an 18-character unified social credit code of digits and capital letters except I, O, S, V, Z.');
  }
  if (usccCheckChar(value.slice(0, 17)) !== value.charAt(17)) {
    return problem('USCC_CHECK_CHAR', 'The check character of the unified social credit code does not match (GB 32100-2015).');
  }
  return undefined;
}

export const isValidUscc = (value: string): boolean => usccProblem(value) === undefined;

export const usccSchema = checkedString(usccProblem, {
  pattern: USCC_RE.source,
  description: 'Unified social credit code (GB 32100-2015), 18 characters with check character.',
});

// ---------------------------------------------------------------------------------------------------
// Property unit code (不动产单元代码, GB/T 37346)

// GB/T 37346: 6-digit county-level district + 6-digit cadastral zone/subzone + 2-char parcel feature
// (G state-owned / J collective / Z disputed, then the right type) + 5-digit parcel number + fixture
// feature (F house, L forest, Q structure, W none) + 8-digit fixture number.
const UNIT_CODE_RE = /^\d{6}\d{6}[GJZ][A-Z]\d{5}[FLQW]\d{8}$/;

export function unitCodeProblem(value: string): CheckProblem | undefined {
  return UNIT_CODE_RE.test(value)
    ? undefined
    : problem('UNIT_CODE_FORMAT', 'Must be a 28-character property unit code (GB/T 37346).');
}

export const isValidUnitCode = (value: string): boolean => unitCodeProblem(value) === undefined;

/** District (区县, the tenant) of a unit: the code's 6-digit administrative-division prefix. */
export function districtOf(unitCode: string): string {
  if (!isValidUnitCode(unitCode)) throw new Error('districtOf expects a valid 28-character unit code');
  return unitCode.slice(0, 6);
}

export const unitCodeSchema = checkedString(unitCodeProblem, {
  pattern: UNIT_CODE_RE.source,
  description: 'Property unit code (不动产单元代码, GB/T 37346), 28 characters; the first 6 digits are the district.',
});

// ---------------------------------------------------------------------------------------------------
// Money

const YUAN_RE = /^\d{1,13}(\.\d{1,2})?$/;

/**
 * Converts an amount to integer fen as a decimal string, never through floating point: a number is
 * already fen and must be a safe integer; a string is yuan with at most two decimals.
 */
export function toFen(value: number | string): { ok: true; fen: string } | { ok: false; problem: CheckProblem } {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      return {
        ok: false,
        problem: problem('AMOUNT_FORMAT', 'A numeric amount must be a whole number of fen; send yuan as a decimal string such as "1200000.00".'),
      };
    }
    if (value <= 0) return { ok: false, problem: problem('AMOUNT_NOT_POSITIVE', 'The amount must be greater than zero.') };
    return { ok: true, fen: String(value) };
  }
  if (!YUAN_RE.test(value)) {
    return {
      ok: false,
      problem: problem('AMOUNT_FORMAT', 'A string amount must be yuan with up to 13 integer digits and at most 2 decimals.'),
    };
  }
  const [yuan = '', decimals = ''] = value.split('.');
  const fen = (yuan + decimals.padEnd(2, '0')).replace(/^0+/, '');
  if (fen === '') return { ok: false, problem: problem('AMOUNT_NOT_POSITIVE', 'The amount must be greater than zero.') };
  return { ok: true, fen };
}

/** Money in: integer fen (number) or decimal yuan (string). Money out: integer fen as a decimal string. */
export const moneySchema = z
  .union([
    z.number().meta({ type: 'integer', exclusiveMinimum: 0, description: 'Integer fen.' }),
    z.string().meta({ pattern: YUAN_RE.source, description: 'Decimal yuan, at most 2 decimals.' }),
  ])
  .transform((value, ctx) => {
    const result = toFen(value);
    if (result.ok) return result.fen;
    ctx.addIssue({ code: 'custom', message: result.problem.message, params: { code: result.problem.code } });
    return z.NEVER;
  });

// ---------------------------------------------------------------------------------------------------
// Contact, references, names

const PHONE_RE = /^1[3-9]\d{9}$/;
export const phoneProblem = (value: string): CheckProblem | undefined =>
  PHONE_RE.test(value) ? undefined : problem('PHONE_FORMAT', 'Must be an 11-digit mainland mobile number.');
export const phoneSchema = checkedString(phoneProblem, { pattern: PHONE_RE.source });

const CLIENT_REF_RE = /^[A-Za-z0-9._:-]{1,64}$/;
/**
 * A reference (clientRef, material ref) is stored in the clear and shown back: one that carries a
 * resident ID number or a mobile number — typed into the wrong field, or an ID number used as a
 * reference — is refused like a free-text note that carries one (`PERSONAL_DATA_IN_TEXT`).
 */
const personalDataInReference = (value: string): CheckProblem | undefined =>
  carriesPersonalIdentifier(value) || UNCHECKED_IDENTIFIER_RE.test(value)
    ? problem(PERSONAL_DATA_IN_TEXT, 'A reference must not carry a resident ID number or a phone number.')
    : undefined;
/** What an INVALID item's echo also withholds (functions/core/use-cases/submit-batch.ts): 15 digits, 17 and any check character, a mobile number. */
const UNCHECKED_IDENTIFIER_RE = /(?<!\d)(?:\d{15}|\d{17}[\dXx]|1[3-9]\d{9})(?!\d)/;
export const clientRefProblem = (value: string): CheckProblem | undefined =>
  CLIENT_REF_RE.test(value)
    ? personalDataInReference(value)
    : problem('CLIENT_REF_FORMAT', 'Must be 1 to 64 characters from A-Z, a-z, 0-9 and . _ : -.');
export const clientRefSchema = checkedString(clientRefProblem, {
  pattern: CLIENT_REF_RE.source,
  description: "The filer's own reference for the filing, unique per channel; re-sending it is idempotent. A reference carrying a resident ID number or a phone number is refused (`PERSONAL_DATA_IN_TEXT`).",
});

// Control, format and separator characters and lone surrogates: invisible or able to break logs and
// displays. Private-use characters stay allowed: registries encode rare name characters (生僻字) there.
const FORBIDDEN_IN_NAMES = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

/** A name is checked after trimming; its length counts Unicode code points, as a person reads it. */
export function nameProblem(value: string, maxLength: number): CheckProblem | undefined {
  const length = Array.from(value).length;
  if (length < 1 || length > maxLength) {
    return problem('NAME_FORMAT', `Must be 1 to ${maxLength} characters after trimming spaces.`);
  }
  if (FORBIDDEN_IN_NAMES.test(value)) return problem('NAME_FORMAT', 'Must not contain control or invisible characters.');
  return undefined;
}

const nameSchemaOf = (maxLength: number) =>
  z
    .string()
    .trim()
    .superRefine((value, ctx) => {
      const found = nameProblem(value, maxLength);
      if (found) ctx.addIssue({ code: 'custom', message: found.message, params: { code: found.code } });
    })
    .meta({ minLength: 1, maxLength });

export const PERSON_NAME_MAX = 50;
export const ORGANISATION_NAME_MAX = 100;
export const personNameSchema = nameSchemaOf(PERSON_NAME_MAX);
export const organisationNameSchema = nameSchemaOf(ORGANISATION_NAME_MAX);

// ---------------------------------------------------------------------------------------------------
// Materials (electronic documents uploaded beforehand and referenced here with their SM3 digest)

const MATERIAL_REF_RE = /^[\x20-\x7E]{1,128}$/;
const SM3_RE = /^[0-9a-f]{64}$/;
export const materialRefProblem = (value: string): CheckProblem | undefined =>
  MATERIAL_REF_RE.test(value) ? personalDataInReference(value) : problem('MATERIAL_REF_FORMAT', 'Must be 1 to 128 printable ASCII characters.');
export const materialSm3Problem = (value: string): CheckProblem | undefined =>
  SM3_RE.test(value) ? undefined : problem('MATERIAL_SM3_FORMAT', 'Must be the SM3 digest of the material as 64 lowercase hex digits.');

/**
 * A material item whose `type` must be one of `allowed`: a list (a fixed checklist), or a pattern of
 * well-formed codes (membership in the checklist in force is then checked by the caller).
 */
export function materialItemSchemaFor(allowed: readonly string[] | RegExp) {
  const ok = allowed instanceof RegExp ? (v: string) => allowed.test(v) : ((set) => (v: string) => set.has(v))(new Set(allowed));
  return z.strictObject({
    type: checkedString(
      (v) => (ok(v) ? undefined : problem('MATERIAL_TYPE_UNKNOWN', 'Not a material type of this business type.')),
      allowed instanceof RegExp ? { pattern: allowed.source, description: "A material type of the business type's checklist in force." } : { enum: [...allowed] },
    ),
    ref: checkedString(materialRefProblem, { pattern: MATERIAL_REF_RE.source }),
    sm3: checkedString(materialSm3Problem, { pattern: SM3_RE.source }),
  });
}

/** A material item of any type (the type is checked against a checklist by the filing's own schema). */
export const materialItemSchema = z.strictObject({
  type: z.string().min(1).max(64),
  ref: checkedString(materialRefProblem, { pattern: MATERIAL_REF_RE.source }),
  sm3: checkedString(materialSm3Problem, { pattern: SM3_RE.source }),
});

// ---------------------------------------------------------------------------------------------------
// Free text (withdrawal reasons, review notes, urgent reasons)

/** Runs of digits (and a final X), as written: full-width digits folded, spaces, hyphens, dots and brackets between digits dropped. */
function digitRuns(text: string): string[] {
  const folded = text.normalize('NFKC').replace(/(?<=\d)[\s.()-]+(?=[\dXx])/g, '');
  return folded.match(/\d+[Xx]?/g) ?? [];
}

/**
 * Whether free text carries a resident ID number — 18 characters whose check character matches
 * (GB 11643-1999), or an old 15-digit one — or a mainland mobile number. Notes are stored in the clear
 * in a filing's history and shown to other parties, so they must not carry personal data (002 五(一)).
 */
export function carriesPersonalIdentifier(text: string): boolean {
  for (const run of digitRuns(text)) {
    const id = run.toUpperCase();
    if (id.length === 18 && /^\d{17}[0-9X]$/.test(id) && residentIdCheckChar(id.slice(0, 17)) === id.charAt(17)) return true;
    if (/^\d{15}$/.test(id)) return true;
    // A mobile number, also with the country code written before it (+86, 86, 0086).
    if (/^(?:0{0,2}86)?1[3-9]\d{9}$/.test(id)) return true;
  }
  return false;
}

// Names are checked where they are known, in the use cases (functions/core/domain/free-text.ts).
export { PERSONAL_DATA_IN_TEXT };

/** A free-text note of 1–`max` characters that refuses resident ID numbers and phone numbers. */
export const freeTextSchema = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .superRefine((value, ctx) => {
      if (carriesPersonalIdentifier(value)) {
        ctx.addIssue({ code: 'custom', message: 'Free text must not carry a resident ID number or a phone number; refer to people by their role.', params: { code: PERSONAL_DATA_IN_TEXT } });
      }
    });
