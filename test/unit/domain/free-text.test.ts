/** Names in staff free text (functions/core/domain/free-text.ts): found however they are spaced or written. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ZtError } from '../../../functions/core/domain/errors';
import { foldForMatching, namesIn, PERSONAL_DATA_IN_TEXT, refuseNamesIn } from '../../../functions/core/domain/free-text';

const NAMES = ['张三丰', '欧阳娜娜', '买买提·艾力', 'Li Wei'];

describe('namesIn', () => {
  it.each([
    ['the name as written', '经核实张三丰本人同意'],
    ['ASCII spaces between characters', '经核实张 三 丰本人同意'],
    ['ideographic (full-width) spaces', '经核实张\u3000三\u3000丰本人同意'],
    ['zero-width spaces and joiners', '张\u200b三\u200d丰'],
    ['a byte-order mark and a word joiner', '张\ufeff三\u2060丰'],
    ['soft hyphen and narrow no-break space', '张\u00ad三\u202f丰'],
    ['punctuation between characters', '张、三。丰'],
    ['ASCII punctuation and symbols', '张-三_丰*'],
    ['line breaks and tabs', '张\n三\t丰'],
    ['the middle dot left out', '申请人买买提艾力'],
    ['a different middle dot', '买买提・艾力'],
    ['a Latin name in another case, without its space', 'called LIWEI about it'],
    ['a Latin name in full-width letters', 'ｌｉ　ｗｅｉ'],
    ['right-to-left marks', '欧\u200f阳\u200e娜\u202e娜'],
  ])('finds a name in %s', (_label, text) => {
    expect(namesIn(text, NAMES)).toBe(true);
  });

  it.each([
    ['a text naming nobody', '材料与登记簿不符，请核对后重新提交。'],
    ['part of a name only', '张三已经确认'],
    ['the characters out of order', '丰三张'],
    ['an empty text', ''],
    ['only separators', ' \u3000\u200b、。'],
  ])('finds none in %s', (_label, text) => {
    expect(namesIn(text, NAMES)).toBe(false);
  });

  it('ignores a name of one character, also one outside the BMP, and empty or separator-only names', () => {
    expect(namesIn('王先生来电', ['王'])).toBe(false);
    expect(namesIn('𠀀先生', ['𠀀'])).toBe(false);
    expect(namesIn('anything at all', ['', ' ', '·', '\u200b'])).toBe(false);
    expect(namesIn('王 芳来电', ['王芳'])).toBe(true);
    expect(namesIn('𠀀𠀁先生', ['𠀀 𠀁'])).toBe(true);
  });

  it('a name written with separators of its own is found written without them, and the other way round', () => {
    expect(namesIn('张三丰', ['张 三 丰'])).toBe(true);
    expect(namesIn('张 三 丰', ['张\u200b三丰'])).toBe(true);
  });

  it('finds a name written with a Kangxi radical or a compatibility ideograph for one of its characters', () => {
    expect(namesIn('\u2fa6明来电', ['金明'])).toBe(true); // ⾦ KANGXI RADICAL GOLD
    expect(namesIn('\uf90a明来电', ['金明'])).toBe(true); // 金 CJK COMPATIBILITY IDEOGRAPH-F90A
  });

  it('no names, no finding', () => {
    expect(namesIn('张三丰', [])).toBe(false);
  });

  it('property: any separators between the characters of a name still find it', () => {
    const separator = fc.constantFrom(' ', '\u3000', '\u200b', '\u200c', '\u200d', '\ufeff', '\u2060', '、', '，', '.', '-', '·', '\t', '\u00a0');
    fc.assert(
      fc.property(fc.constantFrom(...NAMES), fc.array(fc.array(separator, { maxLength: 3 }), { minLength: 8, maxLength: 8 }), fc.string(), fc.string(), (name, gaps, before, after) => {
        const spread = [...name].map((char, i) => char + (gaps[i] ?? []).join('')).join('');
        expect(namesIn(`${before}${spread}${after}`, [name])).toBe(true);
      }),
    );
  });

  it('property: a text is found to name whatever it contains once folded, and nothing longer', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 2, maxLength: 6, unit: fc.constantFrom('张', '三', '丰', 'a', 'B', '１') }), fc.string(), (name, text) => {
        expect(namesIn(text, [name])).toBe(foldForMatching(text).includes(foldForMatching(name)));
      }),
    );
  });
});

describe('refuseNamesIn', () => {
  const caught = (run: () => void): ZtError => {
    try {
      run();
    } catch (error) {
      return error as ZtError;
    }
    throw new Error('expected a refusal');
  };

  it('refuses each text naming someone as the edge would: 422 INVALID_BODY, the field named, the text never echoed', () => {
    const error = caught(() => refuseNamesIn({ summary: '张 三 丰 called', notes: 'nothing personal', actions: '李wei' }, NAMES));
    expect(error).toBeInstanceOf(ZtError);
    expect(error.status).toBe(422);
    expect(error.code).toBe('INVALID_BODY');
    expect(error.extras).toEqual({ errors: [{ path: 'summary', code: PERSONAL_DATA_IN_TEXT, message: expect.any(String) }] });
    expect(JSON.stringify({ message: error.message, detail: error.detail, extras: error.extras })).not.toMatch(/张|三丰|called/);
  });

  it('names every offending field', () => {
    const error = caught(() => refuseNamesIn({ reason: '欧阳娜娜', note: 'li-wei' }, NAMES));
    expect((error.extras.errors as { path: string }[]).map((e) => e.path)).toEqual(['reason', 'note']);
  });

  it('lets clean and absent texts pass', () => {
    expect(() => refuseNamesIn({ reason: '核对材料', note: undefined }, NAMES)).not.toThrow();
    expect(() => refuseNamesIn({ reason: '张三丰' }, [])).not.toThrow();
  });
});
