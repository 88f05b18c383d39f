/**
 * The auditors' API (002 五(二)4; DESIGN.md §5) through the real handlers on the in-process emulators, over room
 * A2's in-memory log (test/support/audit-read-world.ts): proofs that verify with merkle.ts, city-wide logs for
 * auditors only, search filtered to readable logs, statistics grouped, an export whose GET is JSON Lines that
 * client/zt-audit.ts verifies, and hostile input on every endpoint answered with problem+json and a code,
 * nothing stored. (Roles × districts: the generated matrix in staff-api.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { verifyExport } from '../../client/zt-audit';
import { verifyConsistency, verifyInclusion } from '../../functions/core/domain/merkle';
import type { StaffEndpointName } from '../../functions/shared/http/staff-permissions';
import { staffRequest, type StaffRequest } from '../support/credit-staff-events';
import { lambdaContext } from '../support/fixtures';
import { startStaffWorld, type StaffWorld } from '../support/staff-world';

vi.mock('../../functions/shared/audit-read-deps', async () => (await import('../support/audit-read-world')).auditReadDepsModule());
const { AUDIT_WORLD, reader, seedAuditWorld } = await import('../support/audit-read-world');

type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
const ENTRIES = {
  listAuditEntries: 'list-audit-entries',
  getAuditTrace: 'get-audit-trace',
  getAuditStatistics: 'get-audit-statistics',
  getAuditTreeHead: 'get-audit-tree-head',
  listAuditTreeHeads: 'list-audit-tree-heads',
  getAuditInclusion: 'get-audit-inclusion',
  getAuditConsistency: 'get-audit-consistency',
  postAuditExport: 'post-audit-export',
  getAuditExport: 'get-audit-export',
} as const satisfies Partial<Record<StaffEndpointName, string>>;
type Endpoint = keyof typeof ENTRIES;

let world: StaffWorld;
const handlers = new Map<Endpoint, ApiHandler>();
beforeAll(async () => {
  world = await startStaffWorld('zt-a2-audit');
  await seedAuditWorld();
  for (const [name, file] of Object.entries(ENTRIES)) handlers.set(name as Endpoint, ((await import(`../../functions/handlers/${file}.ts`)) as { handler: ApiHandler }).handler);
});
afterAll(async () => world.stop());

const as = async (role: 'AUDITOR' | 'ADMIN' = 'AUDITOR') => world.tokenFor(world.account(role, AUDIT_WORLD.own));
const call = async (endpoint: Endpoint, request: Omit<StaffRequest, 'token'>, role: 'AUDITOR' | 'ADMIN' = 'AUDITOR') =>
  handlers.get(endpoint)!(staffRequest(endpoint, { token: await as(role), ...request }), lambdaContext(endpoint));
const code = (response: APIGatewayProxyResult) => `${response.statusCode} ${(JSON.parse(response.body) as { code?: string }).code ?? 'OK'}`;
const json = <T>(response: APIGatewayProxyResult): T => JSON.parse(response.body) as T;

describe('tree heads and proofs', () => {
  it('the latest head, the heads in a range, an inclusion proof and a consistency proof that verify', async () => {
    const head = json<{ treeHead: { treeSize: number; rootHash: string } }>(await call('getAuditTreeHead', { path: { tenant: AUDIT_WORLD.own } }));
    expect(head.treeHead.treeSize).toBe(12);
    const heads = json<{ items: { treeHead: { treeSize: number; rootHash: string } }[] }>(await call('listAuditTreeHeads', { path: { tenant: AUDIT_WORLD.own }, query: { fromSize: '5', toSize: '12' } }));
    expect(heads.items.map((h) => h.treeHead.treeSize)).toEqual([9, 12]);
    const inclusion = json<{ leafHash: string; proof: string[]; entry: { seq: number } }>(await call('getAuditInclusion', { path: { tenant: AUDIT_WORLD.own }, query: { seq: '7' } }));
    expect(inclusion.entry.seq).toBe(7);
    expect(verifyInclusion(inclusion.leafHash, 7, 12, inclusion.proof, head.treeHead.rootHash)).toBe(true);
    const proof = json<{ proof: string[] }>(await call('getAuditConsistency', { path: { tenant: AUDIT_WORLD.own }, query: { first: '9', second: '12' } }));
    expect(verifyConsistency(9, 12, proof.proof, heads.items[0]!.treeHead.rootHash, head.treeHead.rootHash)).toBe(true);
  });

  it("an institution's log is city-wide for auditors, not for a district administrator", async () => {
    expect(code(await call('getAuditTreeHead', { path: { tenant: AUDIT_WORLD.institution } }))).toBe('200 OK');
    expect(code(await call('getAuditTreeHead', { path: { tenant: AUDIT_WORLD.institution } }, 'ADMIN'))).toBe('403 ROLE_FORBIDDEN');
    expect(code(await call('getAuditTreeHead', { path: { tenant: 'security' } }))).toBe('404 TREE_HEAD_NOT_FOUND');
  });
});

describe('search, trace, statistics', () => {
  it('search by actor across logs shows only readable logs; a trace is time-ordered; statistics count by group', async () => {
    const byActor = json<{ items: { tenant: string }[] }>(await call('listAuditEntries', { query: { actor: 'worker:intake' } }));
    expect(new Set(byActor.items.map((i) => i.tenant))).toEqual(new Set([AUDIT_WORLD.own]));
    const trace = json<{ items: { tenant: string; entry: { at: string; target: string } }[] }>(await call('getAuditTrace', { query: { filingId: AUDIT_WORLD.filingId } }));
    // Its own district's log (3 entries) and the institution's, city-wide (2); never the other district's (3).
    expect(trace.items.map((i) => i.tenant).sort()).toEqual([AUDIT_WORLD.own, AUDIT_WORLD.own, AUDIT_WORLD.own, AUDIT_WORLD.institution, AUDIT_WORLD.institution].sort());
    expect(trace.items.every((i) => i.entry.target === AUDIT_WORLD.filingId)).toBe(true);
    expect(trace.items.map((i) => i.entry.at)).toEqual([...trace.items.map((i) => i.entry.at)].sort());
    const stats = json<{ total: number; groups: { key: Record<string, string>; count: number }[] }>(await call('getAuditStatistics', { query: { tenant: AUDIT_WORLD.own, groupBy: 'action,outcome' } }));
    expect(stats.total).toBe(12);
    expect(stats.groups.reduce((n, g) => n + g.count, 0)).toBe(12);
    // Seeded: FILING_REVIEWED at i = 0, 3, 6, 9; DENIED at i = 4, 9.
    expect(stats.groups).toContainEqual({ key: { action: 'FILING_REVIEWED', outcome: 'SUCCESS' }, count: 3 });
    expect(stats.groups).toContainEqual({ key: { action: 'FILING_REVIEWED', outcome: 'DENIED' }, count: 1 });
  });
});

describe('exports', () => {
  it('POST creates an export that GET serves as JSON Lines, which the verifier accepts with the log key', async () => {
    const created = await call('postAuditExport', { body: { tenant: AUDIT_WORLD.own, fromSeq: 0 } });
    expect(created.statusCode).toBe(201);
    const { exportId, manifest, href } = json<{ exportId: string; href: string; manifest: { entries: number } }>(created);
    expect(manifest.entries).toBe(12);
    // The answer names the export by the GET route, never by where the store keeps it (F8).
    expect(href).toBe(`/v1/staff/audit/exports/${exportId}`);
    expect(Object.keys(json<object>(created)).sort()).toEqual(['exportId', 'href', 'manifest']);
    expect(created.body).not.toContain(process.env.ZT_EXPORT_DIR!);
    expect(created.body).not.toMatch(/file:|s3:|\.jsonl/);
    const got = await call('getAuditExport', { path: { exportId } });
    expect(got.statusCode).toBe(200);
    expect(got.headers?.['content-type']).toBe('application/x-ndjson');
    expect(verifyExport(Buffer.from(got.body), { publicKey: reader.logKey.publicKey })).toMatchObject({ ok: true, entries: 12, heads: 3 });
  });
});

describe('hostile input: problem+json with a code, nothing stored', () => {
  const own = { tenant: AUDIT_WORLD.own };
  it.each([
    ['entries: no tenant, actor or target', 'listAuditEntries', { query: {} }, '400 INVALID_QUERY'],
    ['entries: unknown parameter', 'listAuditEntries', { query: { ...own, sql: '1' } }, '400 INVALID_QUERY'],
    ['entries: limit too large', 'listAuditEntries', { query: { ...own, limit: '100000' } }, '400 INVALID_QUERY'],
    ['entries: another district', 'listAuditEntries', { query: { tenant: AUDIT_WORLD.other } }, '403 DISTRICT_FORBIDDEN'],
    ['entries: range too wide', 'listAuditEntries', { query: { ...own, from: '2020-01-01T00:00:00.000Z', to: '2026-01-01T00:00:00.000Z' } }, '422 TIME_RANGE_TOO_WIDE'],
    ['entries: bad tenant', 'listAuditEntries', { query: { tenant: '../../etc' } }, '400 INVALID_QUERY'],
    ['trace: both filing and staff', 'getAuditTrace', { query: { filingId: AUDIT_WORLD.filingId, staffId: 'x' } }, '400 INVALID_QUERY'],
    ['trace: malformed filing id', 'getAuditTrace', { query: { filingId: 'F123' } }, '400 INVALID_QUERY'],
    ['statistics: unknown group', 'getAuditStatistics', { query: { ...own, groupBy: 'name' } }, '400 INVALID_QUERY'],
    ['statistics: over 31 days', 'getAuditStatistics', { query: { ...own, groupBy: 'day', from: '2026-01-01T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' } }, '422 TIME_RANGE_TOO_WIDE'],
    ['tree heads: negative size', 'listAuditTreeHeads', { path: own, query: { fromSize: '-1' } }, '400 INVALID_QUERY'],
    ['tree heads: toSize below fromSize', 'listAuditTreeHeads', { path: own, query: { fromSize: '9', toSize: '3' } }, '422 TREE_SIZE_OUT_OF_RANGE'],
    ['inclusion: seq not a number', 'getAuditInclusion', { path: own, query: { seq: 'ff' } }, '400 INVALID_QUERY'],
    ['inclusion: seq beyond the tree', 'getAuditInclusion', { path: own, query: { seq: '12' } }, '422 SEQ_OUT_OF_RANGE'],
    ['inclusion: treeSize beyond the signed head', 'getAuditInclusion', { path: own, query: { seq: '1', treeSize: '1000' } }, '422 TREE_SIZE_OUT_OF_RANGE'],
    ['consistency: first > second', 'getAuditConsistency', { path: own, query: { first: '9', second: '4' } }, '422 TREE_SIZE_OUT_OF_RANGE'],
    ['consistency: beyond the head', 'getAuditConsistency', { path: own, query: { first: '1', second: '13' } }, '422 TREE_SIZE_OUT_OF_RANGE'],
    ['consistency: from the empty tree', 'getAuditConsistency', { path: own, query: { first: '0', second: '4' } }, '422 TREE_SIZE_OUT_OF_RANGE'],
    ['consistency: trailing text', 'getAuditConsistency', { path: own, query: { first: '4abc', second: '9' } }, '400 INVALID_QUERY'],
    ['consistency: exponent', 'getAuditConsistency', { path: own, query: { first: '4', second: '9e0' } }, '400 INVALID_QUERY'],
    ['inclusion: leading zero', 'getAuditInclusion', { path: own, query: { seq: '01' } }, '400 INVALID_QUERY'],
    ['entries: limit with an exponent', 'listAuditEntries', { query: { ...own, limit: '1e2' } }, '400 INVALID_QUERY'],
    ['entries: forged cursor', 'listAuditEntries', { query: { ...own, cursor: 'bm90LWEtY3Vyc29y' } }, '400 CURSOR_INVALID'],
    ['export: unknown field', 'postAuditExport', { body: { ...own, everything: true } }, '422 INVALID_BODY'],
    ['export: fromSeq not a number', 'postAuditExport', { body: { ...own, fromSeq: '1' } }, '422 INVALID_BODY'],
    ['export: negative fromSeq', 'postAuditExport', { body: { ...own, fromSeq: -1 } }, '422 EXPORT_RANGE_INVALID'],
    ['export: fractional toSeq', 'postAuditExport', { body: { ...own, toSeq: 4.5 } }, '422 EXPORT_RANGE_INVALID'],
    ['export: fromSeq ≥ toSeq', 'postAuditExport', { body: { ...own, fromSeq: 9, toSeq: 4 } }, '422 EXPORT_RANGE_INVALID'],
    ['export: wider than the limit', 'postAuditExport', { body: { ...own, fromSeq: 0, toSeq: 1_000_000 } }, '422 EXPORT_TOO_LARGE'],
    ['export: empty range', 'postAuditExport', { body: { ...own, fromSeq: 12 } }, '422 EXPORT_EMPTY'],
    ['export: fromSeq beyond the latest head', 'postAuditExport', { body: { ...own, fromSeq: 500, toSeq: 900 } }, '422 EXPORT_EMPTY'],
    ['export: another district', 'postAuditExport', { body: { tenant: AUDIT_WORLD.other } }, '403 DISTRICT_FORBIDDEN'],
    ['export: oversized body', 'postAuditExport', { body: JSON.stringify({ ...own, pad: 'x'.repeat(10_000) }) }, '413 PAYLOAD_TOO_LARGE'],
    ['get export: bad id', 'getAuditExport', { path: { exportId: '../../etc/passwd' } }, '404 NOT_FOUND'],
    ['get export: missing', 'getAuditExport', { path: { exportId: 'X0000000000000000000000FF' } }, '404 EXPORT_NOT_FOUND'],
  ] as const)('%s → %s', async (_what, endpoint, request, expected) => {
    const response = await call(endpoint, request as Omit<StaffRequest, 'token'>);
    expect(code(response)).toBe(expected);
    expect(response.headers?.['content-type']).toMatch(/^application\/problem\+json/);
  });
});
