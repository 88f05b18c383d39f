/**
 * The filing and its lifecycle (DESIGN.md §3). A filing is stored with its personal data sealed
 * (see PersonalDataVault); nothing here holds plaintext names or ID numbers.
 */
import type { BusinessType, InstitutionType } from './business-types';
import type { Coordination } from './coordination';
import type { PendingEffect } from './lifecycle';

export const FILING_STATUSES = [
  'SUBMITTED',
  'INTAKE_REVIEW',
  'ACCEPTED',
  'AWAITING_COORDINATION',
  'REFUSED',
  'CORRECTION_REQUIRED',
  'READY_FOR_REVIEW',
  'REVIEW_REFUSED',
  'REGISTERED',
  'CERTIFIED',
  'WITHDRAWN',
] as const;
export type FilingStatus = (typeof FILING_STATUSES)[number];


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

/** Person lists of the business types; each person is sealed on intake into the platform. */
export const PERSON_LIST_FIELDS = ['mortgagors', 'buyers', 'sellers'] as const;
export type PersonListField = (typeof PERSON_LIST_FIELDS)[number];

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

export interface MortgageChangeContent {
  readonly businessType: 'MORTGAGE_CHANGE';
  /** The registered mortgage being changed; must be active and held by the filing bank. */
  readonly mortgageId: string;
  readonly mortgagors: readonly SealedPerson[];
  readonly change: { readonly amountFen?: string; readonly termEnd?: string };
}

export interface MortgageDischargeContent {
  readonly businessType: 'MORTGAGE_DISCHARGE';
  readonly mortgageId: string;
  readonly reason: 'REPAID' | 'WAIVED' | 'COURT_ORDER' | 'OTHER';
}

export interface PresaleMortgageNoticeContent {
  readonly businessType: 'PRESALE_MORTGAGE_NOTICE';
  readonly buyers: readonly SealedPerson[];
  readonly mortgagee: Organisation;
  readonly mortgageType: 'GENERAL' | 'MAXIMUM';
  readonly amountFen: string;
  readonly termStart: string;
  readonly termEnd: string;
}

export interface FirstRegistrationContent {
  readonly businessType: 'FIRST_REGISTRATION';
  readonly projectId: string;
  readonly completionRecordNo: string;
}

export interface PresaleNoticeContent {
  readonly businessType: 'PRESALE_NOTICE';
  readonly buyers: readonly SealedPerson[];
  /** The developer selling the presold home. */
  readonly seller: Organisation;
  readonly contractNo: string;
  readonly priceFen: string;
}

export interface TransferNewContent {
  readonly businessType: 'TRANSFER_NEW';
  readonly buyers: readonly SealedPerson[];
  readonly contractNo: string;
  readonly priceFen: string;
}

export interface TransferResaleContent {
  readonly businessType: 'TRANSFER_RESALE';
  readonly sellers: readonly SealedPerson[];
  readonly buyers: readonly SealedPerson[];
  readonly contractNo: string;
  readonly priceFen: string;
}

export type FilingContent =
  | MortgageCreateContent
  | MortgageChangeContent
  | MortgageDischargeContent
  | PresaleMortgageNoticeContent
  | FirstRegistrationContent
  | PresaleNoticeContent
  | TransferNewContent
  | TransferResaleContent;

/** The sealed people of a filing, by role (empty lists for roles the business type does not have). */
export function peopleOf(content: FilingContent): Record<PersonListField, readonly SealedPerson[]> {
  const lists = content as Partial<Record<PersonListField, readonly SealedPerson[]>>;
  return { mortgagors: lists.mortgagors ?? [], buyers: lists.buyers ?? [], sellers: lists.sellers ?? [] };
}

export interface FilingRecord {
  readonly filingId: string;
  readonly channelId: string;
  readonly institutionId: string;
  /** The filing institution's kind (absent on filings stored before it was recorded). */
  readonly institutionType?: InstitutionType;
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
  /** Set when an approval claimed the filing: from then on it can no longer be withdrawn. */
  readonly approvalStartedAt?: string;
  /**
   * The material checklist version in force when the filing was submitted; intake judges its materials by
   * that version (functions/core/domain/checklists.ts). Absent on filings stored before: version 1.
   */
  readonly checklistVersion?: number;
  /** Marked urgent by staff: intake takes the priority lane (003 第十三条). */
  readonly urgent?: boolean;
  readonly urgentReason?: string;
  /** `staff:<id>` who marked it urgent. */
  readonly urgentBy?: string;
  /**
   * Counts every lifecycle write (functions/core/use-cases/transition.ts): each is conditional on the
   * revision it was decided against. Absent on filings stored before: revision 0.
   */
  readonly revision?: number;
  /** Follow-up effects of transitions not yet performed, by effect id (the outbox inside the item). */
  readonly outbox?: Readonly<Record<string, PendingEffect>>;
  /** Times the sweeper sent this filing to intake again in its current status, and when it last did. */
  readonly requeues?: number;
  readonly lastRequeuedAt?: string;
  /** Set when the sweeper gave up on the filing (its intake keeps failing): staff must look at it. */
  readonly flaggedForStaff?: { readonly at: string; readonly reason: string };
  /** Requests to the tax and trading departments and what came back (set on entering AWAITING_COORDINATION). */
  readonly coordination?: Coordination;
  /**
   * Set at submission when the channel was on WATCH or PROBATION (DESIGN.md §4): intake never accepts the
   * filing by itself; if the rules hold it waits in INTAKE_REVIEW for staff to accept or refuse it.
   */
  readonly manualIntake?: { readonly grade: 'WATCH' | 'PROBATION' };
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
