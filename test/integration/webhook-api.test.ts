/**
 * GET and PUT /v1/channel/webhook, invoked with real-shaped events signed by a channel, against the
 * in-process emulators and the local keyring: registering, reading and removing a webhook, the SSRF
 * policy of a deployed stack (ZT_ALLOW_LOCAL_WEBHOOKS unset), and refusals that store nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { channelDirectoryFromEnv } from '../../functions/adapters/dynamodb/channel-directory';
import { LocalPlatformSigner } from '../../functions/adapters/keys/local-platform-signer';
import { LOCAL_KEYRING_DIR_ENV } from '../../infra/topology';
import { webhookViewSchema } from '../../schemas/v1/webhook';
import { apigwFixture, lambdaContext, signedEvent } from '../support/fixtures';
import { startChannelWorld, type ChannelWorld } from '../support/channel-world';
import type { Signer } from '../support/fixtures';

type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

let world: ChannelWorld;
let getWebhook: ApiHandler;
let putWebhook: ApiHandler;

beforeAll(async () => {
  world = await startChannelWorld('zt-webhook-api');
  // As deployed: no local webhooks. Handlers read it at module load, so set it before importing them.
  delete process.env.ZT_ALLOW_LOCAL_WEBHOOKS;
  getWebhook = (await import('../../functions/handlers/get-webhook')).handler as unknown as ApiHandler;
  putWebhook = (await import('../../functions/handlers/put-webhook')).handler as unknown as ApiHandler;
});
afterAll(async () => world.stop());

const put = (signer: Signer, body: unknown, options: Parameters<typeof signedEvent>[2] = {}) =>
  putWebhook(signedEvent(apigwFixture('put-webhook'), signer, { body: typeof body === 'string' ? body : JSON.stringify(body), ...options }), lambdaContext('putWebhook'));
const get = (signer: Signer) => getWebhook(signedEvent(apigwFixture('get-webhook'), signer), lambdaContext('getWebhook'));
const bodyOf = (response: APIGatewayProxyResult) => JSON.parse(response.body) as Record<string, unknown>;
const storedWebhook = async (channelId: string) => (await channelDirectoryFromEnv().get(channelId))?.webhook;

describe('GET /v1/channel/webhook', () => {
  it('answers the platform public key and signature scheme, and no URL before one is registered', async () => {
    const response = await get(world.otherBank);
    expect(response.statusCode).toBe(200);
    const view = webhookViewSchema.parse(bodyOf(response));
    const signer = await LocalPlatformSigner.open(process.env[LOCAL_KEYRING_DIR_ENV]!);
    expect(view.platformPublicKey).toBe(await signer.publicKeyHex());
    expect(view.signature).toMatchObject({ scheme: 'ZT-SM2', keyId: signer.keyId, headers: ['ZT-Event-Id', 'ZT-Timestamp', 'ZT-Signature'] });
    expect(view.url).toBeUndefined();
  });

  it('is refused without a valid signature', async () => {
    const event = signedEvent(apigwFixture('get-webhook'), world.bank);
    delete event.headers.Authorization;
    const response = await getWebhook(event, lambdaContext('getWebhook'));
    expect(response.statusCode).toBe(401);
    expect(bodyOf(response).code).toBe('AUTH_MISSING');
  });
});

describe('PUT /v1/channel/webhook', () => {
  it('registers a webhook on the signing channel, normalised, and GET shows it to that channel only', async () => {
    // Act
    const response = await put(world.bank, { url: 'https://Bank.Example.CN:443/zhitong/progress?k=1' });
    // Assess
    expect(response.statusCode).toBe(200);
    const view = webhookViewSchema.parse(bodyOf(response));
    expect(view.url).toBe('https://bank.example.cn/zhitong/progress?k=1');
    expect(Date.parse(view.updatedAt!)).toBeGreaterThan(Date.now() - 60_000);
    expect(await storedWebhook(world.bank.channelId)).toEqual({ url: view.url, updatedAt: view.updatedAt });
    expect(bodyOf(await get(world.bank))).toMatchObject({ url: view.url, updatedAt: view.updatedAt });
    expect(bodyOf(await get(world.otherBank)).url).toBeUndefined();
  });

  it('replays the first answer for the same Idempotency-Key and body', async () => {
    const key = { headers: { 'Idempotency-Key': `webhook-${Date.now()}` } };
    const first = await put(world.bank, { url: 'https://bank.example.cn/v2/progress' }, key);
    const replay = await put(world.bank, { url: 'https://bank.example.cn/v2/progress' }, key);
    expect(replay.statusCode).toBe(200);
    expect(replay.body).toBe(first.body);
    expect(replay.headers?.['idempotent-replayed']).toBe('true');
    const other = await put(world.bank, { url: 'https://bank.example.cn/v3/progress' }, key);
    expect(other.statusCode).toBe(422);
    expect(bodyOf(other).code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('removes the webhook with { "url": null }; polling stays available', async () => {
    await put(world.bank, { url: 'https://bank.example.cn/zhitong/progress' });
    const response = await put(world.bank, { url: null });
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response).url).toBeUndefined();
    expect(await storedWebhook(world.bank.channelId)).toBeUndefined();
    expect(bodyOf(await get(world.bank)).url).toBeUndefined();
    // Removing twice is fine.
    expect((await put(world.bank, { url: null })).statusCode).toBe(200);
  });

  it('is refused to a disabled channel', async () => {
    const response = await put(world.disabledBank, { url: 'https://bank.example.cn/hook' });
    expect(response.statusCode).toBe(403);
    expect(await storedWebhook(world.disabledBank.channelId)).toBeUndefined();
  });

  describe('refused URLs: 422 with a stable code, nothing stored', () => {
    const registered = 'https://bank.example.cn/registered';
    beforeAll(async () => {
      expect((await put(world.bank, { url: registered })).statusCode).toBe(200);
    });

    it.each([
      ['plain http', { url: 'http://bank.example.cn/hook' }, 'WEBHOOK_URL_NOT_HTTPS'],
      ['credentials in the URL', { url: 'https://user:pass@bank.example.cn/hook' }, 'WEBHOOK_URL_CREDENTIALS'],
      ['localhost', { url: 'https://localhost:8443/hook' }, 'WEBHOOK_URL_FORBIDDEN_HOST'],
      ['loopback', { url: 'https://127.0.0.1/hook' }, 'WEBHOOK_URL_FORBIDDEN_HOST'],
      ['loopback in hex', { url: 'https://0x7f000001/hook' }, 'WEBHOOK_URL_FORBIDDEN_HOST'],
      ['IPv6 loopback', { url: 'https://[::1]/hook' }, 'WEBHOOK_URL_FORBIDDEN_HOST'],
      ['the metadata address', { url: 'https://169.254.169.254/latest/meta-data/' }, 'WEBHOOK_URL_FORBIDDEN_HOST'],
      ['a private address', { url: 'https://10.0.0.5/hook' }, 'WEBHOOK_URL_FORBIDDEN_HOST'],
      ['an IPv4-mapped private address', { url: 'https://[::ffff:192.168.0.1]/hook' }, 'WEBHOOK_URL_FORBIDDEN_HOST'],
      ['a relative URL', { url: '/hook' }, 'WEBHOOK_URL_INVALID'],
      ['a fragment', { url: 'https://bank.example.cn/hook#x' }, 'WEBHOOK_URL_INVALID'],
      ['over 2048 characters', { url: `https://bank.example.cn/${'a'.repeat(2048)}` }, 'INVALID_BODY'],
      ['no url', {}, 'INVALID_BODY'],
      ['a url that is not a string', { url: 42 }, 'INVALID_BODY'],
      ['an unknown field', { url: 'https://bank.example.cn/hook', secret: 'x' }, 'INVALID_BODY'],
      ['an array', [], 'INVALID_BODY'],
    ])('%s → %s', async (_label, body, code) => {
      const auditBefore = await world.countItems('audit');
      const response = await put(world.bank, body);
      expect(response.statusCode).toBe(422);
      expect(response.headers?.['content-type']).toBe('application/problem+json');
      expect(bodyOf(response)).toMatchObject({ status: 422, code });
      // The problem never echoes the URL.
      expect(response.body).not.toContain('bank.example.cn/hook');
      const stored = await storedWebhook(world.bank.channelId);
      expect(stored?.url).toBe(registered);
      // The refused call is audited as an interface call (DENIED), and nothing else is written.
      expect(await world.countItems('audit')).toBe(auditBefore + 1);
    });

    it.each([
      ['malformed JSON', '{"url":', {}, 400, 'MALFORMED_JSON'],
      ['another content type', JSON.stringify({ url: 'https://bank.example.cn/x' }), { headers: { 'Content-Type': 'text/plain' } }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['a body over 8 KiB', JSON.stringify({ url: `https://bank.example.cn/${'a'.repeat(9000)}` }), {}, 413, 'PAYLOAD_TOO_LARGE'],
    ])('%s → %i %s', async (_label, body, options, status, code) => {
      const response = await put(world.bank, body, options);
      expect(response.statusCode).toBe(status);
      expect(bodyOf(response).code).toBe(code);
      expect((await storedWebhook(world.bank.channelId))?.url).toBe(registered);
    });
  });
});
