import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskIdNumber, maskName, maskPhone } from '../../../functions/core/domain/masking';

const codePoints = (s: string) => Array.from(s);

describe('maskName', () => {
  it.each([
    ['张', '*'],
    ['张三', '张*'],
    ['张三丰', '张*丰'],
    ['欧阳娜娜', '欧**娜'],
    ['买买提·艾力', '买****力'],
    ['', ''],
  ])('%s → %s', (name, masked) => {
    expect(maskName(name)).toBe(masked);
  });

  it('counts code points: a character outside the BMP is one character', () => {
    expect(maskName('𠀀三')).toBe('𠀀*');
    expect(maskName('张𠀀丰')).toBe('张*丰');
    expect(maskName('𠀀')).toBe('*');
  });
});

describe('maskIdNumber', () => {
  it('keeps the first 4 and last 4 and the length', () => {
    expect(maskIdNumber('370102199001011234')).toBe('3701**********1234');
    expect(maskIdNumber('11010519491231002X')).toBe('1101**********002X');
  });

  it('fully stars short numbers', () => {
    expect(maskIdNumber('12345678')).toBe('********');
    expect(maskIdNumber('12345678901')).toBe('***********');
    expect(maskIdNumber('123456789012')).toBe('1234****9012');
  });
});

describe('maskPhone', () => {
  it('keeps the first 3 and last 4', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
  });

  it('fully stars short numbers', () => {
    expect(maskPhone('5678')).toBe('****');
  });
});

describe('masking properties', () => {
  // Inputs without '*', so that "a star where the input had none" is observable.
  const text = (minLength: number) => fc.string({ unit: 'grapheme', minLength }).filter((s) => !s.includes('*') && codePoints(s).length >= minLength);

  it.each([
    ['maskName', maskName],
    ['maskIdNumber', maskIdNumber],
    ['maskPhone', maskPhone],
  ])('property: %s never reveals the whole of an input of 2+ code points, and keeps its length', (_label, mask) => {
    fc.assert(
      fc.property(text(2), (plain) => {
        const masked = mask(plain);
        expect(masked).not.toBe(plain);
        expect(codePoints(masked)).toHaveLength(codePoints(plain).length);
        expect(masked).toContain('*');
      }),
    );
  });

  it('property: a masked resident ID keeps its length and hides the birth date', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{17}[\dX]$/), (id) => {
        const masked = maskIdNumber(id);
        expect(masked).toHaveLength(18);
        expect(masked.slice(4, 14)).toBe('*'.repeat(10));
        expect(masked.slice(0, 4) + masked.slice(14)).toBe(id.slice(0, 4) + id.slice(14));
      }),
    );
  });
});
