/**
 * The notifier's HTTP port against real HTTP servers on loopback: what counts as an answer, the time
 * limit, redirects, and the SSRF guard at connection time (literal addresses and resolved names).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpWebhookSender } from '../../../functions/adapters/http/webhook-sender';

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

let server: Server;
let base: string;
let received: Received[] = [];
let respond: (res: ServerResponse) => void = (res) => res.writeHead(204).end();

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      respond(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
afterEach(() => {
  received = [];
  respond = (res) => res.writeHead(204).end();
});

const local = new HttpWebhookSender({ policy: { allowLocal: true }, timeoutMs: 500 });
const deployed = new HttpWebhookSender({ policy: { allowLocal: false }, timeoutMs: 500 });
afterAll(() => {
  local.close();
  deployed.close();
});

const request = (url: string) => ({ url, headers: { 'content-type': 'application/json; charset=utf-8', 'ZT-Event-Id': 'E:1' }, body: '{"v":1,"note":"直通"}' });

describe('HttpWebhookSender', () => {
  it('POSTs the exact body bytes with the given headers and reports the status', async () => {
    const outcome = await local.post(request(`${base}/hook?token=abc`));
    expect(outcome).toEqual({ kind: 'answered', status: 204 });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'POST', url: '/hook?token=abc', body: '{"v":1,"note":"直通"}' });
    expect(received[0]!.headers).toMatchObject({ 'zt-event-id': 'E:1', 'content-type': 'application/json; charset=utf-8', 'user-agent': 'Zhitong-Webhook/1' });
    expect(received[0]!.headers['content-length']).toBe(String(Buffer.byteLength('{"v":1,"note":"直通"}')));
  });

  it('reports error statuses as answers, reading (and dropping) the body', async () => {
    respond = (res) => res.writeHead(500, { 'content-type': 'text/plain' }).end('x'.repeat(200_000));
    expect(await local.post(request(`${base}/hook`))).toEqual({ kind: 'answered', status: 500 });
  });

  it('never follows a redirect', async () => {
    respond = (res) => res.writeHead(302, { location: `${base}/elsewhere` }).end();
    expect(await local.post(request(`${base}/hook`))).toEqual({ kind: 'answered', status: 302 });
    expect(received.map((r) => r.url)).toEqual(['/hook']);
  });

  it('gives up when no answer starts within the time limit', async () => {
    respond = (res) => setTimeout(() => res.writeHead(200).end(), 1_500);
    const started = Date.now();
    expect(await local.post(request(`${base}/slow`))).toEqual({ kind: 'unanswered', reason: 'TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(1_400);
  });

  it('reports a refused connection as a network failure', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await local.post(request(`http://127.0.0.1:${port}/hook`))).toEqual({ kind: 'unanswered', reason: 'NETWORK' });
  });

  describe('SSRF guard (deployed policy)', () => {
    it('refuses a non-public address literal without connecting', async () => {
      expect(await deployed.post(request(`${base}/hook`))).toEqual({ kind: 'unanswered', reason: 'FORBIDDEN_ADDRESS' });
      expect(await deployed.post(request('https://[::ffff:127.0.0.1]/hook'))).toEqual({ kind: 'unanswered', reason: 'FORBIDDEN_ADDRESS' });
      expect(received).toEqual([]);
    });

    it('refuses a name that resolves to a non-public address, at connection time', async () => {
      // `localhost` stands for any public-looking name whose DNS answer points inside (DNS rebinding).
      const port = (server.address() as AddressInfo).port;
      expect(await deployed.post(request(`http://localhost:${port}/hook`))).toEqual({ kind: 'unanswered', reason: 'FORBIDDEN_ADDRESS' });
      expect(received).toEqual([]);
    });

    it('reports an unparseable URL or another scheme as an invalid URL', async () => {
      expect(await deployed.post(request('not a url'))).toEqual({ kind: 'unanswered', reason: 'INVALID_URL' });
      expect(await deployed.post(request('ftp://bank.example.cn/hook'))).toEqual({ kind: 'unanswered', reason: 'INVALID_URL' });
    });
  });
});
