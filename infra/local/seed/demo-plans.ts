/**
 * One demo batch per channel kind (bank, developer, agency), against the demo register: filings intake
 * accepts, refuses or sends back for correction, and invalid ones, each with the outcome it should get on
 * a freshly seeded register. `npm run demo` prints them; the end-to-end test asserts them.
 */
import type { InstitutionType } from '../../../functions/core/domain/business-types';
import { demoInstitutions, demoRegister, OTHER_BANK_ID, person, prng, type DemoPerson, type DemoUnit } from './demo-data';
import {
  firstRegistrationFiling,
  mortgageChangeFiling,
  mortgageCreateFiling,
  mortgageDischargeFiling,
  presaleMortgageNoticeFiling,
  presaleNoticeFiling,
  requiredMaterials,
  transferNewFiling,
  transferResaleFiling,
  UNREGISTERED_UNIT_CODE,
} from './demo-filings';
import { DEMO_PROJECT, demoProjectUnits } from './demo-projects';
import { departmentCaseUnitCodes, sandboxDepartments } from './demo-departments';

export interface Expected {
  /**
   * The filing's status once the platform is done with it on its own — intake decided, and for the types that
   * need them the (simulated) departments answered: READY_FOR_REVIEW when accepted — or INVALID for a filing
   * refused at submission.
   */
  readonly status: string;
  readonly reasonCode?: string;
  /** For INVALID: the code of a field error it must carry. */
  readonly errorCode?: string;
}

export interface PlannedFiling {
  readonly label: string;
  readonly filing: Record<string, unknown>;
  readonly expect: Expected;
}

export interface ChannelPlan {
  readonly institutionType: InstitutionType;
  readonly filings: readonly PlannedFiling[];
}

const accepted: Expected = { status: 'READY_FOR_REVIEW' };
const refused = (reasonCode: string): Expected => ({ status: 'REFUSED', reasonCode });
const invalid = (errorCode: string): Expected => ({ status: 'INVALID', errorCode });

/** Fresh buyers, deterministic per seed (fictional people with valid check digits). */
const buyers = (rand: () => number, district: string, count = 1): DemoPerson[] => Array.from({ length: count }, () => person(rand, district));

