/**
 * The sandbox register (DESIGN.md §7) is enough to integrate: this test files every business type, from
 * the channel kind that may file it, knowing only what an integrator knows — `.data/demo/credentials.json`,
 * `.data/demo/sandbox.json` and the documented filing shapes — and gets the intake outcome the sandbox
 * implies. It deliberately imports nothing from the seed code (infra/local/seed/*) to choose units, people,
 * mortgages or materials: if the sandbox left anything out, the test could not be written this way.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZhitongClient } from '../../client/zt-client';
import { startDemoRuntime, type DemoRuntime } from '../support/demo-runtime';
import { isWaitingOnPlatform } from '../support/statuses';

// The documented shape of sandbox.json and of the channels in credentials.json (README, "The sandbox register").
interface Person {
  name: string;
  idType: 'RESIDENT_ID';
  idNumber: string;
}
interface Unit {
  unitCode: string;
  district: string;
  status: 'REGISTERED' | 'SURVEYED';
  owners: (Person | { organisation: string; uscc: string; institutionId: string })[];
  mortgages: { mortgageId: string; holderInstitutionId: string; status: string }[];
  seizures: { seizureId: string }[];
  notices: { noticeId: string; kind: string; holders: Person[] }[];
  project?: { projectId: string; developerName: string; developerUscc: string };
}
interface SandboxChannel {
  channelId: string;
  institutionId: string;
  institutionName: string;
  institutionType: string;
  branchName?: string;
  uscc: string;
  allowedDistricts: string[];
  allowedBusinessTypes: string[];
  units: Unit[];
  projects?: { projectId: string; unitsByState: Record<'SURVEYED' | 'SURVEYED_UNDER_NOTICE' | 'REGISTERED' | 'REGISTERED_UNDER_NOTICE', string[]> }[];
}
interface Sandbox {
  requiredMaterials: Record<string, string[]>;
  spareBuyers: Person[];
  channels: SandboxChannel[];
  /** Units the department simulators answer otherwise than CONFIRMED (README, "What the departments answer"). */
  departments: { cases: Record<string, { units: { unitCode: string }[] }> };
}
interface Credentials {
  channels: { channelId: string; institutionType: string; branchName?: string; uscc: string; privateKey: string }[];
}

let demo: DemoRuntime;
let sandbox: Sandbox;
let credentials: Credentials;

beforeAll(async () => {
  demo = await startDemoRuntime('sandbox');
  sandbox = JSON.parse(await readFile(join(demo.dataDir, 'demo', 'sandbox.json'), 'utf8')) as Sandbox;
  credentials = JSON.parse(await readFile(join(demo.dataDir, 'demo', 'credentials.json'), 'utf8')) as Credentials;
}, 120_000);

afterAll(async () => demo?.stop());

const channelOf = (type: string) => sandbox.channels.find((c) => c.institutionType === type)!;
const clientOf = (channel: SandboxChannel) => {
  const credential = credentials.channels.find((c) => c.channelId === channel.channelId)!;
  return new ZhitongClient({ baseUrl: demo.runtime.url, channelId: channel.channelId, privateKeyHex: credential.privateKey });
};
const people = (list: readonly Person[]) => list.map((p) => ({ name: p.name, idType: p.idType, idNumber: p.idNumber }));
const persons = (unit: Unit): Person[] => unit.owners.filter((o): o is Person => 'idNumber' in o);
const materials = (businessType: string, clientRef: string, leaveOut?: string) =>
  sandbox.requiredMaterials[businessType]!.filter((type) => type !== leaveOut).map((type) => ({
    type,
    ref: `DOC-${clientRef}-${type}`,
    sm3: createHash('sm3').update(`${clientRef}/${type}`).digest('hex'),
  }));
/** A registered unit of people, free of seizures and notices, matching a condition on its mortgages. */
/** Units a department case lists: this test wants intake's outcome, then every department confirming. */
const listedByDepartments = () => new Set(Object.values(sandbox.departments.cases).flatMap((c) => c.units.map((u) => u.unitCode)));
const freeUnits = (channel: SandboxChannel, mortgages: (m: Unit['mortgages']) => boolean) =>
  channel.units.filter(
    (u) => u.status === 'REGISTERED' && !u.project && u.seizures.length === 0 && u.notices.length === 0 && persons(u).length > 0 && mortgages(u.mortgages) && !listedByDepartments().has(u.unitCode),
  );

