import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { BUSINESS_TYPES, MATERIAL_CHECKLISTS, type BusinessType } from '../../../functions/core/domain/business-types';
import type { FieldError } from '../../../functions/core/domain/errors';
import { residentIdCheckChar } from '../../../schemas/identifiers';
import { api, submitBatchRequestDocSchema } from '../../../schemas/v1/api';
import {
  FILING_ERROR_CODES,
  validateFilingInput,
  type FilingInput,
  type FilingInputOf,
  type FirstRegistrationFiling,
  type MortgageChangeFiling,
  type MortgageCreateFiling,
  type MortgageDischargeFiling,
  type PresaleMortgageNoticeFiling,
  type PresaleNoticeFiling,
  type TransferNewFiling,
  type TransferResaleFiling,
} from '../../../schemas/v1/filing-input';
import { filingViewSchema } from '../../../schemas/v1/filing-view';
import type { MortgageCreateFilingInput } from '../../../schemas/v1/filings/mortgage-create';
import { DISCHARGE_REASONS } from '../../../schemas/v1/filings/mortgage-discharge';
import type { Organisation, Person, PersonInput } from '../../../schemas/v1/filings/parties';

// ---------------------------------------------------------------------------------------------------
// Valid examples of every business type

const UNIT = '370102001001GB00001F00010001';
const SM3 = 'a1'.repeat(32);
const BANK = { name: '中国工商银行股份有限公司济南分行', uscc: '91350100M000100Y43' };
const DEVELOPER = { name: '济南某某置业有限公司', uscc: '91350100M000100Y43' };

/** A valid resident ID number from its first 17 digits. */
const id = (first17: string): string => first17 + residentIdCheckChar(first17);
const ZHANG: PersonInput = { name: '张三', idType: 'RESIDENT_ID', idNumber: '11010519491231002X', phone: '13812345678' };
const LI: PersonInput = { name: '李四', idNumber: '370102199001011231' };
const WANG: PersonInput = { name: '王五', idNumber: id('37010219850615123') };
const ZHAO: PersonInput = { name: '赵六', idNumber: id('37010219921103456') };

const material = (type: string) => ({ type, ref: `materials/${type.toLowerCase()}.pdf`, sm3: SM3 });

/** A valid filing of each business type, as a filer sends it. */
const valid = {
  MORTGAGE_CREATE: (): MortgageCreateFilingInput => ({
    clientRef: 'ICBC-JN-2024-000001',
    businessType: 'MORTGAGE_CREATE',
    unitCode: UNIT,
    mortgagors: [ZHANG, LI],
    mortgagee: BANK,
    mortgageType: 'GENERAL',
    amount: '1200000.00',
    termStart: '2024-01-01',
    termEnd: '2044-01-01',
    materials: [material('APPLICATION_FORM')],
  }),
  MORTGAGE_CHANGE: () => ({
    clientRef: 'ICBC-JN-2024-000002',
    businessType: 'MORTGAGE_CHANGE',
    unitCode: UNIT,
    mortgageId: 'M2024000123',
    mortgagors: [ZHANG],
    change: { amount: '800000.50', termEnd: '2040-06-30' },
    materials: [material('CHANGE_AGREEMENT')],
  }),
  MORTGAGE_DISCHARGE: () => ({
    clientRef: 'ICBC-JN-2024-000003',
    businessType: 'MORTGAGE_DISCHARGE',
    unitCode: UNIT,
    mortgageId: 'M2024000123',
    reason: 'REPAID',
    materials: [material('DISCHARGE_PROOF')],
  }),
  PRESALE_MORTGAGE_NOTICE: () => ({
    clientRef: 'ICBC-JN-2024-000004',
    businessType: 'PRESALE_MORTGAGE_NOTICE',
    unitCode: UNIT,
    buyers: [WANG, ZHAO],
    mortgagee: BANK,
    mortgageType: 'MAXIMUM',
    amount: 150_000_000,
    termStart: '2024-03-01',
    termEnd: '2054-03-01',
    materials: [material('PRESALE_CONTRACT')],
  }),
  FIRST_REGISTRATION: () => ({
    clientRef: 'DEV-2024-0001',
    businessType: 'FIRST_REGISTRATION',
    unitCode: UNIT,
    projectId: 'JN-2021-007',
    completionRecordNo: '济建竣备字〔2024〕第0012号',
    materials: [material('COMPLETION_RECORD'), material('SURVEY_REPORT')],
  }),
  PRESALE_NOTICE: () => ({
    clientRef: 'DEV-2024-0002',
    businessType: 'PRESALE_NOTICE',
    unitCode: UNIT,
    buyers: [WANG],
    seller: DEVELOPER,
    contractNo: 'YS2024-000123',
    price: '3500000.01',
    materials: [material('PRESALE_PERMIT'), material('AGENCY_CONTRACT')],
  }),
  TRANSFER_NEW: () => ({
    clientRef: 'DEV-2024-0003',
    businessType: 'TRANSFER_NEW',
    unitCode: UNIT,
    buyers: [WANG, ZHAO],
    contractNo: 'XF2024-000456',
    price: 2_980_000_00,
    materials: [material('SALE_CONTRACT')],
  }),
  TRANSFER_RESALE: () => ({
    clientRef: 'AG-2024-0001',
    businessType: 'TRANSFER_RESALE',
    unitCode: UNIT,
    sellers: [ZHANG, LI],
    buyers: [WANG],
    contractNo: 'CL2024-000789',
    price: '2100000',
    materials: [material('SALE_CONTRACT'), material('AGENCY_CONTRACT')],
  }),
} satisfies Record<BusinessType, () => Record<string, unknown>>;

