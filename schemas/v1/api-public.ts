/** API docs of the citizen progress lookup and material checklists (issue 3 items 8, 2); joined into `api` in api.ts. */
import type { ApiOperation } from './api';
import { answer, codeList, publicProblems, staffProblems } from './api-problems';
import { checklistViewSchema, putChecklistRequestSchema } from './checklist';
import { progressLookupRequestSchema, progressViewSchema } from './progress';
import { MAX_CHECKLIST_ITEMS } from '../../functions/core/domain/checklists';
import { STAFF_PERMISSIONS } from '../../functions/shared/http/staff-permissions';


const businessTypeParameter = { businessType: 'A business type, e.g. `MORTGAGE_CREATE` (404 `UNKNOWN_BUSINESS_TYPE` otherwise).' };

export const publicApi = {
  lookupProgress: {
    summary: 'Citizen progress lookup',
    description: [
      'A citizen (申请人) looks up the progress of a filing made on their behalf (002 二(一)4). No authentication.',
      '',
      'The **business number** (业务编号) printed on the citizen’s receipt is the `filingId` (`F` and 24 hex digits).',
      'The lookup matches only when the filing exists AND one of its people (mortgagor, buyer or seller) has this ID',
      'number AND that same person has this name. The answer is progress only: business type, status, times of each',
      'transition, the unit code, and the citizen’s own name masked. Never notes or reasons, never other people.',
      '',
      'Every mismatch (no such filing, wrong name, wrong ID number) answers the same 404 `NOT_FOUND`, byte for byte,',
      'after the same work, so the endpoint tells nothing about which filings exist or who is on them.',
      'Lookups are limited per client address (default 10 per minute): over the limit, 429 `RATE_LIMITED` with `Retry-After`.',
      'Every lookup is audited (tenant `public`, a pseudonym of the address; never the name or ID number).',
    ].join('\n'),
    auth: 'none',
    request: progressLookupRequestSchema,
    responses: {
      200: { description: 'The filing’s progress, personal data masked.', schema: progressViewSchema },
      ...publicProblems(400, 404, 413, 415, 422, 429, 500),
    },
  },
  getChecklist: {
    summary: 'A material checklist',
    description: [
      'The material checklist in force for a business type (`current`) and every version, newest first. Version 1',
      'is the built-in list. Checklists are city-wide: the same for staff of every district.',
      'Submission reads the checklist in force through a per-process cache of up to 30 s, so a new version applies',
      `to filings submitted from at most 30 s after it is published. Roles: ${STAFF_PERMISSIONS.getChecklist.roles.join(', ')}.`,
    ].join('\n'),
    auth: 'Bearer',
    pathParameters: businessTypeParameter,
    responses: { 200: { description: 'The checklist and its versions.', schema: checklistViewSchema }, ...staffProblems(401, 403, 500), 404: answer('The path names no business type (`UNKNOWN_BUSINESS_TYPE`).') },
  },
  putChecklist: {
    summary: 'Publish a material checklist version',
    description: [
      'Publishes version `baseVersion + 1` of a business type’s checklist (002 二(一)3, 五(二)2). Versions are kept;',
      'a filing records the version in force when it is submitted and intake judges its materials by that version,',
      'so the change applies only to filings submitted after it (other instances see it within their 30 s cache).',
      `Material type codes match \`^[A-Z][A-Z0-9_]{2,40}$\`; at most ${MAX_CHECKLIST_ITEMS} required and ${MAX_CHECKLIST_ITEMS} optional; no type twice.`,
      `Roles: ${STAFF_PERMISSIONS.putChecklist.roles.join(', ')}. Problem codes of this endpoint:`,
      codeList({
        CHECKLIST_VERSION_CONFLICT: '409: `baseVersion` is not the current version (someone published first): read it again and retry.',
        INVALID_BODY: '422: the body is not valid (`errors` per field, e.g. `DUPLICATE_MATERIAL_TYPE`).',
        UNKNOWN_BUSINESS_TYPE: '404: the path names no business type.',
      }),
    ].join('\n'),
    auth: 'Bearer',
    pathParameters: businessTypeParameter,
    request: putChecklistRequestSchema,
    responses: {
      200: { description: 'The checklist with the new version in force.', schema: checklistViewSchema },
      ...staffProblems(400, 401, 403, 413, 415, 422, 500),
      404: answer('The path names no business type (`UNKNOWN_BUSINESS_TYPE`).'),
      409: answer('`baseVersion` is not the current version (`CHECKLIST_VERSION_CONFLICT`): someone published first; read it again and retry.'),
    },
  },
} as const satisfies Record<string, ApiOperation>;