interface Planned {
  readonly label: string;
  readonly filing: Record<string, unknown>;
  readonly status: 'READY_FOR_REVIEW' | 'REFUSED' | 'CORRECTION_REQUIRED';
  readonly reasonCode?: string;
}

async function fileAndAwaitIntake(channel: SandboxChannel, planned: readonly Planned[]) {
  const client = clientOf(channel);
  const submitted = await client.request('POST', '/v1/batches', { filings: planned.map((p) => p.filing) });
  expect(submitted.status).toBe(202);
  const { batchId, items: answered } = submitted.body as { batchId: string; items: { status: string; errors?: unknown }[] };
  for (const [i, item] of answered.entries()) expect(item.status, `${planned[i]!.label}: ${JSON.stringify(item.errors)}`).toBe('SUBMITTED');
  let items: { index: number; filingId: string; status: string }[] = [];
  for (let attempt = 0; attempt < 300; attempt += 1) {
    items = ((await client.request('GET', `/v1/batches/${batchId}`)).body as { items: typeof items }).items;
    if (!items.some((i) => isWaitingOnPlatform(i.status))) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const item of items) {
    const { label, status, reasonCode } = planned[item.index]!;
    expect(item.status, label).toBe(status);
    if (reasonCode) {
      const filing = (await client.request('GET', `/v1/filings/${item.filingId}`)).body as { reasonCode?: string };
      expect(filing.reasonCode, label).toBe(reasonCode);
    }
  }
  return items;
}

