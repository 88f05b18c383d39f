/**
 * Fault injection over the whole lifecycle (issue 6): every transition and the approval saga, against
 * the real adapters on the in-process emulators. For each scenario and each port call k, the scenario is
 * run with a crash (a thrown error) just before call k and, separately, just after call k returned (the
 * write happened, the caller never learnt it). Then it is retried without faults, the sweeper runs, and
 * the same invariants must hold whatever k was:
 * - the filing is in the one status the scenario leads to, with no effect left pending;
 * - the unit's disposition lock lists the filing iff its status holds one;
 * - exactly one audit record per transition (and per audited annotation), and one progress event id per
 *   history entry the scenario added (a duplicate delivery of one id is allowed: at-least-once);
 * - the register lists the filing as applied iff it is REGISTERED or CERTIFIED, and is otherwise untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLogFromEnv } from '../../functions/adapters/sqs/audit-queue';
import { auditRecordsOf, type AuditEntry } from '../support/audit-records';
import { certificateStoreFromEnv } from '../../functions/adapters/dynamodb/certificate-store';
import { checklistStoreFromEnv } from '../../functions/adapters/dynamodb/checklist-store';
import { filingRepositoryFromEnv } from '../../functions/adapters/dynamodb/filing-repository';
import { registerRepositoryFromEnv } from '../../functions/adapters/dynamodb/register-repository';
import { platformSignerFromEnv } from '../../functions/adapters/keys/platform-signer-from-env';
import { vaultFromEnv } from '../../functions/adapters/keys/personal-data-vault';
import { builtInChecklist } from '../../functions/core/domain/checklists';
import { ZtError } from '../../functions/core/domain/errors';
import type { FilingContent, FilingRecord, FilingStatus } from '../../functions/core/domain/filing';
import { DISPOSITION_HOLDING_STATUSES, LIFECYCLE } from '../../functions/core/domain/lifecycle';
import type { Clock } from '../../functions/core/ports';
import { correctFiling } from '../../functions/core/use-cases/correct-filing';
import { markUrgent } from '../../functions/core/use-cases/mark-urgent';
import { processIntake } from '../../functions/core/use-cases/process-intake';
import { reviewFiling, type ReviewPorts } from '../../functions/core/use-cases/review-filing';
import { sweep } from '../../functions/core/use-cases/sweep';
import { withdrawFiling } from '../../functions/core/use-cases/withdraw-filing';
import { validateCorrection } from '../../schemas/v1/corrections';
import { PEOPLE } from '../support/channel-world';
import { MemoryCreditQueue, MemoryNotifications, MemoryQueue, MemoryStatisticsQueue, memoryDepartmentQueues } from '../support/memory-ports';
import type { SignalKind } from '../../functions/core/domain/credit';
import { openRequests, requestIdOf, startCoordination } from '../../functions/core/domain/coordination';
import type { Department } from '../../functions/core/ports';
import { recordDepartmentResult } from '../../functions/core/use-cases/record-department-result';
import { ownersOf, putUnit, sealPeople, startReviewWorld, type ReviewWorld } from '../support/review-world';

class Crash extends Error {
  override readonly name = 'Crash';
}

/** Wraps every method of every port but the clock: the k-th call of the run crashes, just before or just after it runs. */
function crashing<T extends object>(ports: T, plan: { at: number; when: 'before' | 'after'; calls: number }): T {
  const wrap = <P extends object>(port: P): P =>
    new Proxy(port, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          plan.calls += 1;
          const mine = plan.calls === plan.at;
          if (mine && plan.when === 'before') throw new Crash(`before call ${plan.at} (${String(property)})`);
          const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          if (mine) throw new Crash(`after call ${plan.at} (${String(property)})`);
          return result;
        };
      },
    });
  return Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, name !== 'clock' && port !== null && typeof port === 'object' ? wrap(port) : port])) as T;
}

