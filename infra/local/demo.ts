/**
 * `npm run demo` (with `npm start` running): the demo bank signs and submits one batch — filings that
 * intake accepts, refuses or sends back for correction, and invalid ones — waits for intake, and prints
 * each filing's outcome. Run it again for a fresh batch on other units.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ZhitongClient } from '../../client/zt-client';
import { credentialsPath, type DemoCredentials } from './seed/seed';
import { coOwnedUnits, fileableUnits, mortgageCreateFiling, REQUIRED_MORTGAGE_MATERIALS, seizedUnits, UNREGISTERED_UNIT_CODE } from './seed/demo-filings';

const baseUrl = process.env.ZT_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;
const dataDir = resolve(process.env.ZT_DATA_DIR ?? '.data');

interface BatchResponse {
  batchId: string;
  items: { index: number; clientRef?: string; filingId?: string; status: string; errors?: { path: string; code: string }[] }[];
}
interface FilingResponse {
  status: string;
  reasonCode?: string;
  missingMaterials?: string[];
  mortgagors: { name: string; idNumber: string }[];
}

function shuffle<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

async function main(): Promise<void> {
  let credentials: DemoCredentials;
  try {
    credentials = JSON.parse(await readFile(credentialsPath(dataDir), 'utf8')) as DemoCredentials;
  } catch {
    console.error(`No demo credentials at ${credentialsPath(dataDir)}: start the platform first with \`npm start\`.`);
    process.exit(1);
  }
  const bank = credentials.channels.find((c) => c.institutionType === 'BANK')!;
  const client = new ZhitongClient({ baseUrl, channelId: bank.channelId, privateKeyHex: bank.privateKey });

  const run = Date.now().toString(36).toUpperCase();
  const ref = (n: number) => `DEMO-${run}-${String(n).padStart(2, '0')}`;
  const singles = shuffle(fileableUnits().filter((u) => u.owners.length === 1));
  const [good1, good2, good3, dup, notOwner, correction, bad1, bad2] = singles;
  const coOwned = shuffle(coOwnedUnits());
  const seized = shuffle(seizedUnits())[0]!;
  const stranger = singles[20]!.owners[0]!;
  const badId = { ...good1!.owners[0]!, idNumber: `${good1!.owners[0]!.idNumber.slice(0, 17)}${good1!.owners[0]!.idNumber.endsWith('0') ? '1' : '0'}` };

  const plan: { label: string; filing: Record<string, unknown> }[] = [
    { label: 'owner mortgages their unit', filing: mortgageCreateFiling({ clientRef: ref(1), unitCode: good1!.unitCode, mortgagors: good1!.owners }) },
    { label: 'owner, amount in fen', filing: mortgageCreateFiling({ clientRef: ref(2), unitCode: good2!.unitCode, mortgagors: good2!.owners, amount: 88_000_000 }) },
    { label: 'both co-owners', filing: mortgageCreateFiling({ clientRef: ref(3), unitCode: coOwned[0]!.unitCode, mortgagors: coOwned[0]!.owners }) },
    { label: 'owner, with power of attorney', filing: mortgageCreateFiling({ clientRef: ref(4), unitCode: good3!.unitCode, mortgagors: good3!.owners, materialTypes: [...REQUIRED_MORTGAGE_MATERIALS, 'POWER_OF_ATTORNEY'] }) },
    { label: 'seized unit', filing: mortgageCreateFiling({ clientRef: ref(5), unitCode: seized.unitCode, mortgagors: seized.owners }) },
    { label: 'mortgagor is not the owner', filing: mortgageCreateFiling({ clientRef: ref(6), unitCode: notOwner!.unitCode, mortgagors: [stranger] }) },
    { label: 'one co-owner missing', filing: mortgageCreateFiling({ clientRef: ref(7), unitCode: coOwned[1]!.unitCode, mortgagors: [coOwned[1]!.owners[0]!] }) },
    { label: 'unit not in the register', filing: mortgageCreateFiling({ clientRef: ref(8), unitCode: UNREGISTERED_UNIT_CODE, mortgagors: [stranger] }) },
    { label: 'same unit twice (a: one of a/b wins)', filing: mortgageCreateFiling({ clientRef: ref(9), unitCode: dup!.unitCode, mortgagors: dup!.owners }) },
    { label: 'same unit twice (b: the other is a duplicate)', filing: mortgageCreateFiling({ clientRef: ref(10), unitCode: dup!.unitCode, mortgagors: dup!.owners, amount: '990000' }) },
    { label: 'main debt contract missing', filing: mortgageCreateFiling({ clientRef: ref(11), unitCode: correction!.unitCode, mortgagors: correction!.owners, materialTypes: REQUIRED_MORTGAGE_MATERIALS.filter((t) => t !== 'MAIN_DEBT_CONTRACT') }) },
    { label: 'ID number check digit wrong', filing: mortgageCreateFiling({ clientRef: ref(12), unitCode: bad1!.unitCode, mortgagors: [badId] }) },
    { label: 'amount as a float', filing: mortgageCreateFiling({ clientRef: ref(13), unitCode: bad2!.unitCode, mortgagors: bad2!.owners, amount: 1200000.5 }) },
    { label: 'mortgagee missing', filing: (({ mortgagee: _m, ...rest }) => rest)(mortgageCreateFiling({ clientRef: ref(14), unitCode: bad2!.unitCode, mortgagors: bad2!.owners })) },
  ];

  console.log(`Submitting ${plan.length} filings from ${bank.institutionName} (${bank.channelId}) to ${baseUrl} …`);
  const submitted = await client.request('POST', '/v1/batches', { filings: plan.map((p) => p.filing) }, { idempotencyKey: `demo-${run}` });
  if (submitted.status !== 202) {
    console.error(`Submission answered ${submitted.status}:`, JSON.stringify(submitted.body, null, 2));
    process.exit(1);
  }
  const batch = submitted.body as BatchResponse;
  console.log(`Batch ${batch.batchId}: ${batch.items.filter((i) => i.status === 'SUBMITTED').length} submitted, ${batch.items.filter((i) => i.status === 'INVALID').length} invalid. Waiting for intake …`);

  let view = batch;
  for (let attempt = 0; attempt < 120; attempt += 1) {
    const polled = await client.request('GET', `/v1/batches/${batch.batchId}`);
    view = polled.body as BatchResponse;
    if (!view.items.some((i) => i.status === 'SUBMITTED')) break;
    await new Promise((r) => setTimeout(r, 250));
  }

  const rows: Record<string, string>[] = [];
  for (const item of view.items) {
    let detail = item.errors?.map((e) => `${e.path}: ${e.code}`).join('; ') ?? '';
    let mortgagors = '';
    if (item.filingId) {
      const filing = (await client.request('GET', `/v1/filings/${item.filingId}`)).body as FilingResponse;
      detail = filing.reasonCode ?? (filing.missingMaterials ? `missing ${filing.missingMaterials.join(', ')}` : '');
      mortgagors = filing.mortgagors.map((m) => `${m.name} ${m.idNumber}`).join(', ');
    }
    rows.push({ case: plan[item.index]!.label, clientRef: item.clientRef ?? '', outcome: item.status, detail, 'mortgagors (masked)': mortgagors });
  }
  console.table(rows);
}

await main();
