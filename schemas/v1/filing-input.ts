/**
 * Validation of one filing of a batch (DESIGN.md §3: each filing is validated on its own and the batch
 * answers per item). The answer is a list of field errors with stable codes; no message ever contains
 * the submitted value, because filings carry names, ID numbers and phones (002 五(一)).
 */
import type { z } from 'zod';
import { isBusinessType, MATERIAL_CHECKLISTS, type BusinessType, type MaterialChecklist } from '../../functions/core/domain/business-types';
import { allowedMaterialTypes, MATERIAL_TYPE_CODE } from '../../functions/core/domain/checklists';
import type { FieldError } from '../../functions/core/domain/errors';
import { firstRegistrationFilingSchema } from './filings/first-registration';
import { mortgageChangeFilingSchema } from './filings/mortgage-change';
import { mortgageCreateFilingSchema } from './filings/mortgage-create';
import { mortgageDischargeFilingSchema } from './filings/mortgage-discharge';
import { presaleMortgageNoticeFilingSchema } from './filings/presale-mortgage-notice';
import { presaleNoticeFilingSchema } from './filings/presale-notice';
import { transferNewFilingSchema } from './filings/transfer-new';
import { transferResaleFilingSchema } from './filings/transfer-resale';

export type { FirstRegistrationFiling } from './filings/first-registration';
export type { MortgageChangeFiling } from './filings/mortgage-change';
export type { MortgageCreateFiling } from './filings/mortgage-create';
export type { MortgageDischargeFiling } from './filings/mortgage-discharge';
export type { Organisation, Person } from './filings/parties';
export type { PresaleMortgageNoticeFiling } from './filings/presale-mortgage-notice';
export type { PresaleNoticeFiling } from './filings/presale-notice';
export type { TransferNewFiling } from './filings/transfer-new';
export type { TransferResaleFiling } from './filings/transfer-resale';

/** The input schema of each business type: every type has one, or this does not compile. */
export const filingInputSchemas = {
  MORTGAGE_CREATE: mortgageCreateFilingSchema,
  MORTGAGE_CHANGE: mortgageChangeFilingSchema,
  MORTGAGE_DISCHARGE: mortgageDischargeFilingSchema,
  PRESALE_MORTGAGE_NOTICE: presaleMortgageNoticeFilingSchema,
  FIRST_REGISTRATION: firstRegistrationFilingSchema,
  PRESALE_NOTICE: presaleNoticeFilingSchema,
  TRANSFER_NEW: transferNewFilingSchema,
  TRANSFER_RESALE: transferResaleFilingSchema,
} as const satisfies Record<BusinessType, z.ZodType>;

export type SupportedBusinessType = keyof typeof filingInputSchemas;

/** A validated filing of one business type, as the core receives it. */
export type FilingInputOf<T extends SupportedBusinessType> = z.output<(typeof filingInputSchemas)[T]>;

/** A validated filing of any business type: a union discriminated by `businessType`. */
export type FilingInput = { [T in SupportedBusinessType]: FilingInputOf<T> }[SupportedBusinessType];

const schemaTable: Partial<Record<BusinessType, z.ZodType<FilingInput>>> = filingInputSchemas;

export const isSupportedBusinessType = (value: unknown): value is SupportedBusinessType =>
  isBusinessType(value) && schemaTable[value] !== undefined;

/**
 * Every code an item of a batch can carry after validation, with what it means: the catalogue that the
 * OpenAPI document publishes for integrators.
 */