const NEW_TYPES = BUSINESS_TYPES.filter((t) => t !== 'MORTGAGE_CREATE');

type Raw = Record<string, unknown>;
const example = (type: BusinessType): Raw => valid[type]();

function valueOf(raw: unknown): FilingInput {
  const result = validateFilingInput(raw);
  if (!result.ok) throw new Error(`expected a valid filing, got ${result.errors.map((e) => `${e.path}:${e.code}`).join(', ')}`);
  return result.value;
}

function errorsOf(raw: unknown): FieldError[] {
  const result = validateFilingInput(raw);
  if (result.ok) throw new Error('expected the filing to be invalid');
  return result.errors;
}

const pathsAndCodes = (raw: unknown): string[] => errorsOf(raw).map((e) => `${e.path}:${e.code}`);

/** The person as the core receives it: idType defaulted, check character upper-cased. */
const normalised = ({ name, idNumber, phone }: PersonInput): Person => ({
  name,
  idType: 'RESIDENT_ID',
  idNumber: idNumber.toUpperCase(),
  ...(phone === undefined ? {} : { phone }),
});

// ---------------------------------------------------------------------------------------------------

describe('the output of each business type (what the core and storage receive)', () => {
  it('MORTGAGE_CHANGE: change.amount becomes change.amountFen', () => {
    expect(valueOf(example('MORTGAGE_CHANGE'))).toEqual({
      clientRef: 'ICBC-JN-2024-000002',
      businessType: 'MORTGAGE_CHANGE',
      unitCode: UNIT,
      mortgageId: 'M2024000123',
      mortgagors: [normalised(ZHANG)],
      change: { amountFen: '80000050', termEnd: '2040-06-30' },
      materials: [material('CHANGE_AGREEMENT')],
    } satisfies MortgageChangeFiling);
  });

  it.each([
    ['only the amount', { amount: 1 }, { amountFen: '1' }],
    ['only the end of the term', { termEnd: '2050-01-01' }, { termEnd: '2050-01-01' }],
  ])('MORTGAGE_CHANGE: a change of %s has no other key', (_label, change, expected) => {
    const value = valueOf({ ...example('MORTGAGE_CHANGE'), change });
    expect(value.businessType === 'MORTGAGE_CHANGE' && value.change).toStrictEqual(expected);
  });

  it('MORTGAGE_DISCHARGE: every reason is accepted, no personal data', () => {
    for (const reason of DISCHARGE_REASONS) {
      expect(valueOf({ ...example('MORTGAGE_DISCHARGE'), reason })).toEqual({
        clientRef: 'ICBC-JN-2024-000003',
        businessType: 'MORTGAGE_DISCHARGE',
        unitCode: UNIT,
        mortgageId: 'M2024000123',
        reason,
        materials: [material('DISCHARGE_PROOF')],
      } satisfies MortgageDischargeFiling);
    }
  });

  it('PRESALE_MORTGAGE_NOTICE: buyers, mortgagee and the mortgage terms, amount in fen', () => {
    expect(valueOf(example('PRESALE_MORTGAGE_NOTICE'))).toEqual({
      clientRef: 'ICBC-JN-2024-000004',
      businessType: 'PRESALE_MORTGAGE_NOTICE',
      unitCode: UNIT,
      buyers: [normalised(WANG), normalised(ZHAO)],
      mortgagee: BANK,
      mortgageType: 'MAXIMUM',
      amountFen: '150000000',
      termStart: '2024-03-01',
      termEnd: '2054-03-01',
      materials: [material('PRESALE_CONTRACT')],
    } satisfies PresaleMortgageNoticeFiling);
  });

  it('FIRST_REGISTRATION: project and completion record number (Chinese characters allowed)', () => {
    expect(valueOf(example('FIRST_REGISTRATION'))).toEqual({
      clientRef: 'DEV-2024-0001',
      businessType: 'FIRST_REGISTRATION',
      unitCode: UNIT,
      projectId: 'JN-2021-007',
      completionRecordNo: '济建竣备字〔2024〕第0012号',
      materials: [material('COMPLETION_RECORD'), material('SURVEY_REPORT')],
    } satisfies FirstRegistrationFiling);
  });

  it('PRESALE_NOTICE: buyers, the developer as seller, price in fen', () => {
    expect(valueOf(example('PRESALE_NOTICE'))).toEqual({
      clientRef: 'DEV-2024-0002',
      businessType: 'PRESALE_NOTICE',
      unitCode: UNIT,
      buyers: [normalised(WANG)],
      seller: DEVELOPER,
      contractNo: 'YS2024-000123',
      priceFen: '350000001',
      materials: [material('PRESALE_PERMIT'), material('AGENCY_CONTRACT')],
    } satisfies PresaleNoticeFiling);
  });

  it('TRANSFER_NEW: buyers only (the seller is the filing developer), price in fen', () => {
    expect(valueOf(example('TRANSFER_NEW'))).toEqual({
      clientRef: 'DEV-2024-0003',
      businessType: 'TRANSFER_NEW',
      unitCode: UNIT,
      buyers: [normalised(WANG), normalised(ZHAO)],
      contractNo: 'XF2024-000456',
      priceFen: '298000000',
      materials: [material('SALE_CONTRACT')],
    } satisfies TransferNewFiling);
  });

  it('TRANSFER_RESALE: sellers and buyers, price in fen', () => {
    expect(valueOf(example('TRANSFER_RESALE'))).toEqual({
      clientRef: 'AG-2024-0001',
      businessType: 'TRANSFER_RESALE',
      unitCode: UNIT,
      sellers: [normalised(ZHANG), normalised(LI)],
      buyers: [normalised(WANG)],
      contractNo: 'CL2024-000789',
      priceFen: '210000000',
      materials: [material('SALE_CONTRACT'), material('AGENCY_CONTRACT')],
    } satisfies TransferResaleFiling);
  });

  it('MORTGAGE_CREATE keeps its output shape', () => {
    expect(Object.keys(valueOf(example('MORTGAGE_CREATE'))).sort()).toEqual(
      ['clientRef', 'businessType', 'unitCode', 'mortgagors', 'mortgagee', 'mortgageType', 'amountFen', 'termStart', 'termEnd', 'materials'].sort(),
    );
  });

  it.each(BUSINESS_TYPES)('%s: no input-only money field is left in the output, and the caller’s object is untouched', (type) => {
    const raw = example(type);
    const copy = structuredClone(raw);
    const value = valueOf(raw);
    expect(value).not.toHaveProperty('amount');
    expect(value).not.toHaveProperty('price');
    expect(raw).toEqual(copy);
  });

  it('the output types carry exactly these fields (a compile-time contract for storage and intake)', () => {
    type Envelope = 'clientRef' | 'businessType' | 'unitCode' | 'materials';
    expectTypeOf<keyof MortgageCreateFiling>().toEqualTypeOf<
      Envelope | 'mortgagors' | 'mortgagee' | 'mortgageType' | 'amountFen' | 'termStart' | 'termEnd'
    >();
    expectTypeOf<keyof MortgageChangeFiling>().toEqualTypeOf<Envelope | 'mortgageId' | 'mortgagors' | 'change'>();
    expectTypeOf<MortgageChangeFiling['change']>().toEqualTypeOf<{ amountFen?: string; termEnd?: string }>();
    expectTypeOf<keyof MortgageDischargeFiling>().toEqualTypeOf<Envelope | 'mortgageId' | 'reason'>();
    expectTypeOf<MortgageDischargeFiling['reason']>().toEqualTypeOf<'REPAID' | 'WAIVED' | 'COURT_ORDER' | 'OTHER'>();
    expectTypeOf<keyof PresaleMortgageNoticeFiling>().toEqualTypeOf<
      Envelope | 'buyers' | 'mortgagee' | 'mortgageType' | 'amountFen' | 'termStart' | 'termEnd'
    >();
    expectTypeOf<keyof FirstRegistrationFiling>().toEqualTypeOf<Envelope | 'projectId' | 'completionRecordNo'>();
    expectTypeOf<keyof PresaleNoticeFiling>().toEqualTypeOf<Envelope | 'buyers' | 'seller' | 'contractNo' | 'priceFen'>();
    expectTypeOf<keyof TransferNewFiling>().toEqualTypeOf<Envelope | 'buyers' | 'contractNo' | 'priceFen'>();
    expectTypeOf<keyof TransferResaleFiling>().toEqualTypeOf<Envelope | 'sellers' | 'buyers' | 'contractNo' | 'priceFen'>();
    expectTypeOf<TransferResaleFiling['sellers'][number]>().toEqualTypeOf<Person>();
    expectTypeOf<PresaleNoticeFiling['seller']>().toEqualTypeOf<Organisation>();
    expectTypeOf<Person>().toEqualTypeOf<{ name: string; idType: 'RESIDENT_ID'; idNumber: string; phone?: string | undefined }>();
    expectTypeOf<FilingInputOf<'TRANSFER_NEW'>>().toEqualTypeOf<TransferNewFiling>();
    expectTypeOf<Extract<FilingInput, { businessType: 'MORTGAGE_CHANGE' }>>().toEqualTypeOf<MortgageChangeFiling>();
  });
});

