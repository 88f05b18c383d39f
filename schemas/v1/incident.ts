/**
 * The incidents staff API, v1 (DESIGN.md §5; 003 第三条, 第四条, 第十八条): opening an incident, listing and
 * reading them, and the three steps REPORT → END_HANDLING → REPORT_RESULT. Free text (summary, notes) is
 * refused when it carries an ID or phone number, or names someone the incident concerns (functions/core/use-cases/
 * incident-names.ts; `PERSONAL_DATA_IN_TEXT`): incidents are read city-wide by
 * administrators and auditors, and a leak's record must not leak again.
 */
import { z } from 'zod';
import { INCIDENT_SEVERITIES, INCIDENT_STATUSES, INCIDENT_TYPE_NAMES, INCIDENT_TYPES, type IncidentType } from '../../functions/core/domain/incident';
import { INCIDENT_ACTIONS } from '../../functions/core/use-cases/incidents';
import { freeTextSchema } from '../identifiers';

export const MAX_INCIDENT_BODY_BYTES = 16 * 1024;
export const INCIDENT_SUMMARY_MAX = 2000;
export const INCIDENT_NOTE_MAX = 2000;
export const INCIDENT_PAGE_DEFAULT = 50;
export const INCIDENT_PAGE_MAX = 100;
/** Audit entry ids, filing ids, queue names: ids, never names. */
const EVIDENCE = /^[A-Za-z0-9._:#/-]{1,160}$/;

const types = INCIDENT_TYPE_NAMES as unknown as [IncidentType, ...IncidentType[]];
const typeSchema = z.enum(types).meta({ description: `003 第三条/第四条: ${INCIDENT_TYPE_NAMES.map((t) => `\`${t}\` ${INCIDENT_TYPES[t]}`).join('; ')}.` });
const timestamp = z.iso.datetime({ offset: true });

export const postIncidentRequestSchema = z.strictObject({
  type: typeSchema,
  severity: z.enum(INCIDENT_SEVERITIES),
  summary: freeTextSchema(INCIDENT_SUMMARY_MAX).meta({
    description: `What happened: 1–${INCIDENT_SUMMARY_MAX} characters, no ID or phone numbers, no name of a person the evidence names or of the reporter (\`PERSONAL_DATA_IN_TEXT\`).`,
  }),
  detectedAt: timestamp.optional().meta({ description: 'When it was detected (ISO 8601); the 1-hour report deadline runs from here. Default, and for a time in the future: now; more than 30 days ago: 422 `DETECTED_AT_OUT_OF_RANGE`.' }),
  evidence: z.array(z.string().regex(EVIDENCE)).max(50).optional().meta({ description: 'Ids of what it is about (audit entries, `filing:<filingId>`, `staff:<staffId>`, queues): at most 50. The parties of the filings and the staff named here may not be named in the summary or the notes.' }),
});

export const incidentActionRequestSchema = z.strictObject({
  action: z.enum(INCIDENT_ACTIONS).meta({
    description:
      '`REPORT`: the situation was reported to the provincial bureau (due 1 hour after detection). `END_HANDLING`: handling ended; the written result is due 6 hours later. `REPORT_RESULT`: the written result was reported; closes the incident (needs both earlier steps).',
  }),
  note: freeTextSchema(INCIDENT_NOTE_MAX).meta({ description: `What was done: 1–${INCIDENT_NOTE_MAX} characters, no ID or phone numbers, no name of a person the incident concerns (\`PERSONAL_DATA_IN_TEXT\`).` }),
});

export const listIncidentsQuerySchema = z.strictObject({
  status: z.enum(INCIDENT_STATUSES).optional(),
  overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional().meta({ description: '`true`: only escalated incidents (a deadline missed); `false`: only the others.' }),
  district: z.string().regex(/^\d{6}$/).optional().meta({ description: 'Your own district (the default); another answers 403 `DISTRICT_FORBIDDEN`.' }),
  limit: z.coerce.number().int().min(1).max(INCIDENT_PAGE_MAX).default(INCIDENT_PAGE_DEFAULT),
  cursor: z.string().min(1).max(2048).optional().meta({ description: 'The `nextCursor` of the previous page, unchanged.' }),
});

const sourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('STAFF'), staffId: z.string() }),
  z.strictObject({ kind: z.literal('MISUSE_DETECTOR'), alertId: z.string(), staffId: z.string(), rule: z.string() }),
  z.strictObject({ kind: z.literal('ALARM'), alarm: z.string() }),
]);

export const incidentViewSchema = z.strictObject({
  incidentId: z.string(),
  type: z.enum(types),
  severity: z.enum(INCIDENT_SEVERITIES),
  status: z.enum(INCIDENT_STATUSES),
  district: z.string().meta({ description: 'A district code, or `city` for what concerns the whole platform.' }),
  summary: z.string(),
  source: sourceSchema,
  detectedAt: z.string(),
  openedAt: z.string(),
  reportDueAt: z.string().meta({ description: 'detectedAt + 1 hour (003 第十八条).' }),
  reportedAt: z.string().optional(),
  handledAt: z.string().optional(),
  resultDueAt: z.string().optional().meta({ description: 'handledAt + 6 hours (003 第十八条).' }),
  closedAt: z.string().optional(),
  overdue: z.array(z.enum(['REPORT', 'RESULT'])).optional().meta({ description: 'Deadlines missed, set by the incident watch when it escalated.' }),
  escalatedAt: z.string().optional(),
  evidence: z.array(z.string()).optional(),
  steps: z.array(z.strictObject({ action: z.enum(INCIDENT_ACTIONS), at: z.string(), by: z.string().meta({ description: 'The staff id (never a name).' }), note: z.string() })).optional(),
  version: z.int(),
});

export const incidentListSchema = z.strictObject({ items: z.array(incidentViewSchema), nextCursor: z.string().optional() });

export type PostIncidentRequest = z.output<typeof postIncidentRequestSchema>;
