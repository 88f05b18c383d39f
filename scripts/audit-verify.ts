/**
 * `npm run audit:verify -- <file> [--public-key <hex>] [--platform-key <hex>]`: checks an audit export
 * (docs/audit-log.md) line by line with the institution's verifier (client/zt-audit.ts) and stops at the first problem:
 *   FAIL line <n> (entry seq <s>): <reason>    exit 1
 *   OK <entries> entries, <heads> tree heads, root <hex>    exit 0
 * `--public-key` pins the log key (tree heads, `GET /v1/audit/log-key`), `--platform-key` the platform key that signs
 * the manifest (`platformPublicKey` of `GET /v1/channel/webhook` or of a certificate verification). A key not pinned
 * is the one the export declares, and the OK line says so: "; keys as declared by the export: pin them (…)" — pin
 * both to rule out a forged export.
 */
import { readFile } from 'node:fs/promises';
import { verifyExport, type ExportPins } from '../client/zt-audit';

const USAGE = 'usage: npm run audit:verify -- <export.jsonl> [--public-key <hex>] [--platform-key <hex>]\n';

/** Takes `--name <value>` out of `args`: undefined when absent, null when the value is missing. */
function option(args: string[], name: string): string | undefined | null {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const value = args.splice(at, 2)[1];
  return value && !value.startsWith('--') ? value.toLowerCase() : null;
}

async function main(argv: readonly string[]): Promise<number> {
  const args = [...argv];
  const publicKey = option(args, '--public-key');
  const platformPublicKey = option(args, '--platform-key');
  if (args.length !== 1 || publicKey === null || platformPublicKey === null) {
    process.stderr.write(USAGE);
    return 2;
  }
  const pins: ExportPins = { ...(publicKey ? { publicKey } : {}), ...(platformPublicKey ? { platformPublicKey } : {}) };
  const verdict = verifyExport(await readFile(args[0]!), pins);
  if (verdict.ok) {
    const unpinned = [
      ...(verdict.pinned.logKey ? [] : [`log key ${verdict.keyId} with --public-key`]),
      ...(verdict.pinned.platformKey ? [] : [`platform key ${verdict.platformKeyId} with --platform-key`]),
    ];
    const note = unpinned.length === 0 ? '' : `; keys as declared by the export: pin them (${unpinned.join(', ')})`;
    process.stdout.write(`OK ${verdict.entries} entries, ${verdict.heads} tree heads, root ${verdict.root}${note}\n`);
    return 0;
  }
  process.stdout.write(`FAIL line ${verdict.line}${verdict.seq === undefined ? '' : ` (entry seq ${verdict.seq})`}: ${verdict.reason}\n`);
  return 1;
}

process.exitCode = await main(process.argv.slice(2));