const AUDITED_ACTIONS = new Set(Object.values(LIFECYCLE).flatMap((spec) => ('audit' in spec ? [spec.audit.action] : [])));
const MORTGAGE_TERMS = { mortgageType: 'GENERAL' as const, amountFen: '80000000', termStart: '2026-01-01', termEnd: '2046-01-01' };

let world: ReviewWorld;
let counter = 0;
const unitCode = () => `370102009009GB00001F${String(++counter).padStart(8, '0')}`;
const realClock: Clock = { now: () => new Date() };

interface Scenario {
  readonly name: string;
  /** Stores the unit and the filing as the scenario starts; answers the filing. */
  setup(): Promise<FilingRecord>;
  /** The operation (a retry runs it again); may answer a domain error when that is the operation's answer. */
  act(ports: AllPorts, filing: FilingRecord): Promise<unknown>;
  readonly ends: FilingStatus;
  /** Audited annotations the scenario makes (e.g. the urgent mark), beyond one audit per history entry. */
  readonly annotations?: number;
  /** A domain error the operation itself answers (e.g. 409 APPROVAL_REFUSED). */
  readonly answers?: string;
  /** Annotations that publish a progress event of their own (a department's PENDING answer). */
  readonly annotationEvents?: number;
  /** The credit signals the scenario's transitions send (DESIGN.md §4), by kind: each at least once, one id each. */
  readonly credit?: readonly SignalKind[];
  /** What must have been sent to each department connector (each type at least once: at-least-once). */
  readonly sent?: Partial<Record<'TAX' | 'TRADING', readonly string[]>>;
}

type AllPorts = ReviewPorts & {
  readonly departments: ReturnType<typeof memoryDepartmentQueues>;
  readonly intake: MemoryQueue;
  readonly urgentIntake: MemoryQueue;
  readonly notifications: MemoryNotifications;
  readonly credit: MemoryCreditQueue;
  readonly statistics: MemoryStatisticsQueue;
  readonly checklists: ReturnType<typeof checklistStoreFromEnv>;
};

async function basePorts(): Promise<Omit<AllPorts, 'notifications' | 'intake' | 'urgentIntake' | 'departments' | 'credit' | 'statistics'>> {
  return {
    filings: filingRepositoryFromEnv(),
    register: registerRepositoryFromEnv(),
    certificates: certificateStoreFromEnv(),
    vault: await vaultFromEnv(),
    signer: await platformSignerFromEnv(),
    audit: auditLogFromEnv(),
    checklists: checklistStoreFromEnv(),
    clock: realClock,
  };
}

const materialsOf = (content: FilingContent, missing: readonly string[] = []) =>
  builtInChecklist(content.businessType).required.filter((t) => !missing.includes(t)).map((type, i) => ({ type, ref: `oss://m/${i}`, sm3: 'ab'.repeat(32) }));

/** A filing as it stands before the scenario; a filing past intake holds its unit's lock, as intake leaves it. */
async function storeFiling(
  unit: string,
  status: FilingStatus,
  content: (filingId: string) => Promise<FilingContent>,
  extra: Partial<FilingRecord> = {},
  derived?: (filing: FilingRecord, at: string) => Partial<FilingRecord>,
): Promise<FilingRecord> {
  const filingId = `FFT${String(process.pid)}${String(++counter).padStart(5, '0')}`;
  const at = new Date(Date.now() - 120_000).toISOString();
  const body = await content(filingId);
  const filing: FilingRecord = {
    filingId,
    channelId: world.bank.channelId,
    institutionId: world.bank.institutionId,
    institutionType: 'BANK',
    clientRef: `ft-${counter}`,
    batchId: 'B-FT',
    businessType: body.businessType,
    unitCode: unit,
    district: '370102',
    content: body,
    materials: materialsOf(body),
    contentHash: 'cd'.repeat(32),
    status,
    createdAt: at,
    updatedAt: at,
    history: status === 'SUBMITTED' ? [{ at, status, by: `channel:${world.bank.channelId}` }] : [{ at, status: 'SUBMITTED', by: `channel:${world.bank.channelId}` }, { at, status, by: 'worker:intake' }],
    ...extra,
  };
  Object.assign(filing, derived?.(filing, at));
  const repository = filingRepositoryFromEnv();
  await repository.putIfAbsent(filing);
  if (DISPOSITION_HOLDING_STATUSES.includes(status)) {
    const lock = await repository.readDisposition(unit);
    await repository.writeDisposition(lock, { ...lock.holders, [filingId]: filing.businessType });
  }
  return filing;
}

