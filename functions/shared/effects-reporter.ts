/**
 * What functions do when a lifecycle transition was recorded but its effects could not all run at once
 * (functions/core/use-cases/transition.ts): log it, name and message only (ours carry no personal data);
 * the effects stay pending and the sweeper performs them.
 */
import { logger } from './logger';

export function logEffectsPending(filingId: string, error: unknown): void {
  logger.warn('Lifecycle effects left pending for the sweeper', {
    filingId,
    errorName: error instanceof Error ? error.name : typeof error,
    errorMessage: error instanceof Error ? error.message : undefined,
  });
}
