/**
 * What the department simulators answer per sandbox case (infra/local/simulators/decide.ts), from the
 * same data the sandbox file shows (infra/local/seed/demo-departments.ts).
 */
import { describe, expect, it } from 'vitest';
import { demoRegister } from '../../../infra/local/seed/demo-data';
import { DEPARTMENT_CASES, departmentCaseUnitCodes, sandboxDepartments, type DepartmentCase } from '../../../infra/local/seed/demo-departments';
import { demoPlans } from '../../../infra/local/seed/demo-plans';
import { demoProjectUnits } from '../../../infra/local/seed/demo-projects';
import { buildSandbox } from '../../../infra/local/seed/sandbox';
import { DepartmentCases, referenceOf } from '../../../infra/local/simulators/decide';
import { departmentResultSchema } from '../../../schemas/departments/v1';

const sandbox = sandboxDepartments(20);
const cases = new DepartmentCases(sandbox);
const unitOf = (name: DepartmentCase, index = 0) => sandbox.cases[name].units[index]!;
const requestId = 'F0123456789ABCDEF01234567-CF';
const DELAY = 1500;

describe('department simulator decisions', () => {
  it('confirms a unit the sandbox does not list, with a reference of the kind, the same on every call', () => {
    const freeUnit = demoRegister().find((u) => !departmentCaseUnitCodes().has(u.unitCode))!;
    const answers = cases.decide({ requestId, kind: 'CONTRACT_FILING', unitCode: freeUnit.unitCode, buyerIdNumbers: ['370102199001010011'] }, DELAY);
    expect(answers).toEqual([{ afterMs: DELAY, outcome: 'CONFIRMED', reference: referenceOf('CONTRACT_FILING', requestId) }]);
    expect(answers[0]!.reference).toMatch(/^HT[0-9A-F]{12}$/);
    expect(referenceOf('TAX_CLEARANCE', requestId)).toMatch(/^WS[0-9A-F]{12}$/);
    expect(referenceOf('COMPLETION_RECORD', requestId)).toMatch(/^JG[0-9A-F]{12}$/);
    expect(cases.decide({ requestId, kind: 'CONTRACT_FILING', unitCode: freeUnit.unitCode }, DELAY)).toEqual(answers);
  });

  it('no contract filing: REJECTED CONTRACT_NOT_FILED, whoever the buyers', () => {
    for (const unit of sandbox.cases.NO_CONTRACT_FILING.units) {
      expect(cases.decide({ requestId, kind: 'CONTRACT_FILING', unitCode: unit.unitCode, buyerIdNumbers: ['370102199001010011'] }, DELAY)).toEqual([
        { afterMs: DELAY, outcome: 'REJECTED', reasonCode: 'CONTRACT_NOT_FILED' },
      ]);
    }
  });

  it('a unit listed for the contract filing still gets its tax clearance confirmed', () => {
    const unit = unitOf('NO_CONTRACT_FILING');
    expect(cases.decide({ requestId: 'F0123456789ABCDEF01234567-TC', kind: 'TAX_CLEARANCE', unitCode: unit.unitCode }, DELAY)[0]!.outcome).toBe('CONFIRMED');
  });

  it("contract names other buyers: REJECTED CONTRACT_PARTIES_DIFFER unless the filing's buyers are exactly the contract's", () => {
    const unit = sandbox.cases.CONTRACT_NAMES_OTHER_BUYERS.units.find((u) => (u.contractBuyers?.length ?? 0) === 2)!;
    const [a, b] = unit.contractBuyers!.map((p) => p.idNumber) as [string, string];
    const decide = (buyerIdNumbers?: string[]) => cases.decide({ requestId, kind: 'CONTRACT_FILING', unitCode: unit.unitCode, buyerIdNumbers }, DELAY)[0]!;
    expect(decide(['370102199001010011'])).toMatchObject({ outcome: 'REJECTED', reasonCode: 'CONTRACT_PARTIES_DIFFER' });
    expect(decide([a])).toMatchObject({ outcome: 'REJECTED', reasonCode: 'CONTRACT_PARTIES_DIFFER' });
    expect(decide([a, b, '370102199001010011'])).toMatchObject({ outcome: 'REJECTED' });
    expect(decide(undefined)).toMatchObject({ outcome: 'REJECTED', reasonCode: 'CONTRACT_PARTIES_DIFFER' });
    expect(decide([b, a.toLowerCase()])).toMatchObject({ outcome: 'CONFIRMED', reference: referenceOf('CONTRACT_FILING', requestId) });
  });

  it('tax unpaid at first: PENDING TAX_UNPAID after the delay, then CONFIRMED taxUnpaidSeconds after the first receipt', () => {
    const unit = unitOf('TAX_UNPAID_AT_FIRST');
    const tc = 'F0123456789ABCDEF01234567-TC';
    expect(cases.decide({ requestId: tc, kind: 'TAX_CLEARANCE', unitCode: unit.unitCode }, DELAY)).toEqual([
      { afterMs: DELAY, outcome: 'PENDING', reasonCode: 'TAX_UNPAID' },
      { afterMs: 20_000, outcome: 'CONFIRMED', reference: referenceOf('TAX_CLEARANCE', tc) },
    ]);
    // Paid before the department would answer at all: a plain confirmation.
    expect(new DepartmentCases(sandboxDepartments(1)).decide({ requestId: tc, kind: 'TAX_CLEARANCE', unitCode: unit.unitCode }, DELAY)).toEqual([
      { afterMs: DELAY, outcome: 'CONFIRMED', reference: referenceOf('TAX_CLEARANCE', tc) },
    ]);
    // The contract filing of that unit is not affected.
    expect(cases.decide({ requestId, kind: 'CONTRACT_FILING', unitCode: unit.unitCode }, DELAY)[0]!.outcome).toBe('CONFIRMED');
  });

  it('no completion record: REJECTED COMPLETION_RECORD_NOT_FOUND', () => {
    for (const unit of sandbox.cases.NO_COMPLETION_RECORD.units) {
      expect(cases.decide({ requestId: 'F0123456789ABCDEF01234567-CR', kind: 'COMPLETION_RECORD', unitCode: unit.unitCode }, DELAY)).toEqual([
        { afterMs: DELAY, outcome: 'REJECTED', reasonCode: 'COMPLETION_RECORD_NOT_FOUND' },
      ]);
    }
  });

  it('every answer is a valid result body', () => {
    for (const name of DEPARTMENT_CASES) {
      const spec = sandbox.cases[name];
      for (const unit of spec.units) {
        for (const answer of cases.decide({ requestId, kind: spec.resultKind, unitCode: unit.unitCode }, DELAY)) {
          const { afterMs: _afterMs, ...rest } = answer;
          expect(departmentResultSchema.safeParse({ requestId: `F0123456789ABCDEF01234567-${{ CONTRACT_FILING: 'CF', TAX_CLEARANCE: 'TC', COMPLETION_RECORD: 'CR' }[spec.resultKind]}`, filingId: 'F0123456789ABCDEF01234567', kind: spec.resultKind, ...rest }).success).toBe(true);
        }
      }
    }
  });
});

