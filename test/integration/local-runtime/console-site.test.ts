/**
 * The console on the local runtime (infra/local/console-site.ts), over real HTTP: the files of the build with
 * the security headers, app routes answered with index.html, and hostile paths (traversal, bad encodings,
 * other methods) answered with problem+json and never a file of the disk. The build is a fake here (the real
 * one is exercised by the browser test); the API routes beside it are untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpAdapter, type HttpAdapter } from '../../../infra/local/http-adapter';
import { consoleSite } from '../../../infra/local/console-site';

let http: HttpAdapter;
let builds = 0;
const bytes = (text: string) => new TextEncoder().encode(text);

beforeAll(async () => {
  const site = consoleSite({
    build: async () => {
      builds += 1;
      return {
        gzipBytes: 0,
        files: [
          { path: 'index.html', contentType: 'text/html; charset=utf-8', bytes: bytes('<!doctype html><title>console</title>'), immutable: false },
          { path: 'assets/app-ABC.js', contentType: 'text/javascript; charset=utf-8', bytes: bytes('export {}'), immutable: true },
        ],
      };
    },
  });
  http = await startHttpAdapter({ routes: [{ method: 'GET', path: '/health', functionName: 'health', timeoutSeconds: 3, handler: async () => ({ statusCode: 200, body: '{"ok":true}' }) }], mounts: [site], port: 0 });
});
afterAll(async () => http.close());

const get = (path: string, init?: RequestInit) => fetch(`${http.url}${path}`, { redirect: 'manual', ...init });

describe('the console on the local runtime', () => {
  it('redirects /console to /console/ and answers index.html with a CSP that allows no inline script or style', async () => {
    const redirect = await get('/console');
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe('/console/');
    const index = await get('/console/');
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<title>console</title>');
    const csp = index.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    expect(index.headers.get('cache-control')).toBe('no-cache');
  });

  it('serves the hashed files as immutable, config.json for the local issuer, and app routes as index.html; builds once', async () => {
    const js = await get('/console/assets/app-ABC.js');
    expect(js.headers.get('content-type')).toContain('text/javascript');
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect(await (await get('/console/config.json')).json()).toEqual({ apiBase: '', auth: { kind: 'local' } });
    expect(await (await get('/console/credit')).text()).toContain('<title>console</title>');
    expect(builds).toBe(1);
  });

  it.each([
    ['/console/%2e%2e/%2e%2e/package.json', 404],
    ['/console/..%2f..%2fpackage.json', 404],
    ['/console/assets/missing.js', 404],
    ['/console/%E0%A4%A', 400],
    ['/console/%00.js', 404],
  ])('answers %s with %i problem+json, never a file of the disk', async (path, status) => {
    const response = await get(path);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.text()).not.toContain('"name"');
  });

  it('refuses other methods with 405, and leaves the API routes beside it as they were', async () => {
    const post = await get('/console/', { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await get('/health')).status).toBe(200);
    expect((await get('/consoles')).status).toBe(404);
  });
});
