/** API docs of the audit log's read side (DESIGN.md §5): receipts, the log key, the auditors' API; joined into `api` in api.ts. */
import type { ApiOperation } from './api';
import { answer, codeList, problems, publicProblems, staffProblems } from './api-problems';
import {
  auditEntriesQuerySchema,
  auditStatisticsQuerySchema,
  auditTraceQuerySchema,
  batchReceiptSchema,
  consistencyQuerySchema,
  consistencySchema,
  createdExportSchema,
  entryListSchema,
  inclusionQuerySchema,
  inclusionSchema,
  logKeySchema,
  postExportRequestSchema,
  receiptConsistencyQuerySchema,
  receiptConsistencySchema,
  receiptPendingSchema,
  signedTreeHeadSchema,
  statisticsSchema,
  treeHeadListSchema,
  treeHeadsQuerySchema,
} from './audit';
import { MAX_EXPORT_ENTRIES } from '../../functions/core/use-cases/audit-export';
import { MAX_STATISTICS_DAYS, MAX_STATISTICS_ENTRIES } from '../../functions/core/use-cases/audit-search';
import { STAFF_PERMISSIONS, type StaffEndpointName } from '../../functions/shared/http/staff-permissions';

const roles = (endpoint: StaffEndpointName): string =>
  `Roles: ${STAFF_PERMISSIONS[endpoint].roles.join(', ')}. Auditors read their own district's log and every non-district log (institutions, \`public\`, \`unauthenticated\`, \`department:*\`, \`security\`); an administrator reads their own district's; another district's log is 403 \`DISTRICT_FORBIDDEN\`; a non-auditor asking for a non-district log, 403 \`ROLE_FORBIDDEN\` (audited).`;
const tenantParameter = { tenant: 'Whose log: a district code, an institution id, `public`, `unauthenticated`, `department:<id>`, `security`.' };
const FORMAT = 'The format, byte for byte, is in docs/audit-log.md and client/README.md §7; `client/zt-audit.ts` and `npm run audit:verify` check it.';

