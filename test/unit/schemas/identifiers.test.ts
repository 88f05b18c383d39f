import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  carriesPersonalIdentifier,
  clientRefSchema,
  dateProblem,
  dateSchema,
  districtOf,
  isValidResidentId,
  isValidUscc,
  isValidUnitCode,
  materialItemSchema,
  moneySchema,
  nameProblem,
  personNameSchema,
  phoneSchema,
  residentIdCheckChar,
  residentIdProblem,
  residentIdSchema,
  toFen,
  todayInChina,
  unitCodeSchema,
  usccCheckChar,
  usccProblem,
  usccSchema,
} from '../../../schemas/identifiers';
import type { z } from 'zod';

/** The codes carried by a failed parse (`params.code` of our custom issues). */
function codesOf(schema: z.ZodType, input: unknown): string[] {
  const result = schema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((i) => (i.code === 'custom' && typeof i.params?.code === 'string' ? i.params.code : i.code));
}

const NOW = new Date('2025-06-01T00:00:00Z');
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const ymd = (d: Date) => `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)}`;

/** Valid resident IDs: random region, a real birth date between 1900 and NOW, random sequence, computed check char. */
const residentIdArb = fc
  .tuple(
    fc.stringMatching(/^\d{6}$/),
    fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2025-05-31T00:00:00Z'), noInvalidDate: true }),
    fc.stringMatching(/^\d{3}$/),
  )
  .map(([region, birth, seq]) => {
    const first17 = `${region}${ymd(birth)}${seq}`;
    return first17 + residentIdCheckChar(first17);
  });

const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const usccArb = fc
  .array(fc.constantFrom(...USCC_CHARSET), { minLength: 17, maxLength: 17 })
  .map((chars) => chars.join(''))
  .map((first17) => first17 + usccCheckChar(first17));

describe('resident ID number (GB 11643-1999)', () => {
  it('accepts the standard example and computes its check character', () => {
    expect(residentIdCheckChar('11010519491231002')).toBe('X');
    expect(isValidResidentId('11010519491231002X', NOW)).toBe(true);
  });

  it('accepts a lowercase x and normalises it to X', () => {
    const parsed = residentIdSchema.safeParse('11010519491231002x');
    expect(parsed.success && parsed.data).toBe('11010519491231002X');
  });

  it.each([
    ['17 digits only', '11010519491231002', 'ID_FORMAT'],
    ['a letter inside', '1101051949123100AX', 'ID_FORMAT'],
    ['19 characters', '11010519491231002X1', 'ID_FORMAT'],
    ['a full-width digit', '11010519491231002１', 'ID_FORMAT'],
    ['30 February', '110105190002300011', 'ID_BIRTH_DATE'],
    ['born before 1900', '110105189912310011', 'ID_BIRTH_DATE'],
    ['month 13', '110105199013010011', 'ID_BIRTH_DATE'],
    ['wrong check character', '110105194912310021', 'ID_CHECK_DIGIT'],
  ])('refuses %s with %s', (_label, id, code) => {
    const first17 = id.slice(0, 17);
    // Make sure the cases that are about something else have a correct check character.
    const candidate = code === 'ID_BIRTH_DATE' && /^\d{17}$/.test(first17) ? first17 + residentIdCheckChar(first17) : id;
    expect(residentIdProblem(candidate, NOW)?.code).toBe(code);
  });

  it('refuses a birth date after today in China time, accepts today', () => {
    const today = todayInChina(NOW).replaceAll('-', '');
    const tomorrow = ymd(new Date(NOW.getTime() + 86_400_000 + 8 * 3_600_000));
    const withCheck = (s: string) => s + residentIdCheckChar(s);
    expect(residentIdProblem(withCheck(`110105${today}001`), NOW)).toBeUndefined();
    expect(residentIdProblem(withCheck(`110105${tomorrow}001`), NOW)?.code).toBe('ID_BIRTH_DATE');
  });

  it('uses the Beijing date: 23:00 UTC is already the next day in China', () => {
    expect(todayInChina(new Date('2025-01-01T16:30:00Z'))).toBe('2025-01-02');
    expect(todayInChina(new Date('2025-01-01T15:59:59Z'))).toBe('2025-01-01');
  });

  it('carries its code in the zod issue', () => {
    expect(codesOf(residentIdSchema, '110105194912310021')).toEqual(['ID_CHECK_DIGIT']);
    expect(codesOf(residentIdSchema, 12345)).toEqual(['invalid_type']);
  });

  it('property: every generated valid ID passes', () => {
    fc.assert(fc.property(residentIdArb, (id) => isValidResidentId(id, NOW)));
  });

  it('property: changing any one of the first 17 digits (keeping the check char) fails', () => {
    fc.assert(
      fc.property(residentIdArb, fc.nat(16), fc.integer({ min: 1, max: 9 }), (id, pos, delta) => {
        const digit = (Number(id[pos]) + delta) % 10;
        const mutated = id.slice(0, pos) + String(digit) + id.slice(pos + 1);
        const found = residentIdProblem(mutated, NOW);
        expect(found).toBeDefined();
        // When the change leaves a valid birth date, it is the check character that catches it.
        if (pos < 6 || pos >= 14) expect(found?.code).toBe('ID_CHECK_DIGIT');
      }),
    );
  });

  it('residentIdCheckChar refuses anything but 17 digits, without echoing it', () => {
    expect(() => residentIdCheckChar('1234')).toThrow(/expects exactly 17 digits/);
    expect(() => residentIdCheckChar('1234')).not.toThrow(/1234/);
  });
});

