/**
 * The demo departments and what they answer about which demo units (DESIGN.md §7b "Simulators"; issue 8):
 * the one source both for the `departments` section of `.data/demo/sandbox.json` and for the local tax and
 * trading simulators (infra/local/simulators/), so what an integrator reads is what the simulators do.
 *
 * Every unit not listed confirms. The listed ones are chosen deterministically from the demo register and
 * the developer's project, so each path is reachable by the channel kind that files it: an agency's
 * TRANSFER_RESALE (register units of people, in both districts), a developer's TRANSFER_NEW (first-registered
 * project units, unsold), PRESALE_NOTICE and FIRST_REGISTRATION (surveyed project units, no notice). They are
 * taken from the end of each pool, so the first free units (which tests and examples pick) still confirm,
 * and `npm run demo` leaves them out (demo-plans.ts). Synthetic people only.
 */
import type { BusinessType } from '../../../functions/core/domain/business-types';
import type { DepartmentKind, ResultKind, ResultOutcome } from '../../../functions/core/domain/coordination';
import { DEMO_DISTRICTS, demoInstitutions, demoRegister, person, prng, type DemoPerson } from './demo-data';
import { demoProjectUnits } from './demo-projects';

/** The sandbox cases, each a way a department answers other than a plain CONFIRMED. */
export const DEPARTMENT_CASES = ['NO_CONTRACT_FILING', 'CONTRACT_NAMES_OTHER_BUYERS', 'TAX_UNPAID_AT_FIRST', 'NO_COMPLETION_RECORD'] as const;
export type DepartmentCase = (typeof DEPARTMENT_CASES)[number];

/** How long a "tax unpaid" unit stays unpaid by default, counted from the tax simulator's first receipt of the request. */
export const DEFAULT_TAX_UNPAID_SECONDS = 20;
/** Overrides {@link DEFAULT_TAX_UNPAID_SECONDS} for the sandbox file and the simulators alike. */
export const TAX_UNPAID_SECONDS_ENV = 'ZT_SIMULATOR_TAX_UNPAID_SECONDS';

export interface DemoDepartment {
  readonly departmentId: string;
  readonly kind: DepartmentKind;
  readonly name: string;
  readonly districts: readonly string[];
  /** The results it gives (DEPARTMENT_OF in functions/core/domain/coordination.ts). */
  readonly results: readonly ResultKind[];
}

/** One tax and one trading/housing department of the city, serving both demo districts. */
export const DEMO_DEPARTMENTS: readonly DemoDepartment[] = [
  { departmentId: 'tax-370100', kind: 'TAX', name: '济南市税务局（模拟）', districts: Object.keys(DEMO_DISTRICTS), results: ['TAX_CLEARANCE'] },
  { departmentId: 'trading-370100', kind: 'TRADING', name: '济南市住房交易与房产管理中心（模拟）', districts: Object.keys(DEMO_DISTRICTS), results: ['CONTRACT_FILING', 'COMPLETION_RECORD'] },
];

/** Which channel may reach a listed unit, and with which business types. */
export interface CaseUnitFiler {
  readonly channelId: string;
  readonly businessTypes: readonly BusinessType[];
}

export interface CaseUnit {
  readonly unitCode: string;
  readonly district: string;
  readonly filedBy: readonly CaseUnitFiler[];
  /** CONTRACT_NAMES_OTHER_BUYERS only: the buyers the filed contract names (file with exactly these and it confirms). */
  readonly contractBuyers?: readonly { name: string; idType: 'RESIDENT_ID'; idNumber: string }[];
}

export interface DepartmentCaseSpec {
  readonly description: string;
  readonly resultKind: ResultKind;
  /** The answers, in order (TAX_UNPAID_AT_FIRST: PENDING first, CONFIRMED once the time is up). */
  readonly answers: readonly { outcome: ResultOutcome; reasonCode?: string; after?: string }[];
  readonly units: readonly CaseUnit[];
}

export interface SandboxDepartments {
  readonly note: string;
  readonly departments: readonly DemoDepartment[];
  /** Seconds a TAX_UNPAID_AT_FIRST unit stays unpaid, from the tax simulator's first receipt of the request. */
  readonly taxUnpaidSeconds: number;
  /** What every unit not listed gets: CONFIRMED with a reference of this shape. */
  readonly references: Readonly<Record<ResultKind, string>>;
  readonly cases: Readonly<Record<DepartmentCase, DepartmentCaseSpec>>;
}

export function taxUnpaidSecondsFromEnv(): number {
  const text = process.env[TAX_UNPAID_SECONDS_ENV]?.trim();
  if (text === undefined || text === '') return DEFAULT_TAX_UNPAID_SECONDS;
  const seconds = Number(text);
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 86_400) throw new Error(`${TAX_UNPAID_SECONDS_ENV} must be whole seconds between 0 and 86400`);
  return seconds;
}

const toPerson = (p: DemoPerson) => ({ name: p.name, idType: 'RESIDENT_ID' as const, idNumber: p.idNumber });

let casesCache: Omit<SandboxDepartments, 'taxUnpaidSeconds'> | undefined;

function channelIdOf(type: 'AGENCY' | 'DEVELOPER'): string {
  return demoInstitutions().find((i) => i.type === type)!.channelId;
}

