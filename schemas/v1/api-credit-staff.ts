/** API docs of the credit officers' endpoints and the intake review (DESIGN.md §4); joined into `api` in api.ts. */
import type { ApiOperation } from './api';
import { answer, codeList, staffProblems } from './api-problems';
import {
  appealDecisionRequestSchema,
  CREDIT_PAGE_MAX,
  creditAppealListSchema,
  creditCaseListSchema,
  creditChannelItemSchema,
  creditChannelListSchema,
  creditChannelViewSchema,
  creditIndicatorsSchema,
  creditRulesSchema,
  creditRulesViewSchema,
  evidenceViewSchema,
  listCreditAppealsQuerySchema,
  listCreditCasesQuerySchema,
  listCreditChannelsQuerySchema,
  officerEvidenceSchema,
  postShutoffRequestSchema,
  postViolationRequestSchema,
  putCreditRulesRequestSchema,
  rectificationDecisionRequestSchema,
  rectificationViewSchema,
  reopenRequestSchema,
  staffAppealViewSchema,
  staffCaseViewSchema,
  staffLedgerEventViewSchema,
  violationResultSchema,
} from './credit-staff';
import { creditAppealPath, creditCasePath, creditChannelPath, rectificationPath } from './path-parameters';
import type { z } from 'zod';
import { intakeReviewRequestSchema, intakeReviewResultSchema } from './intake-review';
import { INTAKE_REVIEW_REFUSAL_CODES } from '../../functions/core/domain/lifecycle';
import { STAFF_PERMISSIONS, type StaffEndpointName } from '../../functions/shared/http/staff-permissions';

const roles = (endpoint: StaffEndpointName): string => `Roles: ${STAFF_PERMISSIONS[endpoint].roles.join(', ')} (city-wide).`;

const channelIdParameter = { channelId: 'The `channelId` of a channel (a malformed id answers 404 `CHANNEL_NOT_FOUND` like a missing one).' };
const caseNoParameter = { caseNo: 'A case number: `CS`, the CST date (8 digits) and 8 upper-case hex digits (a malformed one answers 404 `CASE_NOT_FOUND`).' };

const paged = `Newest first (channels: lowest score first); at most ${CREDIT_PAGE_MAX} a page; pass \`nextCursor\` as \`cursor\` for the next.`;

