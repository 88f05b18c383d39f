/**
 * The OpenAPI 3.1 document of the channel API (DESIGN.md §7 "Discovery"), generated, never written by
 * hand: paths come from the routes of `infra/topology.ts`, operations from `schemas/v1/api.ts`, and
 * component schemas from the zod schemas through `z.toJSONSchema` (inputs as accepted, outputs as sent).
 */
import { z } from 'zod';
import { functions, type FunctionDecl } from '../infra/topology';
import { api, healthResponseSchema, submitBatchRequestDocSchema, type ApiOperation } from './v1/api';
import { batchReceiptReferenceSchema, batchViewSchema, submitBatchResponseSchema } from './v1/batch';
import {
  batchReceiptSchema,
  consistencySchema,
  createdExportSchema,
  entryListSchema,
  entryViewSchema,
  exportManifestSchema,
  inclusionSchema,
  logEntrySchema,
  logKeySchema,
  postExportRequestSchema,
  receiptConsistencySchema,
  receiptPendingSchema,
  signedTreeHeadSchema,
  statisticsSchema,
  treeHeadListSchema,
  treeHeadSchema,
} from './v1/audit';
import { filingViewSchema } from './v1/filing-view';
import { filingInputSchemas } from './v1/filing-input';
import { fieldErrorSchema, PROBLEM_CONTENT_TYPE, problemSchema } from './v1/problem';
import { jwksSchema, staffFilingListSchema, staffLoginRequestSchema, staffLoginResponseSchema, staffSelfSchema } from './v1/staff';
import { putWebhookRequestSchema, webhookViewSchema } from './v1/webhook';
import { reviewRequestSchema, reviewResultSchema } from './v1/review';
import { certificateViewSchema, verificationViewSchema } from './v1/certificate';
import { checklistViewSchema, putChecklistRequestSchema } from './v1/checklist';
import { progressLookupRequestSchema, progressViewSchema } from './v1/progress';
import { correctionRequestDocSchema, filingStateSchema } from './v1/corrections';
import { markUrgentRequestSchema } from './v1/urgent';
import { withdrawalRequestSchema } from './v1/withdrawal';
import { appealRequestSchema, appealViewSchema, caseViewSchema, channelCreditViewSchema, ledgerEventViewSchema, rectificationReceiptSchema, rectificationRequestSchema } from './v1/credit';
import { departmentDeliverySchema, departmentResultResponseSchema, departmentResultSchema } from './departments/v1';
import { batchPath, businessTypePath, certificatePath, filingPath } from './v1/path-parameters';
import { creditStaffPathSchemas, creditStaffRequestComponents, creditStaffResponseComponents } from './v1/api-credit-staff';
import { incidentsPathSchemas, incidentsRequestComponents, incidentsResponseComponents } from './v1/api-incidents';
import { statisticsResponseComponents } from './v1/api-statistics';
import { misusePathSchemas, misuseRequestComponents, misuseResponseComponents } from './v1/misuse-api';

/** The `Authorization` header of a channel request (DESIGN.md §7). */
export const ZT_SM2_HEADER_FORMAT =
  'Authorization: ZT-SM2 channel="<channelId>",timestamp="<unix seconds>",nonce="<16-64 chars [A-Za-z0-9]>",signature="<base64 of DER SM2 signature>"';
/** The canonical string the channel signs (DESIGN.md §7). */
export const ZT_SM2_SIGNED_STRING =
  'signed string = METHOD "\\n" PATH_AND_QUERY "\\n" timestamp "\\n" nonce "\\n" lowercase-hex(SM3(raw body bytes)) "\\n"';

const SECURITY_SCHEME = 'ZT-SM2';
const STAFF_SECURITY_SCHEME = 'StaffBearer';
const DEPARTMENT_SECURITY_SCHEME = 'ZT-SM2-Department';

const securitySchemeDescription = [
  'Every channel request is signed with the SM2 private key of the channel (GB/T 39786 level 3: non-repudiation of filings).',
  '',
  '```',
  ZT_SM2_HEADER_FORMAT,
  ZT_SM2_SIGNED_STRING,
  '```',
  '',
  'SM2 signature with SM3 digest and the default user id `1234567812345678` (GM/T 0009), DER-encoded, then base64.',
  'The timestamp must be within ±300 s of the server clock; a nonce is accepted once per channel within 600 s.',
  "For example, sm-crypto's `doSignature(signedString, privateKeyHex, { hash: true, der: true })` gives the hex DER signature to base64-encode.",
].join('\n');

