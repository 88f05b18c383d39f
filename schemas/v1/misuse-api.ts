/** API docs of audited unmasking, the insider-misuse rules and alerts, and account unlock (DESIGN.md §5); joined into `api` in api.ts. */
import type { z } from 'zod';
import type { ApiOperation } from './api';
import { answer, staffProblems } from './api-problems';
import { listAlertsQuerySchema, misuseAlertListSchema, misuseAlertSchema, misuseRulesSchema, misuseRulesViewSchema, putMisuseRulesRequestSchema, staffAccountPath, unlockRequestSchema, unlockResultSchema } from './misuse';
import { unmaskedFilingSchema, unmaskingRequestSchema } from './unmasking';
import { STAFF_PERMISSIONS, type StaffEndpointName } from '../../functions/shared/http/staff-permissions';

const roles = (endpoint: StaffEndpointName): string => `Roles: ${STAFF_PERMISSIONS[endpoint].roles.join(', ')} (${STAFF_PERMISSIONS[endpoint].scope === 'city' ? 'city-wide' : 'own district'}).`;
const detector =
  'Every call of a staff account is counted by the insider-misuse detector: a rule that fires locks the account at once: the call that made it fire is itself refused 403 `STAFF_ACCOUNT_LOCKED` (its answer, e.g. an unmasking’s plaintext, withheld), and so is every later request until another administrator of the district unlocks it; counting then starts afresh.';

export const misuseApi = {
  unmaskFiling: {
    summary: "See a filing's personal data in the clear, for a declared purpose",
    description: [
      roles('unmaskFiling'),
      'The disclosure (role, purpose, time, the staff member’s audit id) is recorded on the filing and `PERSONAL_DATA_UNMASKED` is audited before the ID and phone numbers are decrypted (the names are opened first, to refuse a reason naming a party); if either fails the answer is 500 and carries no plaintext.',
      'The data subject sees the disclosure (time, role, purpose; never who) in `POST /v1/public/progress`. `Cache-Control: no-store`.',
      'A `reason` naming a party of the filing (however spaced or written: full-width, zero-width characters, punctuation between the characters) is refused 422 `INVALID_BODY` with the reason’s `PERSONAL_DATA_IN_TEXT`, never echoed: nothing is recorded, audited or decrypted into the answer.',
      detector,
    ].join('\n'),
    auth: 'Bearer',
    request: unmaskingRequestSchema,
    pathParameters: { filingId: 'The filing (another district’s, and an id of the wrong format, answer 404 `FILING_NOT_FOUND` like a missing one).' },
    responses: { 200: { description: "The filing's people in the clear.", schema: unmaskedFilingSchema }, ...staffProblems(400, 401, 403, 404, 413, 415, 422, 500) },
  },
  getMisuseRules: {
    summary: 'The insider-misuse rules and their versions',
    description: [roles('getMisuseRules'), 'The thresholds in force (`current`) and every version, newest first (004 第二十五条).'].join('\n'),
    auth: 'Bearer',
    responses: { 200: { description: 'The rules.', schema: misuseRulesViewSchema }, ...staffProblems(401, 403, 500) },
  },
  putMisuseRules: {
    summary: 'Publish a new version of the insider-misuse rules',
    description: [roles('putMisuseRules'), 'Publishes `baseVersion + 1`; every version is kept; audited `MISUSE_RULES_PUBLISHED` in log `security`.'].join('\n'),
    auth: 'Bearer',
    request: putMisuseRulesRequestSchema,
    responses: {
      200: { description: 'The version published.', schema: misuseRulesSchema },
      ...staffProblems(400, 401, 403, 413, 415, 422, 500),
      409: answer('`MISUSE_RULES_VERSION_CONFLICT`: `baseVersion` is no longer current; read the rules and publish on top of them.'),
    },
  },
  listSecurityAlerts: {
    summary: "The insider-misuse alerts of the caller's district",
    description: [roles('listSecurityAlerts'), 'Newest first; pass `nextCursor` as `cursor` for the next page. Each alert names the rule, the account, the count over the threshold and the incident opened.'].join('\n'),
    auth: 'Bearer',
    query: listAlertsQuerySchema,
    responses: { 200: { description: 'One page of alerts.', schema: misuseAlertListSchema }, ...staffProblems(400, 401, 403, 500) },
  },
  unlockStaff: {
    summary: 'Unlock an account the misuse detector locked',
    description: [
      roles('unlockStaff'),
      'With a reason (no personal data), audited `STAFF_UNLOCKED`. A reason naming the account’s holder or the administrator (however spaced or written) is refused 422 `INVALID_BODY` with the reason’s `PERSONAL_DATA_IN_TEXT`; the account stays locked. The holder may never unlock their own account (403 `SELF_UNLOCK_FORBIDDEN`); an account of another district answers 404 `STAFF_NOT_FOUND` like a missing one (and counts as a cross-district attempt for the misuse detector).',
      'Conditional on the account being LOCKED: of two administrators racing, one wins and the other gets 409.',
    ].join('\n'),
    auth: 'Bearer',
    request: unlockRequestSchema,
    pathParameters: { staffId: 'The locked account.' },
    responses: {
      200: { description: 'The account is ACTIVE again.', schema: unlockResultSchema },
      ...staffProblems(400, 401, 403, 413, 415, 422, 500),
      404: answer('`STAFF_NOT_FOUND`: no staff account has this id.'),
      409: answer('`STAFF_NOT_LOCKED`: the account is not locked (or another administrator unlocked it first).'),
    },
  },
} as const satisfies Record<StaffEndpointName & ('unmaskFiling' | 'getMisuseRules' | 'putMisuseRules' | 'listSecurityAlerts' | 'unlockStaff'), ApiOperation>;

export const misuseRequestComponents: readonly (readonly [z.ZodType, string])[] = [
  [unmaskingRequestSchema, 'UnmaskingRequest'],
  [putMisuseRulesRequestSchema, 'PutMisuseRulesRequest'],
  [unlockRequestSchema, 'UnlockStaffRequest'],
];

export const misuseResponseComponents: readonly (readonly [z.ZodType, string])[] = [
  [unmaskedFilingSchema, 'UnmaskedFiling'],
  [misuseRulesSchema, 'MisuseRules'],
  [misuseRulesViewSchema, 'MisuseRulesView'],
  [misuseAlertSchema, 'MisuseAlert'],
  [misuseAlertListSchema, 'MisuseAlertList'],
  [unlockResultSchema, 'StaffUnlocked'],
];

export const misusePathSchemas = [staffAccountPath] as const;
