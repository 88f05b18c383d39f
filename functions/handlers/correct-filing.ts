/**
 * POST /v1/filings/{filingId}/corrections: the channel supplies the materials a correction request asked
 * for, before the deadline; the filing goes through intake again (DESIGN.md §3).
 */
import { auditLogFromEnv } from '../adapters/sqs/audit-queue';
import { checklistStoreFromEnv } from '../adapters/dynamodb/checklist-store';
import { filingRepositoryFromEnv } from '../adapters/dynamodb/filing-repository';
import { intakeQueueFromEnv } from '../adapters/sqs/intake-queue';
import { notificationQueueFromEnv } from '../adapters/sqs/notification-queue';
import { statisticsQueueFromEnv } from '../adapters/sqs/statistics-queue';
import { creditQueueFromEnv } from '../adapters/sqs/credit-queue';
import type { BusinessType } from '../core/domain/business-types';
import { BUILT_IN_VERSION, builtInChecklist } from '../core/domain/checklists';
import { correctFiling } from '../core/use-cases/correct-filing';
import { channelEndpoint } from '../shared/http/channel-endpoint';
import { endpointDeps } from '../shared/http/endpoint-deps';
import { lazy, systemClock } from '../shared/lazy';
import { MAX_CORRECTION_BODY_BYTES, validateCorrection } from '../../schemas/v1/corrections';
import { filingPath } from '../../schemas/v1/path-parameters';
import { tableEnvVar } from '../../infra/topology';
import { logEffectsPending } from '../shared/effects-reporter';

/**
 * Without read access to the checklists table (not yet granted to this function in the topology), only
 * version 1 — the built-in lists — can judge a correction; a filing of a later version fails loudly.
 */
const builtInChecklists = {
  version: async (type: BusinessType, version: number) => (version === BUILT_IN_VERSION ? builtInChecklist(type) : undefined),
};

const ports = lazy(async () => ({
  filings: filingRepositoryFromEnv(),
  intake: intakeQueueFromEnv(),
  // A corrected urgent filing goes back to intake on the priority lane (003 第十三条).
  urgentIntake: intakeQueueFromEnv('intakeUrgent'),
  notifications: notificationQueueFromEnv(),
  statistics: statisticsQueueFromEnv(),
  credit: creditQueueFromEnv(),
  audit: auditLogFromEnv(),
  clock: systemClock,
  onEffectsPending: logEffectsPending,
  validate: validateCorrection,
  checklists: process.env[tableEnvVar('checklists')] ? checklistStoreFromEnv() : builtInChecklists,
}));

export const handler = channelEndpoint({
  action: 'CORRECT_FILING',
  maxBodyBytes: MAX_CORRECTION_BODY_BYTES,
  idempotent: true,
  deps: endpointDeps,
  path: filingPath,
  // The body is validated by the use case against the filing's own checklist (`validateCorrection`).
  run: async ({ channel, path, body }) => ({
    statusCode: 202,
    body: await correctFiling(await ports(), channel, path.filingId, body),
  }),
});
