import fc from 'fast-check';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { residentIdCheckChar } from '../../../schemas/identifiers';
import {
  FILING_ERROR_CODES,
  fieldErrorsFromIssues,
  filingInputSchemas,
  MAX_FIELD_ERRORS,
  validateFilingInput,
  type FilingInput,
} from '../../../schemas/v1/filing-input';
import type { MortgageCreateFilingInput } from '../../../schemas/v1/filings/mortgage-create';
import { BUSINESS_TYPES } from '../../../functions/core/domain/business-types';
import type { FieldError } from '../../../functions/core/domain/errors';

const validFiling = (): MortgageCreateFilingInput => ({
  clientRef: 'ICBC-JN-2024-000001',
  businessType: 'MORTGAGE_CREATE',
  unitCode: '370102001001GB00001F00010001',
  mortgagors: [
    { name: '张三', idType: 'RESIDENT_ID', idNumber: '11010519491231002X', phone: '13812345678' },
    { name: '李四', idNumber: '370102199001011231' },
  ],
  mortgagee: { name: '中国工商银行股份有限公司济南分行', uscc: '91350100M000100Y43' },
  mortgageType: 'GENERAL',
  amount: '1200000.00',
  termStart: '2024-01-01',
  termEnd: '2044-01-01',
  materials: [{ type: 'APPLICATION_FORM', ref: 'materials/2024/0001.pdf', sm3: 'a1'.repeat(32) }],
});

function errorsOf(raw: unknown): FieldError[] {
  const result = validateFilingInput(raw);
  if (result.ok) throw new Error('expected the filing to be invalid');
  return result.errors;
}

const pathsAndCodes = (raw: unknown) => errorsOf(raw).map((e) => `${e.path}:${e.code}`);

describe('validateFilingInput: a valid MORTGAGE_CREATE filing', () => {
  it('passes and comes out normalised: amount in fen, idType defaulted, x upper-cased, names trimmed', () => {
    // Prepare
    const raw = validFiling();
    raw.mortgagors[0] = { name: ' 张三 ', idNumber: '11010519491231002x' };
    // Act
    const result = validateFilingInput(raw);
    // Assess
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const value: FilingInput = result.value;
    if (value.businessType !== 'MORTGAGE_CREATE') throw new Error('expected a MORTGAGE_CREATE filing');
    expect(value.amountFen).toBe('120000000');
    expect(value).not.toHaveProperty('amount');
    expect(value.mortgagors[0]).toEqual({ name: '张三', idType: 'RESIDENT_ID', idNumber: '11010519491231002X' });
    expect(value.mortgagors[1]?.idType).toBe('RESIDENT_ID');
  });

  it('accepts an amount in integer fen and no materials (missing materials are for intake to ask)', () => {
    const result = validateFilingInput({ ...validFiling(), amount: 150, materials: [] });
    expect(result.ok && result.value.businessType === 'MORTGAGE_CREATE' && result.value.amountFen).toBe('150');
  });

  it('does not change the caller’s object', () => {
    const raw = validFiling();
    const copy = structuredClone(raw);
    validateFilingInput(raw);
    expect(raw).toEqual(copy);
  });
});