/** Component name of each schema the API uses, and whether it is documented as accepted or as sent. */
const pascal = (type: string): string => type.toLowerCase().replace(/(^|_)([a-z])/g, (_m, _sep, c: string) => c.toUpperCase());
const requestComponents = new Map<z.ZodType, string>([
  [submitBatchRequestDocSchema, 'SubmitBatchRequest'],
  // One named component per business type, e.g. MORTGAGE_CREATE → MortgageCreateFiling.
  ...Object.entries(filingInputSchemas).map(([type, schema]): [z.ZodType, string] => [schema, `${pascal(type)}Filing`]),
  [putWebhookRequestSchema, 'PutWebhookRequest'],
  [staffLoginRequestSchema, 'StaffLoginRequest'],
  [reviewRequestSchema, 'ReviewRequest'],
  [progressLookupRequestSchema, 'ProgressLookupRequest'],
  [putChecklistRequestSchema, 'PutChecklistRequest'],
  [correctionRequestDocSchema, 'CorrectionRequest'],
  [withdrawalRequestSchema, 'WithdrawalRequest'],
  [rectificationRequestSchema, 'RectificationRequest'],
  [appealRequestSchema, 'CreditAppealRequest'],
  [markUrgentRequestSchema, 'MarkUrgentRequest'],
  [departmentResultSchema, 'DepartmentResult'],
  [departmentDeliverySchema, 'DepartmentDelivery'],
  ...creditStaffRequestComponents,
  ...incidentsRequestComponents,
  ...misuseRequestComponents,
  [postExportRequestSchema, 'AuditExportRequest'],
]);
const responseComponents = new Map<z.ZodType, string>([
  [submitBatchResponseSchema, 'SubmitBatchResponse'],
  [batchViewSchema, 'BatchView'],
  [filingViewSchema, 'FilingView'],
  [problemSchema, 'Problem'],
  [webhookViewSchema, 'WebhookView'],
  [channelCreditViewSchema, 'ChannelCredit'],
  [ledgerEventViewSchema, 'ChannelLedgerEvent'],
  [caseViewSchema, 'ChannelCreditCase'],
  [appealViewSchema, 'ChannelCreditAppeal'],
  [rectificationReceiptSchema, 'RectificationReceipt'],
  [staffLoginResponseSchema, 'StaffLoginResponse'],
  [jwksSchema, 'Jwks'],
  [staffFilingListSchema, 'StaffFilingList'],
  [staffSelfSchema, 'StaffSelf'],
  [fieldErrorSchema, 'FieldError'],
  [healthResponseSchema, 'Health'],
  [reviewResultSchema, 'ReviewResult'],
  [certificateViewSchema, 'CertificateView'],
  [verificationViewSchema, 'CertificateVerification'],
  [progressViewSchema, 'ProgressView'],
  [checklistViewSchema, 'ChecklistView'],
  [filingStateSchema, 'FilingState'],
  [departmentResultResponseSchema, 'DepartmentResultRecorded'],
  ...creditStaffResponseComponents,
  ...incidentsResponseComponents,
  ...statisticsResponseComponents,
  ...misuseResponseComponents,
  [batchReceiptReferenceSchema, 'BatchReceiptReference'],
  [batchReceiptSchema, 'BatchReceipt'],
  [receiptPendingSchema, 'BatchReceiptPending'],
  [receiptConsistencySchema, 'BatchReceiptConsistency'],
  [logKeySchema, 'AuditLogKey'],
  [treeHeadSchema, 'TreeHead'],
  [signedTreeHeadSchema, 'SignedTreeHead'],
  [treeHeadListSchema, 'SignedTreeHeadList'],
  [logEntrySchema, 'AuditLogEntry'],
  [entryViewSchema, 'AuditEntryView'],
  [entryListSchema, 'AuditEntryList'],
  [statisticsSchema, 'AuditStatistics'],
  [inclusionSchema, 'AuditInclusionProof'],
  [consistencySchema, 'AuditConsistencyProof'],
  [exportManifestSchema, 'AuditExportManifest'],
  [createdExportSchema, 'AuditExport'],
]);

const refTo = (name: string) => ({ $ref: `#/components/schemas/${name}` });

function componentSchemas(components: Map<z.ZodType, string>, io: 'input' | 'output'): Record<string, unknown> {
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of components) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { io, target: 'draft-2020-12', uri: (id) => refTo(id).$ref });
  const out: Record<string, unknown> = {};
  for (const [id, json] of Object.entries(schemas)) {
    // A `__shared` entry would hold `$defs` that `#/components/schemas/...` refs cannot reach.
    if (id === '__shared') throw new Error('OpenAPI: a schema needs a component name (shared definitions found)');
    // The component's place in the document is its identity; a fragment-only `$id` is not a valid 2020-12 `$id`.
    const { $schema: _dialect, $id: _id, ...rest } = json;
    out[id] = rest;
  }
  return out;
}

function schemaRef(schema: z.ZodType, components: Map<z.ZodType, string>, where: string) {
  const name = components.get(schema);
  if (!name) throw new Error(`OpenAPI: ${where} uses a schema with no component name`);
  return refTo(name);
}

/** The format of each path parameter, from the schemas the endpoint chains check it with (schemas/v1/path-parameters.ts). */
const PATH_PARAMETER_SCHEMAS: Readonly<Record<string, unknown>> = Object.fromEntries(
  [filingPath, batchPath, businessTypePath, certificatePath, ...creditStaffPathSchemas, ...incidentsPathSchemas, ...misusePathSchemas].flatMap((schema) =>
    Object.entries((z.toJSONSchema(schema, { io: 'input' }) as { properties: Record<string, unknown> }).properties),
  ),
);

