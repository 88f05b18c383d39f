/**
 * A simulated department system (DESIGN.md §7b "Simulators"; issue 8): an HTTP server on loopback that
 * plays the tax or the trading/housing department for the local runtime, so every coordination path can
 * be exercised from outside.
 *
 * `POST /v1/deliveries` (the endpoint registered in DEPARTMENTS) takes what the registry delivers:
 * 1. checks the platform's SM2 signature, freshness and the body (401 / 400 otherwise, nothing recorded);
 * 2. drops a `ZT-Delivery-Id` it has seen (202, `duplicate: true`): a redelivery is never answered twice;
 * 3. answers 202 at once; a REQUEST's sealed parties are opened with the department's private key and the
 *    sandbox decides the answers (decide.ts), which are POSTed to the registry's results URL after
 *    `delayMs`, signed with the department's own key and retried with backoff while the registry is away;
 *    a CANCEL stops the answers still to come; a REGISTRATION_RESULT is recorded.
 *
 * For tests and integrators, loopback only: `GET /_simulator/deliveries` (the log: ids, codes and
 * references, never personal data), `GET /_simulator/status`, and `POST /_simulator/mode` with
 * `{"mode":"up"|"down"|"error"}` — `down` destroys every delivery connection unanswered (the connector
 * sees a network error), `error` answers 503, `up` is normal.
 *
 * Its key pair, port and log live in its own directory (the private key 0600); answers not yet sent when
 * it stopped are sent when it starts again, so a restart loses nothing.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { sm2 } from 'sm-crypto-v2';
import { z } from 'zod';
import { DEPARTMENT_OF, type DepartmentKind, type ResultKind } from '../../../functions/core/domain/coordination';
import { openDepartmentSeal } from '../../../functions/shared/crypto/department-seal';
import { generateSm2KeyPair } from '../../../functions/shared/crypto/sm2';
import { DELIVERY_HEADERS, departmentDeliverySchema, deliveryIdOf, sealedPartiesSchema, type DepartmentDelivery } from '../../../schemas/departments/v1';
import type { DepartmentCases, PlannedAnswer } from './decide';
import { signDepartmentRequest, verifyDelivery } from './signatures';

export const SIMULATOR_MODES = ['up', 'down', 'error'] as const;
export type SimulatorMode = (typeof SIMULATOR_MODES)[number];
export const DELIVERY_PATH = '/v1/deliveries';
const MAX_DELIVERY_BYTES = 64 * 1024;
const KEY_FILE = 'signing.key';
const PORT_FILE = 'port';
const STATE_FILE = 'state.json';

export interface SimulatorLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface DepartmentSimulatorOptions {
  readonly departmentId: string;
  readonly kind: DepartmentKind;
  readonly name: string;
  readonly districts: readonly string[];
  /** Holds the key pair, the port and the log. */
  readonly dir: string;
  /** The platform's SM2 public key (hex), which signs every delivery. */
  readonly platformPublicKey: string;
  /** Where results go; when unset, the `replyTo` of the (signed) request. */
  readonly resultsUrl?: string;
  readonly cases: DepartmentCases;
  /** Before the first answer to a request; default 1500 ms. */
  readonly delayMs?: number;
  /** Port: given, else the one used last time if free, else a free one. */
  readonly port?: number;
  readonly host?: string;
  /** Attempts per result POST while the registry is away or failing (5xx); default 6, backoff from 500 ms. */
  readonly postAttempts?: number;
  readonly retryBaseMs?: number;
  /** Deliveries kept in the log (and as seen ids); default 5,000. */
  readonly maxLogEntries?: number;
  readonly logger?: SimulatorLogger;
}

/** One answer to a request, and what became of it. */
export interface LoggedAnswer {
  readonly outcome: PlannedAnswer['outcome'];
  readonly reasonCode?: string;
  readonly reference?: string;
  /** When it is (or was) due. */
  readonly dueAt: string;
  /** SCHEDULED: not sent yet; SENT: the registry answered 2xx; REFUSED: 4xx (not retried); FAILED: gave up; CANCELLED: the request was cancelled first. */
  state: 'SCHEDULED' | 'SENT' | 'REFUSED' | 'FAILED' | 'CANCELLED';
  attempts: number;
  /** The registry's last HTTP status, or `NETWORK`. */
  lastStatus?: number | 'NETWORK';
  sentAt?: string;
}

