/**
 * `npm run demo` (with `npm start` running): the demo bank, developer and agency each sign and submit
 * one batch. The batches hold filings that intake accepts, refuses or sends back for correction, and
 * invalid ones. Accepted transfers, presale notices and first registrations then wait on the (simulated) tax
 * and trading departments. The demo waits for intake and the departments and prints each filing's outcome
 * beside the one the demo register should give, with where each department result stands. Run it again for
 * fresh batches on other units.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ZhitongClient } from '../../client/zt-client';
import { credentialsPath, type DemoCredentials } from './seed/seed';
import { demoPlans, type Expected } from './seed/demo-plans';

const baseUrl = process.env.ZT_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;
const dataDir = resolve(process.env.ZT_DATA_DIR ?? '.data');

interface Item {
  index: number;
  clientRef?: string;
  filingId?: string;
  status: string;
  errors?: { path: string; code: string }[];
}

const describeExpected = (e: Expected) => [e.status, e.reasonCode ?? e.errorCode].filter(Boolean).join(' ');

/** Statuses a filing leaves by itself: intake, the move on from ACCEPTED, the departments' answers. */
const MOVING = new Set(['SUBMITTED', 'ACCEPTED', 'AWAITING_COORDINATION']);

/** Waits (up to a minute) until the platform is done with every filing of the batch on its own. */
async function waitForPlatform(client: ZhitongClient, batchId: string): Promise<Item[]> {
  let items: Item[] = [];
  for (let attempt = 0; attempt < 240; attempt += 1) {
    items = ((await client.request('GET', `/v1/batches/${batchId}`)).body as { items: Item[] }).items;
    if (!items.some((i) => MOVING.has(i.status))) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return items;
}

interface CoordinationView {
  requests: { kind: string; departmentId?: string; state: string; reasonCode?: string; reference?: string }[];
}

/** e.g. `CONTRACT_FILING CONFIRMED HT…; TAX_CLEARANCE PENDING TAX_UNPAID` */
const describeCoordination = (coordination: CoordinationView | undefined): string =>
  coordination?.requests.map((r) => [r.kind, r.state, r.reasonCode ?? r.reference].filter(Boolean).join(' ')).join('; ') ?? '';

async function main(): Promise<void> {
  let credentials: DemoCredentials;
  try {
    credentials = JSON.parse(await readFile(credentialsPath(dataDir), 'utf8')) as DemoCredentials;
  } catch {
    console.error(`No demo credentials at ${credentialsPath(dataDir)}: start the platform first with \`npm start\`.`);
    process.exit(1);
  }
  const run = Date.now().toString(36).toUpperCase();
  for (const plan of demoPlans(run)) {
    const channel = credentials.channels.find((c) => c.institutionType === plan.institutionType)!;
    const client = new ZhitongClient({ baseUrl, channelId: channel.channelId, privateKeyHex: channel.privateKey });
    console.log(`\n${channel.institutionName} (${channel.channelId}) submits ${plan.filings.length} filings to ${baseUrl} …`);
    const submitted = await client.request('POST', '/v1/batches', { filings: plan.filings.map((p) => p.filing) }, { idempotencyKey: `demo-${run}-${plan.institutionType}` });
    if (submitted.status !== 202) {
      console.error(`Submission answered ${submitted.status}:`, JSON.stringify(submitted.body, null, 2));
      process.exit(1);
    }
    const { batchId } = submitted.body as { batchId: string };
    const items = await waitForPlatform(client, batchId);
    const rows: Record<string, string>[] = [];
    for (const item of items) {
      const planned = plan.filings[item.index]!;
      let detail = item.errors?.map((e) => `${e.path}: ${e.code}`).join('; ') ?? '';
      let people = '';
      let coordination = '';
      if (item.filingId) {
        const filing = (await client.request('GET', `/v1/filings/${item.filingId}`)).body as {
          reasonCode?: string;
          missingMaterials?: string[];
          parties: Record<string, { name: string; idNumber: string }[] | { name: string } | undefined>;
          coordination?: CoordinationView;
        };
        coordination = describeCoordination(filing.coordination);
        detail = filing.reasonCode ?? (filing.missingMaterials ? `missing ${filing.missingMaterials.join(', ')}` : '');
        people = Object.values(filing.parties)
          .flatMap((v) => (Array.isArray(v) ? v.map((p) => `${p.name} ${p.idNumber}`) : []))
          .join(', ');
      }
      rows.push({ case: planned.label, outcome: item.status, detail, expected: describeExpected(planned.expect), 'departments (coordination)': coordination, 'people (masked)': people });
    }
    console.log(`Batch ${batchId}:`);
    console.table(rows);
  }
}

await main();
