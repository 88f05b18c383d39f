/**
 * POST /v1/staff/incidents/{incidentId}/actions: REPORT (to the provincial bureau), END_HANDLING (the 6-hour
 * clock of the written result starts), REPORT_RESULT (closes); conditional on the version, 409 out of order.
 */
import { actOnIncident } from '../core/use-cases/incidents';
import { staffIncidentPorts } from '../shared/staff-incident-deps';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { incidentActionRequestSchema, MAX_INCIDENT_BODY_BYTES } from '../../schemas/v1/incident';
import { incidentPath } from '../../schemas/v1/path-parameters';

export const handler = staffEndpoint({
  endpoint: 'postIncidentAction',
  action: 'POST_INCIDENT_ACTION',
  maxBodyBytes: MAX_INCIDENT_BODY_BYTES,
  deps: staffEndpointDeps,
  path: incidentPath,
  body: incidentActionRequestSchema,
  run: async ({ staff, path, body, target }) => {
    target(`incident:${path.incidentId}`);
    return { statusCode: 200, body: await actOnIncident(await staffIncidentPorts(), staff, path.incidentId, body) };
  },
});
