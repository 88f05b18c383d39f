import { describe, expect, it } from 'vitest';
import { FILING_STATUSES } from '../../../functions/core/domain/filing';
import {
  batchViewSchema,
  fieldErrorSchema,
  MAX_FILINGS_PER_BATCH_DEFAULT,
  submitBatchRequestSchema,
  submitBatchResponseSchema,
} from '../../../schemas/v1/batch';
import { fieldErrorsFromIssues } from '../../../schemas/v1/filing-input';
import { filingViewSchema } from '../../../schemas/v1/filing-view';
import { PROBLEM_CONTENT_TYPE, problemSchema } from '../../../schemas/v1/problem';

describe('submit batch request', () => {
  const schema = submitBatchRequestSchema(3);

  it('accepts 1 to max filings of any shape (each is validated later on its own)', () => {
    expect(MAX_FILINGS_PER_BATCH_DEFAULT).toBe(500);
    expect(schema.safeParse({ filings: [{}] }).success).toBe(true);
    expect(schema.safeParse({ filings: [1, null, 'x'] }).success).toBe(true);
  });

  it.each([
    ['no filings', { filings: [] }, 'filings:TOO_FEW'],
    ['too many filings', { filings: [1, 2, 3, 4] }, 'filings:TOO_MANY'],
    ['filings not a list', { filings: {} }, 'filings:INVALID_TYPE'],
    ['filings missing', {}, 'filings:REQUIRED'],
    ['an extra top-level field', { filings: [1], channel: 'x' }, 'channel:UNKNOWN_FIELD'],
  ])('refuses %s', (_label, body, expected) => {
    const result = schema.safeParse(body, { reportInput: true });
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(fieldErrorsFromIssues(result.error.issues).map((e) => `${e.path}:${e.code}`)).toEqual([expected]);
  });
});

describe('batch responses', () => {
  it('submit response: items are SUBMITTED with a filingId or INVALID with errors', () => {
    const body = {
      batchId: 'B1',
      items: [
        { index: 0, clientRef: 'R1', filingId: 'F1', status: 'SUBMITTED' },
        { index: 1, status: 'INVALID', errors: [{ path: 'unitCode', code: 'UNIT_CODE_FORMAT', message: 'Must be…' }] },
      ],
      receipt: { href: '/v1/batches/B1/receipt', logId: 'zhitong/audit/v1/INST-1', entryKey: 'batch:B1' },
    };
    expect(submitBatchResponseSchema.parse(body)).toEqual(body);
    expect(submitBatchResponseSchema.safeParse({ ...body, items: [{ index: 0, status: 'ACCEPTED' }] }).success).toBe(false);
    // The receipt reference is part of every 202 (DESIGN.md §5).
    expect(submitBatchResponseSchema.safeParse({ batchId: 'B1', items: [] }).success).toBe(false);
  });

  it('batch view: every filing status and INVALID; internal fields are stripped', () => {
    const items = [...FILING_STATUSES, 'INVALID'].map((status, index) => ({ index, status }));
    const stored = { batchId: 'B1', channelId: 'CH-secret', institutionId: 'I1', createdAt: '2024-05-01T08:00:00.000Z', items };
    const view = batchViewSchema.parse(stored);
    expect(view).toEqual({ batchId: 'B1', createdAt: '2024-05-01T08:00:00.000Z', items });
    expect(view).not.toHaveProperty('channelId');
    expect(batchViewSchema.safeParse({ ...stored, createdAt: 'yesterday' }).success).toBe(false);
  });
});

describe('filing view', () => {
  const view = {
    filingId: 'F1',
    clientRef: 'R1',
    batchId: 'B1',
    businessType: 'MORTGAGE_CREATE',
    unitCode: '370102001001GB00001F00010001',
    status: 'CORRECTION_REQUIRED',
    reasonCode: 'MATERIALS_MISSING',
    missingMaterials: ['MORTGAGE_CONTRACT'],
    correctionDeadline: '2024-05-08',
    createdAt: '2024-05-01T08:00:00.000Z',
    updatedAt: '2024-05-01T08:01:00.000Z',
    parties: {
      mortgagors: [{ name: '张*', idType: 'RESIDENT_ID', idNumber: '1101**********002X', phone: '138****5678' }],
      mortgagee: { name: '中国工商银行济南分行', uscc: '91350100M000100Y43' },
    },
    terms: { mortgageType: 'GENERAL', amountFen: '120000000', termStart: '2024-01-01', termEnd: '2044-01-01' },
    mortgage: { mortgageType: 'GENERAL', amountFen: '120000000', termStart: '2024-01-01', termEnd: '2044-01-01' },
    mortgagors: [{ name: '张*', idType: 'RESIDENT_ID', idNumber: '1101**********002X', phone: '138****5678' }],
    mortgagee: { name: '中国工商银行济南分行', uscc: '91350100M000100Y43' },
    materials: [{ type: 'APPLICATION_FORM', ref: 'm/1.pdf', sm3: 'a1'.repeat(32) }],
    history: [
      { at: '2024-05-01T08:00:00.000Z', status: 'SUBMITTED', by: 'channel:CH1' },
      { at: '2024-05-01T08:01:00.000Z', status: 'CORRECTION_REQUIRED', by: 'worker:intake', reasonCode: 'MATERIALS_MISSING' },
    ],
  };

  it('describes a masked filing with its history', () => {
    expect(filingViewSchema.parse(view)).toEqual(view);
  });

  it('refuses an unknown status and a fractional amount', () => {
    expect(filingViewSchema.safeParse({ ...view, status: 'LOST' }).success).toBe(false);
    expect(filingViewSchema.safeParse({ ...view, mortgage: { ...view.mortgage, amountFen: '1.5' } }).success).toBe(false);
  });
});

describe('problem', () => {
  it('is RFC 9457 problem details with our code and optional field errors', () => {
    expect(PROBLEM_CONTENT_TYPE).toBe('application/problem+json');
    const body = {
      type: 'about:blank',
      title: 'Bad request',
      status: 400,
      detail: 'The body is not JSON.',
      code: 'BODY_NOT_JSON',
      errors: [{ path: '', code: 'INVALID_TYPE', message: 'x' }],
    };
    expect(problemSchema.parse(body)).toEqual(body);
    expect(problemSchema.safeParse({ ...body, code: undefined }).success).toBe(false);
    expect(problemSchema.safeParse({ ...body, status: 200 }).success).toBe(false);
    expect(fieldErrorSchema.safeParse({ path: 'a', code: 'B' }).success).toBe(false);
  });
});
