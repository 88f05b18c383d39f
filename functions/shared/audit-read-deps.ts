/**
 * The ports of the audit log's read side (receipts, auditor API, exports), built once per process: the log
 * store's reader, and the log key's public half (the functions are declared `logKey: 'publicKey'`, so on AWS
 * they hold kms:GetPublicKey on it and nothing else). Exports also get the platform signer, which signs their
 * manifests (the export function is declared `platformKey: 'sign'`; the log key stays the checkpoint's alone).
 */
import type { AuditLogReader } from '../core/ports';
import type { LogPublicKey } from '../core/use-cases/audit-export';
import { auditLogReaderFromEnv as storeReaderFromEnv } from '../adapters/dynamodb/audit-log';
import { exportStoreFromEnv } from '../adapters/export-store-from-env';
import { logSignerFromEnv } from '../adapters/keys/log-signer';
import { platformSignerFromEnv } from '../adapters/keys/platform-signer-from-env';
import { lazy, systemClock } from './lazy';

export const auditLogReaderFromEnv = (): AuditLogReader => storeReaderFromEnv();

/** Only the public half is handed on: the read side never signs. */
export async function logPublicKeyFromEnv(): Promise<LogPublicKey> {
  const signer = await logSignerFromEnv();
  return { keyId: signer.keyId, publicKeyHex: () => signer.publicKeyHex() };
}

export const auditReadPorts = lazy(async () => ({ reader: auditLogReaderFromEnv(), logKey: await logPublicKeyFromEnv(), clock: systemClock }));
export const auditExportPorts = lazy(async () => ({ ...(await auditReadPorts()), platformSigner: await platformSignerFromEnv(), exports: exportStoreFromEnv() }));
