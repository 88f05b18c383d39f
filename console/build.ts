/**
 * Builds the registry console (console/src) into static files: hashed ES modules — the app (Preact, the pages,
 * the audit verifier of client/zt-audit.ts) and a chunk with the ECharts parts the charts use, which the app
 * imports only on a page with charts — one stylesheet and index.html.
 * The local runtime builds it in memory on the first request to /console/ (infra/local/console-site.ts);
 * the CDK app builds it into a directory that the console stack uploads (infra/cdk/app.ts). `config.json`
 * is not part of the build: each place that serves the console supplies its own (where the API is, how
 * to sign in).
 *
 *   npx tsx console/build.ts [outDir]     (default: console/dist)
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));

export interface ConsoleFile {
  /** Path under the console's root, e.g. `index.html`, `assets/app-3F2A….js`. */
  readonly path: string;
  readonly contentType: string;
  readonly bytes: Uint8Array;
  /** Hashed file names never change content: cache them for a year; index.html never. */
  readonly immutable: boolean;
}

export interface ConsoleBuild {
  readonly files: readonly ConsoleFile[];
  /** Sum of the gzipped sizes of every file (the bundle budget: 500 KB). */
  readonly gzipBytes: number;
}

export interface BuildConsoleOptions {
  /** Where to write the files; without it, nothing is written (the local runtime serves them from memory). */
  readonly outDir?: string;
  /** Default true. */
  readonly minify?: boolean;
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};
const contentTypeOf = (path: string): string => CONTENT_TYPES[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream';

export async function buildConsole(options: BuildConsoleOptions = {}): Promise<ConsoleBuild> {
  const result = await build({
    entryPoints: { app: join(here, 'src/main.tsx') },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome110', 'safari16', 'firefox115'],
    minify: options.minify ?? true,
    legalComments: 'none',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    // The audit verifier (client/zt-audit.ts) is written for Node: SM3 from node:crypto, Buffer. The
    // console gives it the same functions from sm-crypto-v2 and the `buffer` package, so that auditors'
    // verdicts come from the very verifier institutions run.
    alias: { 'node:crypto': join(here, 'src/shims/node-crypto.ts') },
    inject: [join(here, 'src/shims/buffer-global.ts')],
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    // ECharts in a chunk of its own (charts.tsx imports it on first use): the sign-in page and the pages
    // without charts never parse it.
    splitting: true,
    entryNames: 'assets/[name]-[hash]',
    chunkNames: 'assets/[name]-[hash]',
    assetNames: 'assets/[name]-[hash]',
    outdir: '/console-build',
    write: false,
    metafile: false,
    logLevel: 'silent',
  });
  const assets = result.outputFiles.map((file) => ({ path: file.path.replace(/^\/console-build\//, ''), bytes: file.contents }));
  const script = assets.find((a) => a.path.startsWith('assets/app-') && a.path.endsWith('.js'));
  const style = assets.find((a) => a.path.startsWith('assets/app-') && a.path.endsWith('.css'));
  if (script === undefined || style === undefined) throw new Error('Console build: no script or stylesheet came out');
  const template = await readFile(join(here, 'src/index.html'), 'utf8');
  // The chunks the app imports statically (shared code), fetched along with it rather than after it.
  const preloads = assets
    .filter((a) => a.path.startsWith('assets/chunk-') && a.path.endsWith('.js'))
    .map((a) => `<link rel="modulepreload" href="./${a.path}" />`)
    .join('\n    ');
  const html = template.replace('%SCRIPT%', `./${script.path}`).replace('%STYLE%', `./${style.path}`).replace('%PRELOAD%', preloads);
  const files: ConsoleFile[] = [
    ...assets.map((a) => ({ ...a, contentType: contentTypeOf(a.path), immutable: true })),
    { path: 'index.html', contentType: contentTypeOf('index.html'), bytes: new TextEncoder().encode(html), immutable: false },
  ];
  if (options.outDir !== undefined) {
    for (const file of files) {
      const target = join(options.outDir, file.path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, file.bytes);
    }
  }
  return { files, gzipBytes: files.reduce((sum, f) => sum + gzipSync(f.bytes, { level: 9 }).length, 0) };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = resolve(process.argv[2] ?? join(here, 'dist'));
  const { files, gzipBytes } = await buildConsole({ outDir });
  console.log(`Built the console into ${outDir}: ${files.length} files, ${(gzipBytes / 1024).toFixed(1)} KB gzipped`);
}