/** The cases (without the time, which configuration may change), built once: the demo data are fixed. */
function buildCases(): Omit<SandboxDepartments, 'taxUnpaidSeconds'> {
  if (casesCache) return casesCache;
  const agency = channelIdOf('AGENCY');
  const developer = channelIdOf('DEVELOPER');
  // Register units an agency can sell at once: one owner, no mortgage, no seizure. From the end of each district.
  const resale = (district: string): string[] =>
    demoRegister()
      .filter((u) => u.district === district && !u.seized && u.mortgages.length === 0 && u.owners.length === 1)
      .map((u) => u.unitCode)
      .reverse();
  const project = demoProjectUnits();
  const builtFree = project.filter((u) => u.status === 'REGISTERED' && !u.presaleBuyers).map((u) => u.unitCode).reverse();
  const surveyedFree = project.filter((u) => u.status === 'SURVEYED' && !u.presaleBuyers).map((u) => u.unitCode).reverse();
  const districtOf = (unitCode: string) => unitCode.slice(0, 6);
  const [d1, d2] = Object.keys(DEMO_DISTRICTS) as [string, string];
  const [r1, r2] = [resale(d1), resale(d2)];

  const resaleUnit = (unitCode: string): CaseUnit => ({ unitCode, district: districtOf(unitCode), filedBy: [{ channelId: agency, businessTypes: ['TRANSFER_RESALE'] }] });
  const newHome = (unitCode: string): CaseUnit => ({ unitCode, district: districtOf(unitCode), filedBy: [{ channelId: developer, businessTypes: ['TRANSFER_NEW'] }] });
  // An agency may file a presale notice on the developer's behalf too (BUSINESS_TYPES_BY_INSTITUTION).
  const presale = (unitCode: string): CaseUnit => ({
    unitCode,
    district: districtOf(unitCode),
    filedBy: [
      { channelId: developer, businessTypes: ['PRESALE_NOTICE'] },
      { channelId: agency, businessTypes: ['PRESALE_NOTICE'] },
    ],
  });
  const firstRegistration = (unitCode: string): CaseUnit => ({ unitCode, district: districtOf(unitCode), filedBy: [{ channelId: developer, businessTypes: ['FIRST_REGISTRATION'] }] });

  // The buyers the filed contracts name: synthetic people of their own seed, owning nothing in the register.
  const rand = prng(20_260_801);
  const withContract = (unit: CaseUnit, count: number): CaseUnit => ({ ...unit, contractBuyers: Array.from({ length: count }, () => toPerson(person(rand, unit.district))) });

  casesCache = {
    note:
      'What the local tax and trading department simulators answer (README, "Department simulators"). Every unit not listed here is CONFIRMED with a reference. Synthetic people only.',
    departments: DEMO_DEPARTMENTS,
    references: {
      CONTRACT_FILING: 'HT + 12 upper-case hex (the contract filing number, 网签备案号)',
      TAX_CLEARANCE: 'WS + 12 upper-case hex (the tax voucher number, 完税凭证号)',
      COMPLETION_RECORD: 'JG + 12 upper-case hex (the completion record number, 竣工验收备案号)',
    },
    cases: {
      NO_CONTRACT_FILING: {
        description: 'The trading department has no filed contract for the unit: the contract filing is REJECTED and the filing refused.',
        resultKind: 'CONTRACT_FILING',
        answers: [{ outcome: 'REJECTED', reasonCode: 'CONTRACT_NOT_FILED' }],
        units: [resaleUnit(r1[0]!), resaleUnit(r2[0]!), newHome(builtFree[0]!), presale(surveyedFree[0]!)],
      },
      CONTRACT_NAMES_OTHER_BUYERS: {
        description:
          "The filed contract names the buyers in contractBuyers (compared by ID number with the filing's buyers): a filing with any other buyers is REJECTED, one with exactly these buyers is CONFIRMED.",
        resultKind: 'CONTRACT_FILING',
        answers: [{ outcome: 'REJECTED', reasonCode: 'CONTRACT_PARTIES_DIFFER' }],
        units: [withContract(resaleUnit(r1[1]!), 1), withContract(resaleUnit(r2[1]!), 2), withContract(newHome(builtFree[1]!), 1), withContract(presale(surveyedFree[1]!), 1)],
      },
      TAX_UNPAID_AT_FIRST: {
        description:
          'The tax due is paid only taxUnpaidSeconds after the tax simulator first received the request: it first answers PENDING (the filing keeps waiting), then pushes CONFIRMED by itself (002 四(一)2).',
        resultKind: 'TAX_CLEARANCE',
        answers: [{ outcome: 'PENDING', reasonCode: 'TAX_UNPAID' }, { outcome: 'CONFIRMED', after: 'taxUnpaidSeconds' }],
        units: [resaleUnit(r1[2]!), resaleUnit(r2[2]!), newHome(builtFree[2]!)],
      },
      NO_COMPLETION_RECORD: {
        description: 'The housing department has no completion record (竣工验收备案) for the unit: the completion record is REJECTED and the first registration refused.',
        resultKind: 'COMPLETION_RECORD',
        answers: [{ outcome: 'REJECTED', reasonCode: 'COMPLETION_RECORD_NOT_FOUND' }],
        units: [firstRegistration(surveyedFree[2]!), firstRegistration(surveyedFree[3]!)],
      },
    },
  };
  return casesCache;
}

/** The sandbox's departments section; `taxUnpaidSeconds` from configuration unless given. */
export function sandboxDepartments(taxUnpaidSeconds: number = taxUnpaidSecondsFromEnv()): SandboxDepartments {
  const { note, departments, references, cases } = buildCases();
  return { note, departments, taxUnpaidSeconds, references, cases };
}

/** Every listed unit: `npm run demo` files elsewhere, so its outcomes stay as planned. */
export function departmentCaseUnitCodes(): ReadonlySet<string> {
  return new Set(Object.values(buildCases().cases).flatMap((c) => c.units.map((u) => u.unitCode)));
}
