/** GET /v1/staff/incidents: the district's and the city-wide incidents, by status and overdue, most urgent deadline first. */
import { listIncidents } from '../core/use-cases/incidents';
import { incidentPorts } from '../shared/incident-deps';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { listIncidentsQuerySchema } from '../../schemas/v1/incident';

export const handler = staffEndpoint({
  endpoint: 'listIncidents',
  action: 'LIST_INCIDENTS',
  deps: staffEndpointDeps,
  query: listIncidentsQuerySchema,
  run: async ({ staff, query, target }) => {
    target(`incidents/district:${query.district ?? staff.district}/status:${query.status ?? 'ALL'}`);
    return { statusCode: 200, body: await listIncidents(await incidentPorts(), staff, query) };
  },
});