export const FILING_ERROR_CODES = {
  REQUIRED: 'A required field is missing.',
  INVALID_TYPE: 'A field has the wrong JSON type (or the filing is not an object).',
  INVALID_VALUE: 'A field is not one of the allowed values.',
  UNKNOWN_FIELD: 'A field that the schema does not define (objects are strict).',
  TOO_SHORT: 'A string is shorter than allowed.',
  TOO_LONG: 'A string is longer than allowed.',
  TOO_FEW: 'A list has fewer items than required.',
  TOO_MANY: 'A list has more items than allowed.',
  TOO_SMALL: 'A number is below its minimum.',
  TOO_LARGE: 'A number is above its maximum.',
  UNSUPPORTED_BUSINESS_TYPE: 'The business type is not one the channel API accepts.',
  CLIENT_REF_FORMAT: 'clientRef must be 1-64 characters of A-Z a-z 0-9 . _ : -.',
  UNIT_CODE_FORMAT: 'The unit code is not a 28-character 不动产单元代码 (GB/T 37346).',
  NAME_FORMAT: 'A name is empty, too long, or contains control or invisible characters.',
  ID_FORMAT: 'A resident ID number is not 17 digits and a check character (GB 11643-1999).',
  ID_BIRTH_DATE: 'The birth date inside a resident ID number is not a real date between 1900 and today.',
  ID_CHECK_DIGIT: 'The check character of a resident ID number does not match (GB 11643-1999).',
  PHONE_FORMAT: 'A phone is not an 11-digit mainland mobile number.',
  DUPLICATE_PERSON: 'The same person (ID number) appears twice in one list.',
  USCC_FORMAT: 'A unified social credit code is not 18 characters of the GB 32100-2015 code set.',
  USCC_CHECK_CHAR: 'The check character of a unified social credit code does not match (GB 32100-2015).',
  AMOUNT_FORMAT: 'An amount is neither integer fen (number) nor yuan with at most 2 decimals (string).',
  AMOUNT_NOT_POSITIVE: 'An amount is zero or negative.',
  DATE_FORMAT: 'A date is not a real calendar date written YYYY-MM-DD.',
  TERM_ORDER: 'termEnd is not after termStart.',
  MORTGAGE_ID_FORMAT: 'mortgageId is not 6-32 capital letters and digits.',
  CHANGE_EMPTY: 'A MORTGAGE_CHANGE names no change: give amount, termEnd or both.',
  PROJECT_ID_FORMAT: 'projectId is not 3-32 capital letters, digits and hyphens.',
  RECORD_NO_FORMAT: 'completionRecordNo is not 1-64 printable characters without spaces at either end.',
  CONTRACT_NO_FORMAT: 'contractNo is not 1-64 printable characters without spaces at either end.',
  PARTY_BOTH_SIDES: 'The same person (ID number) is both a seller and a buyer.',
  MATERIAL_TYPE_UNKNOWN: "A material's type is not on the business type's checklist.",
  MATERIAL_REF_FORMAT: "A material's ref is not 1-128 printable ASCII characters.",
  MATERIAL_SM3_FORMAT: "A material's sm3 is not 64 lowercase hex digits.",
  PERSONAL_DATA_IN_TEXT: 'A free-text note (withdrawal reason, review note, urgent reason) or a reference (clientRef, material ref, webhook URL) carries a resident ID number or a phone number, or names a person it concerns (a party of the filing, a staff member: checked by the use case, however spaced or written).',
} as const satisfies Record<string, string>;

export type FilingErrorCode = keyof typeof FILING_ERROR_CODES;

/** A filing yields at most this many errors: enough to fix it, bounded however large the input is. */
export const MAX_FIELD_ERRORS = 50;

export type FilingValidation = { ok: true; value: FilingInput } | { ok: false; errors: FieldError[] };

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Material types of `raw` that are well-formed codes but not on the checklist: MATERIAL_TYPE_UNKNOWN.
 * Read from the raw input, so that they are reported together with every other problem of the filing.
 */
function unknownMaterialTypes(raw: Record<string, unknown>, checklist: MaterialChecklist | undefined): FieldError[] {
  if (!checklist || !Array.isArray(raw.materials)) return [];
  const allowed = allowedMaterialTypes(checklist);
  return raw.materials.flatMap((item: unknown, i) => {
    const type = isPlainObject(item) ? item.type : undefined;
    return typeof type === 'string' && MATERIAL_TYPE_CODE.test(type) && !allowed.has(type)
      ? [{ path: `materials.${i}.type`, code: 'MATERIAL_TYPE_UNKNOWN', message: 'Not a material type of this business type.' }]
      : [];
  });
}

/**
 * Validates one filing of a batch against the material checklist in force for its business type
 * (`checklist`; the built-in list when not given). Never throws, whatever `raw` is.
 */
export function validateFilingInput(raw: unknown, checklist?: MaterialChecklist): FilingValidation {
  if (!isPlainObject(raw)) {
    return { ok: false, errors: [{ path: '', code: 'INVALID_TYPE', message: 'A filing must be a JSON object.' }] };
  }
  const businessType = raw.businessType;
  if (businessType === undefined) {
    return { ok: false, errors: [{ path: 'businessType', code: 'REQUIRED', message: 'This field is required.' }] };
  }
  if (typeof businessType !== 'string') {
    return { ok: false, errors: [{ path: 'businessType', code: 'INVALID_TYPE', message: 'Expected a string.' }] };
  }
  const schema = isBusinessType(businessType) ? schemaTable[businessType] : undefined;
  if (!schema) {
    return {
      ok: false,
      errors: [{ path: 'businessType', code: 'UNSUPPORTED_BUSINESS_TYPE', message: 'This business type cannot be filed through this channel API.' }],
    };
  }
  try {
    // reportInput tells a missing field (input undefined) from a wrong one; the input itself is never copied out.
    const result = schema.safeParse(raw, { reportInput: true });
    const unknownTypes = unknownMaterialTypes(raw, checklist ?? MATERIAL_CHECKLISTS[businessType as BusinessType]);
    if (result.success && unknownTypes.length === 0) return { ok: true, value: result.data };
    const errors = [...(result.success ? [] : fieldErrorsFromIssues(result.error.issues)), ...unknownTypes];
    return { ok: false, errors: errors.slice(0, MAX_FIELD_ERRORS) };
  } catch {
    // Defensive: a schema bug must become an item error, not a failed batch; the input is not logged.
    return { ok: false, errors: [{ path: '', code: 'INVALID_VALUE', message: 'The filing could not be validated.' }] };
  }
}

