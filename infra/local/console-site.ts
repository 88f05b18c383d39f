/**
 * The registry console on the local runtime, at `/console/` beside the API (the same origin, as CloudFront puts
 * them on AWS): built from console/src in memory on the first request (esbuild, a fraction of a second; never a
 * stale build) and served with the headers CloudFront adds — the console's CSP without any inline script or
 * style, nosniff, no framing, no referrer. `config.json` says: the API is this origin, sign in with the local
 * token issuer.
 *
 * Only GET and HEAD; only the files of the build (anything else under /console/ without an extension is an app
 * route and answers index.html; with one, 404); no path is ever joined onto the file system.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { consoleContentSecurityPolicy } from '../../console/csp';
import type { ConsoleBuild, ConsoleFile } from '../../console/build';
import type { HttpMount } from './http-adapter';

export const CONSOLE_PATH = '/console';

export const LOCAL_CONSOLE_CONFIG = { apiBase: '', auth: { kind: 'local' } } as const;

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': consoleContentSecurityPolicy(),
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

export interface ConsoleSiteOptions {
  /** How the files are made; `buildConsole` of console/build.ts by default (imported only when first needed). */
  readonly build?: () => Promise<ConsoleBuild>;
}

function problem(res: ServerResponse, status: number, code: string, detail: string, extra: Record<string, string> = {}): void {
  const body = JSON.stringify({ type: `https://zhitong.example/problems/${code.toLowerCase().replaceAll('_', '-')}`, title: code, status, detail, code });
  res.writeHead(status, { 'content-type': 'application/problem+json', 'cache-control': 'no-store', ...SECURITY_HEADERS, ...extra });
  res.end(body);
}

export function consoleSite(options: ConsoleSiteOptions = {}): HttpMount {
  let files: Promise<Map<string, ConsoleFile>> | undefined;
  const load = (): Promise<Map<string, ConsoleFile>> =>
    (files ??= (async () => {
      const build = options.build ?? (await import('../../console/build')).buildConsole;
      const built = await build();
      const map = new Map(built.files.map((f) => [f.path, f]));
      const config = new TextEncoder().encode(JSON.stringify(LOCAL_CONSOLE_CONFIG));
      map.set('config.json', { path: 'config.json', contentType: 'application/json', bytes: config, immutable: false });
      return map;
    })().catch((error: unknown) => {
      files = undefined; // the next request tries again
      throw error;
    }));

  return {
    prefix: CONSOLE_PATH,
    async handle(req: IncomingMessage, res: ServerResponse, rawPath: string): Promise<void> {
      req.resume();
      const method = (req.method ?? 'GET').toUpperCase();
      if (method !== 'GET' && method !== 'HEAD') return problem(res, 405, 'METHOD_NOT_ALLOWED', 'The console is read with GET.', { allow: 'GET, HEAD' });
      if (rawPath === CONSOLE_PATH) {
        res.writeHead(301, { location: `${CONSOLE_PATH}/`, 'cache-control': 'no-store', ...SECURITY_HEADERS });
        return void res.end();
      }
      let relative: string;
      try {
        relative = decodeURIComponent(rawPath.slice(CONSOLE_PATH.length + 1));
      } catch {
        return problem(res, 400, 'MALFORMED_PATH', 'The request path has an invalid percent-encoding.');
      }
      let site: Map<string, ConsoleFile>;
      try {
        site = await load();
      } catch {
        return problem(res, 500, 'CONSOLE_BUILD_FAILED', 'The console could not be built; see the runtime log.');
      }
      const last = relative.split('/').pop() ?? '';
      // An app route (no extension) is the app itself; a file is one of the build's or nothing.
      const file = relative === '' || !last.includes('.') ? site.get('index.html') : site.get(relative);
      if (file === undefined) return problem(res, 404, 'NOT_FOUND', 'No such file of the console.');
      res.writeHead(200, {
        'content-type': file.contentType,
        'content-length': String(file.bytes.length),
        'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        ...SECURITY_HEADERS,
      });
      res.end(method === 'HEAD' ? undefined : file.bytes);
    },
  };
}