const pathParameterNames = (path: string): string[] => [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? '');

function operation(name: string, decl: FunctionDecl, op: ApiOperation): Record<string, unknown> {
  const route = decl.route;
  if (!route) throw new Error(`OpenAPI: ${name} has no route`);
  // DESIGN.md §7: a channel's POST requests carry an Idempotency-Key.
  if (route.method === 'POST' && (op.auth === 'ZT-SM2' || op.auth === 'ZT-SM2-DEPARTMENT') && !op.idempotent) throw new Error(`OpenAPI: POST ${route.path} must be idempotent`);
  const parameters: unknown[] = pathParameterNames(route.path).map((param) => {
    const description = op.pathParameters?.[param];
    if (!description) throw new Error(`OpenAPI: path parameter ${param} of ${name} has no description`);
    const schema = PATH_PARAMETER_SCHEMAS[param] ?? { type: 'string', minLength: 1, maxLength: 128 };
    return { name: param, in: 'path', required: true, description: `${description} Of another format: the 404 of a missing resource.`, schema };
  });
  if (op.idempotent) parameters.push({ $ref: '#/components/parameters/IdempotencyKey' });
  if (op.query) {
    const shape = (z.toJSONSchema(op.query, { io: 'input' }) as { properties?: Record<string, Record<string, unknown>>; required?: string[] });
    for (const [param, schema] of Object.entries(shape.properties ?? {})) {
      const { description, ...rest } = schema;
      parameters.push({ name: param, in: 'query', required: (shape.required ?? []).includes(param), ...(description ? { description } : {}), schema: rest });
    }
  }

  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(op.responses)) {
    if (!response.schema) {
      responses[status] = {
        description: response.description,
        ...(response.contentType ? { content: { [response.contentType]: { schema: { type: 'object' } } } } : {}),
      };
      continue;
    }
    const contentType = response.schema === problemSchema ? PROBLEM_CONTENT_TYPE : 'application/json';
    responses[status] = {
      description: response.description,
      content: { [contentType]: { schema: schemaRef(response.schema, responseComponents, `${name} ${status}`) } },
    };
  }

  return {
    operationId: name,
    summary: op.summary,
    description: op.description,
    security: { 'ZT-SM2': [{ [SECURITY_SCHEME]: [] }], 'ZT-SM2-DEPARTMENT': [{ [DEPARTMENT_SECURITY_SCHEME]: [] }], Bearer: [{ [STAFF_SECURITY_SCHEME]: [] }], none: [] }[op.auth],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(op.request
      ? { requestBody: { required: true, content: { 'application/json': { schema: schemaRef(op.request, requestComponents, `${name} request`) } } } }
      : {}),
    responses,
  };
}

/** Builds the OpenAPI 3.1.0 document of the channel API. */
export function buildOpenApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const operations: Readonly<Record<string, ApiOperation>> = api;
  for (const [name, decl] of Object.entries(functions as Record<string, FunctionDecl>)) {
    if (!decl.route) continue;
    const op = operations[name];
    if (!op) throw new Error(`OpenAPI: routed function ${name} has no entry in schemas/v1/api.ts`);
    const byMethod = (paths[decl.route.path] ??= {});
    byMethod[decl.route.method.toLowerCase()] = operation(name, decl, op);
  }

  const requestSchemas = componentSchemas(requestComponents, 'input');
  const responseSchemas = componentSchemas(responseComponents, 'output');
  const clash = Object.keys(requestSchemas).find((k) => k in responseSchemas);
  if (clash) throw new Error(`OpenAPI: component ${clash} is both a request and a response schema`);

  return {
    openapi: '3.1.0',
    info: {
      title: 'Zhitong channel API',
      version: '1.0.0',
      description:
        'Batch channels of the real-estate registry for banks, developers and agencies. Errors are RFC 9457 ' +
        `problem details (\`${PROBLEM_CONTENT_TYPE}\`); personal data in responses is masked.`,
    },
    paths,
    components: {
      schemas: { ...requestSchemas, ...responseSchemas },
      securitySchemes: {
        [SECURITY_SCHEME]: { type: 'apiKey', in: 'header', name: 'Authorization', description: securitySchemeDescription },
        [DEPARTMENT_SECURITY_SCHEME]: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description:
            'A department system signs as a channel does, with its own registered SM2 key, naming itself with `department=`:\n\n```\n' +
            'Authorization: ZT-SM2 department="<departmentId>",timestamp="<unix seconds>",nonce="<16-64 chars [A-Za-z0-9]>",signature="<base64 of DER SM2 signature>"\n' +
            ZT_SM2_SIGNED_STRING +
            '\n```',
        },
        [STAFF_SECURITY_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: "A registry staff member's access token: Cognito on AWS, the local issuer (POST /v1/staff/login) on the local runtime.",
        },
      },
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description:
            'Optional; makes the POST safe to retry for 24 h: the same key with the same request returns the first response ' +
            '(header `idempotent-replayed: true`); the same key with a different request is refused (422 `IDEMPOTENCY_KEY_REUSED`).',
          schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
        },
      },
    },
  };
}