describe('money comes out as exact integer fen', () => {
  it.each([
    ['0.01', '1'],
    ['0.1', '10'],
    ['19.99', '1999'],
    ['0001.50', '150'],
    ['9999999999999.99', '999999999999999'],
    [1, '1'],
    [Number.MAX_SAFE_INTEGER, '9007199254740991'],
  ])('%j → %s fen as price, amount and changed amount', (money, fen) => {
    const transfer = valueOf({ ...example('TRANSFER_NEW'), price: money });
    const notice = valueOf({ ...example('PRESALE_MORTGAGE_NOTICE'), amount: money });
    const change = valueOf({ ...example('MORTGAGE_CHANGE'), change: { amount: money } });
    expect(transfer.businessType === 'TRANSFER_NEW' && transfer.priceFen).toBe(fen);
    expect(notice.businessType === 'PRESALE_MORTGAGE_NOTICE' && notice.amountFen).toBe(fen);
    expect(change.businessType === 'MORTGAGE_CHANGE' && change.change.amountFen).toBe(fen);
  });

  it.each([
    ['a fractional number', 1.5, 'AMOUNT_FORMAT'],
    ['three decimals', '1.005', 'AMOUNT_FORMAT'],
    ['zero', '0.00', 'AMOUNT_NOT_POSITIVE'],
    ['a negative number', -100, 'AMOUNT_NOT_POSITIVE'],
  ])('refuses %s wherever money goes', (_label, money, code) => {
    expect(pathsAndCodes({ ...example('PRESALE_NOTICE'), price: money })).toEqual([`price:${code}`]);
    expect(pathsAndCodes({ ...example('TRANSFER_RESALE'), price: money })).toEqual([`price:${code}`]);
    expect(pathsAndCodes({ ...example('PRESALE_MORTGAGE_NOTICE'), amount: money })).toEqual([`amount:${code}`]);
    expect(pathsAndCodes({ ...example('MORTGAGE_CHANGE'), change: { amount: money } })).toEqual([`change.amount:${code}`]);
  });
});

