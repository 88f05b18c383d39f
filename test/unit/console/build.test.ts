/**
 * The console's build (console/build.ts), as the local runtime and the CDK app make it: index.html names only
 * files of the build and carries no inline script (the CSP allows none); ECharts is a chunk of its own that the
 * app imports dynamically, not at start; the whole stays within the 500 KB gzipped budget.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildConsole, type ConsoleBuild } from '../../../console/build';

let built: ConsoleBuild;
const text = (path: string) => new TextDecoder().decode(built.files.find((f) => f.path === path)!.bytes);

beforeAll(async () => {
  built = await buildConsole();
}, 60_000);

describe('the console build', () => {
  it('gives index.html that names the app, its stylesheet and its static chunks, all files of the build, and no inline script', () => {
    const html = text('index.html');
    const referenced = [...html.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((m) => m[1]!);
    expect(referenced.some((p) => /^assets\/app-[A-Z0-9]+\.js$/.test(p))).toBe(true);
    expect(referenced.some((p) => /^assets\/app-[A-Z0-9]+\.css$/.test(p))).toBe(true);
    for (const path of referenced) expect(built.files.map((f) => f.path)).toContain(path);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).not.toMatch(/style=/);
  });

  it('puts ECharts in a chunk the app imports only when a page draws a chart', () => {
    const app = built.files.find((f) => /^assets\/app-.*\.js$/.test(f.path))!;
    const charts = built.files.find((f) => /^assets\/echarts-setup-.*\.js$/.test(f.path))!;
    expect(charts).toBeDefined();
    const appText = new TextDecoder().decode(app.bytes);
    const chartsName = charts.path.slice('assets/'.length);
    // Static imports of the app: none of them the chart chunk; a dynamic import() of it.
    const staticImports = [...appText.matchAll(/(?:^|[;\n}])\s*import\s*(?:[^'"();]*?from\s*)?["']([^"']+)["']/g)].map((m) => m[1]!);
    expect(staticImports.some((p) => p.endsWith(chartsName))).toBe(false);
    // (The shared chunks are imported statically: what the pattern above finds.)
    for (const shared of built.files.filter((f) => f.path.startsWith('assets/chunk-'))) expect(staticImports).toContain(`./${shared.path.slice('assets/'.length)}`);
    expect(new RegExp(`import\\(\\s*["']\\./${chartsName.replace('.', '\\.')}["']\\s*\\)`).test(appText)).toBe(true);
    // The chart chunk registers ECharts' canvas renderer; the app does not (booleans: these files are large).
    const registersRenderer = /registerPainter\(\s*["']canvas["']/;
    expect(registersRenderer.test(new TextDecoder().decode(charts.bytes))).toBe(true);
    expect(registersRenderer.test(appText)).toBe(false);
    expect(app.bytes.length).toBeLessThan(charts.bytes.length);
  });

  it('marks the hashed files immutable and index.html not, and stays within 500 KB gzipped', () => {
    for (const file of built.files) expect([file.path, file.immutable]).toEqual([file.path, file.path !== 'index.html']);
    expect(built.gzipBytes).toBeLessThanOrEqual(500 * 1024);
  });
});
