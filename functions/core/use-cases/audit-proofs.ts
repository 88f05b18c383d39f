/**
 * Tree heads and proofs for auditors (DESIGN.md §5; RFC 9162 §2.1): the latest signed head of a log, the
 * heads in a size range, the inclusion proof of an entry and the consistency proof between two sizes —
 * all within the committed, signed part of the log. The caller's right to read the log is checked first.
 */
import type { LogEntry, SignedTreeHead } from '../domain/audit-log';
import { notFound, unprocessable } from '../domain/errors';
import { consistencyProof, inclusionProof } from '../domain/merkle';
import type { StaffAccount } from '../domain/staff';
import type { AuditLogReader } from '../ports';
import { assertMayReadLog } from './audit-access';

/** At most this many tree heads per answer. */
export const MAX_TREE_HEADS = 1_000;

async function latestOf(reader: AuditLogReader, tenant: string): Promise<SignedTreeHead> {
  const head = await reader.latestTreeHead(tenant);
  if (!head) throw notFound('TREE_HEAD_NOT_FOUND', 'This log has no signed tree head yet.');
  return head;
}

export async function latestTreeHead(reader: AuditLogReader, staff: StaffAccount, tenant: string): Promise<SignedTreeHead> {
  assertMayReadLog(staff, tenant);
  return latestOf(reader, tenant);
}

export async function listTreeHeads(reader: AuditLogReader, staff: StaffAccount, tenant: string, range: { fromSize: number; toSize?: number }): Promise<{ items: SignedTreeHead[]; truncated: boolean }> {
  assertMayReadLog(staff, tenant);
  const toSize = range.toSize ?? Number.MAX_SAFE_INTEGER;
  if (toSize < range.fromSize) throw unprocessable('TREE_SIZE_OUT_OF_RANGE', 'toSize is below fromSize.');
  const items = await reader.treeHeads(tenant, { fromSize: range.fromSize, toSize, limit: MAX_TREE_HEADS + 1 });
  return { items: items.slice(0, MAX_TREE_HEADS), truncated: items.length > MAX_TREE_HEADS };
}

export interface InclusionAnswer {
  readonly leafIndex: number;
  readonly treeSize: number;
  readonly leafHash: string;
  /** The entry (parsed canonical JSON); absent once past its retention (the leaf hash stays). */
  readonly entry?: LogEntry;
  readonly proof: readonly string[];
  readonly treeHead?: SignedTreeHead;
}

/** The inclusion proof of entry `seq` in the tree of `treeSize` (default: the latest signed head's). */
export async function inclusion(reader: AuditLogReader, staff: StaffAccount, tenant: string, seq: number, treeSize?: number): Promise<InclusionAnswer> {
  assertMayReadLog(staff, tenant);
  const latest = await latestOf(reader, tenant);
  const size = treeSize ?? latest.treeHead.treeSize;
  if (size > latest.treeHead.treeSize) throw unprocessable('TREE_SIZE_OUT_OF_RANGE', `treeSize exceeds the latest signed tree size (${latest.treeHead.treeSize}).`);
  if (seq >= size) throw unprocessable('SEQ_OUT_OF_RANGE', 'seq must be below treeSize.');
  const [stored] = await reader.entries(tenant, seq, seq + 1);
  if (!stored) throw notFound('AUDIT_ENTRY_NOT_FOUND', 'No entry with this seq.');
  const proof = await inclusionProof(reader.nodes(tenant), seq, size);
  const head = size === latest.treeHead.treeSize ? latest : await reader.treeHeadOfSize(tenant, size);
  return { leafIndex: seq, treeSize: size, leafHash: stored.leafHash, ...(stored.entry ? { entry: JSON.parse(stored.entry) as LogEntry } : {}), proof, ...(head ? { treeHead: head } : {}) };
}

/** The consistency proof between the trees of `first` and `second` entries (both within the latest signed head). */
export async function consistency(reader: AuditLogReader, staff: StaffAccount, tenant: string, first: number, second: number): Promise<{ first: number; second: number; proof: string[] }> {
  assertMayReadLog(staff, tenant);
  const latest = await latestOf(reader, tenant);
  // RFC 9162 §2.1.4 proves consistency between trees of 0 < first ≤ second entries: the empty tree proves nothing.
  if (first < 1) throw unprocessable('TREE_SIZE_OUT_OF_RANGE', 'first must be at least 1 (consistency with the empty tree proves nothing).');
  if (first > second) throw unprocessable('TREE_SIZE_OUT_OF_RANGE', 'first must not exceed second.');
  if (second > latest.treeHead.treeSize) throw unprocessable('TREE_SIZE_OUT_OF_RANGE', `second exceeds the latest signed tree size (${latest.treeHead.treeSize}).`);
  return { first, second, proof: await consistencyProof(reader.nodes(tenant), first, second) };
}
