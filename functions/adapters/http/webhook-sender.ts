/**
 * The notifier's HTTP port: POSTs a signed progress event to an institution's webhook with node's own
 * http/https clients. What makes it safe to point at a URL someone else chose (SSRF):
 * - every address it connects to is checked against the policy at connection time, through the socket's
 *   own `lookup`, so a public name that resolves (or is re-pointed) to a private address is refused, and
 *   the address checked is the address used (no window for DNS rebinding between check and connect);
 * - redirects are never followed (a 3xx is just a failed delivery);
 * - the answer must start within the timeout (5 s by default); its body is drained, capped, and dropped.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { mayConnectTo, type WebhookUrlPolicy } from '../../core/domain/webhook-url';
import { countWebhookFailure } from '../../shared/metrics';
import type { WebhookOutcome, WebhookRequest, WebhookSender } from '../../core/ports';

export const WEBHOOK_TIMEOUT_MS = 5_000;
/** Receivers should answer with an empty body; more than this is not read. */
const MAX_DRAINED_BYTES = 64 * 1024;
const USER_AGENT = 'Zhitong-Webhook/1';

export interface HttpWebhookSenderOptions {
  readonly policy: WebhookUrlPolicy;
  readonly timeoutMs?: number;
  /** Sent as `User-Agent` (default `Zhitong-Webhook/1`): receivers other than webhooks name themselves. */
  readonly userAgent?: string;
  /** Counts a failed attempt by reason (default: the `WebhookFailures` metric). */
  readonly countFailure?: (reason: string) => void;
}

class ForbiddenAddressError extends Error {
  override readonly name = 'ForbiddenAddressError';
  readonly code = 'ZT_FORBIDDEN_ADDRESS';
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for sockets that resolves as usual, then refuses the connection if any address is not allowed. */
function guardedLookup(policy: WebhookUrlPolicy) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      // A name with any non-public address is refused outright, rather than trusting a lucky choice among them.
      if (addresses.length === 0 || addresses.some((a) => !mayConnectTo(a.address, policy))) {
        return callback(new ForbiddenAddressError(`${hostname} resolves to an address the webhook policy refuses`), []);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0]!;
      return callback(null, first.address, first.family);
    });
  };
}

const isForbidden = (error: unknown): boolean =>
  error instanceof ForbiddenAddressError || (error instanceof Error && 'code' in error && error.code === 'ZT_FORBIDDEN_ADDRESS');

export class HttpWebhookSender implements WebhookSender {
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  private readonly countFailure: (reason: string) => void;
  // Built once per process: keep-alive connections are reused across deliveries to the same receiver.
  private readonly httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 10 });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 10 });

  constructor(private readonly options: HttpWebhookSenderOptions) {
    this.timeoutMs = options.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
    this.userAgent = options.userAgent ?? USER_AGENT;
    this.countFailure = options.countFailure ?? countWebhookFailure;
  }

  /** Sends one delivery attempt; a failed one (unanswered, or answered other than 2xx) is counted (metrics.ts). */
  async post(request: WebhookRequest): Promise<WebhookOutcome> {
    const outcome = await this.attempt(request);
    if (outcome.kind === 'unanswered') this.countFailure(outcome.reason);
    else if (outcome.status < 200 || outcome.status > 299) this.countFailure(`HTTP_${outcome.status}`);
    return outcome;
  }

  private attempt(request: WebhookRequest): Promise<WebhookOutcome> {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return Promise.resolve({ kind: 'unanswered', reason: 'INVALID_URL' });
    }
    const secure = url.protocol === 'https:';
    if (!secure && url.protocol !== 'http:') return Promise.resolve({ kind: 'unanswered', reason: 'INVALID_URL' });
    // Sockets skip `lookup` for IP literals, so those are checked here.
    const literal = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(literal) !== 0 && !mayConnectTo(literal, this.options.policy)) {
      return Promise.resolve({ kind: 'unanswered', reason: 'FORBIDDEN_ADDRESS' });
    }

    const body = Buffer.from(request.body, 'utf8');
    return new Promise<WebhookOutcome>((resolve) => {
      let settled = false;
      const settle = (outcome: WebhookOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      const send = secure ? httpsRequest : httpRequest;
      const req: ClientRequest = send(url, {
        method: 'POST',
        headers: { ...request.headers, 'user-agent': this.userAgent, 'content-length': String(body.length) },
        agent: secure ? this.httpsAgent : this.httpAgent,
        lookup: guardedLookup(this.options.policy),
      });
      const timer = setTimeout(() => {
        settle({ kind: 'unanswered', reason: 'TIMEOUT' });
        req.destroy();
      }, this.timeoutMs);
      req.on('response', (response: IncomingMessage) => {
        settle({ kind: 'answered', status: response.statusCode ?? 0 });
        // Drain (so the connection can be reused) but never keep or log the receiver's answer.
        let drained = 0;
        response.on('data', (chunk: Buffer) => {
          drained += chunk.length;
          if (drained > MAX_DRAINED_BYTES) response.destroy();
        });
        response.on('error', () => undefined);
      });
      req.on('error', (error) => settle({ kind: 'unanswered', reason: isForbidden(error) ? 'FORBIDDEN_ADDRESS' : 'NETWORK' }));
      req.end(body);
    });
  }

  /** Closes idle keep-alive connections (tests; a Lambda container just freezes). */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