describe('the codes of the new business types', () => {
  const long65 = 'A'.repeat(65);
  it.each<[string, BusinessType, (f: Raw) => Raw, string[]]>([
    ['a lowercase mortgage id', 'MORTGAGE_CHANGE', (f) => ({ ...f, mortgageId: 'm2024000123' }), ['mortgageId:MORTGAGE_ID_FORMAT']],
    ['a 5-character mortgage id', 'MORTGAGE_DISCHARGE', (f) => ({ ...f, mortgageId: 'M2024' }), ['mortgageId:MORTGAGE_ID_FORMAT']],
    ['a 33-character mortgage id', 'MORTGAGE_DISCHARGE', (f) => ({ ...f, mortgageId: 'M'.repeat(33) }), ['mortgageId:MORTGAGE_ID_FORMAT']],
    ['a mortgage id with a hyphen', 'MORTGAGE_CHANGE', (f) => ({ ...f, mortgageId: 'M-2024-000123' }), ['mortgageId:MORTGAGE_ID_FORMAT']],
    ['an empty change', 'MORTGAGE_CHANGE', (f) => ({ ...f, change: {} }), ['change:CHANGE_EMPTY']],
    ['a change with an unknown field only', 'MORTGAGE_CHANGE', (f) => ({ ...f, change: { rate: 3 } }), ['change.rate:UNKNOWN_FIELD', 'change:CHANGE_EMPTY']],
    ['a change that is not an object', 'MORTGAGE_CHANGE', (f) => ({ ...f, change: [] }), ['change:INVALID_TYPE']],
    ['a changed term end that is no date', 'MORTGAGE_CHANGE', (f) => ({ ...f, change: { termEnd: '2040-02-30' } }), ['change.termEnd:DATE_FORMAT']],
    ['an unknown discharge reason', 'MORTGAGE_DISCHARGE', (f) => ({ ...f, reason: 'PAID' }), ['reason:INVALID_VALUE']],
    ['a presale mortgage ending before it starts', 'PRESALE_MORTGAGE_NOTICE', (f) => ({ ...f, termEnd: '2024-02-29' }), ['termEnd:TERM_ORDER']],
    ['a lowercase project id', 'FIRST_REGISTRATION', (f) => ({ ...f, projectId: 'jn-2021-007' }), ['projectId:PROJECT_ID_FORMAT']],
    ['a 2-character project id', 'FIRST_REGISTRATION', (f) => ({ ...f, projectId: 'JN' }), ['projectId:PROJECT_ID_FORMAT']],
    ['an empty completion record number', 'FIRST_REGISTRATION', (f) => ({ ...f, completionRecordNo: '' }), ['completionRecordNo:RECORD_NO_FORMAT']],
    ['a 65-character record number', 'FIRST_REGISTRATION', (f) => ({ ...f, completionRecordNo: long65 }), ['completionRecordNo:RECORD_NO_FORMAT']],
    ['a record number with a newline', 'FIRST_REGISTRATION', (f) => ({ ...f, completionRecordNo: 'A\nB' }), ['completionRecordNo:RECORD_NO_FORMAT']],
    ['a contract number with a leading space', 'PRESALE_NOTICE', (f) => ({ ...f, contractNo: ' YS2024' }), ['contractNo:CONTRACT_NO_FORMAT']],
    ['a contract number with a zero-width space', 'TRANSFER_NEW', (f) => ({ ...f, contractNo: 'XF\u200B2024' }), ['contractNo:CONTRACT_NO_FORMAT']],
    ['a 65-character contract number', 'TRANSFER_RESALE', (f) => ({ ...f, contractNo: long65 }), ['contractNo:CONTRACT_NO_FORMAT']],
    ['the same buyer twice', 'TRANSFER_NEW', (f) => ({ ...f, buyers: [WANG, { ...WANG, name: '王伍' }] }), ['buyers.1.idNumber:DUPLICATE_PERSON']],
    ['the same seller twice (x and X)', 'TRANSFER_RESALE', (f) => ({ ...f, sellers: [ZHANG, { name: '张叁', idNumber: '11010519491231002x' }] }), ['sellers.1.idNumber:DUPLICATE_PERSON']],
    ['the same consenting mortgagor twice', 'MORTGAGE_CHANGE', (f) => ({ ...f, mortgagors: [LI, LI] }), ['mortgagors.1.idNumber:DUPLICATE_PERSON']],
    ['a seller who is also a buyer', 'TRANSFER_RESALE', (f) => ({ ...f, buyers: [WANG, { ...LI, name: '李肆' }] }), ['buyers.1.idNumber:PARTY_BOTH_SIDES']],
    [
      'a seller who is also a buyer, the check character typed lowercase',
      'TRANSFER_RESALE',
      (f) => ({ ...f, buyers: [{ name: '张三', idNumber: '11010519491231002x' }] }),
      ['buyers.0.idNumber:PARTY_BOTH_SIDES'],
    ],
    ['a bad developer USCC', 'PRESALE_NOTICE', (f) => ({ ...f, seller: { ...DEVELOPER, uscc: '91350100M000100Y44' } }), ['seller.uscc:USCC_CHECK_CHAR']],
    ['a buyer with a bad ID', 'PRESALE_MORTGAGE_NOTICE', (f) => ({ ...f, buyers: [{ name: '王五', idNumber: '110105194912310021' }] }), ['buyers.0.idNumber:ID_CHECK_DIGIT']],
    ['no buyers', 'TRANSFER_NEW', (f) => ({ ...f, buyers: [] }), ['buyers:TOO_FEW']],
    ['eleven sellers', 'TRANSFER_RESALE', (f) => ({ ...f, sellers: Array.from({ length: 11 }, (_, i) => ({ name: '王五', idNumber: id(`3701021990010${String(i).padStart(2, '0')}12`) })) }), ['sellers:TOO_MANY']],
  ])('%s', (_label, type, change, expected) => {
    expect(pathsAndCodes(change(example(type)))).toEqual(expected);
  });

  it('reports a person on both sides together with every other problem of the filing', () => {
    const raw = { ...example('TRANSFER_RESALE'), sellers: [ZHANG, ZHANG], buyers: [{ ...ZHANG, phone: 'bad' }], price: 0, contractNo: '' };
    expect(pathsAndCodes(raw).sort()).toEqual(
      [
        'sellers.1.idNumber:DUPLICATE_PERSON',
        'buyers.0.phone:PHONE_FORMAT',
        'buyers.0.idNumber:PARTY_BOTH_SIDES',
        'price:AMOUNT_NOT_POSITIVE',
        'contractNo:CONTRACT_NO_FORMAT',
      ].sort(),
    );
  });

  it('does not call a mortgagor of another list a party on both sides (only sellers and buyers of TRANSFER_RESALE)', () => {
    expect(validateFilingInput({ ...example('TRANSFER_RESALE'), buyers: [WANG], sellers: [ZHANG] }).ok).toBe(true);
  });
});

