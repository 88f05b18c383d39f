/**
 * The local runtime's export store (`npm start`): files under `ZT_EXPORT_DIR` (in the data dir), each with a
 * sidecar `<file>.retain.json` holding its `retainUntil`, written once — a second write of a key is refused,
 * as S3 Object Lock in compliance mode refuses to replace a locked object before its date.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ExportStore } from '../../core/ports';

const KEY = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_.-]+)*$/;

export class LocalExportStore implements ExportStore {
  constructor(private readonly dir: string) {}

  #path(key: string): string {
    if (!KEY.test(key) || key.includes('..')) throw new Error('export key is not a plain relative path');
    return join(this.dir, key);
  }

  async put(key: string, body: Buffer, options: { readonly retainUntil: Date; readonly contentType: string }): Promise<{ readonly location: string }> {
    const path = this.#path(key);
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    // 'wx': never overwrite an export (EEXIST rejects).
    await writeFile(path, body, { flag: 'wx', mode: 0o600 });
    await writeFile(`${path}.retain.json`, `${JSON.stringify({ retainUntil: options.retainUntil.toISOString(), contentType: options.contentType })}\n`, { flag: 'wx', mode: 0o600 });
    return { location: `file://${path}` };
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.#path(key));
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /** The retention recorded with an export (for tests and the operator). */
  async retainUntil(key: string): Promise<Date | undefined> {
    try {
      return new Date((JSON.parse(await readFile(`${this.#path(key)}.retain.json`, 'utf8')) as { retainUntil: string }).retainUntil);
    } catch {
      return undefined;
    }
  }
}
