import type { BusinessType } from '../domain/business-types';
import type { FilingRecord, FilingStatus } from '../domain/filing';

/** What corrections, withdrawal and the urgent lane answer: where the filing stands now, no personal data. */
export interface FilingStateView {
  readonly filingId: string;
  readonly clientRef: string;
  readonly businessType: BusinessType;
  readonly status: FilingStatus;
  readonly updatedAt: string;
  readonly reasonCode?: string;
  readonly urgent?: boolean;
}

export const filingStateOf = (filing: FilingRecord): FilingStateView => ({
  filingId: filing.filingId,
  clientRef: filing.clientRef,
  businessType: filing.businessType,
  status: filing.status,
  updatedAt: filing.updatedAt,
  reasonCode: filing.reasonCode,
  urgent: filing.urgent,
});
