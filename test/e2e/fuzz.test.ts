/**
 * A black-box fuzz of the local runtime over real HTTP (issue 7, "how it will be checked"): a deterministic
 * pseudo-random mix of hostile requests to every route of /openapi.json and to unknown routes — malformed,
 * oversized and deeply nested JSON, wrong content types, unknown and prototype-named keys, wrong types, huge
 * strings, long and odd path ids, hostile query strings and headers, missing, garbled, replayed and stale
 * signatures, correctly signed but invalid bodies, bad bearer tokens.
 *
 * Every answer: status < 500; every 4xx is application/problem+json with `status` = the HTTP status and a
 * string `code`, at most 100 field errors; no answer holds a plaintext name or ID number of the demo data.
 * After the run: nothing was stored for rejected requests (filings and batches only for 202 answers,
 * checklist versions only for 2xx publications), unauthenticated denials are aggregated in the audit, and
 * no table, data file or log line holds a plaintext name or ID number.
 *
 * `FUZZ_REQUESTS` (default 1,500, for CI) and `FUZZ_SEED` (default 7) tune it; `npm run fuzz` sends 5,000.
 * Loopback only.
 */
import { Agent, request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { signRequest } from '../../client/zt-client';
import { queueEnvVar, tables, tableEnvVar, type TableName } from '../../infra/topology';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DemoCredentials } from '../../infra/local/seed/seed';
import { demoRegister, prng, type DemoPerson } from '../../infra/local/seed/demo-data';
import { fileableUnits, mortgageCreateFiling, REQUIRED_MORTGAGE_MATERIALS, materials } from '../../infra/local/seed/demo-filings';
import { captureOutput, startDemoRuntime, type DemoRuntime, type OutputCapture } from '../support/demo-runtime';

const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 1500);
const SEED = Number(process.env.FUZZ_SEED ?? 7);
const CONCURRENCY = 6;

let demo: DemoRuntime;
let base: URL;
let credentials: DemoCredentials;
let output: OutputCapture;
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

// ---------------------------------------------------------------------------------------------------------
// The demo people: every name and ID number the register holds, to look for in answers, tables, files, logs.

const everyone: DemoPerson[] = demoRegister().flatMap((u) => u.owners);
const ID_NUMBERS = new Set(everyone.map((p) => p.idNumber));
const NAMES = new Set(everyone.map((p) => p.name));
/** The people the fuzz itself sends (in bodies, clientRefs, notes, queries): a bounded pool. */
const POOL: DemoPerson[] = fileableUnits().slice(0, 40).flatMap((u) => u.owners);

/** Plaintext ID numbers of demo people found in `text` (18 characters, matched against the register). */
function idNumbersIn(text: string): string[] {
  return [...text.matchAll(/(?<![0-9])[0-9]{17}[0-9X](?![0-9X])/g)].map((m) => m[0]).filter((id) => ID_NUMBERS.has(id));
}
/** Plaintext names of the people the fuzz sent, found in `text`. */
const POOL_NAMES = [...new Set(POOL.map((p) => p.name))];
function poolNamesIn(text: string): string[] {
  return POOL_NAMES.filter((name) => text.includes(name));
}
/** Any demo name (of 1,200 units' owners) as a whole run of Chinese characters in `text`. */
function demoNamesIn(text: string): string[] {
  return [...text.matchAll(/[\u4e00-\u9fff]{2,4}/g)].map((m) => m[0]).filter((run) => NAMES.has(run));
}

// ---------------------------------------------------------------------------------------------------------
// HTTP: node:http, so that paths, headers and bodies go on the wire exactly as built (no URL normalisation).

interface Sent {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string | string[]>;
  readonly body?: Buffer;
  readonly label: string;
  /** The route template it aims at, or `unknown`. */
  readonly route: string;
}

interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

function send(req: Sent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: OutgoingHttpHeaders = { ...req.headers };
    if (req.body !== undefined) headers['content-length'] = String(req.body.length);
    const r = httpRequest({ host: base.hostname, port: base.port, method: req.method, path: req.path, headers, agent, timeout: 60_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    r.on('timeout', () => r.destroy(new Error('timeout')));
    r.on('error', reject);
    r.end(req.body);
  });
}

// ---------------------------------------------------------------------------------------------------------
// The generator: one deterministic stream of hostile requests.

