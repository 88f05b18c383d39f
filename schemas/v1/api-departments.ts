/** The department interface's operations (DESIGN.md §7b). */
import { DEPARTMENT_REASON_CODES } from '../../functions/core/domain/coordination';
import { departmentResultResponseSchema, departmentResultSchema } from '../departments/v1';
import { answer, codeList, problems } from './api-problems';
import type { ApiOperation } from './api';

export const departmentsApi = {
  postDepartmentResult: {
    summary: "A department's result for one request",
    description: [
      'Called by a registered department system (tax, housing-trading), signed with ITS OWN SM2 key by the ZT-SM2 scheme',
      'with `department="<id>"` in place of `channel="<id>"`. The registry delivers requests to the department endpoint',
      '(SM2-signed by the platform; personal data sealed for the department with SM4 under a data key SM2-encrypted to it,',
      'see `schemas/departments/v1.ts` and the README); the department answers each here, at once or later.',
      '',
      '`CONFIRMED`: the result holds; when every result the filing needs is confirmed it moves to `READY_FOR_REVIEW`.',
      '`PENDING` (e.g. `TAX_UNPAID`): the filing keeps waiting. `REJECTED` (definitive, `reasonCode` required): the filing',
      'is `REFUSED` with that reason code and the other departments get a cancellation. Reason codes the registry explains to filers:',
      codeList(DEPARTMENT_REASON_CODES),
      'A department may send its own codes (`[A-Z][A-Z0-9_]*`); they reach the filer as sent.',
      '',
      'Idempotent on `requestId` + `kind`: the same result again answers 200 with `changed: false`.',
      codeList({
        REQUEST_NOT_FOUND: '404: no such request was made to this department for this filing.',
        RESULT_KIND_MISMATCH: '422: the request asked for another kind of result.',
        RESULT_CONTRADICTS: '409: the request was already answered with another final outcome (audited).',
        REQUEST_CANCELLED: '409: the registry cancelled the request (the filing was withdrawn or refused).',
        AUTH_FAILED: '401: unknown department or bad signature (`expectedStringToSign` helps find a canonicalisation mistake).',
        AUTH_TIMESTAMP_OUT_OF_WINDOW: '401: the timestamp is more than 300 s from the server clock.',
      }),
    ].join('\n'),
    auth: 'ZT-SM2-DEPARTMENT',
    idempotent: true,
    request: departmentResultSchema,
    responses: {
      200: { description: 'The result as recorded, whether it changed anything, and the filing status.', schema: departmentResultResponseSchema },
      ...problems(400, 401, 404, 413, 415, 500),
      409: answer('The result contradicts a final one (`RESULT_CONTRADICTS`), the request was cancelled (`REQUEST_CANCELLED`), or the filing no longer waits on results.'),
      422: answer('The body is not a result (`INVALID_BODY`, with field `errors`: a REJECTED without `reasonCode`, an unknown kind, …), `RESULT_KIND_MISMATCH`, or `IDEMPOTENCY_KEY_REUSED`.'),
    },
  },
} as const satisfies Record<string, ApiOperation>;
