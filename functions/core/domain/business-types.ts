/**
 * Business types (DESIGN.md §2 glossary) and which kind of institution may file each (002 三(一)6:
 * mortgages through bank branches; first registrations, presale notices and new-home transfers through
 * developers; resale transfers and presale notices through agencies).
 */
export const BUSINESS_TYPES = [
  'MORTGAGE_CREATE',
  'MORTGAGE_CHANGE',
  'MORTGAGE_DISCHARGE',
  'PRESALE_MORTGAGE_NOTICE',
  'FIRST_REGISTRATION',
  'PRESALE_NOTICE',
  'TRANSFER_NEW',
  'TRANSFER_RESALE',
] as const;
export type BusinessType = (typeof BUSINESS_TYPES)[number];

export const INSTITUTION_TYPES = ['BANK', 'DEVELOPER', 'AGENCY'] as const;
export type InstitutionType = (typeof INSTITUTION_TYPES)[number];

export const BUSINESS_TYPES_BY_INSTITUTION: Readonly<Record<InstitutionType, readonly BusinessType[]>> = {
  BANK: ['MORTGAGE_CREATE', 'MORTGAGE_CHANGE', 'MORTGAGE_DISCHARGE', 'PRESALE_MORTGAGE_NOTICE'],
  DEVELOPER: ['FIRST_REGISTRATION', 'PRESALE_NOTICE', 'TRANSFER_NEW'],
  AGENCY: ['TRANSFER_RESALE', 'PRESALE_NOTICE'],
};

export const isBusinessType = (value: unknown): value is BusinessType =>
  typeof value === 'string' && (BUSINESS_TYPES as readonly string[]).includes(value);

/**
 * Material checklists per business type (002 二(一)3, 五(二)2). Kept as data so that staff can edit it
 * later (roadmap step 2); a type with no checklist here cannot be filed yet.
 */
export interface MaterialChecklist {
  readonly required: readonly string[];
  readonly optional: readonly string[];
}

export const MATERIAL_CHECKLISTS: Readonly<Partial<Record<BusinessType, MaterialChecklist>>> = {
  MORTGAGE_CREATE: {
    required: ['APPLICATION_FORM', 'IDENTITY_PROOF', 'PROPERTY_CERTIFICATE', 'MORTGAGE_CONTRACT', 'MAIN_DEBT_CONTRACT'],
    optional: ['POWER_OF_ATTORNEY'],
  },
  MORTGAGE_CHANGE: {
    required: ['APPLICATION_FORM', 'IDENTITY_PROOF', 'MORTGAGE_CERTIFICATE', 'CHANGE_AGREEMENT'],
    optional: ['POWER_OF_ATTORNEY'],
  },
  MORTGAGE_DISCHARGE: {
    required: ['APPLICATION_FORM', 'MORTGAGE_CERTIFICATE', 'DISCHARGE_PROOF'],
    optional: ['POWER_OF_ATTORNEY'],
  },
  PRESALE_MORTGAGE_NOTICE: {
    required: ['APPLICATION_FORM', 'IDENTITY_PROOF', 'PRESALE_CONTRACT', 'MORTGAGE_CONTRACT', 'MAIN_DEBT_CONTRACT'],
    optional: ['POWER_OF_ATTORNEY'],
  },
  FIRST_REGISTRATION: {
    required: ['APPLICATION_FORM', 'LAND_USE_CERTIFICATE', 'PLANNING_PERMIT', 'COMPLETION_RECORD', 'SURVEY_REPORT'],
    optional: [],
  },
  PRESALE_NOTICE: {
    required: ['APPLICATION_FORM', 'IDENTITY_PROOF', 'PRESALE_CONTRACT', 'PRESALE_PERMIT'],
    optional: ['POWER_OF_ATTORNEY', 'AGENCY_CONTRACT'],
  },
  TRANSFER_NEW: {
    required: ['APPLICATION_FORM', 'IDENTITY_PROOF', 'SALE_CONTRACT', 'PROPERTY_CERTIFICATE'],
    optional: ['POWER_OF_ATTORNEY'],
  },
  TRANSFER_RESALE: {
    required: ['APPLICATION_FORM', 'IDENTITY_PROOF', 'SALE_CONTRACT', 'PROPERTY_CERTIFICATE'],
    optional: ['POWER_OF_ATTORNEY', 'AGENCY_CONTRACT'],
  },
};
