/**
 * What the filings of every business type share: their parties (natural persons and organisations),
 * the references they make to other records (a registered mortgage, a filed sale contract), and the
 * envelope around the business fields (clientRef, businessType, unitCode, materials).
 *
 * One person schema for every role (mortgagor, buyer, seller), so that a person is checked, normalised
 * and later sealed the same way whatever role they play. Like every check of `identifiers.ts`, custom
 * issues carry `params: { code }` and messages never contain the submitted value (002 五(一)).
 */
import { z } from 'zod';
import { MATERIAL_CHECKLISTS, type BusinessType } from '../../../functions/core/domain/business-types';
import { MATERIAL_TYPE_CODE } from '../../../functions/core/domain/checklists';
import {
  clientRefSchema,
  materialItemSchemaFor,
  normaliseResidentId,
  organisationNameSchema,
  personNameSchema,
  phoneSchema,
  residentIdSchema,
  unitCodeSchema,
  usccSchema,
} from '../../identifiers';

// ---------------------------------------------------------------------------------------------------
// Issues

/** A custom issue at `path` that `validateFilingInput` reports with `code`. */
export const issueAt = (path: (string | number)[], code: string, message: string) =>
  ({ code: 'custom', path, message, params: { code } }) as const;

/** A string schema checked against `re`, reporting `code`; `json` documents the rule in OpenAPI. */
export function patternSchema(re: RegExp, code: string, message: string, json: Record<string, unknown> = {}) {
  return z
    .string()
    .superRefine((value, ctx) => {
      if (!re.test(value)) ctx.addIssue({ code: 'custom', message, params: { code } });
    })
    .meta(json);
}

// ---------------------------------------------------------------------------------------------------
// Parties

/** People in one role of one filing (co-owners, co-buyers): enough for a family, bounded for intake. */
export const MAX_PERSONS = 10;

/** A natural person: a mortgagor, a buyer or a seller. */
export const personSchema = z.strictObject({
  name: personNameSchema,
  // Only resident IDs today; the field exists so that other document types can be added compatibly.
  idType: z.literal('RESIDENT_ID').default('RESIDENT_ID'),
  idNumber: residentIdSchema,
  phone: phoneSchema.optional(),
});

/** An organisation: a mortgagee bank, or the developer selling a presold home. */
export const organisationSchema = z.strictObject({
  name: organisationNameSchema,
  uscc: usccSchema,
});

export type PersonInput = z.input<typeof personSchema>;
export type Person = z.output<typeof personSchema>;
export type Organisation = z.output<typeof organisationSchema>;

/**
 * The normalised ID number of a list entry that may not be (fully) valid yet, or undefined when it has
 * none: cross-checks run even when other fields failed, so that the filer gets every error in one answer.
 */
export function idKeyOf(entry: unknown): string | undefined {
  const id = typeof entry === 'object' && entry !== null && 'idNumber' in entry ? entry.idNumber : undefined;
  return typeof id === 'string' ? normaliseResidentId(id) : undefined;
}

/**
 * 1 to {@link MAX_PERSONS} persons in one role, each at most once (DUPLICATE_PERSON on the repeat).
 * `role` names the list in the message, e.g. `buyers`; it is never submitted data.
 */
export function personListSchema(role: string) {
  return z
    .array(personSchema)
    .min(1)
    .max(MAX_PERSONS)
    .superRefine(
      (persons: readonly unknown[], ctx) => {
        const seen = new Set<string>();
        persons.forEach((person, i) => {
          const key = idKeyOf(person);
          if (key === undefined) return;
          if (seen.has(key)) {
            ctx.addIssue(issueAt([i, 'idNumber'], 'DUPLICATE_PERSON', `The same person is listed more than once among the ${role}.`));
          }
          seen.add(key);
        });
      },
      // Runs even when some entries have other problems; entries without a string ID are skipped.
      { when: (payload) => Array.isArray(payload.value) },
    );
}

// ---------------------------------------------------------------------------------------------------
// References to other records

const MORTGAGE_ID_RE = /^[A-Z0-9]{6,32}$/;
/** The registered mortgage a change or discharge acts on (intake checks that this bank holds it). */
export const mortgageIdSchema = patternSchema(MORTGAGE_ID_RE, 'MORTGAGE_ID_FORMAT', 'Must be 6 to 32 capital letters and digits.', {
  pattern: MORTGAGE_ID_RE.source,
  description: 'Id of the registered mortgage (抵押权), as on its certificate of registration.',
});

// Record numbers issued by other departments: printable characters (Chinese included), no control or
// invisible characters, no space at either end. Private-use characters are not needed here.
const RECORD_NO_RE = /^[^\p{C}\p{Z}](?:[^\p{C}\p{Zl}\p{Zp}]{0,62}[^\p{C}\p{Z}])?$/u;

/** A 1-64 character record number of another department, reported with `code` when malformed. */
export function recordNumberSchema(code: string, description: string) {
  return patternSchema(RECORD_NO_RE, code, 'Must be 1 to 64 printable characters, without spaces at either end.', {
    minLength: 1,
    maxLength: 64,
    description,
  });
}

/** The sale contract as filed with the housing-trading department (网签备案合同号). */
export const contractNoSchema = recordNumberSchema(
  'CONTRACT_NO_FORMAT',
  'Number of the sale contract as filed with the housing-trading department (网签备案合同号), 1-64 printable characters.',
);

// ---------------------------------------------------------------------------------------------------
// Envelope

/** Materials one filing may reference. */
export const MAX_MATERIALS = 50;

/** Material types a filing of `type` may carry: its checklist's required and optional types. */
export function materialTypesOf(type: BusinessType): readonly string[] {
  const checklist = MATERIAL_CHECKLISTS[type];
  return checklist ? [...checklist.required, ...checklist.optional] : [];
}

/**
 * The fields that open every filing. Missing required materials are not a validation error: intake
 * answers them with a correction request and a deadline (DESIGN.md §3).
 */
export function filingHeader<T extends BusinessType>(type: T) {
  return { clientRef: clientRefSchema, businessType: z.literal(type), unitCode: unitCodeSchema };
}

/**
 * The materials of a filing of `type`. The schema checks that each type is a well-formed material code;
 * whether it is on the checklist is checked by `validateFilingInput` against the checklist version in
 * force (checklists are data: staff may add types the built-in lists do not know). A type outside the
 * checklist is MATERIAL_TYPE_UNKNOWN either way.
 */
export function materialsSchemaFor(_type: BusinessType) {
  return z.array(materialItemSchemaFor(MATERIAL_TYPE_CODE)).max(MAX_MATERIALS);
}
