/**
 * `npm run demo` (with `npm start` running): the demo bank, developer and agency each sign and submit
 * one batch. The batches hold filings that intake accepts, refuses or sends back for correction, and
 * invalid ones. Accepted transfers, presale notices and first registrations then wait on the (simulated) tax
 * and trading departments. The demo waits for intake and the departments and prints each filing's outcome
 * beside the one the demo register should give, with where each department result stands. Run it again for
 * fresh batches on other units.
 *
 * Then credit (DESIGN.md §4; 002 三(一)6: 对登记不规范或存在失信行为的应关闭端口，整改合格后予以开放): the demo
 * credit officer shuts the agency's channel off, the agency's next batch is refused 403 CHANNEL_SHUT_OFF with
 * the case number, the agency submits a rectification report, the officer accepts it, and the agency files
 * again — on PROBATION, its filing held for manual intake review. Each step is printed as a table row.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ZhitongClient } from '../../client/zt-client';
import { createHash } from 'node:crypto';
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

/** Fails the demo with what the platform answered (problem+json carries codes, never personal data). */
function expectStatus(step: string, answer: { status: number; body: unknown }, expected: number): void {
  if (answer.status === expected) return;
  console.error(`${step}: expected ${expected}, got ${answer.status}:`, JSON.stringify(answer.body, null, 2));
  process.exit(1);
}

