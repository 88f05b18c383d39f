/**
 * What functions do when a lifecycle transition was recorded but its effects could not all run at once
 * (functions/core/use-cases/transition.ts): log it (errorForLog masks anything like personal data);
 * the effects stay pending and the sweeper performs them.
 */
import { errorForLog } from './error-log';
import { logger } from './logger';

export function logEffectsPending(filingId: string, error: unknown): void {
  logger.warn('Lifecycle effects left pending for the sweeper', { filingId, ...errorForLog(error) });
}