describe('material checklists', () => {
  it('every business type has one, MORTGAGE_CREATE’s unchanged', () => {
    expect(Object.keys(MATERIAL_CHECKLISTS).sort()).toEqual([...BUSINESS_TYPES].sort());
    expect(MATERIAL_CHECKLISTS.MORTGAGE_CREATE).toEqual({
      required: ['APPLICATION_FORM', 'IDENTITY_PROOF', 'PROPERTY_CERTIFICATE', 'MORTGAGE_CONTRACT', 'MAIN_DEBT_CONTRACT'],
      optional: ['POWER_OF_ATTORNEY'],
    });
    expect(MATERIAL_CHECKLISTS.FIRST_REGISTRATION?.optional).toEqual([]);
    expect(MATERIAL_CHECKLISTS.TRANSFER_RESALE?.optional).toEqual(['POWER_OF_ATTORNEY', 'AGENCY_CONTRACT']);
  });

  const allTypes = [...new Set(Object.values(MATERIAL_CHECKLISTS).flatMap((c) => [...c.required, ...c.optional]))];

  it.each(BUSINESS_TYPES)('%s accepts exactly the material types of its checklist', (type) => {
    const checklist = MATERIAL_CHECKLISTS[type];
    const own = new Set([...(checklist?.required ?? []), ...(checklist?.optional ?? [])]);
    // Every type on its checklist at once is a valid filing.
    expect(validateFilingInput({ ...example(type), materials: [...own].map(material) }).ok).toBe(true);
    // Every other known type, each on its own, is refused.
    const others = allTypes.filter((t) => !own.has(t));
    expect(others.length).toBeGreaterThan(0);
    for (const other of others) {
      expect(pathsAndCodes({ ...example(type), materials: [material(other)] })).toEqual(['materials.0.type:MATERIAL_TYPE_UNKNOWN']);
    }
  });
});