export const auditApi = {
  getBatchReceipt: {
    summary: "A batch's receipt",
    description: [
      "The receipt of the channel's own batch (DESIGN.md §5): the batch's entry in the institution's log (`batch:<batchId>`, committing to",
      'SM3 of the signed body and of the items answered), the LATEST signed tree head, and the inclusion proof. Until a signed head covers the',
      'entry (a checkpoint every few seconds): 202 `PENDING` with `Retry-After`. Verify with the published key only (`GET /v1/audit/log-key`). ' + FORMAT,
    ].join('\n'),
    auth: 'ZT-SM2',
    pathParameters: { batchId: 'The `batchId` of the 202 answer of POST /v1/batches.' },
    responses: {
      200: { description: 'The receipt.', schema: batchReceiptSchema },
      202: { description: 'Not covered by a signed tree head yet; retry after `Retry-After` seconds.', schema: receiptPendingSchema },
      ...problems(401, 403, 500),
      404: answer('No batch with this id for this channel (`BATCH_NOT_FOUND`), or its entry is past retention (`RECEIPT_EXPIRED`).'),
    },
  },
  getBatchReceiptConsistency: {
    summary: 'Consistency from a head the institution holds to the latest',
    description: 'The RFC 9162 consistency proof from tree size `from` (an earlier receipt head) to the latest signed head of the institution’s log.',
    auth: 'ZT-SM2',
    pathParameters: { batchId: 'A batch of this channel.' },
    query: receiptConsistencyQuerySchema,
    responses: {
      200: { description: 'The latest head and the proof.', schema: receiptConsistencySchema },
      ...problems(400, 401, 403, 500),
      404: answer('`BATCH_NOT_FOUND`, or `TREE_HEAD_NOT_FOUND`.'),
      422: answer('`from` is 0 or exceeds the latest signed tree size (`TREE_SIZE_OUT_OF_RANGE`).'),
    },
  },
  getAuditLogKey: {
    summary: "The audit log's public key",
    description: 'The SM2 key that verifies every signed tree head (separate from the platform key). Pin it; never trust a key a receipt carries.',
    auth: 'none',
    responses: { 200: { description: 'The key.', schema: logKeySchema }, ...publicProblems(429, 500) },
  },
  listAuditEntries: {
    summary: 'Search audit entries',
    description: [roles('listAuditEntries'), 'By tenant, actor, target, action, outcome, institution, time (`from` ≤ at < `to`, at most 366 days; default the last 31). At most 500 a page.'].join('\n'),
    auth: 'Bearer',
    query: auditEntriesQuerySchema,
    responses: { 200: { description: 'One page.', schema: entryListSchema }, ...staffProblems(400, 401, 403, 500), 422: answer('`TIME_RANGE_INVALID`, `TIME_RANGE_TOO_WIDE`.') },
  },
  getAuditTrace: {
    summary: 'Trace a filing or a staff member',
    description: [roles('getAuditTrace'), 'Every entry about a filing (`filingId`) across the logs the caller may read, or everything a staff member did (`staffId`), time-ordered.'].join('\n'),
    auth: 'Bearer',
    query: auditTraceQuerySchema,
    responses: { 200: { description: 'One page, time-ordered.', schema: entryListSchema }, ...staffProblems(400, 401, 403, 500), 422: answer('`TIME_RANGE_TOO_WIDE`.') },
  },
  getAuditStatistics: {
    summary: 'Audit statistics',
    description: [
      roles('getAuditStatistics'),
      `Counts of entries grouped by ${'`district`, `institution`, `businessType`, `day` (China time), `action`, `outcome`'} (comma-separated, combined).`,
      'Problem codes of this endpoint:',
      codeList({
        TIME_RANGE_TOO_WIDE: `The range spans more than ${MAX_STATISTICS_DAYS} days.`,
        STATISTICS_TOO_MANY_ENTRIES: `More than ${MAX_STATISTICS_ENTRIES} entries in range.`,
      }),
    ].join('\n'),
    auth: 'Bearer',
    query: auditStatisticsQuerySchema,
    responses: { 200: { description: 'The counts.', schema: statisticsSchema }, ...staffProblems(400, 401, 403, 500), 422: answer('`TIME_RANGE_TOO_WIDE`, `STATISTICS_TOO_MANY_ENTRIES`.') },
  },
  getAuditTreeHead: {
    summary: 'The latest signed tree head of a log',
    description: roles('getAuditTreeHead'),
    auth: 'Bearer',
    pathParameters: tenantParameter,
    responses: { 200: { description: 'The signed tree head.', schema: signedTreeHeadSchema }, ...staffProblems(401, 403, 500), 404: answer('`TREE_HEAD_NOT_FOUND`.') },
  },
  listAuditTreeHeads: {
    summary: 'Signed tree heads in a size range',
    description: [roles('listAuditTreeHeads'), 'Smallest first, at most 1,000 (`truncated` beyond).'].join('\n'),
    auth: 'Bearer',
    pathParameters: tenantParameter,
    query: treeHeadsQuerySchema,
    responses: { 200: { description: 'The heads.', schema: treeHeadListSchema }, ...staffProblems(400, 401, 403, 500), 422: answer('`TREE_SIZE_OUT_OF_RANGE`.') },
  },
  getAuditInclusion: {
    summary: 'An entry and its inclusion proof',
    description: [roles('getAuditInclusion'), 'RFC 9162 §2.1.3 audit path of entry `seq` in the tree of `treeSize` (default: the latest signed head).'].join('\n'),
    auth: 'Bearer',
    pathParameters: tenantParameter,
    query: inclusionQuerySchema,
    responses: {
      200: { description: 'The proof.', schema: inclusionSchema },
      ...staffProblems(400, 401, 403, 500),
      404: answer('`TREE_HEAD_NOT_FOUND`, `AUDIT_ENTRY_NOT_FOUND`.'),
      422: answer('`TREE_SIZE_OUT_OF_RANGE`, `SEQ_OUT_OF_RANGE`.'),
    },
  },
  getAuditConsistency: {
    summary: 'A consistency proof between two tree sizes',
    description: [roles('getAuditConsistency'), 'RFC 9162 §2.1.4, both sizes within the latest signed head.'].join('\n'),
    auth: 'Bearer',
    pathParameters: tenantParameter,
    query: consistencyQuerySchema,
    responses: { 200: { description: 'The proof.', schema: consistencySchema }, ...staffProblems(400, 401, 403, 500), 404: answer('`TREE_HEAD_NOT_FOUND`.'), 422: answer('`TREE_SIZE_OUT_OF_RANGE`.') },
  },
  postAuditExport: {
    summary: 'Export a log range',
    description: [
      roles('postAuditExport'),
      `JSON Lines with a manifest, ending at a signed tree head; at most ${MAX_EXPORT_ENTRIES} entries (use \`fromSeq\`/\`toSeq\` ranges). With \`filter\`, only the matching entries, each with its inclusion proof.`,
      'Kept in S3 under Object Lock (compliance) until the longest retention class it holds expires. ' + FORMAT,
    ].join('\n'),
    auth: 'Bearer',
    request: postExportRequestSchema,
    responses: {
      201: { description: 'The export: its id, its href (`GET /v1/staff/audit/exports/{exportId}`) and its manifest.', schema: createdExportSchema },
      ...staffProblems(400, 401, 403, 413, 415, 500),
      404: answer('`AUDIT_LOG_NOT_FOUND`: no signed tree head yet.'),
      422: answer(
        `\`INVALID_BODY\` (with field \`errors\`): not an export request. The range, checked before anything is read: \`EXPORT_RANGE_INVALID\` — \`fromSeq\`/\`toSeq\` not integers ≥ 0 (\`toSeq\` ≥ 1), or \`fromSeq\` ≥ \`toSeq\`; \`EXPORT_TOO_LARGE\` — more than ${MAX_EXPORT_ENTRIES} entries; \`EXPORT_EMPTY\` — no signed tree head covers an entry of the range (\`fromSeq\` at or beyond the latest head, or no head ends inside it).`,
      ),
    },
  },
  getAuditExport: {
    summary: 'A kept export',
    description: [roles('getAuditExport'), 'The JSON Lines body as written. ' + FORMAT].join('\n'),
    auth: 'Bearer',
    pathParameters: { exportId: '`X` and 24 upper-case hex digits.' },
    responses: { 200: { description: 'The export.', contentType: 'application/x-ndjson' }, ...staffProblems(401, 403, 500), 404: answer('`EXPORT_NOT_FOUND`.') },
  },
} as const satisfies Record<string, ApiOperation>;
