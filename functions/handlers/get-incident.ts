/** GET /v1/staff/incidents/{incidentId}: one incident of the district (or city-wide) with its deadlines and steps. */
import { getIncident } from '../core/use-cases/incidents';
import { incidentPorts } from '../shared/incident-deps';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { incidentPath } from '../../schemas/v1/path-parameters';

export const handler = staffEndpoint({
  endpoint: 'getIncident',
  action: 'GET_INCIDENT',
  deps: staffEndpointDeps,
  path: incidentPath,
  run: async ({ staff, path, target }) => {
    target(`incident:${path.incidentId}`);
    return { statusCode: 200, body: await getIncident(await incidentPorts(), staff, path.incidentId) };
  },
});
