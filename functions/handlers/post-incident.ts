/** POST /v1/staff/incidents: any staff member opens an incident of their own district (003 第十八条: 1 小时内报送). */
import { openStaffIncident } from '../core/use-cases/incidents';
import { staffIncidentPorts } from '../shared/staff-incident-deps';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { MAX_INCIDENT_BODY_BYTES, postIncidentRequestSchema } from '../../schemas/v1/incident';

export const handler = staffEndpoint({
  endpoint: 'postIncident',
  action: 'POST_INCIDENT',
  maxBodyBytes: MAX_INCIDENT_BODY_BYTES,
  deps: staffEndpointDeps,
  body: postIncidentRequestSchema,
  run: async ({ staff, body, target }) => {
    const incident = await openStaffIncident(await staffIncidentPorts(), staff, body);
    target(`incident:${incident.incidentId}`);
    return { statusCode: 201, body: incident };
  },
});