describe('strictness and required fields', () => {
  it.each(BUSINESS_TYPES)('%s: every field of the example is required', (type) => {
    for (const key of Object.keys(example(type))) {
      const { [key]: _dropped, ...rest } = example(type);
      const expected = key === 'businessType' ? 'businessType:REQUIRED' : `${key}:REQUIRED`;
      expect(pathsAndCodes(rest), key).toEqual([expected]);
    }
  });

  it.each(BUSINESS_TYPES)('%s: an unknown top-level field is refused', (type) => {
    expect(pathsAndCodes({ ...example(type), comment: 'hi' })).toEqual(['comment:UNKNOWN_FIELD']);
  });

  it.each<[BusinessType, string, string]>([
    ['MORTGAGE_CHANGE', 'amount', 'amount:UNKNOWN_FIELD'],
    ['MORTGAGE_CHANGE', 'termStart', 'termStart:UNKNOWN_FIELD'],
    ['MORTGAGE_DISCHARGE', 'mortgagors', 'mortgagors:UNKNOWN_FIELD'],
    ['PRESALE_MORTGAGE_NOTICE', 'mortgagors', 'mortgagors:UNKNOWN_FIELD'],
    ['FIRST_REGISTRATION', 'buyers', 'buyers:UNKNOWN_FIELD'],
    ['PRESALE_NOTICE', 'sellers', 'sellers:UNKNOWN_FIELD'],
    ['TRANSFER_NEW', 'seller', 'seller:UNKNOWN_FIELD'],
    ['TRANSFER_RESALE', 'seller', 'seller:UNKNOWN_FIELD'],
    ['TRANSFER_RESALE', 'priceFen', 'priceFen:UNKNOWN_FIELD'],
  ])('%s refuses the field %s of another business type (or of the output)', (type, field, expected) => {
    expect(pathsAndCodes({ ...example(type), [field]: example('MORTGAGE_CREATE').mortgagors })).toEqual([expected]);
  });

  it.each<[string, BusinessType, (f: Raw) => Raw, string]>([
    ['a person', 'TRANSFER_NEW', (f) => ({ ...f, buyers: [{ ...WANG, address: 'x' }] }), 'buyers.0.address:UNKNOWN_FIELD'],
    ['an organisation', 'PRESALE_NOTICE', (f) => ({ ...f, seller: { ...DEVELOPER, address: 'x' } }), 'seller.address:UNKNOWN_FIELD'],
    ['a change', 'MORTGAGE_CHANGE', (f) => ({ ...f, change: { amount: 1, amountFen: '1' } }), 'change.amountFen:UNKNOWN_FIELD'],
    ['a material', 'FIRST_REGISTRATION', (f) => ({ ...f, materials: [{ ...material('SURVEY_REPORT'), size: 1 }] }), 'materials.0.size:UNKNOWN_FIELD'],
  ])('%s is strict', (_label, type, change, expected) => {
    expect(pathsAndCodes(change(example(type)))).toEqual([expected]);
  });

  it.each(BUSINESS_TYPES)('%s: a filing of another business type is not mistaken for one of this type', (type) => {
    const other = BUSINESS_TYPES.find((t) => t !== type) ?? type;
    expect(validateFilingInput({ ...example(other), businessType: type }).ok).toBe(false);
  });
});