describe('unified social credit code (GB 32100-2015)', () => {
  it('accepts a known valid code and computes its check character', () => {
    expect(usccCheckChar('91350100M000100Y4')).toBe('3');
    expect(isValidUscc('91350100M000100Y43')).toBe(true);
  });

  it.each([
    ['lowercase', '91350100m000100Y43', 'USCC_FORMAT'],
    ['the letter I', '91350100I000100Y43', 'USCC_FORMAT'],
    ['the letter O', '91350100O000100Y43', 'USCC_FORMAT'],
    ['17 characters', '91350100M000100Y4', 'USCC_FORMAT'],
    ['wrong check character', '91350100M000100Y44', 'USCC_CHECK_CHAR'],
  ])('refuses %s with %s', (_label, value, code) => {
    expect(usccProblem(value)?.code).toBe(code);
    expect(codesOf(usccSchema, value)).toEqual([code]);
  });

  it('property: every generated code with its computed check character passes', () => {
    fc.assert(fc.property(usccArb, (code) => isValidUscc(code)));
  });

  it('property: changing any one of the first 17 characters (keeping the check char) fails', () => {
    fc.assert(
      fc.property(usccArb, fc.nat(16), fc.integer({ min: 1, max: 30 }), (code, pos, delta) => {
        const replacement = USCC_CHARSET.charAt((USCC_CHARSET.indexOf(code.charAt(pos)) + delta) % 31);
        const mutated = code.slice(0, pos) + replacement + code.slice(pos + 1);
        expect(usccProblem(mutated)?.code).toBe('USCC_CHECK_CHAR');
      }),
    );
  });
});

describe('property unit code (GB/T 37346)', () => {
  const valid = '370102001001GB00001F00010001';

  it('accepts a 28-character unit code and gives its district', () => {
    expect(valid).toHaveLength(28);
    expect(isValidUnitCode(valid)).toBe(true);
    expect(districtOf(valid)).toBe('370102');
  });

  it.each([
    ['27 characters', valid.slice(0, 27)],
    ['a parcel feature outside G/J/Z', '370102001001AB00001F00010001'],
    ['a lowercase parcel feature', '370102001001gb00001F00010001'],
    ['a fixture feature outside F/L/Q/W', '370102001001GB00001X00010001'],
    ['a letter in the district', '37A102001001GB00001F00010001'],
  ])('refuses %s with UNIT_CODE_FORMAT', (_label, value) => {
    expect(codesOf(unitCodeSchema, value)).toEqual(['UNIT_CODE_FORMAT']);
  });

  it('districtOf refuses an invalid unit code', () => {
    expect(() => districtOf('370102')).toThrow(/valid 28-character unit code/);
  });
});