type Rand = () => number;
const pick = <T>(rand: Rand, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
const chance = (rand: Rand, p: number) => rand() < p;
const hex = (rand: Rand, n: number) => Array.from({ length: n }, () => '0123456789ABCDEF'[Math.floor(rand() * 16)]).join('');

interface Operation {
  readonly method: string;
  readonly path: string;
}

type Kind = 'channel' | 'staff' | 'public';
const kindOf = (path: string): Kind =>
  path === '/v1/staff/login' || path === '/v1/staff/jwks.json' || path.startsWith('/v1/public') || path.startsWith('/v1/certificates') || !path.startsWith('/v1/')
    ? 'public'
    : path.startsWith('/v1/staff/')
      ? 'staff'
      : 'channel';

/** Known real ids, filled as the run goes. */
const known = { filingIds: [] as string[], batchIds: [] as string[], certificateNos: [] as string[] };

const HOSTILE_IDS = (rand: Rand): string[] => [
  'A'.repeat(2048),
  `F${'0'.repeat(2047)}`,
  `F${hex(rand, 24)}`,
  `F${hex(rand, 24).toLowerCase()}`,
  `B20260101${hex(rand, 20)}`,
  '..',
  '%2e%2e',
  '%2E%2E%2F%2E%2E%2Fetc%2Fpasswd',
  '%00',
  '%',
  '%ZZ',
  '%C0%AE',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  encodeURIComponent('直通'),
  encodeURIComponent('😀'.repeat(300)),
  encodeURIComponent(pick(rand, POOL).name),
  pick(rand, POOL).idNumber,
  'MORTGAGE_CREATE',
  'mortgage_create',
  encodeURIComponent("'; DROP TABLE filings; --"),
  encodeURIComponent('{"$ne":null}'),
  '%F0%9F%98%80',
  '%EF%BF%BF',
  '%ED%A0%80', // a lone surrogate, invalid UTF-8
  'a'.repeat(129),
  encodeURIComponent('鲁(2026)济南市历下区不动产证明第0000123号'),
];

function idFor(rand: Rand, param: string): string {
  const r = rand();
  if (r < 0.3) {
    if (param === 'filingId' && known.filingIds.length > 0) return pick(rand, known.filingIds);
    if (param === 'batchId' && known.batchIds.length > 0) return pick(rand, known.batchIds);
    if (param === 'certificateNo' && known.certificateNos.length > 0) return encodeURIComponent(pick(rand, known.certificateNos));
    if (param === 'businessType') return pick(rand, ['MORTGAGE_CREATE', 'TRANSFER_RESALE', 'PRESALE_NOTICE']);
  }
  if (r < 0.45) return param === 'batchId' ? `B20261201${hex(rand, 20)}` : `F${hex(rand, 24)}`;
  return pick(rand, HOSTILE_IDS(rand));
}

const HOSTILE_QUERIES = (rand: Rand): string[] => [
  '__proto__=1',
  'constructor=x',
  'toString=1&valueOf=2',
  '__proto__[admin]=true',
  'constructor.prototype.admin=1',
  'status=READY',
  'status=SUBMITTED&status=ACCEPTED',
  'status=%ZZ',
  'status=' + 'A'.repeat(4096),
  'q=a+b&%7E=~',
  'flag',
  '&&&==&',
  '=',
  'digest=' + hex(rand, 64).toLowerCase(),
  'digest=' + 'z'.repeat(3000),
  'digest=',
  'digest=1&digest=2',
  'limit=-1',
  'limit=1e309',
  'cursor=' + encodeURIComponent('{"pk":"FILING#x"}'),
  'cursor=' + 'A'.repeat(2000),
  'nextToken=%00%00',
  `name=${encodeURIComponent(pick(rand, POOL).name)}&idNumber=${pick(rand, POOL).idNumber}`,
  encodeURIComponent('直通') + '=' + encodeURIComponent('😀'),
  'x=%F0%9F%98%80',
  'x=%ED%A0%80',
  Array.from({ length: 300 }, (_, i) => `p${i}=${i}`).join('&'),
  Array.from({ length: 200 }, () => 'status=X').join('&'),
];

const WEIRD_CONTENT_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'APPLICATION/JSON', 'application/problem+json', 'application/jsonx', '', ';;;', 'application/json;' + 'a'.repeat(2000)];

function deepNest(depth: number, open: string, close: string, leaf = '1'): string {
  return open.repeat(depth) + leaf + close.repeat(depth);
}

function randomJson(rand: Rand): unknown {
  return fc.sample(fc.jsonValue({ maxDepth: 4 }), { seed: Math.floor(rand() * 2 ** 31), numRuns: 1 })[0];
}