export const creditStaffApi = {
  listCreditChannels: {
    summary: 'Channels by grade and score',
    description: [
      roles('listCreditChannels'),
      'Every channel with a credit state, optionally of one `grade`, lowest score first: its institution, score, grade, open case and probation.',
      paged,
    ].join('\n'),
    auth: 'Bearer',
    query: listCreditChannelsQuerySchema,
    responses: { 200: { description: 'One page of channels.', schema: creditChannelListSchema }, ...staffProblems(400, 401, 403, 500) },
  },
  getCreditChannel: {
    summary: "A channel's credit record",
    description: [
      roles('getCreditChannel'),
      "The channel's state with its indicators, the ledger of the rolling window (newest first, at most 200) with evidence, the officer's",
      "`staffId` on officers' events and each event's appeal status; its cases and its institution's; its appeals; its institution's sanction.",
    ].join('\n'),
    auth: 'Bearer',
    pathParameters: channelIdParameter,
    responses: {
      200: { description: 'The credit record.', schema: creditChannelViewSchema },
      ...staffProblems(401, 403, 500),
      404: answer('No such channel (`CHANNEL_NOT_FOUND`).'),
    },
  },
  postCreditViolation: {
    summary: 'Record a violation against a channel',
    description: [
      roles('postCreditViolation'),
      'A ledger event `OFFICER_VIOLATION` with the points (between `-rules.officerMaxPoints` and -1), the reason and evidence (filing and',
      "audit record ids, a note). Its id derives from the officer and the body: the same violation sent twice is one event. The score and",
      'grade are derived again at once (a shutoff opens a case when the score falls below the threshold); audited, and told to the webhook.',
      '',
      'Problem codes of this endpoint:',
      codeList({
        CHANNEL_NOT_FOUND: '404: no such channel.',
        INVALID_BODY: '422: the body is not a violation (`errors`; `POINTS_OUT_OF_RANGE` beyond the rules in force; `PERSONAL_DATA_IN_TEXT`).',
      }),
    ].join('\n'),
    auth: 'Bearer',
    request: postViolationRequestSchema,
    pathParameters: channelIdParameter,
    responses: {
      201: { description: 'The event in force and the channel as it now stands.', schema: violationResultSchema },
      ...staffProblems(400, 401, 403, 413, 415, 422, 500),
      404: answer('No such channel (`CHANNEL_NOT_FOUND`).'),
    },
  },
  postShutoff: {
    summary: 'Shut a channel or an institution off',
    description: [
      roles('postShutoff'),
      '002 三(一)6: the channel of an institution that files irregularly or dishonestly is closed. Opens a case (`OFFICER_DECISION`) with',
      'the reason and evidence, for one channel (`scope: CHANNEL`) or every channel of an institution (`scope: INSTITUTION`): new',
      'submissions are refused with 403 `CHANNEL_SHUT_OFF` from the next request; filings already accepted continue. The case number',
      'derives from the officer and the body: the same request sent twice opens one case.',
      '',
      'Problem codes of this endpoint:',
      codeList({
        CHANNEL_NOT_FOUND: '404: no such channel.',
        INSTITUTION_NOT_FOUND: '404: no such institution (it has no channel).',
        ALREADY_SHUT_OFF: '409: the target is already under an open case (`caseNo`).',
        CASE_NOT_OPEN: '409: this very request opened a case that has been closed since.',
      }),
    ].join('\n'),
    auth: 'Bearer',
    request: postShutoffRequestSchema,
    responses: {
      201: { description: 'The case opened.', schema: staffCaseViewSchema },
      ...staffProblems(400, 401, 403, 413, 415, 422, 500),
      404: answer('No such channel (`CHANNEL_NOT_FOUND`) or institution (`INSTITUTION_NOT_FOUND`).'),
      409: answer('Already shut off (`ALREADY_SHUT_OFF`, with `caseNo`), or this request\'s case is closed (`CASE_NOT_OPEN`).'),
    },
  },
  listCreditCases: {
    summary: 'Shutoff cases',
    description: [roles('listCreditCases'), 'Cases, optionally of one `status` (`RECTIFICATION_SUBMITTED`: reports waiting for a decision).', paged].join('\n'),
    auth: 'Bearer',
    query: listCreditCasesQuerySchema,
    responses: { 200: { description: 'One page of cases.', schema: creditCaseListSchema }, ...staffProblems(400, 401, 403, 500) },
  },
  getCreditCase: {
    summary: 'A shutoff case',
    description: `${roles('getCreditCase')}\nThe case with its evidence and its rectification reports, their texts and attachments' digests.`,
    auth: 'Bearer',
    pathParameters: caseNoParameter,
    responses: { 200: { description: 'The case.', schema: staffCaseViewSchema }, ...staffProblems(401, 403, 500), 404: answer('No such case (`CASE_NOT_FOUND`).') },
  },
  decideRectification: {
    summary: 'Accept or reject a rectification report',
    description: [
      roles('decideRectification'),
      '`ACCEPT` closes the case and reopens its channel (or every channel of its institution) on `PROBATION`: the score is brought up to',
      '`rules.probation.reopenScore` by a `REOPENED` event, and WATCH restrictions and the stricter shutoff threshold apply for',
      '`rules.probation.days`. `REJECT` marks the report rejected with the reasons and sends the case back to `OPEN` (a new report may',
      'follow). Both are audited and told to the webhook. The same decision again answers the case again.',
      '',
      'Problem codes of this endpoint:',
      codeList({
        CASE_NOT_FOUND: '404: no such case.',
        RECTIFICATION_NOT_FOUND: '404: no such report in this case.',
        RECTIFICATION_NOT_PENDING: '409: the report was decided otherwise already (`rectificationStatus`).',
        CASE_NOT_OPEN: '409: the case is closed.',
      }),
    ].join('\n'),
    auth: 'Bearer',
    request: rectificationDecisionRequestSchema,
    pathParameters: { ...caseNoParameter, rectificationId: 'A report id: `RC` and 16 upper-case hex digits.' },
    responses: {
      200: { description: 'The case as it now stands.', schema: staffCaseViewSchema },
      ...staffProblems(400, 401, 403, 413, 415, 422, 500),
      404: answer('No such case (`CASE_NOT_FOUND`) or report (`RECTIFICATION_NOT_FOUND`).'),
      409: answer('The report is not pending (`RECTIFICATION_NOT_PENDING`), or the case is closed (`CASE_NOT_OPEN`).'),
    },
  },
  reopenCase: {
    summary: 'Reopen a shut-off channel or institution',
    description: [
      roles('reopenCase'),
      'Closes the case (`REOPENED_BY_OFFICER`) and reopens its channels on `PROBATION`, as an accepted report does; the reason is kept in',
      'the audit trail. Reopening a case this way again answers it again.',
    ].join('\n'),
    auth: 'Bearer',
    request: reopenRequestSchema,
    pathParameters: caseNoParameter,
    responses: {
      200: { description: 'The case, closed.', schema: staffCaseViewSchema },
      ...staffProblems(400, 401, 403, 413, 415, 422, 500),
      404: answer('No such case (`CASE_NOT_FOUND`).'),
      409: answer('The case was closed otherwise (`CASE_NOT_OPEN`).'),
    },
  },
  listCreditAppeals: {
    summary: 'Appeals of ledger events',
    description: [roles('listCreditAppeals'), 'Appeals, optionally of one `status` (`PENDING`: waiting for a decision), with their grounds.', paged].join('\n'),
    auth: 'Bearer',
    query: listCreditAppealsQuerySchema,
    responses: { 200: { description: 'One page of appeals.', schema: creditAppealListSchema }, ...staffProblems(400, 401, 403, 500) },
  },
  decideCreditAppeal: {
    summary: 'Uphold or reverse an appealed ledger event',
    description: [
      roles('decideCreditAppeal'),
      '`REVERSE` records a new `REVERSAL` event that cancels the appealed one (nothing is edited or deleted): its points are restored and the',
      'grade derived again. `UPHOLD` leaves the ledger as it is. Both are audited and told to the webhook. The same decision again answers',
      'the appeal again.',
      '',
      'Problem codes of this endpoint:',
      codeList({
        APPEAL_NOT_FOUND: '404: no appeal of this event of this channel.',
        APPEAL_NOT_PENDING: '409: the appeal was decided otherwise already (`appealStatus`).',
      }),
    ].join('\n'),
    auth: 'Bearer',
    request: appealDecisionRequestSchema,
    pathParameters: { ...channelIdParameter, eventId: 'A ledger event id: `CE` and 24 upper-case hex digits.' },
    responses: {
      200: { description: 'The appeal, decided.', schema: staffAppealViewSchema },
      ...staffProblems(400, 401, 403, 413, 415, 422, 500),
      404: answer('No such appeal (`APPEAL_NOT_FOUND`).'),
      409: answer('The appeal is not pending (`APPEAL_NOT_PENDING`).'),
    },
  },
  getCreditRules: {
    summary: 'The credit rules',
    description: `${roles('getCreditRules')}\nThe rules in force (points, windows, thresholds, WATCH quota and batch size, probation, severe kinds) and every version, newest first.`,
    auth: 'Bearer',
    responses: { 200: { description: 'The rules and their history.', schema: creditRulesViewSchema }, ...staffProblems(401, 403, 500) },
  },
  putCreditRules: {
    summary: 'Publish a new version of the credit rules',
    description: [
      roles('putCreditRules'),
      'The whole rules body on top of `baseVersion` (the `current.version` last read); it becomes version `baseVersion + 1`. The credit',
      'worker and the submit gate apply it within their cache time (30 s). Every version is kept.',
      '',
      'Problem codes of this endpoint:',
      codeList({
        CREDIT_RULES_VERSION_CONFLICT: '409: `baseVersion` is no longer current; read the rules and publish on top of them.',
        CREDIT_RULES_INVALID: '422: the numbers do not hold together (thresholds out of order, a violation with positive points, …): `errors`.',
      }),
    ].join('\n'),
    auth: 'Bearer',
    request: putCreditRulesRequestSchema,
    responses: {
      200: { description: 'The version published.', schema: creditRulesSchema },
      ...staffProblems(400, 401, 403, 413, 415, 500),
      409: answer('`baseVersion` is not current (`CREDIT_RULES_VERSION_CONFLICT`).'),
      422: answer('Not a rules body (`INVALID_BODY`, with `errors`), or rules that do not hold together (`CREDIT_RULES_INVALID`, with `errors`).'),
    },
  },
  decideIntakeReview: {
    summary: 'Accept or refuse a filing held for intake review',
    description: [
      `Roles: ${STAFF_PERMISSIONS.decideIntakeReview.roles.join(', ')}; own district only (another district's filing answers 404 like a missing one).`,
      'A filing of a channel on WATCH or PROBATION is never accepted by the machine: intake holds it in `INTAKE_REVIEW` (DESIGN.md §4).',
      '`ACCEPT` makes it `ACCEPTED`, and it moves on by itself (to coordination, or to review). `REFUSE` needs a `reasonCode` (and a',
      '`note` for `OTHER`); the filing becomes `REFUSED` and the unit is free. `FALSE_MATERIALS` is a severe credit violation of the',
      'filing channel (it shuts the channel off at once): only a REVIEWER or REGISTRAR may give it (a clerk gets 403 `ROLE_FORBIDDEN`). The same decision again answers the same result. Reason codes:',
      codeList(INTAKE_REVIEW_REFUSAL_CODES),
      '',
      'Problem codes of this endpoint:',
      codeList({
        FILING_NOT_FOUND: '404: no such filing in your district.',
        FILING_NOT_IN_INTAKE_REVIEW: '409: the filing is not held for intake review (`filingStatus` says where it stands).',
        FILING_CHANGED: '409: the filing kept changing while the decision was being recorded; read it and decide again.',
        INVALID_BODY: '422: the body is not a decision (`errors` per field); a note carrying an ID or phone number, or naming a party of the filing (however spaced or written), is the note’s `PERSONAL_DATA_IN_TEXT`, never echoed, and nothing is decided.',
      }),
    ].join('\n'),
    auth: 'Bearer',
    request: intakeReviewRequestSchema,
    pathParameters: { filingId: 'The `filingId` of a filing.' },
    responses: {
      200: { description: 'Where the filing stands.', schema: intakeReviewResultSchema },
      ...staffProblems(400, 401, 403, 404, 413, 415, 422, 500),
      409: answer('The filing is not in `INTAKE_REVIEW` (`FILING_NOT_IN_INTAKE_REVIEW`, with `filingStatus`), or kept changing (`FILING_CHANGED`).'),
    },
  },
} as const satisfies Record<string, ApiOperation>;

