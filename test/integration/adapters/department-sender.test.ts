/**
 * The connectors' HTTP port (functions/adapters/http/department-sender.ts): the webhooks' sender pointed at
 * department endpoints. Against real servers on loopback: it names itself, answers only statuses, gives
 * up after its time limit, keeps the SSRF guard (loopback only when the local runtime allows it), and its
 * failures are not counted as webhook failures.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { departmentSender } from '../../../functions/adapters/http/department-sender';
import { publishMetrics } from '../../../functions/shared/metrics';
import { ALLOW_LOCAL_WEBHOOKS_ENV } from '../../../functions/shared/webhook-policy';

let server: Server;
let url: string;
let respond: (res: ServerResponse) => void = (res) => res.writeHead(202).end('{"secret":"kept by nobody"}');
const agents: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    agents.push(String(req.headers['user-agent']));
    req.resume();
    req.on('end', () => respond(res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/requests`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
afterEach(() => {
  delete process.env[ALLOW_LOCAL_WEBHOOKS_ENV];
  respond = (res) => res.writeHead(202).end('{"secret":"kept by nobody"}');
  agents.length = 0;
  vi.restoreAllMocks();
});

const post = (sender: ReturnType<typeof departmentSender>) => sender.post({ url, headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{}' });

describe('departmentSender', () => {
  it('posts as the department connector and answers the status only', async () => {
    process.env[ALLOW_LOCAL_WEBHOOKS_ENV] = 'true';
    const sender = departmentSender();
    expect(await post(sender)).toEqual({ kind: 'answered', status: 202 });
    sender.close();
    expect(agents).toEqual(['Zhitong-Department-Connector/1']);
  });

  it('refuses a loopback endpoint unless the local runtime allows it (nothing deployed does)', async () => {
    const sender = departmentSender();
    expect(await post(sender)).toEqual({ kind: 'unanswered', reason: 'FORBIDDEN_ADDRESS' });
    sender.close();
    expect(agents).toEqual([]);
  });

  it('gives up after its time limit', async () => {
    process.env[ALLOW_LOCAL_WEBHOOKS_ENV] = 'true';
    respond = () => undefined; // never answers
    const sender = departmentSender({ timeoutMs: 200 });
    expect(await post(sender)).toEqual({ kind: 'unanswered', reason: 'TIMEOUT' });
    sender.close();
  });

  it('counts its failures as department delivery failures, not as webhook failures', async () => {
    process.env[ALLOW_LOCAL_WEBHOOKS_ENV] = 'true';
    publishMetrics();
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => (written.push(String(chunk)), true));
    respond = (res) => res.writeHead(503).end();
    const sender = departmentSender();
    expect(await post(sender)).toEqual({ kind: 'answered', status: 503 });
    sender.close();
    publishMetrics();
    expect(written.join('')).not.toContain('WebhookFailures');
    expect(written.join('')).toMatch(/"DepartmentDeliveryFailures":1/);
    expect(written.join('')).toContain('"reason":"HTTP_503"');
  });
});