describe('money', () => {
  it.each([
    ['0.1', '10'],
    ['1200000.00', '120000000'],
    ['1200000', '120000000'],
    ['0.01', '1'],
    ['007.5', '750'],
    ['9999999999999.99', '999999999999999'],
    [150, '150'],
    [Number.MAX_SAFE_INTEGER, '9007199254740991'],
  ])('converts %j to %s fen', (input, fen) => {
    const parsed = moneySchema.safeParse(input);
    expect(parsed.success && parsed.data).toBe(fen);
  });

  it.each([
    [1.5, 'AMOUNT_FORMAT'],
    [2 ** 53, 'AMOUNT_FORMAT'],
    ['1.234', 'AMOUNT_FORMAT'],
    ['1.', 'AMOUNT_FORMAT'],
    ['.5', 'AMOUNT_FORMAT'],
    ['-1', 'AMOUNT_FORMAT'],
    ['1e3', 'AMOUNT_FORMAT'],
    ['1,000', 'AMOUNT_FORMAT'],
    [' 1', 'AMOUNT_FORMAT'],
    ['12345678901234', 'AMOUNT_FORMAT'],
    [0, 'AMOUNT_NOT_POSITIVE'],
    [-100, 'AMOUNT_NOT_POSITIVE'],
    ['0', 'AMOUNT_NOT_POSITIVE'],
    ['0.00', 'AMOUNT_NOT_POSITIVE'],
  ])('refuses %j with %s', (input, code) => {
    expect(codesOf(moneySchema, input)).toEqual([code]);
  });

  it('refuses other JSON types as a type error', () => {
    expect(codesOf(moneySchema, true)).toEqual(['invalid_union']);
    expect(codesOf(moneySchema, null)).toEqual(['invalid_union']);
  });

  it('property: yuan strings convert to exactly yuan × 100 fen (BigInt arithmetic)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{1,13}$/), fc.option(fc.stringMatching(/^\d{1,2}$/), { nil: undefined }), (yuan, decimals) => {
        const input = decimals === undefined ? yuan : `${yuan}.${decimals}`;
        const expected = BigInt(yuan) * 100n + BigInt((decimals ?? '').padEnd(2, '0'));
        const result = toFen(input);
        if (expected === 0n) {
          expect(result.ok === false && result.problem.code).toBe('AMOUNT_NOT_POSITIVE');
        } else {
          expect(result.ok && BigInt(result.fen)).toBe(expected);
          expect(result.ok && result.fen).toBe(expected.toString());
        }
      }),
    );
  });

  it('property: non-integer numbers are refused with AMOUNT_FORMAT', () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n)),
        (n) => {
          expect(codesOf(moneySchema, n)).toEqual(['AMOUNT_FORMAT']);
        },
      ),
    );
  });

  it('property: positive safe integers are fen as they are', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (n) => {
        expect(moneySchema.parse(n)).toBe(String(n));
      }));
  });
});

describe('phone, clientRef, date, names, materials', () => {
  it('phone: mainland mobile numbers only', () => {
    expect(phoneSchema.safeParse('13812345678').success).toBe(true);
    for (const bad of ['12812345678', '1381234567', '138123456789', '+8613812345678', '']) {
      expect(codesOf(phoneSchema, bad)).toEqual(['PHONE_FORMAT']);
    }
  });

  it('clientRef: 1-64 characters of a safe set', () => {
    expect(clientRefSchema.safeParse('BANK-2024:0001_a.b').success).toBe(true);
    expect(clientRefSchema.safeParse('x'.repeat(64)).success).toBe(true);
    for (const bad of ['', 'x'.repeat(65), 'has space', '编号1', 'a/b']) expect(codesOf(clientRefSchema, bad)).toEqual(['CLIENT_REF_FORMAT']);
  });

  it('date: a real YYYY-MM-DD date', () => {
    for (const good of ['2024-02-29', '2000-02-29', '2025-12-31']) expect(dateProblem(good)).toBeUndefined();
    for (const bad of ['2023-02-29', '1900-02-29', '2024-04-31', '2024-13-01', '2024-00-10', '2024-1-01', '20240101', '2024-01-01T00:00:00Z']) {
      expect(codesOf(dateSchema, bad)).toEqual(['DATE_FORMAT']);
    }
  });

  it('person name: trimmed, 1-50 code points, no control characters', () => {
    expect(personNameSchema.parse('  张三 ')).toBe('张三');
    expect(personNameSchema.parse('买买提·艾力')).toBe('买买提·艾力');
    // 50 characters outside the BMP are 100 UTF-16 units, and still a 50-character name.
    expect(personNameSchema.safeParse('𠀀'.repeat(50)).success).toBe(true);
    expect(codesOf(personNameSchema, '𠀀'.repeat(51))).toEqual(['NAME_FORMAT']);
    for (const bad of ['', '   ', '张\n三', '张\u0000三', '张\u200b三', '张\u2028三']) expect(codesOf(personNameSchema, bad)).toEqual(['NAME_FORMAT']);
    // Private-use characters encode rare name characters (生僻字) in registry systems.
    expect(nameProblem('张\ue000', 50)).toBeUndefined();
  });

  it('material item: printable ref and lowercase SM3', () => {
    const ok = { type: 'APPLICATION_FORM', ref: 'oss://bucket/a b.pdf', sm3: 'ab'.repeat(32) };
    expect(materialItemSchema.safeParse(ok).success).toBe(true);
    expect(codesOf(materialItemSchema, { ...ok, sm3: 'AB'.repeat(32) })).toEqual(['MATERIAL_SM3_FORMAT']);
    expect(codesOf(materialItemSchema, { ...ok, sm3: 'ab'.repeat(31) })).toEqual(['MATERIAL_SM3_FORMAT']);
    expect(codesOf(materialItemSchema, { ...ok, ref: 'x'.repeat(129) })).toEqual(['MATERIAL_REF_FORMAT']);
    expect(codesOf(materialItemSchema, { ...ok, ref: 'a\tb' })).toEqual(['MATERIAL_REF_FORMAT']);
  });

  it('problem messages never contain the checked value', () => {
    const id = '110105194912310021';
    expect(residentIdProblem(id, NOW)?.message).not.toContain(id);
    expect(usccProblem('91350100M000100Y44')?.message).not.toContain('91350100M000100Y44');
  });
});

