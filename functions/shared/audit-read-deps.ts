/**
 * The ports of the audit log's read side (receipts, auditor API, exports), built once per process.
 *
 * INTEGRATION (room A1): the log store and the log key arrive with room A1's branch. Until then the two
 * builders below refuse at first use; at merge, replace their bodies with A1's `auditLogReaderFromEnv()`
 * (functions/adapters/dynamodb/audit-log.ts) and A1's log signer from env (public key only: `keyId`,
 * `publicKeyHex`; the function is declared `logKey: 'publicKey'`, so it holds kms:GetPublicKey only).
 */
import type { AuditLogReader } from '../core/ports';
import type { LogPublicKey } from '../core/use-cases/audit-export';
import { exportStoreFromEnv } from '../adapters/export-store-from-env';
import { lazy, systemClock } from './lazy';

export function auditLogReaderFromEnv(): AuditLogReader {
  throw new Error('AuditLogReader not wired: it is room A1\'s log store (auditLogReaderFromEnv)');
}

export async function logPublicKeyFromEnv(): Promise<LogPublicKey> {
  throw new Error('Log key not wired: it is room A1\'s log signer (LOG_SIGNING_KEY_ID / log-signing.key)');
}

export const auditReadPorts = lazy(async () => ({ reader: auditLogReaderFromEnv(), logKey: await logPublicKeyFromEnv(), clock: systemClock }));
export const auditExportPorts = lazy(async () => ({ ...(await auditReadPorts()), exports: exportStoreFromEnv() }));
