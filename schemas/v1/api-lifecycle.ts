/** API docs of corrections, withdrawal and the urgent lane (issue 3 items 6, 9); joined into `api` in api.ts. */
import type { ApiOperation } from './api';
import { answer, codeList, problems, staffProblems } from './api-problems';
import { correctionRequestDocSchema, filingStateSchema } from './corrections';
import { markUrgentRequestSchema } from './urgent';
import { withdrawalRequestSchema } from './withdrawal';
import { STAFF_PERMISSIONS } from '../../functions/shared/http/staff-permissions';

const filingIdParameter = { filingId: 'The `filingId` of an item of a submitted batch.' };

export const lifecycleApi = {
  correctFiling: {
    summary: 'Correct a filing',
    description: [
      'Supplies the materials a correction request asked for (`missingMaterials` of the filing), before its',
      '`correctionDeadline`: a date in China Standard Time, due by the end of that day (default 5 working days',
      'after the request). The materials join those already on file and the filing goes through intake again',
      '(`SUBMITTED`); its progress follows as usual. Problem codes of this endpoint:',
      codeList({
        FILING_NOT_FOUND: '404: no such filing for this channel (another channel’s filing answers the same).',
        FILING_NOT_CORRECTABLE: '409: the filing is not waiting for a correction (`filingStatus` says where it stands).',
        CORRECTION_OVERDUE: '409: the deadline has passed; the filing is now `REFUSED` with reason `CORRECTION_OVERDUE`.',
        INVALID_CORRECTION: '422: the body is not `{ materials: [ { type, ref, sm3 } ] }` with types of the filing’s checklist (`errors` per field).',
        MATERIALS_STILL_MISSING: '422: some of the materials asked for are still missing (`missingMaterials`); nothing changed.',
        TOO_MANY_MATERIALS: '422: the filing would carry more than 50 materials.',
      }),
    ].join('\n'),
    auth: 'ZT-SM2',
    idempotent: true,
    request: correctionRequestDocSchema,
    pathParameters: filingIdParameter,
    responses: {
      202: { description: 'Corrected: the filing is `SUBMITTED` again and queued for intake.', schema: filingStateSchema },
      ...problems(400, 401, 403, 404, 413, 415, 500),
      409: answer('The filing is not waiting for a correction (`FILING_NOT_CORRECTABLE`, with `filingStatus`), its deadline has passed (`CORRECTION_OVERDUE`: it is now refused), or the Idempotency-Key is in use (`IDEMPOTENCY_IN_PROGRESS`).'),
      422: answer('The materials are not valid for the filing’s checklist (`INVALID_CORRECTION`, with field `errors`), some asked for are still missing (`MATERIALS_STILL_MISSING`, with `missingMaterials`), there would be too many (`TOO_MANY_MATERIALS`, with `max`), or `IDEMPOTENCY_KEY_REUSED`.'),
    },
  },
  withdrawFiling: {
    summary: 'Withdraw a filing',
    description: [
      'Withdraws a filing that is not yet registered (`SUBMITTED`, `ACCEPTED`, `CORRECTION_REQUIRED`,',
      '`READY_FOR_REVIEW`): it becomes `WITHDRAWN` and the unit is free for a new filing of the same type.',
      'Withdrawing a withdrawn filing answers its state again. Body `{}` or `{ "reason": "…" }` (1–200 characters).',
      codeList({
        FILING_NOT_FOUND: '404: no such filing for this channel.',
        FILING_NOT_WITHDRAWABLE: '409: the filing is registered, certified or refused (`filingStatus` says which).',
        INVALID_BODY: '422: the body is not `{}` or `{ "reason": "…" }`; a reason carrying an ID or phone number, or naming a party of the filing (however spaced or written), is `PERSONAL_DATA_IN_TEXT`.',
      }),
    ].join('\n'),
    auth: 'ZT-SM2',
    idempotent: true,
    request: withdrawalRequestSchema,
    pathParameters: filingIdParameter,
    responses: {
      200: { description: 'The filing, `WITHDRAWN`.', schema: filingStateSchema },
      ...problems(400, 401, 403, 404, 413, 415, 500),
      409: answer('The filing is registered, certified or refused (`FILING_NOT_WITHDRAWABLE`, with `filingStatus`), or the Idempotency-Key is in use (`IDEMPOTENCY_IN_PROGRESS`).'),
      422: answer('The body is not `{}` or `{ "reason": "…" }` (`INVALID_BODY`, with field `errors`; a reason carrying an ID or phone number, or naming a party of the filing: `PERSONAL_DATA_IN_TEXT`), or `IDEMPOTENCY_KEY_REUSED`.'),
    },
  },
  markUrgent: {
    summary: 'Put a filing on the priority lane',
    description: [
      'Marks a filing of the caller’s district urgent (003 第十三条) with a reason (1–200 characters); a filing',
      'waiting for intake is decided on the priority lane at once. Marking an urgent filing again changes nothing.',
      `Roles: ${STAFF_PERMISSIONS.markUrgent.roles.join(', ')}. A filing of another district answers like an unknown one,`,
      '404 `FILING_NOT_FOUND`; registered, refused or withdrawn: 409 `FILING_NOT_URGENT_ELIGIBLE`. A reason carrying an ID or phone',
      'number, or naming a party of the filing (however spaced or written), is refused 422 `INVALID_BODY` with the reason’s `PERSONAL_DATA_IN_TEXT`.',
    ].join('\n'),
    auth: 'Bearer',
    request: markUrgentRequestSchema,
    pathParameters: { filingId: 'The filing to mark.' },
    responses: {
      200: { description: 'The filing, `urgent: true`.', schema: filingStateSchema },
      ...staffProblems(400, 401, 403, 404, 413, 415, 422, 500),
      409: answer('The filing is registered, refused or withdrawn (`FILING_NOT_URGENT_ELIGIBLE`, with `filingStatus`).'),
    },
  },
} as const satisfies Record<string, ApiOperation>;
