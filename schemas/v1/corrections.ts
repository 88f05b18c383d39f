/**
 * POST /v1/filings/{filingId}/corrections (DESIGN.md §3): the materials a correction request asked for.
 * Each material is checked against the checklist of the filing's own business type, exactly as in a
 * batch; messages never echo the submitted values. Also the answer shared by corrections, withdrawal and
 * the urgent lane: where the filing stands now.
 */
import { z } from 'zod';
import { BUSINESS_TYPES } from '../../functions/core/domain/business-types';
import { allowedMaterialTypes, MATERIAL_TYPE_CODE } from '../../functions/core/domain/checklists';
import type { FieldError } from '../../functions/core/domain/errors';
import { FILING_STATUSES } from '../../functions/core/domain/filing';
import type { CorrectionValidator } from '../../functions/core/use-cases/correct-filing';
import type { FilingStateView } from '../../functions/core/use-cases/filing-state';
import { materialItemSchema, materialItemSchemaFor } from '../identifiers';
import { fieldErrorsFromIssues, MAX_FIELD_ERRORS } from './filing-input';
import { MAX_MATERIALS } from './filings/parties';

/** `{ materials: [...] }` of at most 50 materials: far under this. */
export const MAX_CORRECTION_BODY_BYTES = 64 * 1024;

const correctionSchema = z.strictObject({ materials: z.array(materialItemSchemaFor(MATERIAL_TYPE_CODE)).min(1).max(MAX_MATERIALS) });

/** Validates a correction body: well-formed materials whose types are on `checklist`. Never throws. */
export const validateCorrection: CorrectionValidator = (raw, checklist) => {
  const result = correctionSchema.safeParse(raw, { reportInput: true });
  const errors: FieldError[] = result.success ? [] : fieldErrorsFromIssues(result.error.issues);
  if (result.success) {
    const allowed = allowedMaterialTypes(checklist);
    result.data.materials.forEach((material, i) => {
      if (!allowed.has(material.type)) errors.push({ path: `materials.${i}.type`, code: 'MATERIAL_TYPE_UNKNOWN', message: 'Not a material type of the filing’s checklist.' });
    });
  }
  if (result.success && errors.length === 0) return { ok: true, materials: result.data.materials };
  return { ok: false, errors: errors.slice(0, MAX_FIELD_ERRORS) };
};

/** The request as documented: the material types allowed are those of the filing's business type. */
export const correctionRequestDocSchema = z.strictObject({
  materials: z
    .array(materialItemSchema)
    .min(1)
    .max(MAX_MATERIALS)
    .meta({ description: 'The missing materials (and any others): types from the checklist of the filing’s business type.' }),
});

export const filingStateSchema = z.object({
  filingId: z.string(),
  clientRef: z.string(),
  businessType: z.enum(BUSINESS_TYPES),
  status: z.enum(FILING_STATUSES),
  updatedAt: z.iso.datetime({ offset: true }),
  reasonCode: z.string().optional().meta({ description: 'Reason code of a refusal, e.g. `CORRECTION_OVERDUE`.' }),
  urgent: z.boolean().optional().meta({ description: 'On the priority lane (003 第十三条).' }),
});

// Compile-time guard: what the use cases answer is what the schema documents.
const _stateMatches = (view: FilingStateView): z.input<typeof filingStateSchema> => view;
