/** API docs of the channel's credit endpoints (DESIGN.md §4, §7); joined into `api` in api.ts. */
import type { ApiOperation } from './api';
import { answer, codeList, problems } from './api-problems';
import { appealRequestSchema, appealViewSchema, channelCreditViewSchema, LEDGER_VIEW_MAX, MAX_ATTACHMENTS, rectificationReceiptSchema, rectificationRequestSchema } from './credit';
import { APPEALABLE_KINDS, MIN_PEER_GROUP } from '../../functions/core/domain/credit';

const OPEN_WHILE_SHUT_OFF = 'Open whatever the channel’s grade: a shut-off channel reads its credit record and sends rectification reports and appeals.';
const DISABLED = answer('The channel is disabled by the registry (`CHANNEL_DISABLED`). A shut-off channel is not refused here.');
const TEXT_422 =
  'The body is not what this endpoint takes (`INVALID_BODY`, with field `errors`; free text or an attachment name carrying a resident ID number or a phone number is the field’s `PERSONAL_DATA_IN_TEXT`, never echoed), or `IDEMPOTENCY_KEY_REUSED`. Nothing is stored.';

export const creditChannelApi = {
  getChannelCredit: {
    summary: "The channel's credit record",
    description: [
      'The credit of the signing channel and of its institution (DESIGN.md §4; 002 三(一)6): score, grade (the one the',
      'submit gate applies: an institution-wide case shuts every channel off), probation, open cases with their',
      `rectification reports' status, the ledger within the rules' window with evidence (newest first, at most ${LEDGER_VIEW_MAX};`,
      '`ledgerTruncated` when there were more), the appeals, the rules in force, the quota when on WATCH or PROBATION,',
      'and the institution’s indicators (refusal rate, correction rate, hours to correct, out-of-scope attempts) beside their',
      `anonymised distribution over institutions of its type — withheld (\`TOO_FEW_PEERS\`) below ${MIN_PEER_GROUP} of them.`,
      'An officer’s events show the reason, never the officer.',
      '',
      OPEN_WHILE_SHUT_OFF,
    ].join('\n'),
    auth: 'ZT-SM2',
    responses: { 200: { description: 'The credit record.', schema: channelCreditViewSchema }, ...problems(401, 500), 403: DISABLED },
  },
  postRectification: {
    summary: 'Submit a rectification report',
    description: [
      'A rectification report (整改报告) for an open case of this channel or of its whole institution: what was wrong,',
      `what changed, and evidence documents by SM3 digest (at most ${MAX_ATTACHMENTS}). The case moves to`,
      '`RECTIFICATION_SUBMITTED`; a credit officer accepts it (the channel reopens on PROBATION) or rejects it with',
      'reasons (the case is OPEN again and another report may follow). The step is audited and pushed to the webhook',
      '(`RECTIFICATION_RECEIVED`). Sending the same report again answers it again; an Idempotency-Key is honoured.',
      '',
      OPEN_WHILE_SHUT_OFF,
      '',
      'Problem codes of this endpoint:',
      codeList({
        CASE_NOT_FOUND: '404: no case with this number concerns this channel or its institution.',
        CASE_NOT_OPEN: '409: the case is closed (with `caseNo`).',
        RECTIFICATION_PENDING: '409: another report of the case is waiting for the officer’s decision (with `caseNo`).',
        RECTIFICATIONS_EXHAUSTED: '409: the case holds the most reports it may (with `caseNo`); contact the registry.',
        CASE_CHANGED: '409: the case kept changing while the report was recorded; send it again.',
      }),
    ].join('\n'),
    auth: 'ZT-SM2',
    idempotent: true,
    request: rectificationRequestSchema,
    responses: {
      201: { description: 'The report is recorded and waits for a credit officer.', schema: rectificationReceiptSchema },
      ...problems(400, 401, 413, 415, 500),
      403: DISABLED,
      404: answer('No case with this number concerns this channel or its institution (`CASE_NOT_FOUND`): another institution’s case answers the same.'),
      409: answer('`CASE_NOT_OPEN`, `RECTIFICATION_PENDING`, `RECTIFICATIONS_EXHAUSTED` (each with `caseNo`), `CASE_CHANGED`, or `IDEMPOTENCY_IN_PROGRESS` (a request with this Idempotency-Key is still being processed).'),
      422: answer(TEXT_422),
    },
  },
  postCreditAppeal: {
    summary: 'Appeal a ledger event',
    description: [
      'Appeals one ledger event of this channel, once: a credit officer upholds it or reverses it (a REVERSAL event',
      'cancels it and restores its points). Audited and pushed to the webhook (`APPEAL_RECEIVED`). The same grounds sent',
      'again answer the appeal recorded; an Idempotency-Key is honoured.',
      `Kinds that may be appealed: ${APPEALABLE_KINDS.map((k) => `\`${k}\``).join(', ')}.`,
      '',
      OPEN_WHILE_SHUT_OFF,
    ].join('\n'),
    auth: 'ZT-SM2',
    idempotent: true,
    pathParameters: { eventId: 'The `eventId` of a ledger event of GET /v1/channel/credit (`CE` and 24 upper-case hex digits).' },
    request: appealRequestSchema,
    responses: {
      201: { description: 'The appeal, PENDING.', schema: appealViewSchema },
      ...problems(400, 401, 413, 415, 500),
      403: DISABLED,
      404: answer('No ledger event with this id for this channel (`CREDIT_EVENT_NOT_FOUND`); another channel’s event, and an id of the wrong format, answer the same.'),
      409: answer('The event has already been appealed (`APPEAL_EXISTS`), or `IDEMPOTENCY_IN_PROGRESS`.'),
      422: answer(`The event is of a kind that is not a charge (\`EVENT_NOT_APPEALABLE\`: REVERSAL, REOPENED, GOOD_STANDING), or: ${TEXT_422}`),
    },
  },
} as const satisfies Record<string, ApiOperation>;