describe('carriesPersonalIdentifier (free-text notes)', () => {
  it.each([
    ['an 18-character ID number', '买方 11010519491231002X 申请撤回'],
    ['an ID number with a lower-case x', '11010519491231002x'],
    ['an ID number split by spaces', '110105 19491231 002X'],
    ['an ID number split by hyphens', '110105-19491231-002X'],
    ['full-width digits', '１１０１０５１９４９１２３１００２Ｘ'],
    ['an old 15-digit ID number', 'id 110105491231002'],
    ['a mobile number', 'call 13812345678 today'],
    ['a mobile number with hyphens', '138-1234-5678'],
    ['a mobile number with the country code', '号码+8613800138000'],
    ['a mobile number with 86 and no plus', '号码8613800138000'],
    ['a mobile number with 0086 and spaces', '0086 138 0013 8000'],
    ['a mobile number split by dots', '号码138.0013.8000'],
    ['a mobile number in brackets', '(+86) 138-0013-8000'],
    ['an ID number split by dots', '110105.19491231.002X'],
  ])('finds %s', (_label, text) => {
    expect(carriesPersonalIdentifier(text)).toBe(true);
  });

  it.each([
    ['plain words', 'The buyer changed their mind.'],
    ['a date and a time', '2026-11-23 13:00'],
    ['a 10-digit number', 'case 1234567890'],
    ['18 digits whose check character does not match', '110105194912310021'],
    ['a 12-digit number starting with 1', '138123456789'],
    ['a unit code', '370102001001GB00001F00010001'],
  ])('lets %s through', (_label, text) => {
    expect(carriesPersonalIdentifier(text)).toBe(false);
  });
});

describe('references carry no personal identifiers (clientRef, material ref, webhook URL)', () => {
  // Found by the fuzz (test/e2e/fuzz.test.ts): a valid filing whose clientRef or material ref was an ID
  // number was SUBMITTED, stored in the clear and echoed by every view of the batch and the filing.
  it.each([
    ['an ID number', '370102199101032507'],
    ['an ID number in a reference', 'FZ-370102199901252129'],
    ['an ID number split by hyphens', '370102-19910103-2507'],
    ['an ID number with a wrong check character', '370102199101032500'],
    ['an old 15-digit ID number', 'REF.110105491231002'],
    ['a mobile number', 'CALL-13812345678'],
  ])('refuses %s as a clientRef and as a material ref', (_label, ref) => {
    expect(codesOf(clientRefSchema, ref)).toEqual(['PERSONAL_DATA_IN_TEXT']);
    expect(codesOf(materialItemSchema, { type: 'LOAN_CONTRACT', ref, sm3: 'a'.repeat(64) })).toEqual(['PERSONAL_DATA_IN_TEXT']);
  });

  it.each(['ICBC-JN-2024-000001', 'E2E-01', 'FZ-7-2072-1', 'DOC-ICBC-JN-2024-000001-LOAN_CONTRACT', '2026-12-01.0001'])('lets %s through', (ref) => {
    expect(clientRefSchema.safeParse(ref).success).toBe(true);
  });

  it('refuses a webhook URL that carries an ID number, also percent-encoded', async () => {
    const { putWebhookRequestSchema } = await import('../../../schemas/v1/webhook');
    expect(codesOf(putWebhookRequestSchema, { url: 'https://bank.example/zt?id=370102199101032507' })).toEqual(['PERSONAL_DATA_IN_TEXT']);
    expect(codesOf(putWebhookRequestSchema, { url: 'https://bank.example/zt/%33%37%30%31%30%32199101032507' })).toEqual(['PERSONAL_DATA_IN_TEXT']);
    expect(putWebhookRequestSchema.safeParse({ url: 'https://bank.example.cn/zhitong/progress' }).success).toBe(true);
    expect(putWebhookRequestSchema.safeParse({ url: null }).success).toBe(true);
  });
});