const mortgage = (_unit: string) => async (id: string): Promise<FilingContent> => ({
  businessType: 'MORTGAGE_CREATE',
  mortgagors: await sealPeople('370102', id, [PEOPLE.owner]),
  mortgagee: { name: world.bank.institutionName, uscc: world.bank.uscc },
  ...MORTGAGE_TERMS,
});
const transfer = async (id: string): Promise<FilingContent> => ({
  businessType: 'TRANSFER_RESALE',
  sellers: await sealPeople('370102', id, [PEOPLE.owner]),
  buyers: await sealPeople('370102', id, [PEOPLE.coOwnerA]),
  contractNo: 'HT-FT',
  priceFen: '150000000',
});
const department = (kind: 'TAX' | 'TRADING'): Department => ({
  departmentId: `${kind.toLowerCase()}-370102`,
  kind,
  name: kind,
  districts: ['370102'],
  endpoint: 'http://127.0.0.1:9/',
  publicKey: '04' + 'ab'.repeat(64),
});
const TAX_DEPT = department('TAX');
const TRADING_DEPT = department('TRADING');
/** A resale transfer waiting on both departments; `answered` gives results already in. */
async function coordinating(answered: Partial<Record<'TAX_CLEARANCE' | 'CONTRACT_FILING', 'CONFIRMED'>>): Promise<FilingRecord> {
  const unit = await ownedUnit();
  return storeFiling(unit, 'AWAITING_COORDINATION', transfer, {}, (filing, at) => {
    const started = startCoordination(filing, at, 30);
    const requests = Object.fromEntries(
      Object.entries(started.requests).map(([kind, r]) => [kind, answered[kind as 'TAX_CLEARANCE'] ? { ...r!, state: 'CONFIRMED', answers: [{ at, outcome: 'CONFIRMED' }] } : r]),
    );
    return { coordination: { ...started, requests } };
  });
}
const ownedUnit = async (extra: { seized?: boolean } = {}) => {
  const code = unitCode();
  await putUnit({ unitCode: code, owners: await ownersOf(code, [PEOPLE.owner]), seizures: extra.seized ? [{ seizureId: 'S-FT', court: '法院', status: 'ACTIVE' }] : [] });
  return code;
};

const reviewer = () => world.account('REVIEWER');
const clerk = () => world.account('CLERK');

