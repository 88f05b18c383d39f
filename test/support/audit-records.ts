/**
 * How integration tests read what the audit log holds: the records of one tenant and UTC day (`yyyy-mm-dd`),
 * in log order. Tests read through here, never through an adapter, so the log's storage can change (the
 * Merkle log of issue 10) without touching each test.
 */
import { auditLogFromEnv, type AuditEntry } from '../../functions/adapters/dynamodb/audit-log';

export type { AuditEntry };

export const auditRecordsOf = (tenant: string, day: string): Promise<AuditEntry[]> => auditLogFromEnv().listAudit(tenant, day);