/** The component names of this module's schemas in the OpenAPI document (schemas/openapi.ts), as accepted and as sent. */
export const creditStaffRequestComponents: readonly (readonly [z.ZodType, string])[] = [
  [intakeReviewRequestSchema, 'IntakeReviewRequest'],
  [officerEvidenceSchema, 'OfficerEvidence'],
  [postViolationRequestSchema, 'CreditViolationRequest'],
  [postShutoffRequestSchema, 'ShutoffRequest'],
  [rectificationDecisionRequestSchema, 'RectificationDecisionRequest'],
  [reopenRequestSchema, 'ReopenRequest'],
  [appealDecisionRequestSchema, 'AppealDecisionRequest'],
  [putCreditRulesRequestSchema, 'PutCreditRulesRequest'],
];
export const creditStaffResponseComponents: readonly (readonly [z.ZodType, string])[] = [
  [intakeReviewResultSchema, 'IntakeReviewResult'],
  [evidenceViewSchema, 'CreditEvidence'],
  [staffLedgerEventViewSchema, 'StaffLedgerEventView'],
  [rectificationViewSchema, 'RectificationReportView'],
  [staffCaseViewSchema, 'StaffCaseView'],
  [staffAppealViewSchema, 'StaffAppealView'],
  [creditChannelItemSchema, 'CreditChannelItem'],
  [creditIndicatorsSchema, 'CreditIndicators'],
  [creditChannelListSchema, 'CreditChannelList'],
  [creditCaseListSchema, 'CreditCaseList'],
  [creditAppealListSchema, 'CreditAppealList'],
  [creditChannelViewSchema, 'StaffCreditChannelView'],
  [violationResultSchema, 'CreditViolationRecorded'],
  [creditRulesSchema, 'CreditRules'],
  [creditRulesViewSchema, 'CreditRulesView'],
];
/** The path schemas of these endpoints: the formats of their path parameters in the document. */
export const creditStaffPathSchemas = [creditChannelPath, creditCasePath, rectificationPath, creditAppealPath] as const;
