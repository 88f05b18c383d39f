/**
 * The range of an export (F9): a malformed or inverted range is 422 EXPORT_RANGE_INVALID and one wider than
 * MAX_EXPORT_ENTRIES is 422 EXPORT_TOO_LARGE, both decided before anything is read; a range no signed head covers is
 * 422 EXPORT_EMPTY; a `toSeq` beyond the log is a bound, not an error (the export ends at the latest head).
 */
import { describe, expect, it } from 'vitest';
import { buildExport, MAX_EXPORT_ENTRIES, type ExportRequest } from '../../../functions/core/use-cases/audit-export';
import type { AuditLogReader } from '../../../functions/core/ports';
import { MemoryAuditReader, testPlatformKey } from '../../support/memory-audit-reader';

const TENANT = '370102';
const clock = { now: () => new Date('2026-12-02T06:00:00.000Z') };
const platformSigner = testPlatformKey();

/** 12 entries, signed heads at 4, 9 and 12. */
async function filled(): Promise<MemoryAuditReader> {
  const reader = new MemoryAuditReader();
  for (const [from, to] of [[0, 4], [4, 9], [9, 12]] as const) {
    reader.append(TENANT, Array.from({ length: to - from }, (_, i) => ({ at: new Date(Date.UTC(2026, 11, 1, 8, 0, from + i)).toISOString(), actor: 'worker:intake', action: 'FILING_READ', outcome: 'SUCCESS' as const })));
    await reader.checkpoint(TENANT);
  }
  return reader;
}

/** A reader that fails the test on any read: the range must be refused before the log is touched. */
const untouchable = new Proxy({} as AuditLogReader, {
  get: (_, name) => () => {
    throw new Error(`read ${String(name)} before the range was checked`);
  },
});

const refusal = async (reader: AuditLogReader, request: Omit<ExportRequest, 'tenant'>) =>
  buildExport({ reader, logKey: reader instanceof MemoryAuditReader ? reader.logKey : platformSigner, platformSigner, clock }, { tenant: TENANT, ...request }).then(
    () => 'built',
    (error: { status?: number; code?: string }) => `${error.status} ${error.code}`,
  );

describe('the range of an export', () => {
  it.each([
    ['negative fromSeq', { fromSeq: -1 }],
    ['fractional fromSeq', { fromSeq: 1.5 }],
    ['negative toSeq', { toSeq: -3 }],
    ['fractional toSeq', { toSeq: 2.5 }],
    ['toSeq 0', { toSeq: 0 }],
    ['unsafe integer', { toSeq: 2 ** 53 }],
    ['fromSeq = toSeq', { fromSeq: 5, toSeq: 5 }],
    ['fromSeq > toSeq', { fromSeq: 9, toSeq: 4 }],
  ])('%s → 422 EXPORT_RANGE_INVALID, nothing read', async (_what, request) => {
    expect(await refusal(untouchable, request)).toBe('422 EXPORT_RANGE_INVALID');
  });

  it('a requested range wider than the limit → 422 EXPORT_TOO_LARGE, nothing read', async () => {
    expect(await refusal(untouchable, { fromSeq: 10, toSeq: 10 + MAX_EXPORT_ENTRIES + 1 })).toBe('422 EXPORT_TOO_LARGE');
    expect(await refusal(untouchable, { toSeq: MAX_EXPORT_ENTRIES + 1 })).toBe('422 EXPORT_TOO_LARGE');
  });

  it('fromSeq at or beyond the latest signed head, or a range no head ends in → 422 EXPORT_EMPTY', async () => {
    const reader = await filled();
    expect(await refusal(reader, { fromSeq: 12 })).toBe('422 EXPORT_EMPTY');
    expect(await refusal(reader, { fromSeq: 1_000 })).toBe('422 EXPORT_EMPTY');
    expect(await refusal(reader, { fromSeq: 10, toSeq: 11 })).toBe('422 EXPORT_EMPTY');
  });

  it('toSeq beyond the log is a bound: the export ends at the latest signed head', async () => {
    const reader = await filled();
    const { manifest } = await buildExport({ reader, logKey: reader.logKey, platformSigner, clock }, { tenant: TENANT, fromSeq: 4, toSeq: 1_000 });
    expect(manifest).toMatchObject({ entries: 8, treeHead: { treeSize: 12 } });
  });
});