describe('sandbox departments data', () => {
  const project = demoProjectUnits();
  const register = new Map(demoRegister().map((u) => [u.unitCode, u]));

  it('makes every case reachable by the business types that need its result', () => {
    const reach = (name: DepartmentCase) => new Set(sandbox.cases[name].units.flatMap((u) => u.filedBy.flatMap((f) => f.businessTypes)));
    expect([...reach('NO_CONTRACT_FILING')].sort()).toEqual(['PRESALE_NOTICE', 'TRANSFER_NEW', 'TRANSFER_RESALE']);
    expect([...reach('CONTRACT_NAMES_OTHER_BUYERS')].sort()).toEqual(['PRESALE_NOTICE', 'TRANSFER_NEW', 'TRANSFER_RESALE']);
    expect([...reach('TAX_UNPAID_AT_FIRST')].sort()).toEqual(['TRANSFER_NEW', 'TRANSFER_RESALE']);
    expect([...reach('NO_COMPLETION_RECORD')]).toEqual(['FIRST_REGISTRATION']);
  });

  it('lists units intake accepts for those types: resale units free to sell, project units free of notices', () => {
    for (const spec of Object.values(sandbox.cases)) {
      for (const unit of spec.units) {
        const types = unit.filedBy.flatMap((f) => f.businessTypes);
        if (types.includes('TRANSFER_RESALE')) {
          const u = register.get(unit.unitCode)!;
          expect(u.seized || u.mortgages.length > 0 || u.owners.length !== 1).toBe(false);
        } else {
          const u = project.find((p) => p.unitCode === unit.unitCode)!;
          expect(u.presaleBuyers).toBeUndefined();
          expect(u.status).toBe(types.includes('TRANSFER_NEW') ? 'REGISTERED' : 'SURVEYED');
        }
      }
    }
  });

  it("contract buyers are synthetic people who own nothing and are not the sandbox's spare buyers", () => {
    const full = buildSandbox();
    const taken = new Set([
      ...full.spareBuyers.map((p) => p.idNumber),
      ...full.channels.flatMap((c) => c.units.flatMap((u) => [...u.owners.flatMap((o) => ('idNumber' in o ? [o.idNumber] : [])), ...u.notices.flatMap((n) => n.holders.map((h) => h.idNumber))])),
    ]);
    for (const unit of sandbox.cases.CONTRACT_NAMES_OTHER_BUYERS.units) {
      expect(unit.contractBuyers!.length).toBeGreaterThan(0);
      for (const buyer of unit.contractBuyers!) expect(taken.has(buyer.idNumber)).toBe(false);
    }
  });

  it('the sandbox file carries the section, and the demo files on a listed unit only for the one planned department refusal', () => {
    expect(buildSandbox().departments.cases.NO_CONTRACT_FILING.units.length).toBeGreaterThan(0);
    const listed = departmentCaseUnitCodes();
    const noContract = new Set(sandboxDepartments().cases.NO_CONTRACT_FILING.units.map((u) => u.unitCode));
    for (const run of ['a', 'b', 'c', 'd']) {
      for (const plan of demoPlans(run)) {
        for (const f of plan.filings) {
          const onListed = listed.has(String(f.filing.unitCode));
          expect(onListed, f.label).toBe(f.expect.reasonCode === 'CONTRACT_NOT_FILED');
          if (onListed) expect(noContract.has(String(f.filing.unitCode))).toBe(true);
        }
      }
    }
  });
});
