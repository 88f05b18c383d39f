/**
 * Staff API (v1): sign-in of the local token issuer, its JWKS, and the district worklist. Staff
 * authenticate with `Authorization: Bearer <access token>` (Cognito's on AWS, the local issuer's on
 * `npm start`); what a staff member may do comes from their account, never from the token.
 *
 * Response schemas are plain (stripping) objects, so parsing a record through them drops whatever a
 * staff view must not show.
 */
import { z } from 'zod';
import { BUSINESS_TYPES } from '../../functions/core/domain/business-types';
import { FILING_STATUSES } from '../../functions/core/domain/filing';
import { DISTRICT_CODE, STAFF_ROLES } from '../../functions/core/domain/staff';

/** Usernames of the local issuer: lower-case letters, digits, `.`, `_`, `-` (e.g. `clerk.370102`). */
export const STAFF_USERNAME = /^[a-z0-9._-]{3,64}$/;
/** Bounds of the sign-in body: a username and a password fit in far less. */
export const MAX_STAFF_LOGIN_BODY_BYTES = 4 * 1024;
export const STAFF_FILINGS_PAGE_DEFAULT = 50;
export const STAFF_FILINGS_PAGE_MAX = 200;

const district = z.string().regex(DISTRICT_CODE).meta({ description: '6-digit district (区县) code, e.g. `370102`.' });

export const staffLoginRequestSchema = z.strictObject({
  username: z.string().regex(STAFF_USERNAME).meta({ description: 'The staff username, e.g. `clerk.370102`.' }),
  password: z.string().min(1).max(256),
});

export type StaffLoginRequest = z.output<typeof staffLoginRequestSchema>;

export const staffLoginResponseSchema = z.object({
  accessToken: z.string().meta({ description: 'RS256 JWT; send it as `Authorization: Bearer <accessToken>`.' }),
  tokenType: z.literal('Bearer'),
  expiresIn: z.int().positive().meta({ description: 'Seconds until the token expires.' }),
  staff: z.object({
    staffId: z.string(),
    role: z.enum(STAFF_ROLES),
    district,
  }),
});

export type StaffLoginResponse = z.output<typeof staffLoginResponseSchema>;

/** GET /v1/staff/me: the caller's own account, for the console (the role and district decide what it shows). */
export const staffSelfSchema = z.object({
  staffId: z.string(),
  username: z.string(),
  displayName: z.string().meta({ description: 'The name the console greets the caller with (their own; never logged).' }),
  role: z.enum(STAFF_ROLES),
  district,
  status: z.literal('ACTIVE').meta({ description: 'A locked or disabled account is refused before this answers (403 `STAFF_ACCOUNT_LOCKED`).' }),
});
export type StaffSelf = z.output<typeof staffSelfSchema>;

export const jwksSchema = z.object({
  keys: z.array(
    z.object({
      kty: z.literal('RSA'),
      kid: z.string(),
      alg: z.literal('RS256'),
      use: z.literal('sig'),
      n: z.string(),
      e: z.string(),
    }),
  ),
});

/**
 * The worklist query. `status` is required (the worklist is per status); `district` defaults to the
 * caller's own and may name no other.
 */
export const listStaffFilingsQuerySchema = z.strictObject({
  status: z.enum(FILING_STATUSES),
  district: district.optional(),
  limit: z.coerce.number().int().min(1).max(STAFF_FILINGS_PAGE_MAX).default(STAFF_FILINGS_PAGE_DEFAULT),
  cursor: z.string().min(1).max(2048).optional().meta({ description: 'The `nextCursor` of the previous page, unchanged.' }),
});

export type ListStaffFilingsQuery = z.output<typeof listStaffFilingsQuerySchema>;

export const staffFilingSummarySchema = z.object({
  filingId: z.string(),
  businessType: z.enum(BUSINESS_TYPES),
  unitCode: z.string(),
  institutionId: z.string(),
  status: z.enum(FILING_STATUSES),
  updatedAt: z.iso.datetime({ offset: true }),
  urgent: z.boolean().optional().meta({ description: 'Urgent filings take a priority lane (003 第十三条).' }),
  flaggedForStaff: z
    .object({ at: z.iso.datetime({ offset: true }), reason: z.string() })
    .optional()
    .meta({ description: 'Set by the sweeper when a person must look at the filing: its intake keeps failing (`INTAKE_KEEPS_FAILING`; it is no longer re-sent to intake), or its approval stopped midway (`APPROVAL_STALLED`; approving again resumes it).' }),
});

export const staffFilingListSchema = z.object({
  district,
  status: z.enum(FILING_STATUSES),
  items: z.array(staffFilingSummarySchema).meta({ description: 'Oldest change first. Ids and statuses only: no personal data.' }),
  nextCursor: z.string().optional().meta({ description: 'Present when more items may follow: pass it as `cursor`.' }),
});

export type StaffFilingList = z.output<typeof staffFilingListSchema>;