/** One delivery as received: ids, codes and references only (the opened parties are never kept). */
export interface LoggedDelivery {
  readonly deliveryId: string;
  readonly type: DepartmentDelivery['type'];
  readonly requestId: string;
  readonly filingId: string;
  readonly kind: ResultKind;
  readonly businessType: string;
  readonly unitCode: string;
  readonly district: string;
  readonly receivedAt: string;
  /** REQUEST: how many sellers and buyers the sealed parties held (it opened them). */
  readonly parties?: { readonly sellers: number; readonly buyers: number };
  readonly replyTo?: string;
  readonly answers?: LoggedAnswer[];
  /** CANCEL */
  readonly reason?: string;
  /** REGISTRATION_RESULT */
  readonly certificateNo?: string;
  readonly registeredAt?: string;
}

interface State {
  deliveries: LoggedDelivery[];
}

export interface DepartmentSimulator {
  readonly departmentId: string;
  readonly kind: DepartmentKind;
  readonly name: string;
  readonly districts: readonly string[];
  /** `http://127.0.0.1:<port>/v1/deliveries`: the endpoint to register. */
  readonly endpoint: string;
  /** `http://127.0.0.1:<port>`: the control endpoints live under `/_simulator/`. */
  readonly url: string;
  readonly publicKey: string;
  readonly privateKey: string;
  mode(): SimulatorMode;
  setMode(mode: SimulatorMode): void;
  setResultsUrl(url: string): void;
  deliveries(): readonly LoggedDelivery[];
  /** Resolves once no answer is being sent (for tests and shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const modeSchema = z.strictObject({ mode: z.enum(SIMULATOR_MODES) });

async function readOrCreateKey(dir: string): Promise<{ privateKey: string; publicKey: string }> {
  const path = join(dir, KEY_FILE);
  try {
    // 'wx' fails if the file exists: a key once made is kept (the registry holds its public half).
    await writeFile(path, `${generateSm2KeyPair().privateKey}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
  }
  const privateKey = (await readFile(path, 'utf8')).trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(privateKey)) throw new Error(`Simulator key at ${path} is not 64 hex characters`);
  return { privateKey, publicKey: sm2.getPublicKeyFromPrivateKey(privateKey) };
}

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return undefined;
    // A torn or hand-edited file: start afresh rather than refuse to start.
    return undefined;
  }
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

const isLoopback = (address: string | undefined): boolean => address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'TOO_LARGE'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'TOO_LARGE' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name.toLowerCase()];
  return typeof value === 'string' ? value : undefined;
};

/** Waits, or stops waiting as soon as the simulator closes. */
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

export async function startDepartmentSimulator(options: DepartmentSimulatorOptions): Promise<DepartmentSimulator> {
  const { departmentId, kind, dir, cases } = options;
  const host = options.host ?? '127.0.0.1';
  const delayMs = options.delayMs ?? 1500;
  const postAttempts = options.postAttempts ?? 6;
  const retryBaseMs = options.retryBaseMs ?? 500;
  const maxLogEntries = options.maxLogEntries ?? 5_000;
  const logger = options.logger;
  const served = new Set<ResultKind>((Object.keys(DEPARTMENT_OF) as ResultKind[]).filter((k) => DEPARTMENT_OF[k] === kind));
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const keys = await readOrCreateKey(dir);
  let resultsUrl = options.resultsUrl;
  let mode: SimulatorMode = 'up';
  let closing = false;
  const stopping = new AbortController();

  const loaded = (await readJson(join(dir, STATE_FILE))) as State | undefined;
  const state: State = { deliveries: Array.isArray(loaded?.deliveries) ? loaded.deliveries : [] };
  const seen = new Set(state.deliveries.map((d) => d.deliveryId));
  const timers = new Map<string, Set<NodeJS.Timeout>>();
  const inFlight = new Set<Promise<void>>();

  // One write at a time, write-then-rename so a crash never tears the file; changes made while a write is
  // under way are saved together by the one write queued after it (a bench run delivers thousands).
  let chain: Promise<void> = Promise.resolve();
  let queued: Promise<void> | undefined;
  const persist = (): Promise<void> => {
    queued ??= chain.then(async () => {
      queued = undefined;
      trim();
      const path = join(dir, STATE_FILE);
      await writeFile(`${path}.tmp`, `${JSON.stringify(state)}\n`, { mode: 0o600 });
      await rename(`${path}.tmp`, path);
    });
    chain = queued.catch((error: unknown) => logger?.warn('Simulator could not save its log', { departmentId, errorMessage: error instanceof Error ? error.message : String(error) }));
    return chain;
  };

  /**
   * Keeps the log to `maxLogEntries`, dropping the oldest deliveries with nothing left to send. A
   * redelivery of a dropped one is then answered again, which the registry takes as a repeat.
   */
  function trim(): void {
    let excess = state.deliveries.length - maxLogEntries;
    if (excess <= 0) return;
    state.deliveries = state.deliveries.filter((d) => {
      if (excess <= 0 || (d.answers ?? []).some((a) => a.state === 'SCHEDULED')) return true;
      excess -= 1;
      seen.delete(d.deliveryId);
      return false;
    });
  }

  /** POSTs one answer, retried with backoff on network errors and 5xx; a 4xx is final (the registry refused it). */
  async function send(delivery: LoggedDelivery, answer: LoggedAnswer): Promise<void> {
    const target = resultsUrl ?? delivery.replyTo;
    if (target === undefined) {
      answer.state = 'FAILED';
      await persist();
      return;
    }
    const url = new URL(target);
    const body = JSON.stringify({
      requestId: delivery.requestId,
      filingId: delivery.filingId,
      kind: delivery.kind,
      outcome: answer.outcome,
      ...(answer.reasonCode ? { reasonCode: answer.reasonCode } : {}),
      ...(answer.reference ? { reference: answer.reference } : {}),
    });
    while (answer.state === 'SCHEDULED' && !closing) {
      answer.attempts += 1;
      try {
        const authorization = signDepartmentRequest({ departmentId, privateKeyHex: keys.privateKey, method: 'POST', pathAndQuery: `${url.pathname}${url.search}`, body });
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', authorization }, body, signal: AbortSignal.any([AbortSignal.timeout(10_000), stopping.signal]) });
        await response.arrayBuffer().catch(() => undefined);
        answer.lastStatus = response.status;
        if (response.ok) {
          answer.state = 'SENT';
          answer.sentAt = new Date().toISOString();
          logger?.info('Department simulator sent a result', { departmentId, requestId: delivery.requestId, outcome: answer.outcome, reasonCode: answer.reasonCode });
        } else if (response.status < 500 && response.status !== 429) {
          answer.state = 'REFUSED';
          logger?.warn('The registry refused a department result', { departmentId, requestId: delivery.requestId, status: response.status });
        }
      } catch {
        answer.lastStatus = 'NETWORK';
      }
      if (answer.state === 'SCHEDULED' && !closing) {
        if (answer.attempts >= postAttempts) {
          answer.state = 'FAILED';
          logger?.warn('Gave up sending a department result', { departmentId, requestId: delivery.requestId, attempts: answer.attempts });
        } else {
          await persist();
          await sleep(Math.min(retryBaseMs * 2 ** (answer.attempts - 1), 8_000), stopping.signal);
        }
      }
    }
    await persist();
  }

  function schedule(delivery: LoggedDelivery, answer: LoggedAnswer): void {
    const wait = Math.max(0, Date.parse(answer.dueAt) - Date.now());
    const timer = setTimeout(() => {
      timers.get(delivery.requestId)?.delete(timer);
      if (answer.state !== 'SCHEDULED' || closing) return;
      const sending = send(delivery, answer).finally(() => inFlight.delete(sending));
      inFlight.add(sending);
    }, wait);
    let set = timers.get(delivery.requestId);
    if (!set) timers.set(delivery.requestId, (set = new Set()));
    set.add(timer);
  }

  function cancel(requestId: string): number {
    for (const timer of timers.get(requestId) ?? []) clearTimeout(timer);
    timers.delete(requestId);
    let stopped = 0;
    for (const d of state.deliveries) {
      if (d.requestId !== requestId || !d.answers) continue;
      for (const a of d.answers) {
        if (a.state === 'SCHEDULED') {
          a.state = 'CANCELLED';
          stopped += 1;
        }
      }
    }
    return stopped;
  }

  /** Takes one verified, parsed delivery; returns the status and body to answer with. */
  function accept(deliveryId: string, delivery: DepartmentDelivery, receivedAt: Date): { status: number; body: Record<string, unknown> } {
    const base = {
      deliveryId,
      type: delivery.type,
      requestId: delivery.requestId,
      filingId: delivery.filingId,
      kind: delivery.kind,
      businessType: delivery.businessType,
      unitCode: delivery.unitCode,
      district: delivery.district,
      receivedAt: receivedAt.toISOString(),
    };
    switch (delivery.type) {
      case 'REQUEST': {
        let buyerIdNumbers: string[] | undefined;
        let parties: LoggedDelivery['parties'];
        if (delivery.parties) {
          let opened: z.output<typeof sealedPartiesSchema>;
          try {
            opened = sealedPartiesSchema.parse(JSON.parse(openDepartmentSeal(delivery.parties, keys.privateKey)));
          } catch {
            // Not recorded as seen: a corrected redelivery is then taken.
            return { status: 400, body: { code: 'PARTIES_UNOPENABLE', detail: 'The sealed parties do not open with this department key.' } };
          }
          buyerIdNumbers = (opened.buyers ?? []).map((b) => b.idNumber);
          parties = { sellers: opened.sellers?.length ?? 0, buyers: opened.buyers?.length ?? 0 };
        }
        const planned = cases.decide({ requestId: delivery.requestId, kind: delivery.kind, unitCode: delivery.unitCode, buyerIdNumbers }, delayMs);
        const answers: LoggedAnswer[] = planned.map((p) => ({
          outcome: p.outcome,
          ...(p.reasonCode ? { reasonCode: p.reasonCode } : {}),
          ...(p.reference ? { reference: p.reference } : {}),
          dueAt: new Date(receivedAt.getTime() + p.afterMs).toISOString(),
          state: 'SCHEDULED',
          attempts: 0,
        }));
        const logged: LoggedDelivery = { ...base, ...(parties ? { parties } : {}), replyTo: delivery.replyTo, answers };
        state.deliveries.push(logged);
        for (const answer of answers) schedule(logged, answer);
        return { status: 202, body: { accepted: true, deliveryId, answers: answers.length } };
      }
      case 'CANCEL': {
        state.deliveries.push({ ...base, reason: delivery.reason });
        return { status: 202, body: { accepted: true, deliveryId, stoppedAnswers: cancel(delivery.requestId) } };
      }
      case 'REGISTRATION_RESULT': {
        state.deliveries.push({ ...base, certificateNo: delivery.certificateNo, registeredAt: delivery.registeredAt });
        return { status: 202, body: { accepted: true, deliveryId } };
      }
    }
  }

  async function onDelivery(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, MAX_DELIVERY_BYTES);
    if (body === 'TOO_LARGE') return json(res, 413, { code: 'TOO_LARGE' });
    const deliveryId = header(req, DELIVERY_HEADERS.deliveryId);
    const check = verifyDelivery({
      deliveryId,
      timestamp: header(req, DELIVERY_HEADERS.timestamp),
      signatureHeader: header(req, DELIVERY_HEADERS.signature),
      body,
      platformPublicKeyHex: options.platformPublicKey,
      nowSeconds: Math.floor(Date.now() / 1000),
    });
    if (!check.ok) return json(res, 401, { code: check.reason });
    let parsed: DepartmentDelivery;
    try {
      parsed = departmentDeliverySchema.parse(JSON.parse(body.toString('utf8')));
    } catch {
      return json(res, 400, { code: 'MALFORMED_DELIVERY' });
    }
    // The signed header must name this very body, so one signature cannot vouch for another delivery.
    if (deliveryId !== deliveryIdOf(parsed.requestId, parsed.type)) return json(res, 400, { code: 'DELIVERY_ID_MISMATCH' });
    if (!served.has(parsed.kind) || !options.districts.includes(parsed.district)) return json(res, 422, { code: 'NOT_SERVED', detail: `${departmentId} does not give ${parsed.kind} in ${parsed.district}.` });
    if (seen.has(deliveryId!)) return json(res, 202, { accepted: true, deliveryId, duplicate: true });
    const answer = accept(deliveryId!, parsed, new Date());
    if (answer.status < 300) {
      seen.add(deliveryId!);
      await persist();
    }
    logger?.info('Department simulator took a delivery', { departmentId, deliveryId, status: answer.status });
    json(res, answer.status, answer.body);
  }