/** A staff request with a bearer token (staff endpoints are not ZT-SM2 signed). */
async function staffRequest(token: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

interface ChannelCredit {
  channel: { channelId: string; score: number; grade: string; probationUntil?: string; openCase?: { caseNo: string; status: string } };
  quota?: { dailyQuota: number; usedToday: number; maxBatchSize: number };
}

/** Waits (up to 20 s) until every filing of the batch has left SUBMITTED, i.e. intake decided or held it. */
async function waitForIntake(client: ZhitongClient, batchId: string): Promise<Item[]> {
  let items: Item[] = [];
  for (let attempt = 0; attempt < 80; attempt += 1) {
    items = ((await client.request('GET', `/v1/batches/${batchId}`)).body as { items: Item[] }).items;
    if (!items.some((i) => i.status === 'SUBMITTED')) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return items;
}

/**
 * One institution shut off and reopened, over HTTP (DESIGN.md §4): the credit officer's shutoff of the
 * agency's channel, its refused batch, its rectification report, the officer's acceptance, and the channel
 * filing again on probation.
 */
async function creditDemo(credentials: DemoCredentials, run: string): Promise<void> {
  const agency = credentials.channels.find((c) => c.institutionType === 'AGENCY')!;
  const officer = credentials.staff?.find((s) => s.role === 'CREDIT_OFFICER');
  if (!officer) {
    console.error('No demo credit officer in the credentials file: delete .data/ and start again.');
    process.exit(1);
  }
  const client = new ZhitongClient({ baseUrl, channelId: agency.channelId, privateKeyHex: agency.privateKey });
  const rows: Record<string, string>[] = [];
  const row = (step: string, request: string, answer: string, detail = '') => rows.push({ step, request, answer, detail });
  const standing = async (): Promise<ChannelCredit> => {
    const answer = await client.request('GET', '/v1/channel/credit');
    expectStatus('GET /v1/channel/credit', answer, 200);
    return answer.body as ChannelCredit;
  };
  console.log(`
Credit: ${officer.username} (credit officer) shuts ${agency.institutionName} (${agency.channelId}) off and reopens it …`);

  const login = await fetch(`${baseUrl}/v1/staff/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: officer.username, password: officer.password }) });
  const { accessToken } = (await login.json()) as { accessToken: string };
  if (login.status !== 200) {
    console.error(`Staff login answered ${login.status}`);
    process.exit(1);
  }
  row('officer signs in', 'POST /v1/staff/login', String(login.status), officer.role);

  const before = await standing();
  row('the agency reads its credit', 'GET /v1/channel/credit', '200', `${before.channel.grade} ${before.channel.score}`);

  // 1. The shutoff (a case opens). A run of the demo left unfinished may have left a case open: use it.
  const shutoff = await staffRequest(accessToken, 'POST', '/v1/staff/credit/shutoffs', {
    scope: 'CHANNEL',
    channelId: agency.channelId,
    reason: `演示 ${run}：经纪机构代理转移登记材料不规范，关闭端口待整改`,
    evidence: { note: `npm run demo ${run}` },
  });
  let caseNo: string;
  if (shutoff.status === 409 && (shutoff.body as { code?: string }).code === 'ALREADY_SHUT_OFF') {
    caseNo = (shutoff.body as { caseNo: string }).caseNo;
    row('officer shuts the channel off', 'POST /v1/staff/credit/shutoffs', '409 ALREADY_SHUT_OFF', caseNo);
  } else {
    expectStatus('POST /v1/staff/credit/shutoffs', shutoff, 201);
    caseNo = (shutoff.body as { caseNo: string }).caseNo;
    row('officer shuts the channel off', 'POST /v1/staff/credit/shutoffs', '201', `case ${caseNo} ${(shutoff.body as { status: string }).status}`);
  }

  // 2. New submissions are refused, with the case number and what to do; reads stay open.
  // A filing of its own run (other units than the agency's batch above); refused here, so filed again below.
  const [retry] = demoPlans(`${run}C`).find((p) => p.institutionType === 'AGENCY')!.filings;
  const refused = await client.request('POST', '/v1/batches', { filings: [retry!.filing] }, { idempotencyKey: `demo-${run}-credit-refused` });
  expectStatus('POST /v1/batches while shut off', refused, 403);
  const problem = refused.body as { code: string; caseNo: string; scope?: string };
  row('the agency submits a batch', 'POST /v1/batches', `403 ${problem.code}`, `case ${problem.caseNo}${problem.scope ? ` (${problem.scope})` : ''}`);
  const shut = await standing();
  row('the agency reads its credit', 'GET /v1/channel/credit', '200', `${shut.channel.grade} ${shut.channel.score}, case ${shut.channel.openCase?.caseNo ?? '-'}`);

  // 3. The rectification report (allowed while shut off); attachments by digest only.
  const report = await client.request(
    'POST',
    '/v1/channel/rectifications',
    {
      caseNo,
      whatWasWrong: '经办人员未核验卖方与登记权利人一致即提交转移登记。',
      whatChanged: '已建立提交前双人复核，增加权利人核验步骤，并完成全员培训。',
      attachments: [{ name: '整改报告.pdf', sm3: createHash('sm3').update(`demo-${run}-rectification`).digest('hex') }],
    },
    { idempotencyKey: `demo-${run}-rectification` },
  );
  expectStatus('POST /v1/channel/rectifications', report, 201);
  const { rectificationId } = report.body as { rectificationId: string };
  row('the agency submits a rectification report', 'POST /v1/channel/rectifications', '201', `${rectificationId} SUBMITTED`);

  // 4. The officer accepts it: the case closes and the channel reopens on probation.
  const decided = await staffRequest(accessToken, 'POST', `/v1/staff/credit/cases/${caseNo}/rectifications/${rectificationId}/decision`, {
    decision: 'ACCEPT',
    reasons: '整改措施具体可行，同意重新开放端口，试运行期内人工受理。',
  });
  expectStatus('POST …/rectifications/{id}/decision', decided, 200);
  row('officer accepts the report', 'POST /v1/staff/credit/cases/{caseNo}/rectifications/{id}/decision', '200', `case ${(decided.body as { status: string }).status}`);

  const reopened = await standing();
  const quota = reopened.quota ? `, quota ${reopened.quota.usedToday}/${reopened.quota.dailyQuota} a day, batches ≤ ${reopened.quota.maxBatchSize}` : '';
  row('the agency reads its credit', 'GET /v1/channel/credit', '200', `${reopened.channel.grade} ${reopened.channel.score} until ${reopened.channel.probationUntil ?? '-'}${quota}`);

  // 5. The channel files again; on probation every filing goes to manual intake review.
  const filed = await client.request('POST', '/v1/batches', { filings: [retry!.filing] }, { idempotencyKey: `demo-${run}-credit-reopened` });
  expectStatus('POST /v1/batches after reopening', filed, 202);
  const [item] = await waitForIntake(client, (filed.body as { batchId: string }).batchId);
  row('the agency submits a batch', 'POST /v1/batches', '202', `filing ${item?.status ?? '?'} (intake review on probation)`);

  console.table(rows);
}

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
    console.log(`\n${channel.branchName ?? channel.institutionName} (${channel.channelId}) submits ${plan.filings.length} filings to ${baseUrl} …`);
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
  await creditDemo(credentials, run);
}

await main();
