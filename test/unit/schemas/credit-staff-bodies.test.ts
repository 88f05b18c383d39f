/**
 * Every body the credit officers' schemas allow fits the endpoints' body limit (a schema-valid request is
 * never answered 413): the largest shutoff and violation, built to the schemas' own maxima.
 */
import { describe, expect, it } from 'vitest';
import { CREDIT_TEXT_MAX, MAX_CREDIT_BODY_BYTES, postShutoffRequestSchema, postViolationRequestSchema } from '../../../schemas/v1/credit-staff';

// Four-byte characters (outside the BMP) are the worst case of UTF-8; a Chinese character takes three.
const longest = '𠀀'.repeat(CREDIT_TEXT_MAX);
const evidence = {
  filingIds: Array.from({ length: 100 }, (_, i) => `F${String(i).padStart(24, '0')}`),
  auditIds: Array.from({ length: 100 }, (_, i) => `F${String(i).padStart(24, '0')}:${'9'.repeat(134)}`),
  note: longest,
};

describe('credit officer request bodies', () => {
  it.each([
    ['a shutoff', postShutoffRequestSchema, { scope: 'INSTITUTION', institutionId: 'INST-BANK-QLDEMO', reason: longest, evidence }],
    ['a violation', postViolationRequestSchema, { points: -50, reason: longest, evidence }],
  ])('the largest valid %s fits the body limit', (_label, schema, body) => {
    expect(schema.safeParse(body).success).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(body), 'utf8')).toBeLessThanOrEqual(MAX_CREDIT_BODY_BYTES);
  });
});