function shuffled<T>(items: readonly T[], rand: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(rand() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/**
 * The three demo batches of one run. `run` names the run (it prefixes every clientRef) and seeds which
 * units are used, so repeated runs of the demo mostly file on different units.
 */
export function demoPlans(run: string): ChannelPlan[] {
  // One plan per channel kind, filed by the first demo channel of that kind: the bank's second branch
  // channel (DEMO_BANK_BRANCH) gets none on purpose — its filings would only repeat the bank's, and it is
  // the channel the credit checks (test/e2e/credit.test.ts) drive from a clean ledger.
  const rand = prng([...run].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7));
  const ref = (kind: string, n: number) => `DEMO-${run}-${kind}${String(n).padStart(2, '0')}`;
  const bank = demoInstitutions().find((i) => i.type === 'BANK')!;
  // Units the department simulators answer otherwise than CONFIRMED (demo-departments.ts) are left out, so
  // the demo's outcomes stay as planned.
  const special = departmentCaseUnitCodes();
  const register = demoRegister().filter((u) => !special.has(u.unitCode));
  const free = shuffled(register.filter((u) => !u.seized && u.mortgages.length === 0), rand);
  const singles = free.filter((u) => u.owners.length === 1);
  const coOwned = free.filter((u) => u.owners.length > 1);
  const ownMortgaged = shuffled(register.filter((u) => !u.seized && u.mortgages.some((m) => m.holderInstitutionId === bank.institutionId)), rand);
  const othersMortgaged = shuffled(register.filter((u) => !u.seized && u.mortgages.some((m) => m.holderInstitutionId === OTHER_BANK_ID)), rand);
  const seized = shuffled(register.filter((u) => u.seized), rand);
  const project = demoProjectUnits().filter((u) => !special.has(u.unitCode));
  const surveyedFree = shuffled(project.filter((u) => u.status === 'SURVEYED' && !u.presaleBuyers), rand);
  const surveyedPresold = shuffled(project.filter((u) => u.status === 'SURVEYED' && u.presaleBuyers), rand);
  const builtPresold = shuffled(project.filter((u) => u.status === 'REGISTERED' && u.presaleBuyers), rand);
  const builtFree = shuffled(project.filter((u) => u.status === 'REGISTERED' && !u.presaleBuyers), rand);
  const mortgageOf = (u: DemoUnit) => u.mortgages[0]!.mortgageId;
  const stranger = singles[40]!.owners[0]!;
  const wrongCheck = (p: DemoPerson): DemoPerson => ({ ...p, idNumber: p.idNumber.slice(0, 17) + (p.idNumber.endsWith('0') ? '1' : '0') });

  const bankPlan: ChannelPlan = {
    institutionType: 'BANK',
    filings: [
      { label: 'mortgage: owner mortgages their unit', filing: mortgageCreateFiling({ clientRef: ref('B', 1), unitCode: singles[0]!.unitCode, mortgagors: singles[0]!.owners }), expect: accepted },
      { label: 'mortgage: both co-owners, amount in fen', filing: mortgageCreateFiling({ clientRef: ref('B', 2), unitCode: coOwned[0]!.unitCode, mortgagors: coOwned[0]!.owners, amount: 88_000_000 }), expect: accepted },
      { label: 'mortgage: seized unit', filing: mortgageCreateFiling({ clientRef: ref('B', 3), unitCode: seized[0]!.unitCode, mortgagors: seized[0]!.owners }), expect: refused('UNIT_SEIZED') },
      { label: 'mortgage: mortgagor is not the owner', filing: mortgageCreateFiling({ clientRef: ref('B', 4), unitCode: singles[1]!.unitCode, mortgagors: [stranger] }), expect: refused('MORTGAGOR_NOT_OWNER') },
      { label: 'mortgage: one co-owner missing', filing: mortgageCreateFiling({ clientRef: ref('B', 5), unitCode: coOwned[1]!.unitCode, mortgagors: [coOwned[1]!.owners[0]!] }), expect: refused('CO_OWNER_MISSING') },
      { label: 'mortgage: unit not in the register', filing: mortgageCreateFiling({ clientRef: ref('B', 6), unitCode: UNREGISTERED_UNIT_CODE, mortgagors: [stranger] }), expect: refused('UNIT_NOT_FOUND') },
      {
        label: 'mortgage: main debt contract missing',
        filing: mortgageCreateFiling({ clientRef: ref('B', 7), unitCode: singles[2]!.unitCode, mortgagors: singles[2]!.owners, materialTypes: requiredMaterials('MORTGAGE_CREATE').filter((t) => t !== 'MAIN_DEBT_CONTRACT') }),
        expect: { status: 'CORRECTION_REQUIRED' },
      },
      {
        label: 'change: own mortgage, new amount',
        filing: mortgageChangeFiling({ clientRef: ref('B', 8), unitCode: ownMortgaged[0]!.unitCode, mortgageId: mortgageOf(ownMortgaged[0]!), mortgagors: ownMortgaged[0]!.owners, amount: '1500000.00' }),
        expect: accepted,
      },
      {
        label: "change: another bank's mortgage",
        filing: mortgageChangeFiling({ clientRef: ref('B', 9), unitCode: othersMortgaged[0]!.unitCode, mortgageId: mortgageOf(othersMortgaged[0]!), mortgagors: othersMortgaged[0]!.owners, termEnd: '2050-12-31' }),
        expect: refused('MORTGAGE_NOT_HELD'),
      },
      { label: 'discharge: own mortgage repaid', filing: mortgageDischargeFiling({ clientRef: ref('B', 10), unitCode: ownMortgaged[1]!.unitCode, mortgageId: mortgageOf(ownMortgaged[1]!) }), expect: accepted },
      { label: 'presale mortgage notice: the presale buyers', filing: presaleMortgageNoticeFiling({ clientRef: ref('B', 11), unitCode: surveyedPresold[0]!.unitCode, buyers: surveyedPresold[0]!.presaleBuyers! }), expect: accepted },
      { label: 'presale mortgage notice: no presale notice', filing: presaleMortgageNoticeFiling({ clientRef: ref('B', 12), unitCode: surveyedFree[0]!.unitCode, buyers: buyers(rand, DEMO_PROJECT.district) }), expect: refused('NO_PRESALE_NOTICE') },
      { label: 'invalid: ID number check digit wrong', filing: mortgageCreateFiling({ clientRef: ref('B', 13), unitCode: singles[3]!.unitCode, mortgagors: [wrongCheck(singles[3]!.owners[0]!)] }), expect: invalid('ID_CHECK_DIGIT') },
      { label: 'invalid: amount as a float', filing: mortgageCreateFiling({ clientRef: ref('B', 14), unitCode: singles[4]!.unitCode, mortgagors: singles[4]!.owners, amount: 1200000.5 }), expect: invalid('AMOUNT_FORMAT') },
    ],
  };

  const notTheDevelopers = singles.filter((u) => u.district === DEMO_PROJECT.district);
  const developerPlan: ChannelPlan = {
    institutionType: 'DEVELOPER',
    filings: [
      { label: 'first registration: own surveyed unit', filing: firstRegistrationFiling({ clientRef: ref('D', 1), unitCode: surveyedFree[1]!.unitCode, projectId: DEMO_PROJECT.projectId }), expect: accepted },
      { label: 'first registration: already registered', filing: firstRegistrationFiling({ clientRef: ref('D', 2), unitCode: builtFree[0]!.unitCode, projectId: DEMO_PROJECT.projectId }), expect: refused('UNIT_ALREADY_REGISTERED') },
      { label: 'first registration: wrong project', filing: firstRegistrationFiling({ clientRef: ref('D', 3), unitCode: surveyedFree[2]!.unitCode, projectId: 'OTHER-2026-09' }), expect: refused('NOT_OWN_PROJECT') },
      { label: 'presale notice: a buyer of a surveyed unit', filing: presaleNoticeFiling({ clientRef: ref('D', 4), unitCode: surveyedFree[3]!.unitCode, buyers: buyers(rand, DEMO_PROJECT.district) }), expect: accepted },
      { label: 'presale notice: unit already noticed', filing: presaleNoticeFiling({ clientRef: ref('D', 5), unitCode: surveyedPresold[1]!.unitCode, buyers: buyers(rand, DEMO_PROJECT.district) }), expect: refused('UNIT_UNDER_NOTICE') },
      { label: 'new-home transfer: to the presale buyers', filing: transferNewFiling({ clientRef: ref('D', 6), unitCode: builtPresold[0]!.unitCode, buyers: builtPresold[0]!.presaleBuyers! }), expect: accepted },
      { label: 'new-home transfer: to someone else', filing: transferNewFiling({ clientRef: ref('D', 7), unitCode: builtPresold[1]!.unitCode, buyers: buyers(rand, DEMO_PROJECT.district) }), expect: refused('NOTICE_HOLDER_MISMATCH') },
      { label: 'new-home transfer: a unit it does not own', filing: transferNewFiling({ clientRef: ref('D', 8), unitCode: notTheDevelopers[5]!.unitCode, buyers: buyers(rand, DEMO_PROJECT.district) }), expect: refused('SELLER_NOT_OWNER') },
      {
        label: 'new-home transfer: sale contract missing',
        filing: transferNewFiling({ clientRef: ref('D', 9), unitCode: builtFree[1]!.unitCode, buyers: buyers(rand, DEMO_PROJECT.district), materialTypes: requiredMaterials('TRANSFER_NEW').filter((t) => t !== 'SALE_CONTRACT') }),
        expect: { status: 'CORRECTION_REQUIRED' },
      },
    ],
  };

  // Units the bank's plan does not file on: a mortgage and a transfer of one unit conflict (functions/core/domain/disposition.ts).
  const resale = singles.slice(50).filter((u) => u.district === '370103');
  // A resale unit the (simulated) trading department has no contract filing for: refused however often the demo runs.
  const noContractCode = sandboxDepartments().cases.NO_CONTRACT_FILING.units.find((u) => u.filedBy.some((f) => f.businessTypes.includes('TRANSFER_RESALE')))!.unitCode;
  const noContract = demoRegister().find((u) => u.unitCode === noContractCode)!;
  const agencyPlan: ChannelPlan = {
    institutionType: 'AGENCY',
    filings: [
      { label: 'resale: the owner sells', filing: transferResaleFiling({ clientRef: ref('A', 1), unitCode: resale[0]!.unitCode, sellers: resale[0]!.owners, buyers: buyers(rand, '370103') }), expect: accepted },
      { label: 'resale: both co-owners sell', filing: transferResaleFiling({ clientRef: ref('A', 2), unitCode: coOwned[2]!.unitCode, sellers: coOwned[2]!.owners, buyers: buyers(rand, coOwned[2]!.district, 2) }), expect: accepted },
      { label: 'resale: seller is not the owner', filing: transferResaleFiling({ clientRef: ref('A', 3), unitCode: resale[1]!.unitCode, sellers: [stranger], buyers: buyers(rand, '370103') }), expect: refused('SELLER_NOT_OWNER') },
      { label: 'presale notice: for the developer', filing: presaleNoticeFiling({ clientRef: ref('A', 4), unitCode: surveyedFree[4]!.unitCode, buyers: buyers(rand, DEMO_PROJECT.district) }), expect: accepted },
      {
        label: 'invalid: buyer is also a seller',
        filing: transferResaleFiling({ clientRef: ref('A', 5), unitCode: resale[2]!.unitCode, sellers: resale[2]!.owners, buyers: resale[2]!.owners }),
        expect: invalid('PARTY_BOTH_SIDES'),
      },
      // Accepted by intake, then refused on the trading department's answer (the sandbox lists the unit).
      {
        label: 'resale: no contract filing at the trading department',
        filing: transferResaleFiling({ clientRef: ref('A', 6), unitCode: noContract.unitCode, sellers: noContract.owners, buyers: buyers(rand, noContract.district) }),
        expect: refused('CONTRACT_NOT_FILED'),
      },
    ],
  };

  return [bankPlan, developerPlan, agencyPlan];
}
