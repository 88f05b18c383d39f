/**
 * Which webhook URLs the platform will call (DESIGN.md §3 Progress). A webhook is a URL an institution
 * chooses and the platform fetches from inside its own network, so it is a server-side request forgery
 * (SSRF) vector: the policy refuses anything but public HTTPS endpoints. It is checked twice — on the
 * URL when the institution registers it, and on every address the notifier actually connects to (a
 * public name may resolve to a private address, or be re-pointed at one later).
 *
 * The local runtime sets `ZT_ALLOW_LOCAL_WEBHOOKS=true` so that developers can receive on their own
 * machine: loopback, private and link-local hosts are then allowed, and only those may use plain `http:`.
 */
import { BlockList, isIP } from 'node:net';

export const WEBHOOK_URL_MAX_LENGTH = 2048;

/** Stable problem codes of a refused webhook URL (422). */
export const WEBHOOK_URL_CODES = {
  WEBHOOK_URL_INVALID: 'The URL is not an absolute URL, or it carries a fragment.',
  WEBHOOK_URL_TOO_LONG: `The URL is longer than ${WEBHOOK_URL_MAX_LENGTH} characters.`,
  WEBHOOK_URL_NOT_HTTPS: 'The URL must use https.',
  WEBHOOK_URL_CREDENTIALS: 'The URL must not carry a user name or password.',
  WEBHOOK_URL_FORBIDDEN_HOST: 'The host is localhost or an IP address that is not public (loopback, private, link-local, reserved).',
} as const;
export type WebhookUrlCode = keyof typeof WEBHOOK_URL_CODES;

export interface WebhookUrlPolicy {
  /** Allow loopback, private and link-local hosts (and plain http to them): the local runtime only. */
  readonly allowLocal: boolean;
}

export type WebhookUrlCheck = { readonly ok: true; readonly url: URL } | { readonly ok: false; readonly code: WebhookUrlCode };

/**
 * Addresses that are not on the public internet. IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`) are
 * checked against the IPv4 ranges by BlockList itself.
 */
const NON_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private (RFC 1918)
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, incl. cloud metadata endpoints
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b::', 96], // NAT64: may embed any IPv4 address, private ones included
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, 'ipv6');
}

/** True for an IP address on the public internet; false for loopback, private, link-local, reserved, or not an IP. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return !NON_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** `localhost` and its subdomains (RFC 6761 §6.3: they always resolve to loopback). */
export function isLocalhostName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

/** The host as an IP literal without brackets, or undefined when it is a name. */
function ipLiteral(hostname: string): string | undefined {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return isIP(bare) === 0 ? undefined : bare;
}

/** True when the URL's host is localhost or a non-public IP literal (names are checked when resolved). */
function isLocalHost(url: URL): boolean {
  if (isLocalhostName(url.hostname)) return true;
  const ip = ipLiteral(url.hostname);
  return ip !== undefined && !isPublicAddress(ip);
}

/**
 * Checks a webhook URL against the policy. The WHATWG parser normalises the host first, so obfuscated
 * IPv4 forms (`0x7f000001`, `2130706433`, `127.1`) are seen as the address they are.
 */
export function checkWebhookUrl(raw: string, policy: WebhookUrlPolicy): WebhookUrlCheck {
  if (raw.length > WEBHOOK_URL_MAX_LENGTH) return { ok: false, code: 'WEBHOOK_URL_TOO_LONG' };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, code: 'WEBHOOK_URL_INVALID' };
  }
  if (url.hash !== '' || raw.includes('#')) return { ok: false, code: 'WEBHOOK_URL_INVALID' };
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, code: 'WEBHOOK_URL_NOT_HTTPS' };
  if (url.username !== '' || url.password !== '') return { ok: false, code: 'WEBHOOK_URL_CREDENTIALS' };
  if (url.hostname === '') return { ok: false, code: 'WEBHOOK_URL_INVALID' };
  const local = isLocalHost(url);
  if (local && !policy.allowLocal) return { ok: false, code: 'WEBHOOK_URL_FORBIDDEN_HOST' };
  // Plain http only to a developer's own machine or network, never across the internet.
  if (url.protocol === 'http:' && !local) return { ok: false, code: 'WEBHOOK_URL_NOT_HTTPS' };
  return { ok: true, url };
}

/** Whether the notifier may connect to this resolved address under the policy. */
export function mayConnectTo(address: string, policy: WebhookUrlPolicy): boolean {
  return policy.allowLocal ? isIP(address) !== 0 : isPublicAddress(address);
}
