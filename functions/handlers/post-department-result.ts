/** POST /v1/departments/results: a department system answers one request (DESIGN.md §7b). */
import { departmentDirectoryFromEnv } from '../adapters/config/department-directory';
import { auditLogFromEnv } from '../adapters/dynamodb/audit-log';
import { filingRepositoryFromEnv } from '../adapters/dynamodb/filing-repository';
import { idempotencyStoreFromEnv } from '../adapters/dynamodb/idempotency-store';
import { nonceStoreFromEnv } from '../adapters/dynamodb/nonce-store';
import { rateCounterFromEnv } from '../adapters/dynamodb/rate-counter';
import { departmentQueuesFromEnv } from '../adapters/sqs/department-queue';
import { notificationQueueFromEnv } from '../adapters/sqs/notification-queue';
import { recordDepartmentResult } from '../core/use-cases/record-department-result';
import { getNumberFromEnv } from '../shared/config';
import { logEffectsPending } from '../shared/effects-reporter';
import { departmentEndpoint, type DepartmentEndpointDeps } from '../shared/http/department-endpoint';
import { lazy, systemClock } from '../shared/lazy';
import { departmentResultSchema, MAX_DEPARTMENT_RESULT_BODY_BYTES } from '../../schemas/departments/v1';

const deps = lazy(
  async (): Promise<DepartmentEndpointDeps> => ({
    departments: departmentDirectoryFromEnv(),
    nonces: nonceStoreFromEnv(),
    idempotency: idempotencyStoreFromEnv(),
    audit: auditLogFromEnv(),
    rate: rateCounterFromEnv(),
    clock: systemClock,
    // DESIGN.md §7: the same window and nonce lifetime as channel requests.
    maxSkewSeconds: getNumberFromEnv('AUTH_MAX_SKEW_SECONDS', 300),
    nonceTtlSeconds: getNumberFromEnv('AUTH_NONCE_TTL_SECONDS', 600),
  }),
);

const ports = lazy(async () => ({
  filings: filingRepositoryFromEnv(),
  notifications: notificationQueueFromEnv(),
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
