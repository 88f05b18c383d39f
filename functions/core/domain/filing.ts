/**
 * The filing and its lifecycle (DESIGN.md §3). A filing is stored with its personal data sealed
 * (see PersonalDataVault); nothing here holds plaintext names or ID numbers.
 */
import type { BusinessType } from './business-types';

export const FILING_STATUSES = [
  'SUBMITTED',
  'ACCEPTED',
  'REFUSED',
  'CORRECTION_REQUIRED',
  'READY_FOR_REVIEW',
  'REVIEW_REFUSED',
  'REGISTERED',
  'CERTIFIED',
  'WITHDRAWN',
] as const;
export type FilingStatus = (typeof FILING_STATUSES)[number];

/** Statuses in which a filing is still alive and blocks a duplicate on the same unit. */
export const ACTIVE_STATUSES: readonly FilingStatus[] = ['SUBMITTED', 'ACCEPTED', 'CORRECTION_REQUIRED', 'READY_FOR_REVIEW', 'REGISTERED'];

export interface HistoryEntry {
  readonly at: string;
  readonly status: FilingStatus;
  /** `channel:<id>`, `worker:intake`, … */
  readonly by: string;
  /** Reason code for refusals, e.g. `UNIT_SEIZED`. */
  readonly reasonCode?: string;
  readonly note?: string;
}

/** A natural person on a filing, personal data sealed. */
export interface SealedPerson {
  readonly name: string;
  readonly idType: 'RESIDENT_ID';
  readonly idNumber: string;
  /** Keyed blind index of the ID number, for matching against the register. */
  readonly idIndex: string;
  readonly phone?: string;
}

export interface Organisation {
  readonly name: string;
  readonly uscc: string;
}

export interface Material {
  readonly type: string;
  readonly ref: string;
  readonly sm3: string;
}

/** Business content of a MORTGAGE_CREATE filing, as stored. */
export interface MortgageCreateContent {
  readonly businessType: 'MORTGAGE_CREATE';
  readonly mortgagors: readonly SealedPerson[];
  readonly mortgagee: Organisation;
  readonly mortgageType: 'GENERAL' | 'MAXIMUM';
  /** Secured amount in integer fen, as a decimal string (money is never a float). */
  readonly amountFen: string;
  readonly termStart: string;
  readonly termEnd: string;
}

export type FilingContent = MortgageCreateContent;

export interface FilingRecord {
  readonly filingId: string;
  readonly channelId: string;
  readonly institutionId: string;
  readonly clientRef: string;
  readonly batchId: string;
  readonly businessType: BusinessType;
  readonly unitCode: string;
  /** District (tenant) of the unit: 6-digit prefix of the unit code. */
  readonly district: string;
  readonly content: FilingContent;
  readonly materials: readonly Material[];
  /** SM3 of the canonical submitted filing, to tell an idempotent re-send from a conflicting one. */
  readonly contentHash: string;
  readonly status: FilingStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly history: readonly HistoryEntry[];
  readonly reasonCode?: string;
  readonly missingMaterials?: readonly string[];
  readonly correctionDeadline?: string;
}

export type BatchItemStatus = 'SUBMITTED' | 'INVALID';

export interface BatchItem {
  readonly index: number;
  readonly clientRef?: string;
  readonly filingId?: string;
  readonly status: BatchItemStatus;
  readonly errors?: readonly { path: string; code: string; message: string }[];
}

export interface BatchRecord {
  readonly batchId: string;
  readonly channelId: string;
  readonly institutionId: string;
  readonly createdAt: string;
  readonly items: readonly BatchItem[];
}
