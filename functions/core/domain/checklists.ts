/**
 * Material checklists as data (002 二(一)3, 五(二)2): per business type, which materials are required
 * and which optional. Staff publish new versions; versions are never changed or deleted; a filing records
 * the version in force when it was submitted and is judged by that version, so a change applies only to
 * filings submitted after it. Version 1 of every type is the built-in list (MATERIAL_CHECKLISTS).
 */
import { MATERIAL_CHECKLISTS, type BusinessType, type MaterialChecklist } from './business-types';

/** A material type code, e.g. `MAIN_DEBT_CONTRACT`. */
export const MATERIAL_TYPE_CODE = /^[A-Z][A-Z0-9_]{2,40}$/;
/** At most this many required and this many optional materials per checklist. */
export const MAX_CHECKLIST_ITEMS = 30;
/** The version every type starts at: the built-in list. */
export const BUILT_IN_VERSION = 1;

export interface ChecklistVersion extends MaterialChecklist {
  readonly businessType: BusinessType;
  readonly version: number;
  readonly publishedAt: string;
  /** `builtin` for version 1, `staff:<id>` after. */
  readonly publishedBy: string;
  readonly note?: string;
}

/** What an administrator publishes: the lists, on top of the version they last saw. */
export interface ChecklistDraft extends MaterialChecklist {
  readonly baseVersion: number;
  readonly note?: string;
}

/** The built-in list of a type as its version 1 (it has been in force since the platform started). */
export function builtInChecklist(businessType: BusinessType): ChecklistVersion {
  const builtIn = MATERIAL_CHECKLISTS[businessType];
  if (!builtIn) throw new Error(`No built-in material checklist for ${businessType}`);
  return {
    businessType,
    version: BUILT_IN_VERSION,
    required: builtIn.required,
    optional: builtIn.optional,
    publishedAt: '1970-01-01T00:00:00.000Z',
    publishedBy: 'builtin',
  };
}

/** Material types a filing judged by this checklist may carry. */
export const allowedMaterialTypes = (checklist: MaterialChecklist): ReadonlySet<string> => new Set([...checklist.required, ...checklist.optional]);
