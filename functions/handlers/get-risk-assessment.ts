/**
 * GET /v1/staff/risk-assessment?year=: the data section of the yearly risk assessment (004 第二十五条), city-wide.
 * The audit statistics come through the log's read port (functions/adapters/dynamodb/audit-log.ts).
 */
import { auditLogReaderFromEnv } from '../adapters/dynamodb/audit-log';
import { registerRepositoryFromEnv } from '../adapters/dynamodb/register-repository';
import { incidentStoreFromEnv } from '../adapters/dynamodb/incident-store';
import { riskAssessment } from '../core/use-cases/risk-assessment';
import { SECURITY_TENANT } from '../core/use-cases/incidents';
import { staffEndpointDeps } from '../shared/http/staff-deps';
import { staffEndpoint } from '../shared/http/staff-endpoint';
import { lazy, systemClock } from '../shared/lazy';
import { classificationRows } from '../../schemas/classification';
import { riskAssessmentQuerySchema } from '../../schemas/v1/risk-assessment';

const ports = lazy(async () => {
  const register = registerRepositoryFromEnv();
  return {
    reader: auditLogReaderFromEnv(),
    // The district logs (staff work, coordination, data provided) and the security log.
    tenants: async () => [...(await register.listDistricts()), SECURITY_TENANT],
    incidents: incidentStoreFromEnv(),
    clock: systemClock,
    classification: classificationRows(),
  };
});

export const handler = staffEndpoint({
  endpoint: 'getRiskAssessment',
  action: 'GET_RISK_ASSESSMENT',
  deps: staffEndpointDeps,
  query: riskAssessmentQuerySchema,
  run: async ({ query, target }) => {
    target(`risk-assessment:${query.year}`);
    return { statusCode: 200, body: await riskAssessment(await ports(), query.year) };
  },
});
