import { notFound } from '../domain/errors';
import type { FilingStatus } from '../domain/filing';
import type { AuditLog, Channel, FilingRepository } from '../ports';

export interface BatchViewItem {
  readonly index: number;
  readonly clientRef?: string;
  readonly filingId?: string;
  readonly status: FilingStatus | 'INVALID';
  readonly errors?: readonly { path: string; code: string; message: string }[];
}

export interface BatchView {
  readonly batchId: string;
  readonly createdAt: string;
  readonly items: readonly BatchViewItem[];
}

/**
 * The channel's own batch with each filing's current status.
 *
 * 1. Load the batch; a batch of another channel is answered exactly like a missing one (no oracle).
 * 2. Read the current status of its stored filings.
 * 3. Audit the read.
 */
export async function getBatch(ports: { filings: FilingRepository; audit: AuditLog }, channel: Channel, batchId: string): Promise<BatchView> {
  const batch = await ports.filings.getBatch(batchId);
  if (!batch || batch.channelId !== channel.channelId) {
    throw notFound('BATCH_NOT_FOUND', 'No batch with this id exists for this channel.');
  }
  const ids = batch.items.flatMap((i) => (i.filingId ? [i.filingId] : []));
  const current = new Map((await ports.filings.getMany(ids)).map((f) => [f.filingId, f.status]));
  const items = batch.items.map((item): BatchViewItem => {
    if (!item.filingId) return item;
    return { index: item.index, clientRef: item.clientRef, filingId: item.filingId, status: current.get(item.filingId) ?? 'SUBMITTED' };
  });
  await ports.audit.record({ tenant: channel.institutionId, actor: `channel:${channel.channelId}`, action: 'BATCH_READ', outcome: 'SUCCESS', target: batchId });
  return { batchId: batch.batchId, createdAt: batch.createdAt, items };
}
