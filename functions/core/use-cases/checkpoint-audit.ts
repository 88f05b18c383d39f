/**
 * Signing a tenant log's tree head (DESIGN.md §5; 004 第二十三条 "采用商用密码技术保护日志的完整性"): the
 * checkpoint is the only holder of the log signing key, and signs a head only if it extends the last signed
 * one, so a rewritten or forked log is never signed over.
 *
 * Primary course, for one tenant:
 * 1. Read HEAD; materialise its `pending` commit first, so every node of the committed tree is stored.
 * 2. Read the latest signed tree head (STH). Nothing grew → done.
 * 3. Recompute the root of the committed size from the stored nodes; it must equal HEAD's root.
 * 4. With an earlier STH: build the consistency proof from stored nodes between its size and the new size
 *    and verify it against both roots. Either check failing: refuse to sign, report an error.
 * 5. Sign treeHeadBytes({logId, treeSize, rootHash, timestamp}) with the log key; store the STH (once per
 *    size: a second signature of the same size is dropped); record the signed size on HEAD.
 */
import { consistencyProof, treeRoot, verifyConsistency, type NodeReader } from '../domain/merkle';
import { logIdOf, treeHeadBytes, type SignedTreeHead, type TreeHead } from '../domain/audit-log';
import type { AuditLogReader, Clock, TreeHeadSigner } from '../ports';
import type { AuditLogStore } from './append-audit';

export interface CheckpointStore extends Pick<AuditLogStore, 'readHead' | 'materialise'> {
  /** Stores the STH unless one of its size exists (then keeps that one). */
  putTreeHead(tenant: string, sth: SignedTreeHead): Promise<void>;
  /** Records that heads up to `treeSize` are signed (drops the log from the unsigned registry if nothing is left). */
  markSigned(tenant: string, treeSize: number): Promise<void>;
  /** Tenants whose logs hold entries no STH signs yet (the registry the sweep reads). */
  unsignedTenants(): Promise<string[]>;
}

export interface CheckpointPorts {
  readonly store: CheckpointStore;
  readonly reader: Pick<AuditLogReader, 'latestTreeHead'> & { nodes(tenant: string): NodeReader };
  readonly signer: TreeHeadSigner;
  readonly clock: Clock;
}

export type CheckpointOutcome =
  | { readonly kind: 'signed'; readonly treeHead: TreeHead }
  | { readonly kind: 'current'; readonly treeSize: number }
  | { readonly kind: 'inconsistent'; readonly reason: string; readonly fromSize: number; readonly toSize: number };

export async function checkpointAudit(ports: CheckpointPorts, tenant: string): Promise<CheckpointOutcome> {
  // 1
  const head = await ports.store.readHead(tenant);
  if (head === undefined) return { kind: 'current', treeSize: 0 };
  if (head.pending) await ports.store.materialise(tenant, head.pending);
  // 2
  const latest = await ports.reader.latestTreeHead(tenant);
  const signedSize = latest?.treeHead.treeSize ?? 0;
  if (head.treeSize === 0 || head.treeSize <= signedSize) {
    if (latest !== undefined) await ports.store.markSigned(tenant, signedSize);
    return { kind: 'current', treeSize: signedSize };
  }
  // 3, 4 — over a reader bounded by this head's size (a later commit does not move what is checked).
  const nodes = ports.reader.nodes(tenant);
  const root = await treeRoot(nodes, head.treeSize);
  if (root !== head.rootHash) return { kind: 'inconsistent', reason: 'stored nodes do not give the head root', fromSize: signedSize, toSize: head.treeSize };
  if (latest !== undefined && latest.treeHead.treeSize > 0) {
    const proof = await consistencyProof(nodes, latest.treeHead.treeSize, head.treeSize);
    if (!verifyConsistency(latest.treeHead.treeSize, head.treeSize, proof, latest.treeHead.rootHash, head.rootHash)) {
      return { kind: 'inconsistent', reason: 'the head does not extend the last signed tree head', fromSize: signedSize, toSize: head.treeSize };
    }
  }
  // 5
  const treeHead: TreeHead = { logId: logIdOf(tenant), treeSize: head.treeSize, rootHash: head.rootHash, timestamp: ports.clock.now().toISOString() };
  const signature = (await ports.signer.sign(treeHeadBytes(treeHead))).toString('base64');
  await ports.store.putTreeHead(tenant, { treeHead, signature, keyId: ports.signer.keyId });
  await ports.store.markSigned(tenant, head.treeSize);
  return { kind: 'signed', treeHead };
}