  async function onControl(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (!isLoopback(req.socket.remoteAddress)) return json(res, 403, { code: 'LOOPBACK_ONLY' });
    if (req.method === 'GET' && path === '/_simulator/deliveries') return json(res, 200, { departmentId, deliveries: state.deliveries });
    if (req.method === 'GET' && path === '/_simulator/status') {
      return json(res, 200, { departmentId, kind, name: options.name, districts: options.districts, mode, endpoint: simulator.endpoint, publicKey: keys.publicKey, resultsUrl: resultsUrl ?? null, delayMs, taxUnpaidSeconds: cases.sandbox.taxUnpaidSeconds });
    }
    if (req.method === 'POST' && path === '/_simulator/mode') {
      const body = await readBody(req, 1024);
      let parsed: z.output<typeof modeSchema>;
      try {
        parsed = modeSchema.parse(JSON.parse(body.toString()));
      } catch {
        return json(res, 400, { code: 'MALFORMED_MODE', detail: 'Send {"mode":"up"|"down"|"error"}.' });
      }
      mode = parsed.mode;
      logger?.info('Department simulator mode changed', { departmentId, mode });
      return json(res, 200, { departmentId, mode });
    }
    return json(res, 404, { code: 'NOT_FOUND' });
  }

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://simulator').pathname;
    const handle = async () => {
      if (path.startsWith('/_simulator/')) return onControl(req, res, path);
      if (path !== DELIVERY_PATH) return json(res, 404, { code: 'NOT_FOUND' });
      // down: as if the department's host were unreachable — no answer at all.
      if (mode === 'down') return void req.socket.destroy();
      if (mode === 'error') return json(res, 503, { code: 'SIMULATED_OUTAGE' });
      if (req.method !== 'POST') return json(res, 405, { code: 'METHOD_NOT_ALLOWED' });
      return onDelivery(req, res);
    };
    handle().catch(() => {
      if (!res.headersSent) json(res, 500, { code: 'SIMULATOR_FAULT' });
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const portPath = join(dir, PORT_FILE);
  const previous = Number((await readFile(portPath, 'utf8').catch(() => '')).trim()) || undefined;
  let port: number;
  if (options.port !== undefined && options.port !== 0) port = await listen(server, options.port, host);
  else if (previous !== undefined) port = await listen(server, previous, host).catch(() => listen(server, 0, host));
  else port = await listen(server, 0, host);
  await writeFile(portPath, `${port}\n`, { mode: 0o600 });

  const url = `http://${host}:${port}`;
  const simulator: DepartmentSimulator = {
    departmentId,
    kind,
    name: options.name,
    districts: options.districts,
    endpoint: `${url}${DELIVERY_PATH}`,
    url,
    publicKey: keys.publicKey,
    privateKey: keys.privateKey,
    mode: () => mode,
    setMode: (next) => void (mode = next),
    setResultsUrl: (next) => void (resultsUrl = next),
    deliveries: () => state.deliveries,
    idle: async () => {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
      await chain;
    },
    close: async () => {
      closing = true;
      stopping.abort();
      for (const set of timers.values()) for (const timer of set) clearTimeout(timer);
      timers.clear();
      await Promise.all([...inFlight]);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await chain;
    },
  };

  // Answers due before the last stop, sent now; later ones at their time.
  for (const delivery of state.deliveries) for (const answer of delivery.answers ?? []) if (answer.state === 'SCHEDULED') schedule(delivery, answer);
  return simulator;
}
