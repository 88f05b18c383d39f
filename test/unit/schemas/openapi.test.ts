import { describe, expect, it } from 'vitest';
import { functions, type FunctionDecl } from '../../../infra/topology';
import { buildOpenApiDocument, ZT_SM2_HEADER_FORMAT, ZT_SM2_SIGNED_STRING } from '../../../schemas/openapi';
import { api } from '../../../schemas/v1/api';
import { FILING_ERROR_CODES } from '../../../schemas/v1/filing-input';

type Json = Record<string, unknown>;
const doc = buildOpenApiDocument();
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const get = (v: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((at, k) => (isObject(at) ? at[k] : undefined), v);

const routed = Object.entries(functions as Record<string, FunctionDecl>).flatMap(([name, f]) => (f.route ? [{ name, ...f.route }] : []));

/** Resolves a local JSON pointer (`#/a/b`) against the document. */
function resolve(ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  const keys = ref.slice(2).split('/').map((k) => decodeURIComponent(k).replaceAll('~1', '/').replaceAll('~0', '~'));
  return keys.reduce<unknown>((at, k) => (isObject(at) && k in at ? at[k] : undefined), doc);
}

function collectRefs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => collectRefs(n, out));
  else if (isObject(node)) {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else collectRefs(v, out);
    }
  }
  return out;
}

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1.0 and plain JSON', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it('has every routed function of the topology, at its route, and nothing else', () => {
    expect(routed.map((r) => r.name).sort()).toEqual([
      'correctFiling',
      'decideCreditAppeal',
      'decideIntakeReview',
      'decideRectification',
      'getAuditConsistency',
      'getAuditExport',
      'getAuditInclusion',
      'getAuditLogKey',
      'getAuditStatistics',
      'getAuditTrace',
      'getAuditTreeHead',
      'getBatch',
      'getBatchReceipt',
      'getBatchReceiptConsistency',
      'getCertificate',
      'getChannelCredit',
      'getChannelStatistics',
      'getChecklist',
      'getCreditCase',
      'getCreditChannel',
      'getCreditRules',
      'getFiling',
      'getFilingStatistics',
      'getIncident',
      'getMisuseRules',
      'getOpenapi',
      'getRiskAssessment',
      'getStaffFiling',
      'getStaffSelf',
      'getWebhook',
      'health',
      'listAuditEntries',
      'listAuditTreeHeads',
      'listCreditAppeals',
      'listCreditCases',
      'listCreditChannels',
      'listIncidents',
      'listSecurityAlerts',
      'listStaffFilings',
      'lookupProgress',
      'markUrgent',
      'postAuditExport',
      'postCreditAppeal',
      'postCreditViolation',
      'postDepartmentResult',
      'postIncident',
      'postIncidentAction',
      'postRectification',
      'postShutoff',
      'putChecklist',
      'putCreditRules',
      'putMisuseRules',
      'putWebhook',
      'reopenCase',
      'reviewFiling',
      'staffJwks',
      'staffLogin',
      'submitBatch',
      'unlockStaff',
      'unmaskFiling',
      'verifyCertificate',
      'withdrawFiling',
    ]);
    for (const route of routed) {
      expect(get(doc, 'paths', route.path, route.method.toLowerCase(), 'operationId'), `${route.method} ${route.path}`).toBe(route.name);
    }
    const operationCount = Object.values(get(doc, 'paths') as Json).reduce<number>((n, ops) => n + Object.keys(ops as Json).length, 0);
    expect(operationCount).toBe(routed.length);
    expect(Object.keys(api).sort()).toEqual(routed.map((r) => r.name).sort());
  });

  it('every $ref resolves', () => {
    const refs = collectRefs(doc);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) expect(resolve(ref), ref).toBeDefined();
    expect(JSON.stringify(doc)).not.toContain('$defs');
  });

  it('declares the ZT-SM2 security scheme with the exact header format and canonical string', () => {
    const scheme = get(doc, 'components', 'securitySchemes', 'ZT-SM2');
    expect(scheme).toMatchObject({ type: 'apiKey', in: 'header', name: 'Authorization' });
    const description = String(get(scheme, 'description'));
    // DESIGN.md §7, verbatim.
    expect(ZT_SM2_HEADER_FORMAT).toBe(
      'Authorization: ZT-SM2 channel="<channelId>",timestamp="<unix seconds>",nonce="<16-64 chars [A-Za-z0-9]>",signature="<base64 of DER SM2 signature>"',
    );
    expect(ZT_SM2_SIGNED_STRING).toBe(
      'signed string = METHOD "\\n" PATH_AND_QUERY "\\n" timestamp "\\n" nonce "\\n" lowercase-hex(SM3(raw body bytes)) "\\n"',
    );
    expect(description).toContain(ZT_SM2_HEADER_FORMAT);
    expect(description).toContain(ZT_SM2_SIGNED_STRING);
    expect(description).toContain('1234567812345678');
  });

  it('secures channel operations with ZT-SM2, department results with ZT-SM2 by the department, staff operations with a bearer token, and leaves sign-in, keys, health and discovery open', () => {
    const open = ['health', 'getOpenapi', 'staffLogin', 'staffJwks', 'lookupProgress', 'verifyCertificate', 'getAuditLogKey'];
    const staff = [
      ...['listStaffFilings', 'markUrgent', 'getChecklist', 'putChecklist', 'getStaffFiling', 'reviewFiling', 'decideIntakeReview'],
      ...['listCreditChannels', 'getCreditChannel', 'postCreditViolation', 'postShutoff', 'listCreditCases', 'getCreditCase', 'decideRectification'],
      ...['reopenCase', 'listCreditAppeals', 'decideCreditAppeal', 'getCreditRules', 'putCreditRules'],
      ...['postIncident', 'listIncidents', 'getIncident', 'postIncidentAction', 'getRiskAssessment'],
      ...['unmaskFiling', 'getMisuseRules', 'putMisuseRules', 'listSecurityAlerts', 'unlockStaff'],
      ...['listAuditEntries', 'getAuditTrace', 'getAuditStatistics', 'getAuditTreeHead', 'listAuditTreeHeads', 'getAuditInclusion', 'getAuditConsistency', 'postAuditExport', 'getAuditExport'],
      ...['getFilingStatistics', 'getChannelStatistics', 'getStaffSelf'],
    ];
    const departments = ['postDepartmentResult'];
    for (const route of routed) {
      const security = get(doc, 'paths', route.path, route.method.toLowerCase(), 'security');
      const expected = open.includes(route.name)
        ? []
        : staff.includes(route.name)
          ? [{ StaffBearer: [] }]
          : departments.includes(route.name)
            ? [{ 'ZT-SM2-Department': [] }]
            : [{ 'ZT-SM2': [] }];
      expect(security, route.name).toEqual(expected);
    }
    expect(get(doc, 'components', 'securitySchemes', 'StaffBearer')).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  });

  it('documents the citizen lookup: one 404 for every mismatch, 429 with Retry-After, and its request and answer', () => {
    const op = get(doc, 'paths', '/v1/public/progress', 'post') as Json;
    expect(Object.keys(get(op, 'responses') as Json)).toEqual(expect.arrayContaining(['200', '404', '422', '429']));
    expect(String(get(op, 'description'))).toMatch(/same 404/);
    expect(get(doc, 'components', 'schemas', 'ProgressLookupRequest')).toBeDefined();
    expect(get(doc, 'components', 'schemas', 'ChecklistView')).toBeDefined();
  });

  it('documents the query parameters of the staff worklist', () => {
    const parameters = get(doc, 'paths', '/v1/staff/filings', 'get', 'parameters') as { name: string; in: string; required: boolean }[];
    expect(parameters.filter((p) => p.in === 'query').map((p) => p.name)).toEqual(expect.arrayContaining(['status', 'district', 'limit', 'cursor']));
    expect(parameters.find((p) => p.name === 'status')?.required).toBe(true);
  });

  it('takes an Idempotency-Key header on POST and declares path parameters', () => {
    const post = get(doc, 'paths', '/v1/batches', 'post');
    expect(get(post, 'parameters')).toContainEqual({ $ref: '#/components/parameters/IdempotencyKey' });
    expect(get(doc, 'components', 'parameters', 'IdempotencyKey')).toMatchObject({ name: 'Idempotency-Key', in: 'header' });
    for (const [path, param] of [
      ['/v1/batches/{batchId}', 'batchId'],
      ['/v1/filings/{filingId}', 'filingId'],
    ] as const) {
      expect(get(doc, 'paths', path, 'get', 'parameters')).toContainEqual(expect.objectContaining({ name: param, in: 'path', required: true }));
    }
  });

  it('answers errors as problem+json referencing the Problem schema, for every 4xx the API uses', () => {
    const statuses = new Set<string>();
    for (const route of routed) {
      const responses = get(doc, 'paths', route.path, route.method.toLowerCase(), 'responses') as Json;
      for (const [status, response] of Object.entries(responses)) {
        if (Number(status) < 400) continue;
        statuses.add(status);
        expect(get(response, 'content', 'application/problem+json', 'schema')).toEqual({ $ref: '#/components/schemas/Problem' });
      }
    }
    for (const s of ['400', '401', '403', '404', '409', '413', '415', '422']) expect(statuses).toContain(s);
  });

  it('documents requests as accepted and responses as sent', () => {
    // Request side (io: input): the amount is a number or a string, idType may be omitted.
    const filing = get(doc, 'components', 'schemas', 'MortgageCreateFiling');
    expect(get(filing, 'properties', 'amount', 'anyOf')).toHaveLength(2);
    expect(get(filing, 'required')).not.toContain('idType');
    expect(get(filing, 'properties', 'mortgagors', 'items', 'required')).toEqual(['name', 'idNumber']);
    expect(get(doc, 'paths', '/v1/batches', 'post', 'requestBody', 'content', 'application/json', 'schema')).toEqual({
      $ref: '#/components/schemas/SubmitBatchRequest',
    });
    // Response side (io: output): the filing view carries amountFen.
    expect(get(doc, 'components', 'schemas', 'FilingView', 'properties', 'mortgage', 'properties', 'amountFen', 'type')).toBe('string');
    expect(get(doc, 'paths', '/v1/batches', 'post', 'responses', '202', 'content', 'application/json', 'schema')).toEqual({
      $ref: '#/components/schemas/SubmitBatchResponse',
    });
  });

  it('documents every per-item validation error code on the submit endpoint', () => {
    const description = String(get(doc, 'paths', '/v1/batches', 'post', 'description'));
    for (const code of Object.keys(FILING_ERROR_CODES)) expect(description).toContain(`\`${code}\``);
  });
});