describe('every code the new business types produce is in the published catalogue', () => {
  it('samples of broken filings of every type', () => {
    const catalogue = Object.keys(FILING_ERROR_CODES);
    for (const type of BUSINESS_TYPES) {
      const broken: Raw[] = [
        { businessType: type },
        Object.fromEntries(Object.keys(example(type)).map((k) => [k, k === 'businessType' ? type : ''])),
        Object.fromEntries(Object.keys(example(type)).map((k) => [k, k === 'businessType' ? type : { x: 1 }])),
        Object.fromEntries(Object.keys(example(type)).map((k) => [k, k === 'businessType' ? type : [{ name: '', idNumber: '1', uscc: '1' }]])),
      ];
      for (const raw of broken) {
        for (const error of errorsOf(raw)) expect(catalogue, `${type} ${error.path}`).toContain(error.code);
      }
    }
    for (const code of ['MORTGAGE_ID_FORMAT', 'CHANGE_EMPTY', 'PROJECT_ID_FORMAT', 'RECORD_NO_FORMAT', 'CONTRACT_NO_FORMAT', 'PARTY_BOTH_SIDES']) {
      expect(catalogue).toContain(code);
    }
  });
});

describe('the submitBatch documentation', () => {
  it('accepts a valid filing of every business type and refuses an unknown one', () => {
    const filings = BUSINESS_TYPES.map(example);
    expect(submitBatchRequestDocSchema.safeParse({ filings }).success).toBe(true);
    expect(submitBatchRequestDocSchema.safeParse({ filings: [{ ...example('TRANSFER_NEW'), businessType: 'GIFT' }] }).success).toBe(false);
  });

  it('names every business type, its checklist and the codes of its own fields', () => {
    const { description } = api.submitBatch;
    for (const type of BUSINESS_TYPES) expect(description).toContain(`\`${type}\` (`);
    for (const code of ['MORTGAGE_ID_FORMAT', 'CHANGE_EMPTY', 'PARTY_BOTH_SIDES', 'DISCHARGE_PROOF', 'SURVEY_REPORT']) expect(description).toContain(`\`${code}\``);
  });
});

// ---------------------------------------------------------------------------------------------------
// The filing view of every business type