describe('validateFilingInput: the filing’s own codes', () => {
  it.each<[string, (f: MortgageCreateFilingInput) => unknown, string[]]>([
    ['a bad clientRef', (f) => ({ ...f, clientRef: 'has space' }), ['clientRef:CLIENT_REF_FORMAT']],
    ['a bad unit code', (f) => ({ ...f, unitCode: '3701' }), ['unitCode:UNIT_CODE_FORMAT']],
    ['a bad ID check digit', (f) => ({ ...f, mortgagors: [{ name: '张三', idNumber: '110105194912310021' }] }), ['mortgagors.0.idNumber:ID_CHECK_DIGIT']],
    ['a bad phone', (f) => ({ ...f, mortgagors: [{ name: '张三', idNumber: '11010519491231002X', phone: '123' }] }), ['mortgagors.0.phone:PHONE_FORMAT']],
    ['an empty name', (f) => ({ ...f, mortgagors: [{ name: ' ', idNumber: '11010519491231002X' }] }), ['mortgagors.0.name:NAME_FORMAT']],
    ['a bad USCC', (f) => ({ ...f, mortgagee: { name: '银行', uscc: '91350100M000100Y44' } }), ['mortgagee.uscc:USCC_CHECK_CHAR']],
    ['a fractional number amount', (f) => ({ ...f, amount: 1.5 }), ['amount:AMOUNT_FORMAT']],
    ['a zero amount', (f) => ({ ...f, amount: '0.00' }), ['amount:AMOUNT_NOT_POSITIVE']],
    ['an unreal date', (f) => ({ ...f, termStart: '2023-02-29' }), ['termStart:DATE_FORMAT']],
    ['an end before the start', (f) => ({ ...f, termEnd: '2023-12-31' }), ['termEnd:TERM_ORDER']],
    ['an end equal to the start', (f) => ({ ...f, termEnd: f.termStart }), ['termEnd:TERM_ORDER']],
    [
      'a material type outside the checklist',
      (f) => ({ ...f, materials: [{ type: 'SELFIE', ref: 'x', sm3: 'a1'.repeat(32) }] }),
      ['materials.0.type:MATERIAL_TYPE_UNKNOWN'],
    ],
    ['an uppercase SM3', (f) => ({ ...f, materials: [{ type: 'APPLICATION_FORM', ref: 'x', sm3: 'A1'.repeat(32) }] }), ['materials.0.sm3:MATERIAL_SM3_FORMAT']],
    [
      'the same person twice (x and X)',
      (f) => ({ ...f, mortgagors: [{ name: '张三', idNumber: '11010519491231002X' }, { name: '张叁', idNumber: '11010519491231002x' }] }),
      ['mortgagors.1.idNumber:DUPLICATE_PERSON'],
    ],
  ])('%s', (_label, change, expected) => {
    expect(pathsAndCodes(change(validFiling()))).toEqual(expected);
  });

  it('reports every problem at once, the duplicate check included, when other fields also fail', () => {
    const raw = {
      ...validFiling(),
      mortgagors: [
        { name: '张三', idNumber: '11010519491231002X', phone: 'bad' },
        { name: '张叁', idNumber: '11010519491231002X' },
      ],
      termEnd: '2000-01-01',
      amount: 0,
    };
    expect(pathsAndCodes(raw).sort()).toEqual(
      ['amount:AMOUNT_NOT_POSITIVE', 'mortgagors.0.phone:PHONE_FORMAT', 'mortgagors.1.idNumber:DUPLICATE_PERSON', 'termEnd:TERM_ORDER'].sort(),
    );
  });
});

describe('validateFilingInput: generic zod issues get stable codes', () => {
  it.each<[string, (f: MortgageCreateFilingInput) => unknown, string[]]>([
    ['a missing field', ({ unitCode: _u, ...f }) => f, ['unitCode:REQUIRED']],
    ['a missing amount (union)', ({ amount: _a, ...f }) => f, ['amount:REQUIRED']],
    ['a null field', (f) => ({ ...f, unitCode: null }), ['unitCode:INVALID_TYPE']],
    ['a number for a string', (f) => ({ ...f, clientRef: 12 }), ['clientRef:INVALID_TYPE']],
    ['a boolean amount', (f) => ({ ...f, amount: true }), ['amount:INVALID_TYPE']],
    ['an unknown mortgage type', (f) => ({ ...f, mortgageType: 'SPECIAL' }), ['mortgageType:INVALID_VALUE']],
    ['an unknown idType', (f) => ({ ...f, mortgagors: [{ name: '张三', idType: 'PASSPORT', idNumber: '11010519491231002X' }] }), ['mortgagors.0.idType:INVALID_VALUE']],
    ['an unknown top-level field', (f) => ({ ...f, comment: 'hi' }), ['comment:UNKNOWN_FIELD']],
    ['an unknown nested field', (f) => ({ ...f, mortgagee: { ...f.mortgagee, address: 'x' } }), ['mortgagee.address:UNKNOWN_FIELD']],
    ['no mortgagors', (f) => ({ ...f, mortgagors: [] }), ['mortgagors:TOO_FEW']],
    [
      'eleven mortgagors',
      (f) => ({ ...f, mortgagors: Array.from({ length: 11 }, (_, i) => withId(`3701021990010${String(i).padStart(2, '0')}12`)) }),
      ['mortgagors:TOO_MANY'],
    ],
    ['51 materials', (f) => ({ ...f, materials: Array.from({ length: 51 }, () => f.materials[0]) }), ['materials:TOO_MANY']],
    ['materials not an array', (f) => ({ ...f, materials: {} }), ['materials:INVALID_TYPE']],
  ])('%s', (_label, change, expected) => {
    expect(pathsAndCodes(change(validFiling()))).toEqual(expected);
  });

  it('does not name an unknown key that could itself be personal data', () => {
    const errors = errorsOf({ ...validFiling(), '11010519491231002X': 1, 张三: 2 });
    expect(errors).toEqual([
      { path: '', code: 'UNKNOWN_FIELD', message: expect.any(String) },
      { path: '', code: 'UNKNOWN_FIELD', message: expect.any(String) },
    ]);
  });

  it('maps too long and too short strings, and passes custom codes through', () => {
    const schema = z.strictObject({
      a: z.string().max(3),
      b: z.string().min(2),
      c: z.string().refine(() => false, { params: { code: 'OUR_CODE' }, message: 'Ours.' }),
    });
    const result = schema.safeParse({ a: 'abcd', b: 'x', c: '' });
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(fieldErrorsFromIssues(result.error.issues)).toEqual([
      { path: 'a', code: 'TOO_LONG', message: 'At most 3 characters.' },
      { path: 'b', code: 'TOO_SHORT', message: 'At least 2 characters.' },
      { path: 'c', code: 'OUR_CODE', message: 'Ours.' },
    ]);
  });
});