/** A correctly shaped body for the route, mutated or not; `undefined` for routes without one. */
function plausibleBody(rand: Rand, op: Operation, i: number): unknown {
  const person = pick(rand, POOL);
  const unit = pick(rand, fileableUnits().slice(40, 400));
  // Notes carrying an ID or phone number are refused (PERSONAL_DATA_IN_TEXT). A note naming a person is not
  // sent: no text check can tell a name, and such a note is stored and shown in the clear (reported, issue 7).
  const piiText = pick(rand, [`本人身份证${person.idNumber}`, `联系电话 ${person.phone}`, `身份证 ${person.idNumber.slice(0, 6)} ${person.idNumber.slice(6, 14)} ${person.idNumber.slice(14)}`, '客户申请撤回', 'x'.repeat(5000), '']);
  switch (`${op.method} ${op.path}`) {
    case 'POST /v1/batches': {
      const clientRef = pick(rand, [`FZ-${SEED}-${i}`, person.name, person.idNumber, person.phone, `FZ-${person.idNumber}`, 'x'.repeat(65), '__proto__', '', `FZ ${i}`, '../../etc']);
      const filing = mortgageCreateFiling({ clientRef, unitCode: unit.unitCode, mortgagors: unit.owners });
      return { filings: chance(rand, 0.2) ? Array.from({ length: 1 + Math.floor(rand() * 4) }, (_, k) => ({ ...filing, clientRef: `FZ-${SEED}-${i}-${k}` })) : [filing] };
    }
    case 'POST /v1/filings/{filingId}/corrections':
      return { materials: materials(`FZ-${i}`, REQUIRED_MORTGAGE_MATERIALS.slice(0, 1)) };
    case 'POST /v1/filings/{filingId}/withdrawal':
      return pick(rand, [{}, { reason: piiText }]);
    case 'PUT /v1/channel/webhook':
      return { url: pick(rand, ['http://127.0.0.1:9/hook', 'https://bank.example/zt', 'http://169.254.169.254/latest/meta-data', 'file:///etc/passwd', 'javascript:alert(1)', `https://x.example/${'a'.repeat(3000)}`, `https://x.example/?id=${person.idNumber}`]) };
    case 'POST /v1/staff/filings/{filingId}/review':
      return pick(rand, [{ decision: 'REFUSE', reasonCode: 'UNIT_SEIZED', note: piiText }, { decision: 'APPROVE' }, { decision: 'MAYBE' }, { decision: 'REFUSE' }]);
    case 'POST /v1/staff/filings/{filingId}/urgent':
      return { reason: piiText };
    case 'PUT /v1/staff/checklists/{businessType}':
      return { baseVersion: pick(rand, [0, 1, -1, 1e308, '1']), required: ['X'.repeat(300)], note: piiText };
    case 'POST /v1/staff/login':
      return { username: pick(rand, ['clerk.370102', 'admin.370102', '__proto__', 'x'.repeat(300), person.name]), password: pick(rand, ['wrong', '', 'x'.repeat(300)]) };
    case 'POST /v1/public/progress':
      return { businessNumber: pick(rand, [...known.filingIds.slice(0, 5), `F${hex(rand, 24)}`, '__proto__']), name: person.name, idNumber: chance(rand, 0.5) ? person.idNumber : `${person.idNumber.slice(0, 17)}0` };
    default:
      return undefined;
  }
}

/** Mutates a plain JSON value: unknown and prototype-named keys, wrong types, huge strings. */
function mutate(rand: Rand, value: unknown, depth = 0): unknown {
  if (Array.isArray(value)) return value.map((v) => mutate(rand, v, depth + 1));
  if (value === null || typeof value !== 'object') {
    if (chance(rand, 0.12)) return pick(rand, [null, true, 0, -1, 1.5, 1e308, '', 'x'.repeat(70_000), [], {}, '\u0000', '𠀀'.repeat(100), randomJson(rand)]);
    return value;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!chance(rand, 0.05)) out[k] = mutate(rand, v, depth + 1);
  if (chance(rand, 0.15)) out[pick(rand, ['constructor', 'toString', 'hasOwnProperty', 'valueOf', 'unknownField', '$where', 'pk', 'sk'])] = randomJson(rand);
  return out;
}

/** JSON text with `__proto__` as an own key (JSON.stringify never writes one). */
const withProtoKey = (json: string, inner: string) => (json.startsWith('{') && json.length > 2 ? `{"__proto__":${inner},${json.slice(1)}` : `{"__proto__":${inner}}`);

interface Body {
  readonly bytes?: Buffer;
  readonly label: string;
}

function bodyFor(rand: Rand, op: Operation, i: number): Body {
  const plausible = plausibleBody(rand, op, i);
  const r = rand();
  const json = (v: unknown) => Buffer.from(JSON.stringify(v) ?? 'null', 'utf8');
  if (r < 0.3 && plausible !== undefined) return { bytes: json(plausible), label: 'plausible' };
  if (r < 0.5 && plausible !== undefined) return { bytes: json(mutate(rand, plausible)), label: 'mutated' };
  if (r < 0.56) return { bytes: Buffer.from(withProtoKey(JSON.stringify(plausible ?? {}), pick(rand, ['{"admin":true}', '{"status":500}', 'null', '[]'])), 'utf8'), label: 'proto-key' };
  if (r < 0.6) return { bytes: Buffer.from(`{"constructor":{"prototype":{"polluted":1}},"__proto__":{"polluted":1}}`, 'utf8'), label: 'constructor-key' };
  if (r < 0.65) return { bytes: Buffer.from(pick(rand, ['{', '{"a":}', 'nul', '[1,]', '{"a":1}}', "{'a':1}", '\uFEFF{}', '{"a":"\\uZZZZ"}', '1'.repeat(400), 'NaN', '{"a":1e999999}']), 'utf8'), label: 'malformed' };
  if (r < 0.68) return { bytes: Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0xc3, 0x28, 0x7d]), label: 'invalid-utf8' };
  if (r < 0.72) {
    const depth = pick(rand, [100, 1_000, 10_000, 100_000]);
    return { bytes: Buffer.from(chance(rand, 0.5) ? deepNest(depth, '[', ']') : deepNest(depth, '{"a":', '}'), 'utf8'), label: `nested-${depth}` };
  }
  if (r < 0.75) {
    const n = pick(rand, [1_000, 20_000]);
    const doc: Record<string, unknown> = { filings: [Object.fromEntries(Array.from({ length: n }, (_, k) => [`unknown${k}`, k]))] };
    for (let k = 0; k < 200; k++) doc[`extra${k}`] = k;
    return { bytes: json(doc), label: `unknown-keys-${n}` };
  }
  if (r < 0.77) {
    // Many filings, each invalid: the batch's per-item answer and the error-list caps.
    const filings = Array.from({ length: pick(rand, [50, 499, 501, 2000]) }, (_, k) => ({ clientRef: pick(rand, [`FZ-M-${i}-${k}`, pick(rand, POOL).name, pick(rand, POOL).idNumber]), businessType: 'MORTGAGE_CREATE', x: k }));
    return { bytes: json({ filings }), label: `many-filings-${filings.length}` };
  }
  if (r < 0.79) {
    const size = pick(rand, [70_000, 1_100_000, 5 * 1024 * 1024 + 10]);
    return { bytes: json({ filings: [{ clientRef: 'x'.repeat(size) }] }), label: `huge-${size}` };
  }
  if (r < 0.85) return { bytes: json(randomJson(rand)), label: 'random-json' };
  if (r < 0.9) return { bytes: undefined, label: 'none' };
  if (r < 0.93) return { bytes: Buffer.alloc(0), label: 'empty' };
  return { bytes: json(mutate(rand, mutate(rand, plausible ?? { filings: [] }))), label: 'double-mutated' };
}