const scenarios: Scenario[] = [
  {
    name: 'intake holds a filing of a channel on WATCH for staff (SUBMITTED → INTAKE_REVIEW: never auto-accepted)',
    setup: async () => {
      const unit = await ownedUnit();
      return storeFiling(unit, 'SUBMITTED', mortgage(unit), { manualIntake: { grade: 'WATCH' } });
    },
    act: (ports, f) => processIntake({ ...ports, correctionWorkingDays: 5 }, { v: 1, filingId: f.filingId }),
    ends: 'INTAKE_REVIEW',
  },
  {
    name: 'intake accepts a mortgage (SUBMITTED → ACCEPTED → READY_FOR_REVIEW: no department result needed)',
    setup: async () => {
      const unit = await ownedUnit();
      return storeFiling(unit, 'SUBMITTED', mortgage(unit));
    },
    act: (ports, f) => processIntake({ ...ports, correctionWorkingDays: 5 }, { v: 1, filingId: f.filingId }),
    ends: 'READY_FOR_REVIEW',
    credit: ['FILING_ACCEPTED'],
  },
  {
    name: 'intake accepts a resale transfer (SUBMITTED → ACCEPTED → AWAITING_COORDINATION, one request per department)',
    setup: async () => {
      const unit = await ownedUnit();
      return storeFiling(unit, 'SUBMITTED', transfer);
    },
    act: (ports, f) => processIntake({ ...ports, correctionWorkingDays: 5 }, { v: 1, filingId: f.filingId }),
    ends: 'AWAITING_COORDINATION',
    sent: { TAX: ['REQUEST'], TRADING: ['REQUEST'] },
    credit: ['FILING_ACCEPTED'],
  },
  {
    name: 'the last department result confirms (AWAITING_COORDINATION → READY_FOR_REVIEW)',
    setup: async () => coordinating({ TAX_CLEARANCE: 'CONFIRMED' }),
    act: (ports, f) => recordDepartmentResult(ports, TRADING_DEPT, { requestId: requestIdOf(f.filingId, 'CONTRACT_FILING'), filingId: f.filingId, kind: 'CONTRACT_FILING', outcome: 'CONFIRMED', reference: 'HT-1' }),
    ends: 'READY_FOR_REVIEW',
  },
  {
    name: 'a department answers PENDING (annotation: the filing keeps waiting)',
    setup: async () => coordinating({}),
    act: (ports, f) => recordDepartmentResult(ports, TAX_DEPT, { requestId: requestIdOf(f.filingId, 'TAX_CLEARANCE'), filingId: f.filingId, kind: 'TAX_CLEARANCE', outcome: 'PENDING', reasonCode: 'TAX_UNPAID' }),
    ends: 'AWAITING_COORDINATION',
    annotations: 1,
    annotationEvents: 1,
  },
  {
    name: 'a department rejects (AWAITING_COORDINATION → REFUSED with its reason; the other request cancelled)',
    setup: async () => coordinating({}),
    act: (ports, f) => recordDepartmentResult(ports, TRADING_DEPT, { requestId: requestIdOf(f.filingId, 'CONTRACT_FILING'), filingId: f.filingId, kind: 'CONTRACT_FILING', outcome: 'REJECTED', reasonCode: 'CONTRACT_NOT_FILED' }),
    ends: 'REFUSED',
    // The rejecting department answered; only the request still open elsewhere is cancelled.
    sent: { TAX: ['CANCEL'], TRADING: [] },
  },
  {
    name: 'the filer withdraws during coordination (cancellations sent to both departments)',
    setup: async () => coordinating({}),
    act: (ports, f) => withdrawFiling(ports, world.bank, f.filingId, undefined),
    ends: 'WITHDRAWN',
    sent: { TAX: ['CANCEL'], TRADING: ['CANCEL'] },
  },
  {
    name: 'intake refuses a seized unit (SUBMITTED → REFUSED)',
    setup: async () => {
      const unit = await ownedUnit({ seized: true });
      return storeFiling(unit, 'SUBMITTED', mortgage(unit));
    },
    act: (ports, f) => processIntake({ ...ports, correctionWorkingDays: 5 }, { v: 1, filingId: f.filingId }),
    ends: 'REFUSED',
    credit: ['INTAKE_REFUSED'],
  },
  {
    name: 'intake asks for a correction (SUBMITTED → CORRECTION_REQUIRED)',
    setup: async () => {
      const unit = await ownedUnit();
      const filing = await storeFiling(unit, 'SUBMITTED', mortgage(unit));
      const materials = materialsOf(filing.content, ['MAIN_DEBT_CONTRACT']);
      await filingRepositoryFromEnv().commit({ filingId: filing.filingId, district: '370102', expectedRevision: 1, hadOutbox: true, status: 'SUBMITTED', at: filing.updatedAt, set: { materials }, effects: [] });
      return { ...filing, materials, revision: 2 };
    },
    act: (ports, f) => processIntake({ ...ports, correctionWorkingDays: 5 }, { v: 1, filingId: f.filingId }),
    ends: 'CORRECTION_REQUIRED',
    credit: ['CORRECTION_REQUIRED'],
  },
  {
    name: 'a correction, then intake again (CORRECTION_REQUIRED → SUBMITTED → ACCEPTED)',
    setup: async () => {
      const unit = await ownedUnit();
      const due = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
      const content = await mortgage(unit);
      return storeFiling(unit, 'CORRECTION_REQUIRED', content, { missingMaterials: ['MAIN_DEBT_CONTRACT'], correctionDeadline: due });
    },
    act: async (ports, f) => {
      const current = await filingRepositoryFromEnv().get(f.filingId);
      if (current?.status === 'CORRECTION_REQUIRED') {
        await correctFiling({ ...ports, validate: validateCorrection }, world.bank, f.filingId, { materials: [{ type: 'MAIN_DEBT_CONTRACT', ref: 'oss://m/late', sm3: 'ef'.repeat(32) }] });
      }
      return processIntake({ ...ports, correctionWorkingDays: 5 }, { v: 1, filingId: f.filingId });
    },
    ends: 'READY_FOR_REVIEW',
    credit: ['FILING_ACCEPTED', 'FILING_CORRECTED'],
  },
  {
    name: 'the sweeper refuses an overdue correction (CORRECTION_REQUIRED → REFUSED)',
    setup: async () => {
      const unit = await ownedUnit();
      return storeFiling(unit, 'CORRECTION_REQUIRED', mortgage(unit), { missingMaterials: ['MAIN_DEBT_CONTRACT'], correctionDeadline: '2026-01-05' });
    },
    act: (ports) => sweep(ports, { staleMinutes: 10, pendingSeconds: 0 }),
    ends: 'REFUSED',
    credit: ['CORRECTION_OVERDUE'],
  },
  {
    name: 'the filer withdraws an accepted filing (ACCEPTED → WITHDRAWN)',
    setup: async () => {
      const unit = await ownedUnit();
      return storeFiling(unit, 'ACCEPTED', mortgage(unit));
    },
    act: (ports, f) => withdrawFiling(ports, world.bank, f.filingId, '贷款取消'),
    ends: 'WITHDRAWN',
  },
  {
    name: 'staff mark a submitted filing urgent (annotation, priority lane)',
    setup: async () => {
      const unit = await ownedUnit();
      return storeFiling(unit, 'SUBMITTED', mortgage(unit));
    },
    act: (ports, f) => markUrgent(ports, clerk(), f.filingId, '法院期限'),
    ends: 'SUBMITTED',
    annotations: 1,
  },
  {
    name: 'a reviewer refuses (READY_FOR_REVIEW → REVIEW_REFUSED)',
    setup: async () => {
      const unit = await ownedUnit();
      return storeFiling(unit, 'READY_FOR_REVIEW', mortgage(unit));
    },
    act: (ports, f) => reviewFiling(ports, reviewer(), f.filingId, { decision: 'REFUSE', reasonCode: 'DATA_MISMATCH' }),
    ends: 'REVIEW_REFUSED',
  },
  {
    name: 'a reviewer finds false materials (REVIEW_REFUSED, a severe credit signal)',
    setup: async () => {
      const unit = await ownedUnit();
      return storeFiling(unit, 'READY_FOR_REVIEW', mortgage(unit));
    },
    act: (ports, f) => reviewFiling(ports, reviewer(), f.filingId, { decision: 'REFUSE', reasonCode: 'FALSE_MATERIALS' }),
    ends: 'REVIEW_REFUSED',
    credit: ['FALSE_MATERIALS'],
  },
  {
    name: 'the approval saga of a mortgage (READY_FOR_REVIEW → REGISTERED → CERTIFIED)',
    setup: async () => {
      const unit = await ownedUnit();
      return storeFiling(unit, 'READY_FOR_REVIEW', mortgage(unit));
    },
    act: (ports, f) => reviewFiling(ports, reviewer(), f.filingId, { decision: 'APPROVE' }),
    ends: 'CERTIFIED',
  },
  {
    name: 'the approval saga of a resale transfer (ownership re-sealed for the register)',
    setup: async () => {
      const unit = await ownedUnit();
      return storeFiling(unit, 'READY_FOR_REVIEW', async (id) => ({
        businessType: 'TRANSFER_RESALE',
        sellers: await sealPeople('370102', id, [PEOPLE.owner]),
        buyers: await sealPeople('370102', id, [PEOPLE.coOwnerA]),
        contractNo: 'HT-FT',
        priceFen: '150000000',
      }));
    },
    act: (ports, f) => reviewFiling(ports, reviewer(), f.filingId, { decision: 'APPROVE' }),
    ends: 'CERTIFIED',
  },
  {
    name: 'an approval that finds the owner changed since intake (refused at commit, MORTGAGOR_NOT_OWNER)',
    setup: async () => {
      const unit = await ownedUnit();
      const filing = await storeFiling(unit, 'ACCEPTED', mortgage(unit));
      // Another registration moved the unit to another owner (as a transfer would).
      const register = registerRepositoryFromEnv();
      const before = (await register.getUnit(unit))!;
      await register.commit({ unitCode: unit, filingId: 'F-ELSEWHERE', expectedVersion: before.version, next: { ...before, owners: await ownersOf(unit, [PEOPLE.coOwnerB]) } });
      return filing;
    },
    act: (ports, f) => reviewFiling(ports, reviewer(), f.filingId, { decision: 'APPROVE' }),
    ends: 'REVIEW_REFUSED',
    answers: '409 APPROVAL_REFUSED',
  },
];

