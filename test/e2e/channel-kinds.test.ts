/**
 * Every business type, from each kind of channel, end to end over HTTP through the local runtime: the
 * demo plans (one batch per channel kind) are submitted with the institution-side client and each filing
 * must get the outcome the demo register implies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZhitongClient } from '../../client/zt-client';
import { BUSINESS_TYPES } from '../../functions/core/domain/business-types';
import type { LocalRuntime } from '../../infra/local/runtime';
import type { DemoCredentials } from '../../infra/local/seed/seed';
import { startDemoRuntime, type DemoRuntime } from '../support/demo-runtime';
import { demoPlans } from '../../infra/local/seed/demo-plans';
import { isWaitingOnPlatform } from '../support/statuses';

let demo: DemoRuntime;
let runtime: LocalRuntime;
let credentials: DemoCredentials;

beforeAll(async () => {
  demo = await startDemoRuntime('kinds');
  ({ runtime, credentials } = demo);
}, 120_000);

afterAll(async () => demo?.stop());

interface Item {
  index: number;
  filingId?: string;
  status: string;
  errors?: { code: string }[];
}

const plans = demoPlans('E2E');

describe('each channel kind files its business types end to end', () => {
  it('covers all eight business types', () => {
    const covered = new Set(plans.flatMap((p) => p.filings.map((f) => f.filing.businessType)));
    expect([...covered].sort()).toEqual([...BUSINESS_TYPES].sort());
  });

  it.each(plans.map((plan) => [plan.institutionType, plan] as const))('%s: every filing gets the outcome the register implies', async (_type, plan) => {
    const channel = credentials.channels.find((c) => c.institutionType === plan.institutionType)!;
    const client = new ZhitongClient({ baseUrl: runtime.url, channelId: channel.channelId, privateKeyHex: channel.privateKey });
    const submitted = await client.request('POST', '/v1/batches', { filings: plan.filings.map((p) => p.filing) });
    expect(submitted.status).toBe(202);
    const { batchId } = submitted.body as { batchId: string };

    let items: Item[] = [];
    for (let attempt = 0; attempt < 200; attempt += 1) {
      items = ((await client.request('GET', `/v1/batches/${batchId}`)).body as { items: Item[] }).items;
      if (!items.some((i) => isWaitingOnPlatform(i.status))) break;
      await new Promise((r) => setTimeout(r, 100));
    }

    for (const item of items) {
      const { label, expect: expected } = plan.filings[item.index]!;
      expect(item.status, label).toBe(expected.status);
      if (expected.errorCode) expect(item.errors?.map((e) => e.code), label).toContain(expected.errorCode);
      if (expected.reasonCode) {
        const filing = (await client.request('GET', `/v1/filings/${item.filingId}`)).body as { reasonCode?: string };
        expect(filing.reasonCode, label).toBe(expected.reasonCode);
      }
    }
  });
});