interface Tokens {
  readonly bearer: string[];
}

function authFor(rand: Rand, kind: Kind, method: string, path: string, body: Buffer, tokens: Tokens): { headers: Record<string, string>; label: string; replay?: boolean } {
  const channels = credentials.channels;
  const channel = kind === 'channel' && chance(rand, 0.7) ? channels.find((c) => c.institutionType === 'BANK')! : pick(rand, channels);
  const sign = (over: Partial<{ channelId: string; key: string; method: string; path: string; body: Buffer | string; timestamp: number; nonce: string }> = {}) =>
    signRequest({
      channelId: over.channelId ?? channel.channelId,
      privateKeyHex: over.key ?? channel.privateKey,
      method: over.method ?? method,
      pathAndQuery: over.path ?? path,
      body: over.body ?? body,
      timestamp: over.timestamp,
      nonce: over.nonce,
    }).authorization;
  const r = rand();
  const want = kind === 'channel' ? r : kind === 'staff' ? (r < 0.55 ? 2 : r) : r < 0.6 ? 3 : r;
  if (want === 2) return { headers: { authorization: `Bearer ${pick(rand, tokens.bearer)}` }, label: 'bearer-valid' };
  if (want === 3) return { headers: {}, label: 'none' };
  if (want < 0.5) return { headers: { authorization: sign() }, label: 'signed' };
  if (want < 0.55) return { headers: { authorization: sign() }, label: 'signed-replayed', replay: true };
  if (want < 0.6) return { headers: { authorization: sign({ timestamp: Math.floor(Date.now() / 1000) - pick(rand, [301, 1000, 86_400 * 365]) }) }, label: 'stale' };
  if (want < 0.63) return { headers: { authorization: sign({ timestamp: Math.floor(Date.now() / 1000) + 3600 }) }, label: 'future' };
  if (want < 0.67) return { headers: { authorization: sign({ body: Buffer.concat([body, Buffer.from(' ')]) }) }, label: 'sig-other-body' };
  if (want < 0.7) return { headers: { authorization: sign({ path: path.split('?')[0]! }) }, label: 'sig-no-query' };
  if (want < 0.73) return { headers: { authorization: sign({ channelId: pick(rand, ['CH-UNKNOWN', 'constructor', '__proto__', channels[1]!.channelId]) }) }, label: 'sig-wrong-channel' };
  if (want < 0.76) return { headers: { authorization: sign({ key: '1'.repeat(64) }) }, label: 'sig-wrong-key' };
  if (want < 0.8) {
    const garbled = pick(rand, [
      'ZT-SM2',
      'ZT-SM2 ',
      `ZT-SM2 channel="${channel.channelId}"`,
      `ZT-SM2 channel="${channel.channelId}",timestamp="abc",nonce="short",signature="!!!"`,
      `ZT-SM2 channel="${channel.channelId}",timestamp="${Math.floor(Date.now() / 1000)}",nonce="${'a'.repeat(32)}",signature="${'A'.repeat(5000)}"`,
      `ZT-SM2 channel="${'c'.repeat(4000)}",timestamp="1",nonce="x",signature="y"`,
      `ZT-SM2 channel="__proto__",timestamp="${Math.floor(Date.now() / 1000)}",nonce="${'b'.repeat(32)}",signature="MEUCIQ=="`,
      sign().replace(/signature="[^"]+"/, 'signature="MEQCIA=="'),
      sign().replace(/signature="([^"]{10})/, 'signature="AAAAAAAAAA'),
      sign() + ',extra="1"',
      sign().replace('ZT-SM2', 'zt-sm2'),
      `${sign()}, ${sign()}`,
      'Basic YWRtaW46YWRtaW4=',
      'Bearer ',
      'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.',
      'Bearer ' + 'A'.repeat(8000),
      'ZT-SM2 channel="\u00e9"',
    ]);
    return { headers: { authorization: garbled }, label: 'garbled' };
  }
  if (want < 0.85) return { headers: {}, label: 'none' };
  if (want < 0.9) {
    const [h, p] = (pick(rand, tokens.bearer).split('.') as [string, string, string]);
    const forged = pick(rand, [
      `${h}.${p}.AAAA`,
      `${h}.${Buffer.from(JSON.stringify({ sub: 'admin', role: 'ADMIN', district: '370102', exp: 4e9 })).toString('base64url')}.x`,
      'eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJTVEFGRi1hZG1pbiJ9.',
      'not.a.jwt',
      'a.b',
      '....',
    ]);
    return { headers: { authorization: `Bearer ${forged}` }, label: 'bearer-forged' };
  }
  if (want < 0.95) return { headers: { authorization: `Bearer ${pick(rand, tokens.bearer)}` }, label: 'bearer-valid' };
  return { headers: { authorization: sign() }, label: 'signed' };
}