async function runAnswering(scenario: Scenario, ports: AllPorts, filing: FilingRecord): Promise<void> {
  try {
    await scenario.act(ports, filing);
  } catch (error) {
    if (error instanceof ZtError && scenario.answers === `${error.status} ${error.code}`) return;
    throw error;
  }
}

async function auditOf(filing: FilingRecord): Promise<AuditEntry[]> {
  const days = [...new Set([new Date().toISOString().slice(0, 10), new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)])];
  const records = (await Promise.all([filing.institutionId, filing.district].flatMap((tenant) => days.map((day) => auditRecordsOf(tenant, day))))).flat();
  return records.filter((r) => r.target === filing.filingId);
}

async function assertConsistent(
  scenario: Scenario,
  initial: FilingRecord,
  label: string,
  notifications: MemoryNotifications,
  departments: ReturnType<typeof memoryDepartmentQueues>,
  credit: MemoryCreditQueue,
  statistics: MemoryStatisticsQueue,
): Promise<void> {
  const filing = (await filingRepositoryFromEnv().get(initial.filingId))!;
  expect(filing.status, label).toBe(scenario.ends);
  expect(filing.outbox ?? {}, label).toEqual({});
  const lock = await filingRepositoryFromEnv().readDisposition(filing.unitCode);
  expect(lock.holders[filing.filingId] !== undefined, `${label}: lock held`).toBe(DISPOSITION_HOLDING_STATUSES.includes(filing.status));

  const added = filing.history.length - initial.history.length;
  const audits = (await auditOf(filing)).filter((r) => AUDITED_ACTIONS.has(r.action));
  expect(audits.length, `${label}: audit records ${audits.map((a) => a.action).join(',')}`).toBe(added + (scenario.annotations ?? 0));
  const eventIds = new Set(notifications.events.filter((e) => e.filingId === filing.filingId).map((e) => e.eventId));
  const expectedIds = Array.from({ length: added }, (_, i) => `${filing.filingId}:${initial.history.length + i + 1}`);
  const annotationIds = [...eventIds].filter((id) => id.includes('.'));
  expect([...eventIds].filter((id) => !id.includes('.')).sort(), `${label}: progress events`).toEqual(expectedIds.sort());
  expect(annotationIds.length, `${label}: annotation events`).toBe(scenario.annotationEvents ?? 0);
  // Credit signals: at least once each, and a signal sent again is the very same signal (its id from its transition).
  const signals = credit.signals.filter((signal) => signal.evidence.filingIds?.includes(filing.filingId));
  const byId = new Map(signals.map((signal) => [signal.signalId, signal] as const));
  for (const signal of signals) expect(signal, `${label}: signal ${signal.signalId} resent unchanged`).toEqual(byId.get(signal.signalId));
  expect([...byId.values()].map((signal) => signal.kind).sort(), `${label}: credit signals`).toEqual([...(scenario.credit ?? [])].sort());
  // Status counts: every status change sent at least once, each resent unchanged (the statistics count it once by its id).
  const counted = statistics.events.filter((e) => e.filingId === filing.filingId);
  const countedById = new Map(counted.map((e) => [e.eventId, e] as const));
  for (const e of counted) expect(e, `${label}: status count ${e.eventId} resent unchanged`).toEqual(countedById.get(e.eventId));
  expect([...countedById.keys()].sort(), `${label}: status counts`).toEqual(expectedIds.sort());
  for (const [kind, types] of Object.entries(scenario.sent ?? {})) {
    expect([...new Set(departments[kind as 'TAX'].messages.filter((m) => m.filingId === filing.filingId).map((m) => m.type))], `${label}: sent to ${kind}`).toEqual(types);
  }
  if (filing.coordination) {
    // Leaving coordination early cancels every open request; nothing is left asked of a department.
    if (filing.status !== 'AWAITING_COORDINATION') expect(openRequests(filing.coordination), `${label}: open requests`).toEqual([]);
  }

  const unit = (await registerRepositoryFromEnv().getUnit(filing.unitCode))!;
  const registered = filing.status === 'REGISTERED' || filing.status === 'CERTIFIED';
  expect(unit.appliedFilings.includes(filing.filingId), `${label}: register`).toBe(registered);
  if (!registered) expect(unit.mortgages.filter((m) => m.holderInstitutionId === filing.institutionId && m.mortgageId.startsWith('DY'))).toEqual([]);
  const allocation = await certificateStoreFromEnv().allocationOf(filing.filingId);
  expect(allocation !== undefined, `${label}: certificate number`).toBe(filing.status === 'CERTIFIED');
}

