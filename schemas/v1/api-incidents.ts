/** API docs of the incidents endpoints and the risk-assessment data section (DESIGN.md §5); joined into `api` in api.ts. */
import type { z } from 'zod';
import type { ApiOperation } from './api';
import { answer, codeList, staffProblems } from './api-problems';
import { incidentActionRequestSchema, incidentListSchema, incidentViewSchema, INCIDENT_PAGE_MAX, listIncidentsQuerySchema, postIncidentRequestSchema } from './incident';
import { riskAssessmentQuerySchema, riskAssessmentSchema } from './risk-assessment';
import { incidentPath } from './path-parameters';
import { STAFF_PERMISSIONS, type StaffEndpointName } from '../../functions/shared/http/staff-permissions';

const roles = (endpoint: StaffEndpointName): string => `Roles: ${STAFF_PERMISSIONS[endpoint].roles.join(', ')}.`;
const incidentIdParameter = { incidentId: 'An incident id: `IN` and 24 upper-case hex digits.' };

export const incidentsApi = {
  postIncident: {
    summary: 'Open an incident',
    description: [
      `${roles('postIncident')} The incident belongs to your district.`,
      'Types (003 第三条, 第四条) and severities as listed. The situation must be reported to the provincial bureau within 1 hour of',
      '`detectedAt` (`reportDueAt`); the incident watch escalates it when that passes. Audited in the `security` log (retention INCIDENT;',
      'CORE_INCIDENT for CRITICAL). Free text carrying an ID or phone number is refused (422 `PERSONAL_DATA_IN_TEXT`), and so is a',
      '`summary` naming someone the incident concerns, however spaced or written: a party of a filing of your district named in',
      '`evidence` (`filing:<filingId>`; for the roles that may read filings), a staff member of your district named there',
      '(`staff:<staffId>`), or you. Nothing is stored. A `detectedAt` in the future is taken as now; one more than 30 days ago is',
      'refused (422 `DETECTED_AT_OUT_OF_RANGE`).',
    ].join('\n'),
    auth: 'Bearer',
    request: postIncidentRequestSchema,
    responses: { 201: { description: 'The incident, OPEN.', schema: incidentViewSchema }, ...staffProblems(400, 401, 403, 413, 415, 422, 500) },
  },
  listIncidents: {
    summary: 'Incidents of your district and city-wide',
    description: [
      roles('listIncidents'),
      'Incidents of your district and the city-wide ones (alarms), optionally of one `status` and `overdue` or not; open ones by their next',
      `deadline not yet escalated, closed ones by when they closed. At most ${INCIDENT_PAGE_MAX} a page; pass \`nextCursor\` as \`cursor\`.`,
    ].join('\n'),
    auth: 'Bearer',
    query: listIncidentsQuerySchema,
    responses: { 200: { description: 'One page of incidents.', schema: incidentListSchema }, ...staffProblems(400, 401, 403, 500) },
  },
  getIncident: {
    summary: 'One incident',
    description: `${roles('getIncident')} Another district's incident answers 404 like a missing one.`,
    auth: 'Bearer',
    pathParameters: incidentIdParameter,
    responses: { 200: { description: 'The incident.', schema: incidentViewSchema }, ...staffProblems(401, 403, 500), 404: answer('No such incident in your district or city-wide (`INCIDENT_NOT_FOUND`).') },
  },
  postIncidentAction: {
    summary: 'Report, end handling, report the result',
    description: [
      roles('postIncidentAction'),
      '`REPORT` sets `reportedAt`; `END_HANDLING` sets `handledAt` and `resultDueAt` (+6 hours, 003 第十八条); `REPORT_RESULT` closes the',
      'incident and needs both. Each is written on the version read (two staff racing: one wins) and audited in the `security` log.',
      'A `note` naming someone the incident concerns (a party of a filing of your district in its `evidence`, a staff member of your',
      'district in its `evidence`, its source or its steps, or you; however spaced or written) is refused 422 `INVALID_BODY` with the',
      'note’s `PERSONAL_DATA_IN_TEXT`, and the incident is unchanged.',
      '',
      'Problem codes of this endpoint:',
      codeList({
        INCIDENT_NOT_FOUND: '404: no such incident in your district or city-wide.',
        INCIDENT_STEP_DONE: '409: this step was taken already.',
        INCIDENT_NOT_READY: '409: the result comes after the report and the end of handling.',
        INCIDENT_CLOSED: '409: the incident is closed.',
        INCIDENT_CHANGED: '409: the incident kept changing; read it and try again.',
      }),
    ].join('\n'),
    auth: 'Bearer',
    request: incidentActionRequestSchema,
    pathParameters: incidentIdParameter,
    responses: {
      200: { description: 'The incident after the step.', schema: incidentViewSchema },
      ...staffProblems(400, 401, 403, 413, 415, 422, 500),
      404: answer('No such incident (`INCIDENT_NOT_FOUND`).'),
      409: answer('Out of order, done already, closed, or changing (see the codes).'),
    },
  },
  getRiskAssessment: {
    summary: 'The data section of the yearly risk assessment',
    description: [
      `${roles('getRiskAssessment')} City-wide.`,
      '004 第二十五条: the categories and quantities of important data processed (filings by district and business type, audit entries by',
      'retention class), processing activities (audit actions by class and outcome), data provided to other departments (by department),',
      'incidents by type, severity and status with the overdue count, and the classification table (docs/data-classification.md). Counts only.',
      '',
      'Problem codes of this endpoint:',
      codeList({ YEAR_IN_FUTURE: '422: the year has not begun.', RANGE_TOO_LARGE: '422: the year holds more audit entries than one request counts.' }),
    ].join('\n'),
    auth: 'Bearer',
    query: riskAssessmentQuerySchema,
    responses: { 200: { description: 'The data section.', schema: riskAssessmentSchema }, ...staffProblems(400, 401, 403, 422, 500) },
  },
} as const satisfies Record<string, ApiOperation>;

export const incidentsRequestComponents: readonly (readonly [z.ZodType, string])[] = [
  [postIncidentRequestSchema, 'PostIncidentRequest'],
  [incidentActionRequestSchema, 'IncidentActionRequest'],
];
export const incidentsResponseComponents: readonly (readonly [z.ZodType, string])[] = [
  [incidentViewSchema, 'IncidentView'],
  [incidentListSchema, 'IncidentList'],
  [riskAssessmentSchema, 'RiskAssessment'],
];
export const incidentsPathSchemas = [incidentPath] as const;