const PROTO_HEADERS = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'x-amzn-requestid', 'host2'];

function generate(rand: Rand, i: number, operations: readonly Operation[], tokens: Tokens): Sent[] {
  let op: Operation = pick(rand, operations);
  let route = op.path;
  if (chance(rand, 0.08)) {
    op = { method: pick(rand, ['GET', 'POST', 'PUT']), path: pick(rand, ['/v1/nothing', '/v2/batches', '/v1/batches/x/y/z', '/v1', '/', '//', '/v1//batches', '/v1/batches/', '/%2e%2e/%2e%2e', '/v1/%ZZ', `/${'a'.repeat(3000)}`, '/__proto__', '/constructor', '/v1/filings/__proto__/constructor', `/${encodeURIComponent(pick(rand, POOL).name)}`, `/${pick(rand, POOL).idNumber}`, '/openapi.json/x', '/health/..']) };
    route = 'unknown';
  }
  const method = chance(rand, 0.07) ? pick(rand, ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']) : op.method;
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => idFor(rand, name));
  const query = chance(rand, 0.3) ? pick(rand, HOSTILE_QUERIES(rand)) : '';
  const fullPath = query === '' ? path : `${path}?${query}`;
  const withBody = method === 'POST' || method === 'PUT' || method === 'PATCH' || chance(rand, 0.05);
  const body = withBody ? bodyFor(rand, op, i) : { bytes: undefined, label: 'none' };
  const bytes = body.bytes ?? Buffer.alloc(0);
  const kind = kindOf(op.path);
  const auth = authFor(rand, kind, method, fullPath, bytes, tokens);
  const headers: Record<string, string | string[]> = { ...auth.headers };
  if (body.bytes !== undefined) headers['content-type'] = chance(rand, 0.12) ? pick(rand, WEIRD_CONTENT_TYPES) : 'application/json';
  if (chance(rand, 0.15)) headers[pick(rand, PROTO_HEADERS)] = pick(rand, ['1', 'x', '__proto__', 'a'.repeat(1000)]);
  if (chance(rand, 0.15) && withBody) headers['idempotency-key'] = pick(rand, [`fz-${SEED}-${i}`, `fz-${SEED}-${i % 7}`, 'bad key!', 'k'.repeat(129), '__proto__', encodeURIComponent('直通')]);
  if (chance(rand, 0.03)) headers['authorization'] = [String(headers['authorization'] ?? 'x'), 'Bearer y'];
  if (chance(rand, 0.03)) headers['content-length-x'] = '-1';
  const label = `${method} ${route} auth=${auth.label} body=${body.label}${query ? ' query' : ''}`;
  const sent: Sent = { method, path: fullPath, headers, body: body.bytes, label, route };
  return auth.replay ? [sent, { ...sent, label: `${label} (replay)` }] : [sent];
}

// ---------------------------------------------------------------------------------------------------------

interface Failure {
  readonly label: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly why: string;
  readonly answer: string;
}

const statusCounts = new Map<number, number>();
const codeCounts = new Map<string, number>();
const failures: Failure[] = [];
const acceptedFilings = new Set<string>();
const acceptedBatches = new Set<string>();
let checklistPublications = 0;
const deniedCombos = new Set<string>();
let sentCount = 0;
let startedAt = 0;
let operations: Operation[] = [];
let tokens: Tokens = { bearer: [] };
/** The run's summary and failures, written after the output capture ends. */
const report: string[] = [];

