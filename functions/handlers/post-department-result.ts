/** POST /v1/departments/results: a department system answers one request (DESIGN.md §7b). */
import { departmentDirectoryFromEnv } from '../adapters/config/department-directory';
import { auditLogFromEnv } from '../adapters/sqs/audit-queue';
import { filingRepositoryFromEnv } from '../adapters/dynamodb/filing-repository';
import { departmentQueuesFromEnv } from '../adapters/sqs/department-queue';
import { notificationQueueFromEnv } from '../adapters/sqs/notification-queue';
import { statisticsQueueFromEnv } from '../adapters/sqs/statistics-queue';
import { recordDepartmentResult } from '../core/use-cases/record-department-result';
import { logEffectsPending } from '../shared/effects-reporter';
import { departmentEndpoint, type DepartmentEndpointDeps } from '../shared/http/department-endpoint';
import { signedRequestDeps } from '../shared/http/endpoint-deps';
import { lazy, systemClock } from '../shared/lazy';
import { departmentResultSchema, MAX_DEPARTMENT_RESULT_BODY_BYTES } from '../../schemas/departments/v1';

const deps = lazy(async (): Promise<DepartmentEndpointDeps> => ({ ...(await signedRequestDeps()), departments: departmentDirectoryFromEnv() }));

const ports = lazy(async () => ({
  filings: filingRepositoryFromEnv(),
  notifications: notificationQueueFromEnv(),
  statistics: statisticsQueueFromEnv(),
  departments: departmentQueuesFromEnv(),
  audit: auditLogFromEnv(),
  clock: systemClock,
  onEffectsPending: logEffectsPending,
}));

export const handler = departmentEndpoint({
  action: 'POST_DEPARTMENT_RESULT',
  maxBodyBytes: MAX_DEPARTMENT_RESULT_BODY_BYTES,
  idempotent: true,
  deps,
  body: departmentResultSchema,
  run: async ({ signer, body }) => ({ statusCode: 200, body: await recordDepartmentResult(await ports(), signer, body) }),
});
