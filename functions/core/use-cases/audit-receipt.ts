/**
 * Receipts for institutions (DESIGN.md §5): an accepted batch's entry in the institution's log, the signed
 * tree head that covers it and the inclusion proof, so the institution can later prove what it filed and
 * when, and detect if the registry's log ever drops or changes it (with the consistency proof below).
 */
import { logIdOf, type SignedTreeHead } from '../domain/audit-log';
import { notFound, unprocessable } from '../domain/errors';
import { consistencyProof, inclusionProof } from '../domain/merkle';
import type { AuditLogReader, Channel, FilingRepository } from '../ports';
import { receiptKeyOf } from './submit-batch';
import type { LogPublicKey } from './audit-export';

export interface ReceiptPorts {
  readonly filings: Pick<FilingRepository, 'getBatch'>;
  readonly reader: AuditLogReader;
  readonly logKey: LogPublicKey;
}

export interface BatchReceipt {
  readonly batchId: string;
  readonly logId: string;
  readonly leafIndex: number;
  readonly entry: string;
  readonly leafHash: string;
  readonly treeHead: SignedTreeHead;
  readonly inclusionProof: readonly string[];
  readonly logPublicKey: string;
  readonly keyId: string;
}

export type ReceiptAnswer = { readonly status: 'READY'; readonly receipt: BatchReceipt } | { readonly status: 'PENDING'; readonly batchId: string };

/** Seconds a client should wait before asking again: about one checkpoint interval. */
export const RECEIPT_RETRY_AFTER_SECONDS = 5;

async function ownBatch(ports: ReceiptPorts, channel: Channel, batchId: string): Promise<void> {
  const batch = await ports.filings.getBatch(batchId);
  // Another channel's batch is answered like a missing one (no oracle).
  if (!batch || batch.channelId !== channel.channelId) throw notFound('BATCH_NOT_FOUND', 'No batch with this id exists for this channel.');
}

/**
 * The receipt of the channel's own batch.
 *
 * 1. Load the batch; another channel's is 404 like a missing one.
 * 2. Find the batch's entry (`batch:<batchId>`) in the institution's log; read the LATEST signed tree head.
 * 3. No entry yet, or the head does not cover it yet: PENDING (the client retries after a checkpoint).
 * 4. Otherwise: the entry's bytes, leaf hash and its inclusion proof in that head, and the log key.
 */
export async function getBatchReceipt(ports: ReceiptPorts, channel: Channel, batchId: string): Promise<ReceiptAnswer> {
  await ownBatch(ports, channel, batchId);
  const tenant = channel.institutionId;
  const seq = await ports.reader.seqOfKey(tenant, receiptKeyOf(batchId));
  const head = await ports.reader.latestTreeHead(tenant);
  if (seq === undefined || !head || head.treeHead.treeSize <= seq) return { status: 'PENDING', batchId };
  const [stored] = await ports.reader.entries(tenant, seq, seq + 1);
  if (!stored?.entry) throw notFound('RECEIPT_EXPIRED', "The batch's entry is past its retention period.");
  const proof = await inclusionProof(ports.reader.nodes(tenant), seq, head.treeHead.treeSize);
  return {
    status: 'READY',
    receipt: {
      batchId,
      logId: logIdOf(tenant),
      leafIndex: seq,
      entry: stored.entry,
      leafHash: stored.leafHash,
      treeHead: head,
      inclusionProof: proof,
      logPublicKey: await ports.logKey.publicKeyHex(),
      keyId: ports.logKey.keyId,
    },
  };
}

export interface ReceiptConsistency {
  readonly batchId: string;
  readonly from: number;
  readonly treeHead: SignedTreeHead;
  readonly proof: readonly string[];
}

/**
 * The consistency proof from a tree size the institution holds (an earlier receipt's head) to the latest
 * signed head of its log: the log kept everything the earlier head covered.
 */
export async function getReceiptConsistency(ports: ReceiptPorts, channel: Channel, batchId: string, from: number): Promise<ReceiptConsistency> {
  await ownBatch(ports, channel, batchId);
  const tenant = channel.institutionId;
  const head = await ports.reader.latestTreeHead(tenant);
  if (!head) throw notFound('TREE_HEAD_NOT_FOUND', 'This log has no signed tree head yet.');
  // RFC 9162 §2.1.4: consistency between trees of 0 < from ≤ latest entries (a receipt's head has at least its own entry).
  if (from < 1) throw unprocessable('TREE_SIZE_OUT_OF_RANGE', 'from must be at least 1: the tree size of a head you hold.');
  if (from > head.treeHead.treeSize) throw unprocessable('TREE_SIZE_OUT_OF_RANGE', `from exceeds the latest signed tree size (${head.treeHead.treeSize}).`);
  return { batchId, from, treeHead: head, proof: await consistencyProof(ports.reader.nodes(tenant), from, head.treeHead.treeSize) };
}

/** The log's public key (`GET /v1/audit/log-key`): what institutions pin to verify receipts. */
export async function logPublicKey(logKey: LogPublicKey): Promise<{ keyId: string; publicKey: string; algorithm: 'SM2-with-SM3'; userId: '1234567812345678' }> {
  return { keyId: logKey.keyId, publicKey: await logKey.publicKeyHex(), algorithm: 'SM2-with-SM3', userId: '1234567812345678' };
}
