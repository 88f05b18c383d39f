/**
 * The insider-misuse detector's ports, built once per process (DESIGN.md §5). The incident desk is a port:
 * `misuseDetectorFromEnv(desk)` takes it: `staff-deps.ts` passes the incident desk,
 * and tests pass a fake.
 */
import { misuseStoreFromEnv } from '../adapters/dynamodb/misuse-store';
import { rateCounterFromEnv } from '../adapters/dynamodb/rate-counter';
import { staffDirectoryFromEnv } from '../adapters/dynamodb/staff-directory';
import { auditLogFromEnv } from '../adapters/sqs/audit-queue';
import type { IncidentDesk } from '../core/ports';
import { misuseDetector, type MisuseDetector } from '../core/use-cases/misuse-detector';

export const misuseDetectorFromEnv = (incidents: IncidentDesk): MisuseDetector =>
  misuseDetector({ store: misuseStoreFromEnv(), counter: rateCounterFromEnv(), locks: staffDirectoryFromEnv(), audit: auditLogFromEnv(), incidents });