beforeAll(async () => {
  world = await startReviewWorld('zt-lifecycle-faults');
});
afterAll(async () => world.stop());

describe('a crash at every step of every transition heals, by retry and sweeper, into one consistent result', () => {
  it.each(scenarios)('$name', async (scenario) => {
    const base = await basePorts();
    let crashes = 0;
    for (const when of ['before', 'after'] as const) {
      for (let at = 1; ; at++) {
        // Prepare
        const filing = await scenario.setup();
        const notifications = new MemoryNotifications();
        const departments = memoryDepartmentQueues();
        const credit = new MemoryCreditQueue();
        const statistics = new MemoryStatisticsQueue();
        const ports: AllPorts = { ...base, notifications, departments, credit, statistics, intake: new MemoryQueue(), urgentIntake: new MemoryQueue() };
        const plan = { at, when, calls: 0 };
        // Act: the faulty run, then a retry and the sweeper (a minute later, so it heals what is pending).
        try {
          await runAnswering(scenario, crashing(ports, plan), filing);
        } catch (error) {
          if (!(error instanceof Crash)) throw error;
        }
        // A crash inside a transition's effects is not the caller's error (the transition happened): whether
        // the crash fired is told by the count of calls, not by what the run answered.
        const crashed = plan.calls >= plan.at;
        await runAnswering(scenario, ports, filing);
        await sweep({ ...ports, clock: { now: () => new Date(Date.now() + 60_000) } }, { staleMinutes: 10, pendingSeconds: 0 });
        // Assess
        await assertConsistent(scenario, filing, `${scenario.name}, crash ${when} call ${at}`, notifications, departments, credit, statistics);
        if (!crashed) break;
        crashes += 1;
      }
    }
    expect(crashes).toBeGreaterThan(4);
  }, 120_000);
});
