/**
 * The local data directory (`.data/` by default) holds the staff accounts' password hashes (in the
 * DynamoDB emulator's files), the keyring and the demo channels' private keys: only its owner may read
 * it. It is created 0700, an existing one (made by an earlier version, or by hand) is tightened to 0700
 * with group and other bits removed from everything inside, and while the runtime runs the process
 * umask is 077, so the files the emulator keeps creating are 0600 too.
 */
import { chmod, mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

const PRIVATE_UMASK = 0o077;

/** Creates or tightens the data directory; returns a function that puts the previous umask back. */
export async function securePrivateDataDir(dataDir: string): Promise<() => void> {
  const previousUmask = process.umask(PRIVATE_UMASK);
  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    await chmod(dataDir, 0o700);
    for (const entry of await readdir(dataDir, { recursive: true })) {
      const path = join(dataDir, entry);
      try {
        const { mode } = await stat(path);
        if ((mode & 0o077) !== 0) await chmod(path, mode & 0o700);
      } catch (error) {
        // An emulator already running on this directory (a shared one) rotates its files: one gone since
        // the listing needs no tightening.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  } catch (error) {
    process.umask(previousUmask);
    throw error;
  }
  return () => void process.umask(previousUmask);
}