function withId(first17: string) {
  return { name: '王五', idNumber: first17 + residentIdCheckChar(first17) };
}

describe('validateFilingInput: business type and shape', () => {
  it.each([[null], [[]], [42], ['filing'], [true]])('refuses a filing that is not an object (%j) at the root', (raw) => {
    expect(pathsAndCodes(raw)).toEqual([':INVALID_TYPE']);
  });

  it.each([
    ['missing', undefined, 'REQUIRED'],
    ['not a string', 7, 'INVALID_TYPE'],
    ['unknown', 'MORTGAGE_PARTY', 'UNSUPPORTED_BUSINESS_TYPE'],
    ['an inherited property name', 'constructor', 'UNSUPPORTED_BUSINESS_TYPE'],
  ])('businessType %s → %s', (_label, businessType, code) => {
    expect(pathsAndCodes({ ...validFiling(), businessType })).toEqual([`businessType:${code}`]);
  });

  it('has a schema for every business type', () => {
    expect(Object.keys(filingInputSchemas).sort()).toEqual([...BUSINESS_TYPES].sort());
  });

  it('bounds the number of errors of one filing', () => {
    const raw = { ...validFiling(), materials: Array.from({ length: 50 }, () => ({ type: 'X', ref: '', sm3: '' })) };
    expect(errorsOf(raw)).toHaveLength(MAX_FIELD_ERRORS);
  });

  it('every code it produces is in the published catalogue', () => {
    const samples: unknown[] = [
      null,
      {},
      { ...validFiling(), businessType: 'X' },
      { ...validFiling(), amount: 1.5, termEnd: '2000-01-01', extra: 1, mortgagors: [] },
      { ...validFiling(), clientRef: '', unitCode: 1, mortgageType: 'Y', materials: [{ type: 'Z', ref: '\n', sm3: 'q' }] },
      { ...validFiling(), mortgagors: [{ name: '', idNumber: '110105194912310021', phone: '1' }, { name: 'a', idNumber: '110105194913310021' }] },
    ];
    for (const raw of samples) {
      for (const error of errorsOf(raw)) expect(Object.keys(FILING_ERROR_CODES)).toContain(error.code);
    }
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
const fieldArb = fc.constantFrom('clientRef', 'unitCode', 'mortgageType', 'amount', 'termStart', 'termEnd', 'businessType');

describe('validateFilingInput properties', () => {
  it('property: error messages and paths never contain the submitted name, ID number or phone', () => {
    fc.assert(
      fc.property(nameArb, idArb, phoneArb, fieldArb, fc.nat(2), fc.boolean(), (name, idNumber, phone, misplacedIn, which, asKey) => {
        // Prepare: the personal data where it belongs, and misplaced into another field or used as a key.
        const raw: Record<string, unknown> = {
          ...validFiling(),
          mortgagors: [{ name, idNumber, phone }, { name: phone, idNumber: name, phone: idNumber }],
          mortgagee: { name, uscc: idNumber },
          [misplacedIn]: [name, idNumber, phone][which],
        };
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
      }),
    );
  });

  it('property: never throws on arbitrary JSON, and answers a typed result', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (raw) => {
        const result = validateFilingInput(raw);
        expect(typeof result.ok).toBe('boolean');
        if (!result.ok) expect(result.errors.length).toBeGreaterThan(0);
      }),
    );
  });

  it('property: never throws on arbitrary JSON spliced into a valid filing', () => {
    const keys = Object.keys(validFiling());
    fc.assert(
      fc.property(fc.constantFrom(...keys, 'extra'), fc.jsonValue(), fc.jsonValue(), (key, value, nested) => {
        const raw = { ...validFiling(), [key]: value, mortgagors: [{ name: '张三', idNumber: nested }] };
        const result = validateFilingInput(JSON.parse(JSON.stringify(raw)));
        expect(result.ok).toBe(false);
      }),
    );
  });

  it('does not throw on a very deeply nested value or a huge array', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i++) deep = { mortgagee: deep };
    expect(() => validateFilingInput({ ...validFiling(), mortgagee: deep })).not.toThrow();
    const huge = { ...validFiling(), mortgagors: Array.from({ length: 100_000 }, () => ({ name: 'x', idNumber: 'y' })) };
    expect(errorsOf(huge).length).toBeLessThanOrEqual(MAX_FIELD_ERRORS);
  });
});
