import { describe, expect, it } from 'vitest';
import { trace, TRACE_DAYS } from '../../../functions/core/use-cases/audit-search';
import type { StaffAccount } from '../../../functions/core/domain/staff';
import { MemoryAuditReader } from '../../support/memory-audit-reader';

const auditor: StaffAccount = { staffId: 'stf-aud', username: 'aud', displayName: 'A', role: 'AUDITOR', district: '370102', status: 'ACTIVE' };

describe('trace', () => {
  it('serves its default range (TRACE_DAYS up to now) on a clock that moves between readings', async () => {
    // Arrange: a clock one millisecond later at every reading, as a real one may be.
    let t = Date.parse('2026-12-02T08:00:00.000Z');
    const clock = { now: () => new Date(t++) };
    const reader = new MemoryAuditReader();
    reader.append('370102', [{ at: new Date(t - 60_000).toISOString(), actor: 'staff:stf-x', action: 'FILING_READ', outcome: 'SUCCESS', target: 'F1', detail: {} }]);
    // Act
    const result = await trace({ reader, clock }, auditor, { filingId: 'F1', limit: 10 });
    // Assess: the entry is found, the range not refused as wider than TRACE_DAYS.
    expect(TRACE_DAYS).toBeGreaterThan(1_095);
    expect(result.items.map((i) => i.entry?.target)).toEqual(['F1']);
  });
});
