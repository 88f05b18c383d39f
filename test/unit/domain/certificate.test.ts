import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  CERTIFICATE_KIND_OF,
  CERTIFICATE_NUMBER,
  certificateNumber,
  hasAuthority,
  seriesKey,
  yearInChina,
} from '../../../functions/core/domain/certificate';
import { BUSINESS_TYPES } from '../../../functions/core/domain/business-types';

describe('certificate numbers', () => {
  it('prints province, year, the district authority, the kind and a 7-digit sequence', () => {
    expect(certificateNumber({ district: '370102', year: 2026, kind: 'PROOF' }, 123)).toBe('鲁(2026)济南市历下区不动产证明第0000123号');
    expect(certificateNumber({ district: '370103', year: 2027, kind: 'TITLE' }, 1)).toBe('鲁(2027)济南市市中区不动产权第0000001号');
    expect(certificateNumber({ district: '370124', year: 2026, kind: 'TITLE' }, 9_999_999)).toBe('鲁(2026)平阴县不动产权第9999999号');
  });

  it('gives two districts of one city different numbers for the same sequence (the number identifies the certificate)', () => {
    const a = certificateNumber({ district: '370102', year: 2026, kind: 'PROOF' }, 5);
    const b = certificateNumber({ district: '370103', year: 2026, kind: 'PROOF' }, 5);
    expect(a).not.toBe(b);
    expect(seriesKey({ district: '370102', year: 2026, kind: 'PROOF' })).not.toBe(seriesKey({ district: '370102', year: 2026, kind: 'TITLE' }));
  });

  it('matches the pattern the verification endpoint accepts', () => {
    for (const kind of ['PROOF', 'TITLE'] as const) expect(certificateNumber({ district: '370105', year: 2026, kind }, 42)).toMatch(CERTIFICATE_NUMBER);
    expect('鲁(2026)济南市历下区不动产证明第123号').not.toMatch(CERTIFICATE_NUMBER);
  });

  it('refuses districts without an authority and sequences out of range', () => {
    expect(hasAuthority('370102')).toBe(true);
    expect(hasAuthority('110105')).toBe(false);
    expect(() => certificateNumber({ district: '110105', year: 2026, kind: 'PROOF' }, 1)).toThrow(/authority/);
    expect(() => certificateNumber({ district: '370102', year: 2026, kind: 'PROOF' }, 0)).toThrow(/range/);
    expect(() => certificateNumber({ district: '370102', year: 2026, kind: 'PROOF' }, 10_000_000)).toThrow(/range/);
  });

  it('numbers by the year in China (UTC+8), not UTC', () => {
    expect(yearInChina(new Date('2026-12-31T15:59:59Z'))).toBe(2026);
    expect(yearInChina(new Date('2026-12-31T16:00:00Z'))).toBe(2027);
  });

  it('gives ownership a title certificate and every other registration a proof', () => {
    const titles = BUSINESS_TYPES.filter((t) => CERTIFICATE_KIND_OF[t] === 'TITLE');
    expect(titles).toEqual(['FIRST_REGISTRATION', 'TRANSFER_NEW', 'TRANSFER_RESALE']);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth, leaves out undefined members and whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: null, y: true }], c: 'x' }, u: undefined })).toBe('{"a":{"c":"x","d":[2,{"y":true,"z":null}]},"b":1}');
  });

  it('is the same for the same content whatever the key order, and keeps Chinese text as UTF-8, unescaped', () => {
    const a = canonicalJson({ name: '张*丰', no: '鲁(2026)' });
    expect(canonicalJson({ no: '鲁(2026)', name: '张*丰' })).toBe(a);
    expect(a).toBe('{"name":"张*丰","no":"鲁(2026)"}');
    expect(Buffer.from(a, 'utf8').toString('utf8')).toBe(a);
  });

  it('orders keys by code unit, as RFC 8785 does', () => {
    expect(canonicalJson({ b: 1, B: 2, ä: 3, a: 4 })).toBe('{"B":2,"a":4,"b":1,"ä":3}');
  });

  it('refuses non-integer numbers (a certificate carries money as strings)', () => {
    expect(() => canonicalJson({ amount: 1.5 })).toThrow(/integers/);
  });
});
