/**
 * FIRST_REGISTRATION (首次登记): a developer registers the units of a completed building (002 三(一)6).
 * No personal data; coordination later confirms the completion record (DESIGN.md §3).
 */
import { z } from 'zod';
import { filingHeader, materialsSchemaFor, patternSchema, recordNumberSchema } from './parties';

const PROJECT_ID_RE = /^[A-Z0-9-]{3,32}$/;

export const firstRegistrationFilingSchema = z.strictObject({
  ...filingHeader('FIRST_REGISTRATION'),
  projectId: patternSchema(PROJECT_ID_RE, 'PROJECT_ID_FORMAT', 'Must be 3 to 32 capital letters, digits and hyphens.', {
    pattern: PROJECT_ID_RE.source,
    description: 'The development project the unit belongs to, as known to the registry.',
  }),
  completionRecordNo: recordNumberSchema(
    'RECORD_NO_FORMAT',
    'Number of the completion acceptance record (竣工验收备案编号), 1-64 printable characters.',
  ),
  materials: materialsSchemaFor('FIRST_REGISTRATION'),
});

export type FirstRegistrationFilingInput = z.input<typeof firstRegistrationFilingSchema>;
export type FirstRegistrationFiling = z.output<typeof firstRegistrationFilingSchema>;
