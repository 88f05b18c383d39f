/** API docs of review, registration and e-certificates (issue 3 items 4–5); joined into `api` in api.ts. */
import type { ApiOperation } from './api';
import { answer, codeList, problems, publicProblems, staffProblems } from './api-problems';
import { certificateViewSchema, verificationViewSchema, verifyCertificateQuerySchema } from './certificate';
import { filingViewSchema } from './filing-view';
import { reviewRequestSchema, reviewResultSchema } from './review';
import { REVIEW_REFUSAL_CODES } from '../../functions/core/domain/lifecycle';
import { STAFF_PERMISSIONS } from '../../functions/shared/http/staff-permissions';

const filingIdParameter = { filingId: 'The `filingId` of a filing.' };

export const reviewApi = {
  getStaffFiling: {
    summary: 'A filing of the district',
    description:
      `One filing of the caller's own district with its history, masked exactly like the channel's view; a filing of another ` +
      `district answers 404 \`FILING_NOT_FOUND\` like a missing one. Roles: ${STAFF_PERMISSIONS.getStaffFiling.roles.join(', ')}.`,
    auth: 'Bearer',
    pathParameters: filingIdParameter,
    responses: { 200: { description: 'The filing, personal data masked.', schema: filingViewSchema }, ...staffProblems(401, 403, 404, 500) },
  },
  reviewFiling: {
    summary: 'Approve or refuse a filing',
    description: [
      `Roles: ${STAFF_PERMISSIONS.reviewFiling.roles.join(', ')}; own district only (another district answers 404).`,
      'Allowed from `ACCEPTED` or `READY_FOR_REVIEW` (tax and trading coordination, which will lead to `READY_FOR_REVIEW`, comes later).',
      '',
      '`APPROVE` first claims the filing (from then on it can be neither refused nor withdrawn), then checks the intake rules again',
      'against the unit as it is now: if one no longer holds (the owner sold, the unit was seized), the filing is refused with that',
      "rule's reason and the answer is 409 `APPROVAL_REFUSED` with `reasonCode`. Otherwise it records the filing in the register",
      '(a write conditional on the unit being unchanged since that check), allocates the certificate number, issues the SM2-signed',
      'e-certificate and answers `CERTIFIED` with `certificateNo`. Each step is idempotent: repeating an approval, after a failure',
      'or not, resumes and ends in one result; approving a `CERTIFIED` filing answers its result again.',
      '',
      '`REFUSE` needs a `reasonCode` (and a `note` for `OTHER`); the filing becomes `REVIEW_REFUSED`. Reason codes:',
      codeList(REVIEW_REFUSAL_CODES),
      '',
      'Problem codes of this endpoint:',
      codeList({
        FILING_NOT_FOUND: '404: no such filing in your district.',
        FILING_NOT_REVIEWABLE: '409: the filing is not in a status this decision applies to (`filingStatus` says where it stands).',
        REVIEW_IN_PROGRESS: '409: an approval has begun; it cannot be refused now (approve again to complete it).',
        PRESALE_NOTICE_NOT_REGISTERED: '409: the presale notice this filing relies on is accepted but not registered yet; approve it first.',
        APPROVAL_REFUSED: '409: an intake rule no longer holds against the register as it is now; the filing is `REVIEW_REFUSED` with `reasonCode`.',
        REGISTER_CONFLICT: '409: the unit kept changing while the filing was being registered; approving again resumes.',
        FILING_CHANGED: '409: the filing kept changing while the decision was being recorded; read it and decide again.',
        INVALID_BODY: '422: the body is not a decision (`errors` per field); a note carrying an ID or phone number, or naming a party of the filing (however spaced or written), is the note’s `PERSONAL_DATA_IN_TEXT`, never echoed, and the filing is untouched.',
      }),
    ].join('\n'),
    auth: 'Bearer',
    request: reviewRequestSchema,
    pathParameters: filingIdParameter,
    responses: {
      200: { description: 'The decision and where the filing stands.', schema: reviewResultSchema }, ...staffProblems(400, 401, 403, 404, 413, 415, 422, 500),
      409: answer('The decision does not apply: `FILING_NOT_REVIEWABLE` (with `filingStatus`), `REVIEW_IN_PROGRESS` (approve again to complete it), or `REGISTER_CONFLICT` (the register changed since intake).'),
    },
  },
  getCertificate: {
    summary: "Download a filing's e-certificate",
    description: [
      "The e-certificate of the channel's own `CERTIFIED` filing: 不动产登记证明 (`PROOF`: mortgages, notices) or 不动产权证书",
      '(`TITLE`: ownership). `document` is signed in its canonical form (keys sorted, no whitespace, UTF-8): `digest` is its',
      'SM3, `signature` the platform SM2 signature (verify with the key of GET /v1/channel/webhook or of the verification endpoint).',
      "Holders' names and ID numbers are masked, with the blind index of the ID number: no plaintext personal data is stored.",
      'Any other filing answers 404 `CERTIFICATE_NOT_FOUND`.',
    ].join('\n'),
    auth: 'ZT-SM2',
    pathParameters: filingIdParameter,
    responses: {
      200: { description: 'The signed certificate.', schema: certificateViewSchema },
      ...problems(401, 403, 500),
      404: answer('No certificate of this channel’s filing (`CERTIFICATE_NOT_FOUND`): no such filing, another channel’s, not certified yet, or an id of the wrong format.'),
    },
  },
  verifyCertificate: {
    summary: 'Verify a certificate (public)',
    description:
      'Whether a certificate number with the SM3 digest of its canonical document is genuine (issued by the registry, signature ' +
      'valid) and current (not superseded by a discharge, change or transfer). No authentication; nothing of the certificate is ' +
      'revealed, and unknown numbers and wrong digests get the same answer (`genuine: false`). Rate-limited per client address ' +
      '(60 a minute by default).',
    auth: 'none',
    query: verifyCertificateQuerySchema,
    pathParameters: { certificateNo: 'The certificate number, URL-encoded, e.g. `鲁(2026)济南市历下区不动产证明第0000123号`.' },
    responses: {
      200: { description: 'The verification.', schema: verificationViewSchema },
      ...publicProblems(400, 429, 500),
      404: answer('The number is longer than any certificate number (`CERTIFICATE_NOT_FOUND`).'),
    },
  },
} as const satisfies Record<string, ApiOperation>;
