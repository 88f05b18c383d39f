import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, isPublicAddress, mayConnectTo, WEBHOOK_URL_MAX_LENGTH } from '../../../functions/core/domain/webhook-url';

const deployed = { allowLocal: false };
const local = { allowLocal: true };
const codeOf = (url: string, policy = deployed) => {
  const result = checkWebhookUrl(url, policy);
  return result.ok ? 'OK' : result.code;
};

describe('webhook URL policy', () => {
  it.each([
    'https://bank.example.cn/zhitong/progress',
    'https://bank.example.cn:8443/hooks?token=abc',
    'https://8.8.8.8/hook',
    'https://[2400:3200::1]/hook',
  ])('accepts the public https URL %s', (url) => {
    expect(codeOf(url)).toBe('OK');
  });

  it('normalises what it accepts (host case, default port)', () => {
    const result = checkWebhookUrl('https://Bank.Example.CN:443/Hook', deployed);
    expect(result.ok && result.url.href).toBe('https://bank.example.cn/Hook');
  });

  it.each([
    ['http://bank.example.cn/hook', 'WEBHOOK_URL_NOT_HTTPS'],
    ['ftp://bank.example.cn/hook', 'WEBHOOK_URL_NOT_HTTPS'],
    ['javascript:alert(1)', 'WEBHOOK_URL_NOT_HTTPS'],
    ['https://user:secret@bank.example.cn/hook', 'WEBHOOK_URL_CREDENTIALS'],
    ['https://token@bank.example.cn/hook', 'WEBHOOK_URL_CREDENTIALS'],
    ['/relative/hook', 'WEBHOOK_URL_INVALID'],
    ['not a url', 'WEBHOOK_URL_INVALID'],
    ['', 'WEBHOOK_URL_INVALID'],
    ['https://bank.example.cn/hook#part', 'WEBHOOK_URL_INVALID'],
    ['https://bank.example.cn/hook#', 'WEBHOOK_URL_INVALID'],
    [`https://bank.example.cn/${'a'.repeat(WEBHOOK_URL_MAX_LENGTH)}`, 'WEBHOOK_URL_TOO_LONG'],
  ])('refuses %s with %s', (url, code) => {
    expect(codeOf(url)).toBe(code);
  });

  it('accepts a URL of exactly the maximum length', () => {
    const prefix = 'https://bank.example.cn/';
    expect(codeOf(prefix + 'a'.repeat(WEBHOOK_URL_MAX_LENGTH - prefix.length))).toBe('OK');
  });

  describe('SSRF: hosts on the platform side of the network are refused', () => {
    it.each([
      'https://localhost/hook',
      'https://LOCALHOST./hook',
      'https://api.localhost/hook',
      'https://127.0.0.1/hook',
      'https://127.8.9.10:8443/hook',
      'https://127.1/hook', // WHATWG-normalised to 127.0.0.1
      'https://0x7f000001/hook', // hex form of 127.0.0.1
      'https://2130706433/hook', // decimal form of 127.0.0.1
      'https://0.0.0.0/hook',
      'https://10.1.2.3/hook',
      'https://172.16.0.1/hook',
      'https://172.31.255.255/hook',
      'https://192.168.1.1/hook',
      'https://169.254.169.254/latest/meta-data/', // cloud metadata (link-local)
      'https://100.64.0.1/hook',
      'https://[::1]/hook',
      'https://[::]/hook',
      'https://[::ffff:127.0.0.1]/hook', // IPv4-mapped loopback
      'https://[::ffff:a9fe:a9fe]/hook', // IPv4-mapped metadata address
      'https://[fe80::1]/hook',
      'https://[fd00:ec2::254]/hook', // unique local (the EC2 IPv6 metadata address)
      'https://[64:ff9b::a00:1]/hook', // NAT64 of 10.0.0.1
      'https://224.0.0.1/hook',
      'https://255.255.255.255/hook',
    ])('%s', (url) => {
      expect(codeOf(url)).toBe('WEBHOOK_URL_FORBIDDEN_HOST');
    });

    it('allows neighbours of the private ranges', () => {
      for (const ip of ['172.15.255.255', '172.32.0.1', '11.0.0.1', '100.128.0.1', '169.255.0.1', '192.169.0.1']) {
        expect(codeOf(`https://${ip}/hook`), ip).toBe('OK');
      }
    });
  });

  describe('with ZT_ALLOW_LOCAL_WEBHOOKS (local runtime)', () => {
    it.each(['http://127.0.0.1:8080/hook', 'https://localhost/hook', 'http://localhost:3001/hook', 'http://192.168.1.20/hook', 'http://[::1]:9000/'])(
      'accepts the local URL %s',
      (url) => {
        expect(codeOf(url, local)).toBe('OK');
      },
    );

    it('still refuses plain http to a public host, and credentials', () => {
      expect(codeOf('http://bank.example.cn/hook', local)).toBe('WEBHOOK_URL_NOT_HTTPS');
      expect(codeOf('http://u:p@127.0.0.1/hook', local)).toBe('WEBHOOK_URL_CREDENTIALS');
    });
  });

  describe('resolved addresses (checked again at connection time)', () => {
    it('tells public from non-public addresses', () => {
      expect(isPublicAddress('8.8.8.8')).toBe(true);
      expect(isPublicAddress('2400:3200::1')).toBe(true);
      expect(isPublicAddress('10.0.0.8')).toBe(false);
      expect(isPublicAddress('::ffff:10.0.0.8')).toBe(false);
      expect(isPublicAddress('not-an-ip')).toBe(false);
    });

    it('lets the local runtime connect anywhere, the deployed notifier only to public addresses', () => {
      expect(mayConnectTo('127.0.0.1', local)).toBe(true);
      expect(mayConnectTo('127.0.0.1', deployed)).toBe(false);
      expect(mayConnectTo('93.184.216.34', deployed)).toBe(true);
    });
  });
});
