/**
 * Material checklists (staff API, v1): read the version in force and the history of a business type;
 * an administrator publishes a new version on top of the one they read (`baseVersion`).
 */
import { z } from 'zod';
import { BUSINESS_TYPES } from '../../functions/core/domain/business-types';
import { MATERIAL_TYPE_CODE, MAX_CHECKLIST_ITEMS } from '../../functions/core/domain/checklists';
import { issueAt } from './filings/parties';

/** A few hundred codes of 40 characters fit with room to spare. */
export const MAX_CHECKLIST_BODY_BYTES = 16 * 1024;
export const MAX_CHECKLIST_NOTE = 500;

const materialCode = z.string().regex(MATERIAL_TYPE_CODE).meta({ description: 'Material type code: a capital letter, then 2-40 capitals, digits or `_`.' });
const codeList = z.array(materialCode).max(MAX_CHECKLIST_ITEMS);
// No control or invisible characters: the note is shown in the console and kept in the audit trail.
const NOTE_RE = /^[^\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]*$/u;

export const putChecklistRequestSchema = z
  .strictObject({
    baseVersion: z.int().min(1).meta({ description: 'The version the change is made on: the `current.version` last read.' }),
    required: codeList.meta({ description: `Required material types, at most ${MAX_CHECKLIST_ITEMS}.` }),
    optional: codeList.meta({ description: `Optional material types, at most ${MAX_CHECKLIST_ITEMS}.` }),
    note: z.string().trim().min(1).max(MAX_CHECKLIST_NOTE).regex(NOTE_RE).optional().meta({ description: 'Why the change was made (no personal data).' }),
  })
  .superRefine((value, ctx) => {
    const seen = new Set<string>();
    (['required', 'optional'] as const).forEach((list) =>
      value[list].forEach((code, i) => {
        if (seen.has(code)) ctx.addIssue(issueAt([list, i], 'DUPLICATE_MATERIAL_TYPE', 'A material type appears twice (or is both required and optional).'));
        seen.add(code);
      }),
    );
  });

export type PutChecklistRequest = z.output<typeof putChecklistRequestSchema>;

const checklistVersionSchema = z.object({
  version: z.int().min(1),
  required: z.array(z.string()),
  optional: z.array(z.string()),
  publishedAt: z.iso.datetime({ offset: true }),
  publishedBy: z.string().meta({ description: '`builtin` for version 1, else `staff:<staffId>`.' }),
  note: z.string().optional(),
});

export const checklistViewSchema = z.object({
  businessType: z.enum(BUSINESS_TYPES),
  current: checklistVersionSchema,
  versions: z.array(checklistVersionSchema).meta({ description: 'Every version, newest first.' }),
});

export type ChecklistView = z.output<typeof checklistViewSchema>;