// Unknown keys are named in the path only when they look like field names: a key is submitted data and
// could itself be an ID number or a name.
const FIELD_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

const dotted = (path: readonly PropertyKey[]): string => path.map((p) => String(p)).join('.');

const plural = (n: number | bigint, word: string): string => `${String(n)} ${word}${n === 1 || n === 1n ? '' : 's'}`;

/**
 * Maps zod issues to field errors. Our own checks carry their code in `params.code` and pass through;
 * zod's generic issues get stable codes and messages of our own (zod's messages may quote input keys).
 */
export function fieldErrorsFromIssues(issues: readonly z.core.$ZodIssue[], limit = Number.POSITIVE_INFINITY): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of issues) {
    // Bounded however large the input: one issue can name thousands of unknown keys.
    if (errors.length >= limit) break;
    const path = dotted(issue.path);
    const at = (code: string, message: string, p = path): void => {
      errors.push({ path: p, code, message });
    };
    switch (issue.code) {
      case 'custom': {
        const code: unknown = issue.params?.code;
        if (typeof code === 'string') at(code, issue.message);
        else at('INVALID_VALUE', 'The value is not valid.');
        break;
      }
      case 'invalid_type':
        if (issue.input === undefined) at('REQUIRED', 'This field is required.');
        else at('INVALID_TYPE', `Expected ${describeType(issue.expected)}.`);
        break;
      case 'invalid_value':
        // A missing enum field (mortgageType, reason) is reported as missing, like any other field.
        if (issue.input === undefined) at('REQUIRED', 'This field is required.');
        else at('INVALID_VALUE', `Expected one of: ${issue.values.map((v) => String(v)).join(', ')}.`);
        break;
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          if (errors.length >= limit) break;
          if (FIELD_NAME_RE.test(key)) at('UNKNOWN_FIELD', 'This field is not part of the schema.', path === '' ? key : `${path}.${key}`);
          else at('UNKNOWN_FIELD', 'The object has a field that is not part of the schema.');
        }
        break;
      case 'too_big':
        if (issue.origin === 'string') at('TOO_LONG', `At most ${plural(issue.maximum, 'character')}.`);
        else if (issue.origin === 'array') at('TOO_MANY', `At most ${plural(issue.maximum, 'item')}.`);
        else at('TOO_LARGE', `At most ${String(issue.maximum)}.`);
        break;
      case 'too_small':
        if (issue.origin === 'string') at('TOO_SHORT', `At least ${plural(issue.minimum, 'character')}.`);
        else if (issue.origin === 'array') at('TOO_FEW', `At least ${plural(issue.minimum, 'item')}.`);
        else at('TOO_SMALL', `At least ${String(issue.minimum)}.`);
        break;
      case 'invalid_union': {
        // Money accepts a number or a string: when every branch failed on its type, the type is wrong.
        const onlyTypes = issue.errors.length > 0 && issue.errors.every((branch) => branch.every((i) => i.code === 'invalid_type'));
        if (onlyTypes && issue.input === undefined) at('REQUIRED', 'This field is required.');
        else if (onlyTypes) at('INVALID_TYPE', `Expected ${issue.errors.map((b) => (b[0]?.code === 'invalid_type' ? describeType(b[0].expected) : 'a value')).join(' or ')}.`);
        else at('INVALID_VALUE', 'The value is not valid.');
        break;
      }
      default:
        at('INVALID_VALUE', 'The value is not valid.');
    }
  }
  return errors.length > limit ? errors.slice(0, limit) : errors;
}

const describeType = (expected: string): string =>
  ({ string: 'a string', number: 'a number', int: 'an integer', boolean: 'a boolean', array: 'an array', object: 'an object' })[
    expected
  ] ?? expected;