describe('filing view (GET /v1/filings/{id})', () => {
  const masked = { name: '王*', idType: 'RESIDENT_ID', idNumber: '3701**********1234' };
  const common = {
    filingId: 'F1',
    clientRef: 'R1',
    batchId: 'B1',
    unitCode: UNIT,
    status: 'SUBMITTED',
    createdAt: '2024-05-01T08:00:00.000Z',
    updatedAt: '2024-05-01T08:00:00.000Z',
    materials: [material('APPLICATION_FORM')],
    history: [{ at: '2024-05-01T08:00:00.000Z', status: 'SUBMITTED', by: 'channel:CH1' }],
  };
  const mortgageTerms = { mortgageType: 'GENERAL', amountFen: '120000000', termStart: '2024-01-01', termEnd: '2044-01-01' };
  const views: Record<BusinessType, Raw> = {
    MORTGAGE_CREATE: {
      parties: { mortgagors: [masked], mortgagee: BANK },
      terms: mortgageTerms,
      mortgage: mortgageTerms,
      mortgagors: [masked],
      mortgagee: BANK,
    },
    MORTGAGE_CHANGE: { parties: { mortgagors: [masked] }, terms: { mortgageId: 'M2024000123', change: { termEnd: '2040-06-30' } } },
    MORTGAGE_DISCHARGE: { parties: {}, terms: { mortgageId: 'M2024000123', reason: 'COURT_ORDER' } },
    PRESALE_MORTGAGE_NOTICE: { parties: { buyers: [masked], mortgagee: BANK }, terms: mortgageTerms },
    FIRST_REGISTRATION: { parties: {}, terms: { projectId: 'JN-2021-007', completionRecordNo: 'R-1' } },
    PRESALE_NOTICE: { parties: { buyers: [masked], seller: DEVELOPER }, terms: { contractNo: 'YS1', priceFen: '350000001' } },
    TRANSFER_NEW: { parties: { buyers: [masked] }, terms: { contractNo: 'XF1', priceFen: '1' } },
    TRANSFER_RESALE: { parties: { sellers: [masked], buyers: [masked] }, terms: { contractNo: 'CL1', priceFen: '1' } },
  };
  const view = (type: BusinessType): Raw => ({ ...common, businessType: type, ...views[type] });

  it.each(BUSINESS_TYPES)('%s: parties and terms of its type are described', (type) => {
    expect(filingViewSchema.parse(view(type))).toEqual(view(type));
  });

  it.each<[string, BusinessType, Raw]>([
    ['terms of another type', 'TRANSFER_NEW', { terms: { mortgageId: 'M2024000123', reason: 'REPAID' } }],
    ['a missing party', 'TRANSFER_RESALE', { parties: { buyers: [masked] } }],
    ['a party of another type', 'MORTGAGE_DISCHARGE', { parties: { buyers: [masked] } }],
    ['a fractional price', 'PRESALE_NOTICE', { terms: { contractNo: 'YS1', priceFen: '1.5' } }],
    ['deprecated MORTGAGE_CREATE fields on another type', 'PRESALE_MORTGAGE_NOTICE', { mortgage: mortgageTerms }],
    ['deprecated fields missing on MORTGAGE_CREATE', 'MORTGAGE_CREATE', { mortgagors: undefined }],
  ])('refuses %s', (_label, type, change) => {
    expect(filingViewSchema.safeParse({ ...view(type), ...change }).success).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------------
// Properties

const CJK = [...'张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红'];
const nameArb = fc.string({ unit: fc.constantFrom(...CJK), minLength: 2, maxLength: 6 });
const idArb = fc.oneof(
  fc.stringMatching(/^\d{17}[\dX]$/),
  fc.stringMatching(/^\d{6}(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|1\d|2[0-8])\d{3}$/).map((s) => s + residentIdCheckChar(s)),
);
const phoneArb = fc.stringMatching(/^1\d{10}$/);
const PERSON_LISTS = ['mortgagors', 'buyers', 'sellers'] as const;

describe('properties of every business type', () => {
  it('property: error messages and paths never contain the submitted name, ID number or phone', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...BUSINESS_TYPES),
        nameArb,
        idArb,
        phoneArb,
        fc.nat(2),
        fc.boolean(),
        (type, name, idNumber, phone, which, asKey) => {
          // Prepare: the same person in every list the type has (on both sides of a resale, twice in a
          // list), and the personal data misplaced into each of the type's other fields.
          const raw = example(type);
          const misplaced = [name, idNumber, phone][which];
          for (const key of Object.keys(raw)) {
            if ((PERSON_LISTS as readonly string[]).includes(key)) {
              raw[key] = [{ name, idNumber, phone }, { name: phone, idNumber, phone: idNumber }];
            } else if (key !== 'businessType') {
              raw[key] = key === 'change' ? { amount: misplaced, termEnd: misplaced } : misplaced;
            }
          }
          if (asKey) {
            raw[idNumber] = name;
            raw[name] = phone;
          }
          // Act
          const result = validateFilingInput(raw);
          // Assess
          expect(result.ok).toBe(false);
          if (result.ok) return;
          const text = result.errors.map((e) => `${e.path} ${e.message}`).join('\n');
          for (const secret of [name, idNumber, phone]) expect(text).not.toContain(secret);
        },
      ),
    );
  });

  it('property: a person on both sides of a resale is always reported, and only by field and code', () => {
    fc.assert(
      fc.property(nameArb, nameArb, fc.stringMatching(/^\d{6}(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|1\d|2[0-8])\d{3}$/), (seller, buyer, first17) => {
        const idNumber = id(first17);
        const raw = { ...example('TRANSFER_RESALE'), sellers: [{ name: seller, idNumber }], buyers: [WANG, { name: buyer, idNumber: idNumber.toLowerCase() }] };
        const errors = errorsOf(raw);
        expect(errors.map((e) => `${e.path}:${e.code}`)).toContain('buyers.1.idNumber:PARTY_BOTH_SIDES');
        const text = errors.map((e) => `${e.path} ${e.message}`).join('\n');
        for (const secret of [seller, buyer, idNumber]) expect(text).not.toContain(secret);
      }),
    );
  });

  it('property: never throws on arbitrary JSON spliced into a valid filing of any type', () => {
    fc.assert(
      fc.property(fc.constantFrom(...NEW_TYPES), fc.jsonValue(), fc.jsonValue(), fc.nat(20), (type, value, nested, at) => {
        const raw = example(type);
        const keys = [...Object.keys(raw), 'extra'];
        const key = keys[at % keys.length] ?? 'extra';
        raw[key] = value;
        for (const list of PERSON_LISTS) if (list in raw) raw[list] = [{ name: '张三', idNumber: nested }];
        if ('change' in raw && key !== 'change') raw.change = { amount: nested };
        const result = validateFilingInput(JSON.parse(JSON.stringify(raw)));
        expect(typeof result.ok).toBe('boolean');
        if (!result.ok) expect(result.errors.length).toBeGreaterThan(0);
      }),
    );
  });
});