function judge(req: Sent, answer: Answer): void {
  sentCount += 1;
  statusCounts.set(answer.status, (statusCounts.get(answer.status) ?? 0) + 1);
  const fail = (why: string) => failures.push({ label: req.label, method: req.method, path: req.path.slice(0, 200), status: answer.status, why, answer: answer.text.slice(0, 400) });
  if (answer.status >= 500) fail('5xx');
  if (answer.status >= 400) {
    if (answer.contentType.split(';')[0]!.trim() !== 'application/problem+json') fail(`not problem+json: ${answer.contentType}`);
    let problem: { status?: unknown; code?: unknown; errors?: unknown[] } | undefined;
    try {
      problem = req.method === 'HEAD' ? undefined : (JSON.parse(answer.text) as typeof problem);
    } catch {
      fail('problem body is not JSON');
    }
    if (problem) {
      if (problem.status !== answer.status) fail(`problem.status ${JSON.stringify(problem.status)} ≠ ${answer.status}`);
      if (typeof problem.code !== 'string') fail('problem.code is not a string');
      else {
        codeCounts.set(`${answer.status} ${problem.code}`, (codeCounts.get(`${answer.status} ${problem.code}`) ?? 0) + 1);
        deniedCombos.add(`${req.method} ${req.route} ${problem.code}`);
      }
      if (Array.isArray(problem.errors) && problem.errors.length > 100) fail(`${problem.errors.length} field errors`);
    }
  }
  if (answer.text.length > 1_000_000 && req.path !== '/openapi.json') fail(`answer of ${answer.text.length} characters`);
  const ids = idNumbersIn(answer.text);
  const names = demoNamesIn(answer.text);
  if (ids.length > 0 || names.length > 0) fail(`plaintext personal data in the answer: ${ids.length} ID numbers, ${names.length} names`);

  // What was stored, as the answers say: filings and batches of 202 batch answers, checklist publications.
  if (answer.status === 202 && req.method === 'POST' && req.route === '/v1/batches') {
    const body = JSON.parse(answer.text) as { batchId: string; items: { filingId?: string; status: string }[] };
    acceptedBatches.add(body.batchId);
    if (!known.batchIds.includes(body.batchId)) known.batchIds.push(body.batchId);
    for (const item of body.items) {
      if (item.filingId && item.status === 'SUBMITTED') acceptedFilings.add(item.filingId);
      if (item.filingId && !known.filingIds.includes(item.filingId)) known.filingIds.push(item.filingId);
    }
  }
  if (answer.status >= 200 && answer.status < 300 && req.method === 'PUT' && req.route.startsWith('/v1/staff/checklists')) checklistPublications += 1;
}

/** Waits until the runtime's appender has emptied the audit queue (records are queued before they are in the log). */
async function auditSettled(): Promise<void> {
  const client = new SQSClient({});
  try {
    for (let i = 0; i < 600; i++) {
      const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl: process.env[queueEnvVar('audit')]!, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
      if (Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('The audit queue did not drain');
  } finally {
    client.destroy();
  }
}

/** An entry item of a tenant's audit log. */
const isAuditEntryOf = (tenants: readonly string[]) => (item: Record<string, { S?: string }>) => tenants.some((t) => item.pk?.S === `LOG#${t}`) && item.sk?.S?.startsWith('E#') === true;

async function countItems(table: TableName, filter: (item: Record<string, { S?: string }>) => boolean): Promise<number> {
  if (table === 'audit') await auditSettled();
  const client = new DynamoDBClient({});
  let n = 0;
  for await (const page of paginateScan({ client }, { TableName: process.env[tableEnvVar(table)]! })) n += (page.Items ?? []).filter((i) => filter(i as Record<string, { S?: string }>)).length;
  return n;
}

const isMeta = (prefix: string) => (item: Record<string, { S?: string }>) => item.pk?.S?.startsWith(prefix) === true && item.sk?.S === 'META';

let baseline: { filings: number; batches: number; checklists: number };

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  output = captureOutput();
  demo = await startDemoRuntime('fuzz');
  credentials = demo.credentials;
  base = new URL(demo.runtime.url);
  baseline = {
    filings: await countItems('filings', isMeta('FILING#')),
    batches: await countItems('filings', isMeta('BATCH#')),
    checklists: await countItems('checklists', () => true),
  };
}, 180_000);

afterAll(async () => {
  agent.destroy();
  output?.restore();
  // Written once the capture has ended: the report quotes answers, which must not count as the runtime's logs.
  for (const line of report) process.stderr.write(`${line}\n`);
  await demo?.stop();
});

