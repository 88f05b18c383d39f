/**
 * Statuses a filing leaves by itself, without anyone acting (DESIGN.md §3): SUBMITTED until intake decides,
 * ACCEPTED for the moment before the lifecycle moves it on, and AWAITING_COORDINATION until the departments
 * answer (on the local runtime, the simulators answer by themselves). Tests that wait for the platform
 * wait while a filing is in one of these, instead of each spelling its own list.
 */
import type { FilingStatus } from '../../functions/core/domain/filing';

/** Intake and the automatic move on are still under way. */
const moving: FilingStatus[] = ['SUBMITTED', 'ACCEPTED'];
export const MOVING_ON_ITS_OWN: readonly string[] = moving;
/** …or departments have not answered yet. */
export const WAITING_ON_PLATFORM: readonly string[] = [...moving, 'AWAITING_COORDINATION' satisfies FilingStatus];

export const isMovingOnItsOwn = (status: string): boolean => MOVING_ON_ITS_OWN.includes(status);
export const isWaitingOnPlatform = (status: string): boolean => WAITING_ON_PLATFORM.includes(status);
