/**
 * Receipts end to end over HTTP on the local runtime (DESIGN.md §5): an institution submits a batch with its own
 * client, polls the receipt until a signed tree head covers it, and verifies it with `client/zt-audit.ts` and
 * the published log key only; later, the consistency proof from its receipt's head to the latest verifies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZhitongClient } from '../../client/zt-client';
import { verifyConsistency, verifyReceipt, type BatchReceipt, type SignedTreeHead } from '../../client/zt-audit';
import { demoRegister } from '../../infra/local/seed/demo-data';
import { mortgageCreateFiling } from '../../infra/local/seed/demo-filings';
import type { DemoCredentials } from '../../infra/local/seed/seed';
import { startDemoRuntime, type DemoRuntime } from '../support/demo-runtime';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('receipts over HTTP', () => {
  let demo: DemoRuntime;
  let bank: DemoCredentials['channels'][number];
  let client: ZhitongClient;
  let logKey: { keyId: string; publicKey: string };

  beforeAll(async () => {
    demo = await startDemoRuntime('audit-receipts');
    bank = demo.credentials.channels.find((c) => c.institutionType === 'BANK')!;
    client = new ZhitongClient({ baseUrl: demo.runtime.url, channelId: bank.channelId, privateKeyHex: bank.privateKey });
    logKey = (await (await fetch(`${demo.runtime.url}/v1/audit/log-key`)).json()) as { keyId: string; publicKey: string };
  }, 120_000);
  afterAll(async () => demo?.stop());

  const units = () => demoRegister().filter((u) => u.district === '370102' && !u.seized && u.mortgages.length === 0 && u.owners.length === 1);
  const submit = async (i: number) => {
    const unit = units()[i]!;
    const answer = await client.request('POST', '/v1/batches', { filings: [mortgageCreateFiling({ clientRef: `AR-${i}-${Date.now()}`, unitCode: unit.unitCode, mortgagors: unit.owners })] });
    expect(answer.status).toBe(202);
    return answer.body as { batchId: string; receipt: { href: string } };
  };
  const receiptOf = async (href: string): Promise<BatchReceipt> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const answer = await client.request('GET', href);
      if (answer.status === 200) return answer.body as BatchReceipt;
      expect(answer.status).toBe(202);
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
      if (Date.now() > deadline) throw new Error('no receipt within 30 s');
      await sleep(500);
    }
  };

  it('submit → poll the receipt → verify with the published key; later, consistency from its head to the latest', async () => {
    const first = await submit(0);
    const receipt = await receiptOf(first.receipt.href);
    expect(verifyReceipt(receipt, logKey.publicKey)).toEqual({ ok: true });
    expect(receipt.keyId).toBe(logKey.keyId);

    const second = await submit(1);
    const later = await receiptOf(second.receipt.href);
    expect(later.treeHead.treeHead.treeSize).toBeGreaterThan(receipt.treeHead.treeHead.treeSize);
    const proof = await client.request('GET', `${first.receipt.href}/consistency?from=${receipt.treeHead.treeHead.treeSize}`);
    expect(proof.status).toBe(200);
    const body = proof.body as { treeHead: SignedTreeHead; proof: string[] };
    expect(verifyConsistency(receipt.treeHead, body.treeHead, body.proof, logKey.publicKey)).toEqual({ ok: true });
  }, 120_000);
});