describe('an integrator files every business type from sandbox.json and credentials.json alone', () => {
  it('the local runtime wrote both files, private to their owner, and each channel carries its USCC in both', async () => {
    for (const file of ['sandbox.json', 'credentials.json']) expect((await stat(join(demo.dataDir, 'demo', file))).mode & 0o077).toBe(0);
    for (const channel of sandbox.channels) {
      expect(credentials.channels.find((c) => c.channelId === channel.channelId)?.uscc).toBe(channel.uscc);
      expect(channel.units.length).toBeGreaterThan(0);
    }
    const covered = new Set(sandbox.channels.flatMap((c) => c.allowedBusinessTypes));
    expect(covered.size).toBe(8);
  });

  it('BANK: a mortgage on a free unit, a change and a discharge of its own mortgages, a presale mortgage notice; refusals the sandbox implies', async () => {
    const bank = channelOf('BANK');
    const unmortgaged = freeUnits(bank, (m) => m.length === 0);
    const ownMortgaged = freeUnits(bank, (m) => m.some((x) => x.holderInstitutionId === bank.institutionId));
    const othersMortgaged = freeUnits(bank, (m) => m.length > 0 && m.every((x) => x.holderInstitutionId !== bank.institutionId));
    const seized = bank.units.find((u) => u.seizures.length > 0 && persons(u).length > 0)!;
    const presold = bank.units.find((u) => u.status === 'SURVEYED' && u.notices.some((n) => n.kind === 'PRESALE_NOTICE'))!;
    const mortgagee = { name: bank.institutionName, uscc: bank.uscc };
    const mortgage = (ref: string, unit: Unit, leaveOut?: string) => ({
      clientRef: ref,
      businessType: 'MORTGAGE_CREATE',
      unitCode: unit.unitCode,
      mortgagors: people(persons(unit)),
      mortgagee,
      mortgageType: 'GENERAL',
      amount: '1200000.00',
      termStart: '2026-12-01',
      termEnd: '2046-11-30',
      materials: materials('MORTGAGE_CREATE', ref, leaveOut),
    });
    const change = (ref: string, unit: Unit) => ({
      clientRef: ref,
      businessType: 'MORTGAGE_CHANGE',
      unitCode: unit.unitCode,
      mortgageId: unit.mortgages[0]!.mortgageId,
      mortgagors: people(persons(unit)),
      change: { amount: '1500000.00' },
      materials: materials('MORTGAGE_CHANGE', ref),
    });
    await fileAndAwaitIntake(bank, [
      { label: 'mortgage: the owners of a free unit', filing: mortgage('SBX-B01', unmortgaged[0]!), status: 'READY_FOR_REVIEW' },
      { label: 'change: own mortgage', filing: change('SBX-B02', ownMortgaged[0]!), status: 'READY_FOR_REVIEW' },
      {
        label: 'discharge: own mortgage',
        filing: { clientRef: 'SBX-B03', businessType: 'MORTGAGE_DISCHARGE', unitCode: ownMortgaged[1]!.unitCode, mortgageId: ownMortgaged[1]!.mortgages[0]!.mortgageId, reason: 'REPAID', materials: materials('MORTGAGE_DISCHARGE', 'SBX-B03') },
        status: 'READY_FOR_REVIEW',
      },
      {
        label: 'presale mortgage notice: the holders of the presale notice',
        filing: {
          clientRef: 'SBX-B04',
          businessType: 'PRESALE_MORTGAGE_NOTICE',
          unitCode: presold.unitCode,
          buyers: people(presold.notices[0]!.holders),
          mortgagee,
          mortgageType: 'GENERAL',
          amount: '800000.00',
          termStart: '2026-12-01',
          termEnd: '2056-11-30',
          materials: materials('PRESALE_MORTGAGE_NOTICE', 'SBX-B04'),
        },
        status: 'READY_FOR_REVIEW',
      },
      { label: 'mortgage: a seized unit', filing: mortgage('SBX-B05', seized), status: 'REFUSED', reasonCode: 'UNIT_SEIZED' },
      { label: "change: another institution's mortgage", filing: change('SBX-B06', othersMortgaged[0]!), status: 'REFUSED', reasonCode: 'MORTGAGE_NOT_HELD' },
      { label: 'mortgage: a required material left out', filing: mortgage('SBX-B07', unmortgaged[1]!, sandbox.requiredMaterials.MORTGAGE_CREATE![0]), status: 'CORRECTION_REQUIRED' },
    ]);
  });

  it('BANK with two branches: the second branch channel is listed in both files under the same institution and USCC, and files in its own district only', async () => {
    // Prepare: the two bank channels, as an integrator finds them.
    const [first, branch] = sandbox.channels.filter((c) => c.institutionType === 'BANK');
    expect(branch).toBeDefined();
    expect(branch!).toMatchObject({ institutionId: first!.institutionId, institutionName: first!.institutionName, uscc: first!.uscc, branchName: expect.any(String) });
    expect(branch!.branchName).not.toBe(first!.branchName);
    expect(credentials.channels.find((c) => c.channelId === branch!.channelId)).toMatchObject({ branchName: branch!.branchName, uscc: first!.uscc });
    expect(branch!.allowedDistricts).toEqual(['370103']);
    expect(branch!.units.every((u) => u.district === '370103')).toBe(true);
    // A unit from the middle of the list: the BANK test takes the first free units, the AGENCY test the last.
    const free = freeUnits(branch!, (m) => m.length === 0);
    const own = free[Math.floor(free.length / 2)]!;
    const elsewhere = freeUnits(first!, (m) => m.length === 0).filter((u) => u.district === '370102').at(-1)!;
    const mortgage = (ref: string, unit: Unit) => ({
      clientRef: ref,
      businessType: 'MORTGAGE_CREATE',
      unitCode: unit.unitCode,
      mortgagors: people(persons(unit)),
      mortgagee: { name: branch!.institutionName, uscc: branch!.uscc },
      mortgageType: 'GENERAL',
      amount: '900000.00',
      termStart: '2026-12-01',
      termEnd: '2046-11-30',
      materials: materials('MORTGAGE_CREATE', ref),
    });
    // Act: one filing in its district, one in a district only the first branch may file in.
    const client = clientOf(branch!);
    const outside = await client.request('POST', '/v1/batches', { filings: [mortgage('SBX-BR02', elsewhere)] });
    // Assess
    expect(outside.status).toBe(202);
    expect((outside.body as { items: { status: string; errors?: { code: string }[] }[] }).items[0]).toMatchObject({ status: 'INVALID', errors: [expect.objectContaining({ code: 'DISTRICT_NOT_PERMITTED' })] });
    await fileAndAwaitIntake(branch!, [{ label: 'branch: mortgage on a free unit of its district', filing: mortgage('SBX-BR01', own), status: 'READY_FOR_REVIEW' }]);
  });

  it('DEVELOPER: first registration, presale notice and new-home transfers on its project units by state; refusals the notices imply', async () => {
    const developer = channelOf('DEVELOPER');
    const project = developer.projects![0]!;
    const unit = (code: string) => developer.units.find((u) => u.unitCode === code)!;
    const seller = { name: developer.institutionName, uscc: developer.uscc };
    const [buyerA, buyerB, buyerC] = sandbox.spareBuyers;
    const presaleNotice = (ref: string, code: string, buyer: Person) => ({
      clientRef: ref,
      businessType: 'PRESALE_NOTICE',
      unitCode: code,
      buyers: people([buyer]),
      seller,
      contractNo: `WQ-${ref}`,
      price: '1560000.00',
      materials: materials('PRESALE_NOTICE', ref),
    });
    const transferNew = (ref: string, code: string, buyers: readonly Person[]) => ({
      clientRef: ref,
      businessType: 'TRANSFER_NEW',
      unitCode: code,
      buyers: people(buyers),
      contractNo: `WQ-${ref}`,
      price: '1560000.00',
      materials: materials('TRANSFER_NEW', ref),
    });
    const presoldBuilt = project.unitsByState.REGISTERED_UNDER_NOTICE;
    await fileAndAwaitIntake(developer, [
      {
        label: 'first registration: a surveyed unit of its project',
        filing: { clientRef: 'SBX-D01', businessType: 'FIRST_REGISTRATION', unitCode: project.unitsByState.SURVEYED[0]!, projectId: project.projectId, completionRecordNo: 'JGBA-370102-2026-0088', materials: materials('FIRST_REGISTRATION', 'SBX-D01') },
        status: 'READY_FOR_REVIEW',
      },
      { label: 'presale notice: a surveyed unit without notice', filing: presaleNotice('SBX-D02', project.unitsByState.SURVEYED[1]!, buyerA!), status: 'READY_FOR_REVIEW' },
      { label: 'new-home transfer: an unsold registered unit', filing: transferNew('SBX-D03', project.unitsByState.REGISTERED[0]!, [buyerB!]), status: 'READY_FOR_REVIEW' },
      { label: 'new-home transfer: to the notice holders', filing: transferNew('SBX-D04', presoldBuilt[0]!, unit(presoldBuilt[0]!).notices[0]!.holders), status: 'READY_FOR_REVIEW' },
      { label: 'new-home transfer: to someone else than the notice holders', filing: transferNew('SBX-D05', presoldBuilt[1]!, [buyerC!]), status: 'REFUSED', reasonCode: 'NOTICE_HOLDER_MISMATCH' },
      { label: 'presale notice: a unit already under notice', filing: presaleNotice('SBX-D06', project.unitsByState.SURVEYED_UNDER_NOTICE[0]!, buyerC!), status: 'REFUSED', reasonCode: 'UNIT_UNDER_NOTICE' },
    ]);
  });

  it('AGENCY: a resale by the owners and a presale notice for the developer named in the sandbox', async () => {
    const agency = channelOf('AGENCY');
    // From the end of the list: the bank files on the first free units (test above).
    const resale = freeUnits(agency, (m) => m.length === 0).reverse();
    const surveyed = agency.units.filter((u) => u.status === 'SURVEYED' && u.notices.length === 0 && u.project && !listedByDepartments().has(u.unitCode));
    // The developer's channel files on the first two surveyed units (test above): take one further on.
    const noticeUnit = surveyed[surveyed.length - 1]!;
    const [, , , buyerD, buyerE, buyerF] = sandbox.spareBuyers;
    await fileAndAwaitIntake(agency, [
      {
        label: 'resale: the owners sell',
        filing: { clientRef: 'SBX-A01', businessType: 'TRANSFER_RESALE', unitCode: resale[0]!.unitCode, sellers: people(persons(resale[0]!)), buyers: people([buyerD!]), contractNo: 'CL-SBX-A01', price: '2100000.00', materials: materials('TRANSFER_RESALE', 'SBX-A01') },
        status: 'READY_FOR_REVIEW',
      },
      {
        label: 'resale: a seller who is not the owner',
        filing: { clientRef: 'SBX-A02', businessType: 'TRANSFER_RESALE', unitCode: resale[1]!.unitCode, sellers: people([buyerE!]), buyers: people([buyerF!]), contractNo: 'CL-SBX-A02', price: '2100000.00', materials: materials('TRANSFER_RESALE', 'SBX-A02') },
        status: 'REFUSED',
        reasonCode: 'SELLER_NOT_OWNER',
      },
      {
        label: 'presale notice: for the developer of the project',
        filing: {
          clientRef: 'SBX-A03',
          businessType: 'PRESALE_NOTICE',
          unitCode: noticeUnit.unitCode,
          buyers: people([buyerE!]),
          seller: { name: noticeUnit.project!.developerName, uscc: noticeUnit.project!.developerUscc },
          contractNo: 'WQ-SBX-A03',
          price: '1560000.00',
          materials: materials('PRESALE_NOTICE', 'SBX-A03'),
        },
        status: 'READY_FOR_REVIEW',
      },
    ]);
  });
});