describe(`a fuzz of ${REQUESTS} hostile requests (seed ${SEED})`, () => {
  it(
    'answers every request below 500, every error as problem+json, and never with personal data',
    async () => {
      const document = JSON.parse((await send({ method: 'GET', path: '/openapi.json', headers: {}, label: 'openapi', route: '/openapi.json' })).text) as { paths: Record<string, Record<string, unknown>> };
      operations = Object.entries(document.paths).flatMap(([path, item]) =>
        Object.keys(item)
          .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
          .map((m) => ({ method: m.toUpperCase(), path })),
      );
      expect(operations.length).toBeGreaterThanOrEqual(20);

      // Staff tokens of several roles, and one real batch so that real ids are in play.
      const bearer: string[] = [];
      for (const username of ['clerk.370102', 'reviewer.370102', 'registrar.370102', 'admin.370102', 'auditor.370103', 'credit_officer.370102']) {
        const account = credentials.staff!.find((s) => s.username === username)!;
        const login = await send({ method: 'POST', path: '/v1/staff/login', headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ username, password: account.password })), label: 'login', route: '/v1/staff/login' });
        expect(login.status).toBe(200);
        bearer.push((JSON.parse(login.text) as { accessToken: string }).accessToken);
      }
      tokens = { bearer };
      const bankChannel = credentials.channels.find((c) => c.institutionType === 'BANK')!;
      const seedBody = Buffer.from(JSON.stringify({ filings: fileableUnits().slice(500, 505).map((u, k) => mortgageCreateFiling({ clientRef: `FZ-SEED-${k}`, unitCode: u.unitCode, mortgagors: u.owners })) }));
      const seedReq: Sent = { method: 'POST', path: '/v1/batches', headers: { 'content-type': 'application/json', authorization: signRequest({ channelId: bankChannel.channelId, privateKeyHex: bankChannel.privateKey, method: 'POST', pathAndQuery: '/v1/batches', body: seedBody }).authorization }, body: seedBody, label: 'seed batch', route: '/v1/batches' };
      const seeded = await send(seedReq);
      expect(seeded.status).toBe(202);
      judge(seedReq, seeded);

      const rand = prng(SEED);
      startedAt = Date.now();
      let next = 0;
      const worker = async () => {
        while (next < REQUESTS) {
          const i = next++;
          // Generated when sent (real ids known by then), signed just in time (fresh timestamps).
          for (const req of generate(rand, i, operations, tokens)) {
            let answer: Answer;
            try {
              answer = await send(req);
            } catch (error) {
              failures.push({ label: req.label, method: req.method, path: req.path.slice(0, 200), status: 0, why: `no answer: ${(error as Error).message}`, answer: '' });
              continue;
            }
            judge(req, answer);
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));

      const summary = {
        requests: sentCount,
        seconds: Math.round((Date.now() - startedAt) / 1000),
        statuses: Object.fromEntries([...statusCounts].sort(([a], [b]) => a - b)),
        codes: Object.fromEntries([...codeCounts].sort(([a], [b]) => (a < b ? -1 : 1))),
        acceptedFilings: acceptedFilings.size,
        acceptedBatches: acceptedBatches.size,
      };
      report.push(`FUZZ SUMMARY ${JSON.stringify(summary)}`);
      const grouped = new Map<string, Failure[]>();
      for (const f of failures) grouped.set(`${f.why} | ${f.label}`, [...(grouped.get(`${f.why} | ${f.label}`) ?? []), f]);
      for (const [key, list] of grouped) report.push(`FUZZ FAILURE ×${list.length} ${key}\n  e.g. ${list[0]!.method} ${list[0]!.path} → ${list[0]!.status} ${list[0]!.answer}`);
      expect(sentCount).toBeGreaterThanOrEqual(REQUESTS);
      expect(failures.map((f) => `${f.status} ${f.why} | ${f.label}`)).toEqual([]);
    },
    30 * 60_000,
  );

  it('passes the probes: prototype names, long ids, clientRef echo, error-list size, audit amplification', async () => {
    const bankChannel = credentials.channels.find((c) => c.institutionType === 'BANK')!;
    /** The request as a legitimate caller of its route would send it (signed, or with a valid token). */
    const legit = (method: string, path: string, body?: unknown, extra: Record<string, string> = {}): Sent => {
      const bytes = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
      const route = path.split('?')[0]!;
      const kind = kindOf(operations.find((o) => new RegExp(`^${o.path.replace(/\{\w+\}/g, '[^/]+')}$`).test(route))?.path ?? route);
      const headers: Record<string, string> = { ...extra };
      if (bytes) headers['content-type'] = 'application/json';
      if (kind === 'channel') headers['authorization'] = signRequest({ channelId: bankChannel.channelId, privateKeyHex: bankChannel.privateKey, method, pathAndQuery: path, body: bytes ?? '' }).authorization;
      // A role the endpoint allows: the credit officer does credit, the admin publishes checklists and misuse rules,
      // unlocks accounts, handles incidents and the risk assessment and reads the audit logs, the registrar does the rest.
      const adminRoute =
        method === 'PUT' ||
        ['/v1/staff/incidents', '/v1/staff/accounts/', '/v1/staff/security/', '/v1/staff/audit/'].some((prefix) => route.startsWith(prefix)) ||
        route === '/v1/staff/risk-assessment';
      if (kind === 'staff') headers['authorization'] = `Bearer ${tokens.bearer[route.startsWith('/v1/staff/credit/') ? 5 : adminRoute ? 3 : 2]}`;
      return { method, path, headers, body: bytes, label: `probe ${method} ${route}`, route };
    };
    const failuresBefore = failures.length;
    const ask = async (req: Sent) => {
      const answer = await send(req);
      judge(req, answer);
      return answer;
    };
    const bodyOf = (op: Operation) => (op.method === 'POST' || op.method === 'PUT' ? {} : undefined);

    // Prototype names as header and query names, on every route.
    for (const op of operations) {
      const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'businessType' ? 'MORTGAGE_CREATE' : name === 'batchId' ? `B20261201${'0'.repeat(20)}` : `F${'0'.repeat(24)}`));
      const answer = await ask(legit(op.method, `${path}?constructor=1&__proto__=1&toString=1&hasOwnProperty=1`, bodyOf(op), { constructor: '1', __proto__: '1', toString: '1', hasOwnProperty: '1' } as Record<string, string>));
      expect(answer.status, `${op.method} ${op.path}`).toBeLessThan(500);
    }
    // A 2 KB id answers the 404 of a missing resource, on every route with one.
    for (const op of operations.filter((o) => o.path.includes('{'))) {
      const answer = await ask(legit(op.method, op.path.replace(/\{\w+\}/g, 'F'.repeat(2048)), bodyOf(op)));
      expect([404, 429], `${op.method} ${op.path}`).toContain(answer.status);
    }
    // An INVALID item echoes no clientRef that is, or carries, a name, an ID number or a phone number.
    const person = POOL[0]!;
    const unit = fileableUnits()[450]!;
    const refs = [person.name, person.idNumber, person.phone, `FZ-${person.idNumber}`, `FZ-${person.phone}`];
    const echo = await ask(legit('POST', '/v1/batches', { filings: refs.map((clientRef) => mortgageCreateFiling({ clientRef, unitCode: unit.unitCode, mortgagors: unit.owners })) }));
    expect(echo.status).toBe(202);
    const items = (JSON.parse(echo.text) as { items: { status: string; clientRef?: string }[] }).items;
    expect(items.map((i) => i.status)).toEqual(refs.map(() => 'INVALID'));
    expect(items.map((i) => i.clientRef)).toEqual(refs.map(() => undefined));
    // Error lists stay bounded whatever the body: 20,000 unknown keys in a filing, 20,000 at the top.
    const unknownKeys = Object.fromEntries(Array.from({ length: 20_000 }, (_, k) => [`unknown${k}`, k]));
    for (const body of [{ filings: [{ ...mortgageCreateFiling({ clientRef: 'FZ-PROBE-KEYS', unitCode: unit.unitCode, mortgagors: unit.owners }), ...unknownKeys }] }, { filings: [], ...unknownKeys }]) {
      const answer = await ask(legit('POST', '/v1/batches', body));
      expect(answer.status).toBeLessThan(500);
      expect(answer.text.length).toBeLessThan(64 * 1024);
    }
    // Audit amplification: 300 unsigned calls add at most a handful of audit records.
    const unauthenticatedAudit = () => countItems('audit', isAuditEntryOf(['unauthenticated']));
    const before = await unauthenticatedAudit();
    for (let k = 0; k < 300; k += 1) await ask({ method: 'POST', path: '/v1/batches', headers: { 'content-type': 'application/json' }, body: Buffer.from('{"filings":[]}'), label: 'probe unsigned', route: '/v1/batches' });
    expect((await unauthenticatedAudit()) - before).toBeLessThanOrEqual(2);
    expect(failures.slice(failuresBefore).map((f) => `${f.status} ${f.why} | ${f.label}`)).toEqual([]);
  });

  it('stored nothing for rejected requests: filings and batches only of 202 answers, checklist versions only of 2xx publications', async () => {
    expect(await countItems('filings', isMeta('FILING#'))).toBe(baseline.filings + acceptedFilings.size);
    expect(await countItems('filings', isMeta('BATCH#'))).toBe(baseline.batches + acceptedBatches.size);
    expect(await countItems('checklists', () => true)).toBeLessThanOrEqual(baseline.checklists + checklistPublications * 2);
  });

  it('aggregates denied unauthenticated calls in the audit instead of one record each', async () => {
    const minutes = Math.ceil((Date.now() - startedAt) / 60_000) + 1;
    const unauthenticatedDenied = await countItems('audit', (item) => isAuditEntryOf(['unauthenticated', 'public'])(item) && item.outcome?.S === 'DENIED');
    expect(unauthenticatedDenied).toBeLessThanOrEqual(deniedCombos.size * minutes);
  });

  it('holds no plaintext name or ID number in any table, data file or log line', async () => {
    const client = new DynamoDBClient({});
    for (const table of Object.keys(tables) as TableName[]) {
      for await (const page of paginateScan({ client }, { TableName: process.env[tableEnvVar(table)]! })) {
        const text = JSON.stringify(page.Items ?? []);
        expect(idNumbersIn(text), `${table} holds plaintext ID numbers`).toEqual([]);
        expect(poolNamesIn(text), `${table} holds plaintext names`).toEqual([]);
      }
    }
    const logs = output.text();
    expect(idNumbersIn(logs), 'logs hold plaintext ID numbers').toEqual([]);
    expect(poolNamesIn(logs), 'logs hold plaintext names').toEqual([]);
    await demo.runtime.stop();
    const files = (await readdir(demo.dataDir, { recursive: true, withFileTypes: true })).filter((f) => f.isFile() && f.name !== 'sandbox.json');
    for (const file of files) {
      const bytes = await readFile(join(file.parentPath, file.name));
      expect(idNumbersIn(bytes.toString('latin1')), `${file.name} holds plaintext ID numbers`).toEqual([]);
      for (const name of POOL_NAMES) expect(bytes.includes(Buffer.from(name, 'utf8')), `${file.name} holds a plaintext name`).toBe(false);
    }
  });
});
