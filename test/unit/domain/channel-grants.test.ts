import { describe, expect, it } from 'vitest';
import { assertBatchBusinessTypes, channelMayFile } from '../../../functions/core/domain/channel-grants';
import { ZtError } from '../../../functions/core/domain/errors';
import type { Channel } from '../../../functions/core/ports';

const bank: Channel = {
  channelId: 'ch-bank',
  institutionId: 'bank',
  institutionName: 'Bank',
  institutionType: 'BANK',
  uscc: 'X',
  status: 'ACTIVE',
  publicKey: '04',
  allowedBusinessTypes: ['MORTGAGE_CREATE', 'MORTGAGE_CHANGE', 'FIRST_REGISTRATION'],
  allowedDistricts: ['370102'],
};

const codeOf = (fn: () => void): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof ZtError ? `${error.status} ${error.code}` : 'other';
  }
};

describe('what a channel may file (002 三(一)6)', () => {
  it('needs both the institution kind and the channel grant', () => {
    expect(channelMayFile(bank, 'MORTGAGE_CREATE')).toBe(true);
    // Granted by mistake on the channel, but banks never file first registrations.
    expect(channelMayFile(bank, 'FIRST_REGISTRATION')).toBe(false);
    // A bank type this channel was not granted.
    expect(channelMayFile(bank, 'MORTGAGE_DISCHARGE')).toBe(false);
  });

  it('refuses the whole batch for an unknown or forbidden business type', () => {
    expect(codeOf(() => assertBatchBusinessTypes(bank, [{ businessType: 'MORTGAGE_CREATE' }]))).toBeUndefined();
    expect(codeOf(() => assertBatchBusinessTypes(bank, [{ businessType: 'MORTGAGE_CREATE' }, { businessType: 'LOAN' }]))).toBe('422 UNKNOWN_BUSINESS_TYPE');
    expect(codeOf(() => assertBatchBusinessTypes(bank, [{ businessType: 'TRANSFER_RESALE' }]))).toBe('403 BUSINESS_TYPE_NOT_PERMITTED');
    expect(codeOf(() => assertBatchBusinessTypes(bank, [{ businessType: 'MORTGAGE_CHANGE' }]))).toBeUndefined();
    expect(codeOf(() => assertBatchBusinessTypes(bank, [{ businessType: 'MORTGAGE_DISCHARGE' }]))).toBe('403 BUSINESS_TYPE_NOT_PERMITTED');
  });

  it('leaves filings without a business type to per-item validation', () => {
    expect(codeOf(() => assertBatchBusinessTypes(bank, [{}, null, 'x', []]))).toBeUndefined();
  });
});
