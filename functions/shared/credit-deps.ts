/**
 * The ports of the credit mechanism (functions/core/use-cases/credit-standing.ts), built once per process
 * from the environment: what the credit worker, the sweeper and every endpoint that changes a channel's
 * credit give it.
 */
import { auditLogFromEnv } from '../adapters/sqs/audit-queue';
import { channelDirectoryFromEnv } from '../adapters/dynamodb/channel-directory';
import { creditRulesStoreFromEnv, creditStoreFromEnv } from '../adapters/dynamodb/credit-store';
import { notificationQueueFromEnv } from '../adapters/sqs/notification-queue';
import type { CreditPorts } from '../core/use-cases/credit-standing';
import { lazy, systemClock } from './lazy';

export const creditPorts = lazy(
  async (): Promise<CreditPorts> => ({
    credit: creditStoreFromEnv(),
    rules: creditRulesStoreFromEnv(),
    channels: channelDirectoryFromEnv(),
    audit: auditLogFromEnv(),
    notifications: notificationQueueFromEnv(),
    clock: systemClock,
  }),
);
