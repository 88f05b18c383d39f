/**
 * The audit log's read side for handler tests in room A2's branch: the in-memory reader (memory-audit-reader.ts)
 * holding logs of two districts and an institution, signed heads, the test log key, and a local export store
 * in a temporary directory (`ZT_EXPORT_DIR`, so the GET export handler reads the same). Tests replace the
 * read ports module with {@link auditReadDepsModule} through `vi.mock('…/functions/shared/audit-read-deps')`.
 *
 * INTEGRATION: once room A1's store lands, the real `auditLogReaderFromEnv()` reads the emulated table; this
 * world (and the vi.mock) can then go, the logs being filled through the queue and the appender instead.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalExportStore } from '../../functions/adapters/local/export-store';
import { buildExport, exportKeyOf } from '../../functions/core/use-cases/audit-export';
import { MemoryAuditReader, testPlatformKey, type EntryDraft } from './memory-audit-reader';

export const AUDIT_WORLD = {
  own: '370102',
  other: '370103',
  institution: 'INST-AUDIT-A',
  filingId: 'F0A0D17000000000000000001',
  /** Exports seeded in each district's log (the matrix reads them). */
  exports: { own: 'X0000000000000000000000A1', other: 'X0000000000000000000000B1' },
} as const;

const dir = mkdtempSync(join(tmpdir(), 'zt-a2-exports-'));
process.env.ZT_EXPORT_DIR = dir;

export const reader = new MemoryAuditReader();
export const exportStore = new LocalExportStore(dir);
/** The platform key that signs the manifests (on AWS the KMS SM2 platform key; never the log key). */
export const platformSigner = testPlatformKey();
const clock = { now: () => new Date() };

const at = (minutesAgo: number): string => new Date(Date.now() - minutesAgo * 60_000).toISOString();

function entries(tenant: string, count: number, staffId: string): EntryDraft[] {
  return Array.from({ length: count }, (_, i) => ({
    at: at(count - i),
    actor: i % 2 === 0 ? `staff:${staffId}` : 'worker:intake',
    action: i % 3 === 0 ? 'FILING_REVIEWED' : 'FILING_READ',
    outcome: i % 5 === 4 ? ('DENIED' as const) : ('SUCCESS' as const),
    target: i % 4 === 0 ? AUDIT_WORLD.filingId : `F${tenant}${String(i).padStart(18, '0')}`,
    subject: { district: tenant, businessType: i % 2 === 0 ? 'TRANSFER_RESALE' : 'MORTGAGE_CREATE', institutionId: AUDIT_WORLD.institution },
    detail: { i },
  }));
}

let seeded: Promise<void> | undefined;

/** Fills the logs (once): 12 entries per district with heads at 4, 9 and 12; 6 entries of the institution, head at 6. */
export function seedAuditWorld(): Promise<void> {
  seeded ??= (async () => {
    for (const district of [AUDIT_WORLD.own, AUDIT_WORLD.other]) {
      const drafts = entries(district, 12, `stf-audit-${district}`);
      for (const [from, to] of [[0, 4], [4, 9], [9, 12]] as const) {
        reader.append(district, drafts.slice(from, to));
        await reader.checkpoint(district);
      }
    }
    reader.append(AUDIT_WORLD.institution, entries(AUDIT_WORLD.institution, 6, 'nobody').map((e) => ({ ...e, actor: 'channel:ch-audit-a' })));
    await reader.checkpoint(AUDIT_WORLD.institution);
    for (const [tenant, exportId] of [[AUDIT_WORLD.own, AUDIT_WORLD.exports.own], [AUDIT_WORLD.other, AUDIT_WORLD.exports.other]] as const) {
      const built = await buildExport({ reader, logKey: reader.logKey, platformSigner, clock }, { tenant });
      await exportStore.put(exportKeyOf(exportId), built.body, { retainUntil: new Date(Date.now() + 400 * 86_400_000), contentType: 'application/x-ndjson' });
    }
  })();
  return seeded;
}

/** What `functions/shared/audit-read-deps.ts` exports, over this world. */
export function auditReadDepsModule() {
  const ports = async () => {
    await seedAuditWorld();
    return { reader, logKey: reader.logKey, clock };
  };
  return {
    auditLogReaderFromEnv: () => reader,
    logPublicKeyFromEnv: async () => reader.logKey,
    auditReadPorts: ports,
    auditExportPorts: async () => ({ ...(await ports()), platformSigner, exports: exportStore }),
  };
}
